"""What an accountant meets on the first day: the messages that used to read like a programmer's.

- a qualitative band in words (24 分至 32 分（不含 32 分）), never in interval notation ([24, 32));
- an empty weight said to be empty (分值未填写), not quoted as “”;
- an Excel/WPS lock file (~$自评表.xlsx) called what it is, with the workbook to pick instead;
- a negative amount said to be summed as typed (only a negative actual value is scored as 0).

Every expected message is written out by hand; the comment on each case says how its numbers come.
(The rollup's side of the same issue is in tests/test_rollup.py.)
"""
from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

import pytest

from builders import BUDGET_SHEET, INDICATOR_SHEET, SMALL_LINES, BRow, make_input, uncached_formula
from selfeval_xl.errors import UnreadableWorkbook
from selfeval_xl.read.reader import open_workbook
from selfeval_xl.rules.assess import assess
from test_checks import HEBEI, QUAL, row
from workbooks import template_copy

MET = "达成年度指标"
PARTIAL = "部分达成年度指标并具有一定效果"
MISSED = "未达成年度指标且效果较差"
INTERVAL = re.compile(r"[\[(]\s*-?\d[\d.]*\s*,\s*-?\d[\d.]*\s*[\])]")  # [24, 32) or (1.8, 2.4]


def messages(inp, code: str) -> list[tuple[str | None, str | None, str]]:
    return [(f.sheet, f.cell, f.message) for f in assess(inp, HEBEI).checks if f.code == code]


# --- 1. the qualitative band in words -------------------------------------------------------------

BANDS = [
    pytest.param(
        "QUAL_SCORE_MISSING", row(0, **QUAL, actual=PARTIAL, weight=3),
        # 60% × 3 = 1.8 (inclusive) to 80% × 3 = 2.4 (exclusive)
        "“部分达成年度指标并具有一定效果”须由评价人在 1.8 分至 2.4 分（不含 2.4 分）范围内打分："
        "请填写自评得分（暂按 0 分计）。",
        id="missing-partial-weight-3"),
    pytest.param(
        "QUAL_SCORE_MISSING", row(0, **QUAL, actual=MISSED),
        # 0 to 60% × 40 = 24 (exclusive)
        "“未达成年度指标且效果较差”须由评价人在 0 分至 24 分（不含 24 分）范围内打分：请填写自评得分（暂按 0 分计）。",
        id="missing-missed-weight-40"),
    pytest.param(
        "QUAL_SCORE_OUT_OF_BAND", row(0, **QUAL, actual=MET, self_score=30),
        # 达成: 80% × 40 = 32 to the whole weight 40, the top included; 30 < 32
        "自评得分 30 不在“达成年度指标”对应的 32 分至 40 分（含 40 分）范围内：请调整得分或完成情况。",
        id="out-of-band-met-inclusive-top"),
    pytest.param(
        "QUAL_SCORE_OUT_OF_BAND", row(0, **QUAL, actual=PARTIAL, weight=D("2.5"), self_score=2),
        # 60% × 2.5 = 1.5 to 80% × 2.5 = 2, the top excluded: a score of exactly 2 is outside
        "自评得分 2 不在“部分达成年度指标并具有一定效果”对应的 1.5 分至 2 分（不含 2 分）范围内："
        "请调整得分或完成情况。",
        id="out-of-band-partial-exclusive-top"),
]


@pytest.mark.parametrize("code, indicators, message", BANDS)
def test_a_qualitative_band_is_written_in_words(code, indicators, message):
    assert messages(make_input(indicators), code) == [(INDICATOR_SHEET, "L4", message)]


@pytest.mark.parametrize("actual, self_score", [(PARTIAL, None), (MISSED, None), (MET, 20), (PARTIAL, 35)])
def test_no_message_uses_interval_notation(actual, self_score):
    findings = assess(make_input(row(0, **QUAL, actual=actual, self_score=self_score)), HEBEI).checks
    assert findings and not [f.message for f in findings if INTERVAL.search(f.message)]


# --- 2. an empty weight says it is empty -----------------------------------------------------------

WEIGHTS = [
    pytest.param(None, "分值未填写：每个指标的分值应为大于 0 的数字，请填写。", id="empty"),
    pytest.param("   ", "分值未填写：每个指标的分值应为大于 0 的数字，请填写。", id="spaces-only"),
    pytest.param(uncached_formula(), "分值是公式，文件中没有保存计算结果：每个指标的分值应为大于 0 的数字，请填写。",
                 id="formula-without-value"),
    # a cell with something in it keeps quoting what is there
    pytest.param("四十", "分值“四十”无效：每个指标的分值应为大于 0 的数字，请填写。", id="words"),
    pytest.param(-5, "分值“-5”无效：每个指标的分值应为大于 0 的数字，请填写。", id="negative"),
    pytest.param(0, "分值“0”无效：每个指标的分值应为大于 0 的数字，请填写。", id="zero"),
]


@pytest.mark.parametrize("weight, message", WEIGHTS)
def test_weight_invalid_says_empty_or_quotes_the_value(weight, message):
    found = messages(make_input(row(0, weight=weight)), "WEIGHT_INVALID")
    assert found == [(INDICATOR_SHEET, "K4", message)]
    assert "“”" not in message


