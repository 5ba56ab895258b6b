"""Placeholder and not-applicable indicator rows (docs/workbook.md §8): never scored, never dropped
silently — each one is listed in `skipped` with its row, on a two-sheet form and on the one-sheet form."""
from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from selfeval_xl.api import evaluate

HEADER = ["一级指标", "二级指标", "三级指标", "指标性质", "年度指标值", "度量单位", "实际完成值", "分值", "得分"]
# Three indicators that meet their targets (hebei-dept: 产出 40, 效益 40, 满意度 10, 执行率 10).
MET = [
    ["产出指标", "数量指标", "培训人次", "≥", 100, "人次", 100, 40, None],
    ["效益指标", "社会效益指标", "就业率", "≥", 90, "%", 90, 40, None],
    ["满意度指标", "满意度指标", "学员满意度", "≥", 90, "%", 90, 10, None],
]


def two_sheet_form(path: Path, extra: list[object]) -> Path:
    """预算执行 100 / 100, then the indicators: row 2 培训人次, row 3 the row under test, rows 4–5 the rest."""
    wb = xlsxwriter.Workbook(str(path))
    info = wb.add_worksheet("基本信息")  # who sent it, so that nothing but the row under test is found
    info.write_row(0, 0, ["单位名称", "县农技站"])
    info.write_row(1, 0, ["评价年度", 2025])
    b = wb.add_worksheet("预算执行")
    b.write_row(0, 0, ["名称", "全年预算数", "全年执行数"])
    b.write_row(1, 0, ["办公经费", 100, 100])
    ws = wb.add_worksheet("绩效指标")
    ws.write_row(0, 0, HEADER)
    for r, values in enumerate([MET[0], extra, *MET[1:]], start=1):
        for c, value in enumerate(values):
            if value is not None:
                ws.write(r, c, value)
    wb.close()
    return path


def _row(name: object = None, target: object = None, actual: object = None, weight: object = None,
         score: object = None, level1: object = "产出指标", level2: object = "数量指标") -> list[object]:
    return [level1, level2, name, None, target, None, actual, weight, score]


PLACEHOLDERS = {
    "指标１ full-width": _row("指标１"),
    "指标1 with a colon": _row("指标1："),
    "ellipsis": _row("……"),
    "three dots": _row("..."),
    "a hyphen": _row("-"),
    "a dash": _row("—"),
    "only the level names": _row(),
    "only a second level": _row(level1=None),
    "指标2 with a 0 weight": _row("指标2", weight=0),
    "指标2 with the form's 0 score": _row("指标2", score=0),
    "不适用 as the name": _row("不适用"),
    "0 weight and slashes": _row("某项指标", "/", "/", 0),
    "a slash weight and 无": _row("某项指标", "无", "无", "/"),
    "a slash target, the rest empty": _row("某项指标", "/"),
    "不适用 twice, a dash weight": _row("某项指标", "不适用", "不适用", "-"),
}


# Hand-worked: whatever the row under test, 培训人次 100 of 100 → 40, 就业率 90 of 90 → 40, 学员满意度
# 90 of 90 → 10, rate 100 / 100 → 10; total 40 + 40 + 10 + 10 = 100.00, and row 3 is in `skipped`.
@pytest.mark.parametrize("case", sorted(PLACEHOLDERS))
def test_a_placeholder_row_is_listed_not_scored(case: str, tmp_path: Path) -> None:
    data = evaluate(two_sheet_form(tmp_path / "表.xlsx", PLACEHOLDERS[case]), "hebei-dept").to_json()
    assert [(i["row"], i["score"]) for i in data["indicators"]] == [(2, "40.00"), (4, "40.00"), (5, "10.00")]
    assert [(s["sheet"], s["row"]) for s in data["skipped"]] == [("绩效指标", 3)]
    assert data["skipped"][0]["reason"].startswith(("表样空行", "不适用"))
    assert (data["checks"], data["total"]) == ([], "100.00")


def test_the_reason_names_what_was_printed(tmp_path: Path) -> None:
    data = evaluate(two_sheet_form(tmp_path / "表.xlsx", _row("某项指标", "/")), "hebei-dept").to_json()
    assert data["skipped"][0]["reason"] == "不适用：年度指标值为“/”，实际完成值未填，未设分值"


@pytest.mark.parametrize(("row", "codes"), [
    # a weight makes an indicator, whatever else it lacks: 0 of 5 points, and the filler is told
    (_row("指标3", weight=5), {"VALUE_MISSING"}),
    # a named indicator with nothing filled in is the filler's to complete, not the form's empty line
    (_row("新增培训基地"), {"VALUE_MISSING"}),
])
def test_a_row_that_is_an_indicator_stays_one(row: list[object], codes: set[str], tmp_path: Path) -> None:
    data = evaluate(two_sheet_form(tmp_path / "表.xlsx", row), "hebei-dept").to_json()
    assert 3 in [i["row"] for i in data["indicators"]]
    assert data["skipped"] == []
    assert codes <= {c["code"] for c in data["checks"]}


def one_sheet_form(path: Path) -> Path:
    """A one-sheet 项目支出绩效自评表 whose indicator block prints empty lines (rows 9–16)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    ws.write("A1", "项目支出绩效自评表（2025年度）")
    ws.write_row("A2", ["项目名称", "农技推广项目", "实施单位", "县农技站"])
    ws.merge_range("A3:A4", "项目资金（万元）")
    ws.write_row("B3", [None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.write_row("B4", ["年度资金总额", 50, 50, 50, 10, None, 10])
    ws.write_row("A5", ["年度总体目标", "预期目标", None, None, "实际完成情况"])
    ws.write_row("A6", [None, "推广新技术5项", None, None, "推广新技术5项"])
    ws.write_row("A7", ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"])
    rows = [
        (8, ["产出指标", "数量指标", "推广新技术", "≥5项", "5项", 50, 50]),
        (9, [None, "质量指标", "指标１", None, None, None, None]),
        (10, [None, None, "……", None, None, None, 0]),
        (11, ["效益指标", "社会效益指标", "示范户增收", "≥10%", "12%", 30, 30]),
        (12, [None, "生态效益指标", "－", None, None, None, None]),
        (13, [None, "可持续影响指标", "化肥减量", "/", "/", 0, None]),
        (14, ["满意度指标", "服务对象满意度指标", "农户满意度", "≥90%", "95%", 10, 10]),
        (15, [None, None, "指标2：", None, None, None, None]),
        (16, [None, None, None, None, None, None, None]),
    ]
    for row, values in rows:
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.write(row - 1, c, value)
    ws.write("B16", "满意度指标")  # a level name alone on the last printed line
    ws.write_row("A17", ["总分", None, None, None, None, None, 100, 100])
    wb.close()
    return path


# Hand-worked (mof-project: 产出 50, 效益 30, 满意度 10, 执行率 10 按比例): rate 50 / 50 = 1 → 10.00;
# 推广新技术 5项 ≥ 5项 → 50.00; 示范户增收 12% ≥ 10% → 30.00; 农户满意度 95% ≥ 90% → 10.00;
# total 10 + 50 + 30 + 10 = 100.00 (typed 100 agrees). Rows 9, 10, 12, 13, 15, 16 are the form's
# empty or not-applicable lines, each listed in `skipped`.
def test_the_one_sheet_form_lists_its_empty_lines(tmp_path: Path) -> None:
    data = evaluate(one_sheet_form(tmp_path / "一页.xlsx")).to_json()
    assert [(i["row"], i["score"]) for i in data["indicators"]] == [(8, "50.00"), (11, "30.00"), (14, "10.00")]
    assert sorted(s["row"] for s in data["skipped"]) == [9, 10, 12, 13, 15, 16]
    assert (data["checks"], data["total"]) == ([], "100.00")