# --- 3. an Excel/WPS lock file -----------------------------------------------------------------------

def lock_bytes(user: str = "zhangsan") -> bytes:
    """An owner file as Excel writes it: the user name's length and the name, padded, then the name in
    UTF-16, padded: 165 bytes in all."""
    head = bytes([len(user)]) + user.encode("ascii").ljust(53, b" ")
    tail = bytes([len(user), 0]) + user.encode("utf-16-le")
    return (head + tail).ljust(165, b"\x20")


def refused(path: Path) -> UnreadableWorkbook:
    with pytest.raises(UnreadableWorkbook) as caught:
        open_workbook(path)
    return caught.value


def test_a_lock_file_beside_its_workbook_names_the_workbook(tmp_path: Path) -> None:
    template_copy(tmp_path, "自评表.xlsx")
    lock = tmp_path / "~$自评表.xlsx"
    lock.write_bytes(lock_bytes())
    error = refused(lock)
    assert error.code == "LOCK_FILE"
    assert error.message == (
        "文件 ~$自评表.xlsx 是 Excel/WPS 打开 自评表.xlsx 时在旁边生成的锁定文件（只记录打开者的用户名），"
        "不是工作簿本身：请改选同一文件夹中的 自评表.xlsx；在 Excel/WPS 中关闭该工作簿后，这个锁定文件会自动消失。")
    assert "文本" not in error.message and "CSV" not in error.message


def test_a_lock_file_without_its_workbook_says_so(tmp_path: Path) -> None:
    lock = tmp_path / "~$南障城镇.xls"
    lock.write_bytes(lock_bytes())
    error = refused(lock)
    assert (error.code, error.message) == ("LOCK_FILE", (
        "文件 ~$南障城镇.xls 是 Excel/WPS 打开 南障城镇.xls 时在旁边生成的锁定文件（只记录打开者的用户名），"
        "不是工作簿本身：同一文件夹中没有 南障城镇.xls，请找到（或向填报单位索要）工作簿 南障城镇.xls 本身再试。"))


def test_an_empty_lock_file_is_a_lock_file(tmp_path: Path) -> None:
    (tmp_path / "~$表.et").write_bytes(b"")  # WPS beside an open .et; the name decides, not the content
    assert refused(tmp_path / "~$表.et").code == "LOCK_FILE"


def test_a_real_workbook_whose_name_starts_with_tilde_dollar_is_read(tmp_path: Path) -> None:
    book = open_workbook(template_copy(tmp_path, "~$真的是工作簿.xlsx"))  # zip content: a workbook, whatever its name
    assert "绩效指标" in book.sheet_names


def test_a_large_text_file_named_like_a_lock_file_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "~$导出.xlsx"
    path.write_text("单位,得分\n" * 1000, encoding="utf-8")  # 13,000 bytes: more than a lock file ever holds
    error = refused(path)
    assert error.code == "NOT_A_WORKBOOK" and "实际是文本（如 CSV）文件" in error.message


def test_a_small_text_file_without_the_prefix_is_not_a_lock_file(tmp_path: Path) -> None:
    path = tmp_path / "自评表.xlsx"
    path.write_bytes(lock_bytes())
    assert refused(path).code == "NOT_A_WORKBOOK"


# --- 4. a negative amount is summed as typed; a negative actual value is scored as 0 --------------

def test_a_negative_line_amount_is_summed_as_typed() -> None:
    inp = make_input(lines=[BRow("基本支出", "人员经费", 1000, -100), SMALL_LINES[1]])
    assert messages(inp, "NEGATIVE_VALUE") == [
        (BUDGET_SHEET, "E4", "预算执行“人员经费”的全年执行数为负数 -100：已按所填负数计入合计，请核对。")]
    execution = assess(inp, HEBEI).execution
    # executed −100 + 400 = 300 (not 0 + 400 = 400) against 1000 + 500 = 1500: the message says what happens
    assert (execution.executed, execution.budget, execution.rate) == (D(300), D(1500), D("0.2"))


def test_a_negative_typed_total_is_used_for_the_rate() -> None:
    inp = make_input(lines=[], total={"budget": 1000, "executed": -50})
    assert messages(inp, "NEGATIVE_VALUE") == [
        (BUDGET_SHEET, "E4", "合计的全年执行数为负数 -50：已按所填负数计算执行率，请核对。")]
    execution = assess(inp, HEBEI).execution
    # −50 ÷ 1000 = −0.05: the rate as typed, and a negative rate scores 0
    assert (execution.executed, execution.rate, execution.score) == (D(-50), D("-0.05"), 0)


def test_a_negative_actual_value_is_scored_as_0() -> None:
    inp = make_input(row(0, actual=-5, reason="数据待核实"))
    assert messages(inp, "NEGATIVE_VALUE") == [
        (INDICATOR_SHEET, "J4", "“培训人次”的实际完成值为负数 -5：计分时按 0 处理，请核对。")]
    # ≥100 with the actual taken as 0: 40 × 0 ÷ 100 = 0
    assert assess(inp, HEBEI).indicators[0].score == 0
