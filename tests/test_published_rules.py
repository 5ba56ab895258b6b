"""The indicator rules of docs/rules.md §12.1, §12.5–§12.9, on workbooks written the way forms are filled.

Each workbook (openpyxl, the tool's own layout) has one indicator under test on 绩效指标 row 4
(产出指标, weight 40) and two rows that are met in full: 政策知晓率 ≥90% with 95% (效益指标, 40) and
群众满意度 ≥90 with 92 (满意度指标, 10). The budget is 1000 of 1000 spent: execution 10 × 100% = 10.
So every total below is 10 + 40 + 10 + the row under test = 60 + that row's score.

Columns (header on row 3): A 序号, B 一级指标, C 二级指标, D 三级指标, E 指标性质, F 比较方式,
G 年度指标值, H 计量单位, I 实际完成值, J 分值, K 自评得分, L 偏差原因分析及改进措施; a form without
指标性质 moves every column after D one place left.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from selfeval_xl.api import evaluate
from selfeval_xl.model import Cell, Result
from selfeval_xl.rules.quantities import DateValue, convert_unit, parse_text_date, read_value
from selfeval_xl.vocabulary import GE, LE, lower_is_better_name, met_in_words

KEYS = ("seq", "level1", "level2", "name", "nature", "operator", "target", "unit", "actual", "weight", "self_score",
        "reason")
LABELS = {"seq": "序号", "level1": "一级指标", "level2": "二级指标", "name": "三级指标", "nature": "指标性质",
          "operator": "比较方式", "target": "年度指标值", "unit": "计量单位", "actual": "实际完成值", "weight": "分值",
          "self_score": "自评得分", "reason": "偏差原因分析及改进措施"}
FILLERS = (
    {"level1": "效益指标", "level2": "社会效益指标", "name": "政策知晓率", "nature": "定量", "operator": "≥",
     "target": "90%", "unit": "%", "actual": "95%", "weight": 40},
    {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "群众满意度", "nature": "定量", "operator": "≥",
     "target": 90, "unit": "%", "actual": 92, "weight": 10},
)
PARTIAL = "部分达成年度指标并具有一定效果"
MISSED = "未达成年度指标且效果较差"


class Form:
    """A written workbook and where each column of the indicator table went."""

    def __init__(self, path: Path, keys: tuple[str, ...]) -> None:
        self.path = path
        self.letters = {key: chr(ord("A") + i) for i, key in enumerate(keys)}

    def cell(self, key: str, row: int = 4) -> str:
        return f"{self.letters[key]}{row}"

    def result(self) -> Result:
        return evaluate(self.path)


def write_form(tmp_path: Path, row: dict[str, object], *, nature_column: bool = True, year: int | None = 2025) -> Form:
    """The indicator under test as 产出指标 / 数量指标 with weight 40 unless `row` says otherwise."""
    tested = {"level1": "产出指标", "level2": "数量指标", "name": "测试指标", "nature": "定量", "weight": 40, **row}
    keys = KEYS if nature_column else tuple(k for k in KEYS if k != "nature")
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "基本信息"
    info.append(["部门整体支出绩效自评 基本信息"])
    info.append([])
    info.append(["单位名称", "测试镇人民政府"])
    if year is not None:
        info.append(["评价年度", year])
    info.append(["评价类型", "部门整体支出"])
    info.append(["评价口径", "hebei-dept"])
    budget = wb.create_sheet("预算执行")
    budget.append(["预算执行情况"])
    budget.append(["金额单位：元"])
    budget.append(["类别", "名称", "年初预算数", "全年预算数", "全年执行数", "执行率", "原因说明"])
    budget.append(["基本支出", "人员经费", 1000, 1000, 1000])
    budget.append([None, "合计", 1000, 1000, 1000])
    sheet = wb.create_sheet("绩效指标")
    sheet.append(["绩效指标完成情况"])
    sheet.append([])
    sheet.append([LABELS[k] for k in keys])
    for i, values in enumerate((tested, *FILLERS), start=1):
        sheet.append([i if k == "seq" else values.get(k) for k in keys])
    path = tmp_path / "自评表.xlsx"
    wb.save(path)
    return Form(path, keys)


def found(result: Result) -> set[tuple[str, str | None]]:
    return {(f.code, f.cell) for f in result.checks}


# --- §8 qualitative rows in free text ---------------------------------------------------------------

@pytest.mark.parametrize("nature_column", [True, False])
@pytest.mark.parametrize("actual", [
    "显著提升",  # the target's own text
    "达到", "达成", "完成", "已完成", "实现", "是",
    "达到预期", "完成目标", "实现年度指标", "达到预期目标", "已完成年度指标。",
])
def test_a_qualitative_actual_that_says_met_reads_as_the_met_label(tmp_path, actual, nature_column):
    # 定性 from the column, or with no column from the target 显著提升 (text, neither number nor date);
    # read as 达成 with no score typed: the full weight 40, no finding; total 60 + 40 = 100
    row = {"nature": "定性", "target": "显著提升", "actual": actual}
    result = write_form(tmp_path, row, nature_column=nature_column).result()
    assert result.indicators[0].qualitative
    assert result.indicators[0].score == D("40.00")
    assert result.checks == ()
    assert result.total == D("100.00")


@pytest.mark.parametrize("score, expected", [
    (35, set()),  # 35 lies in 达成's band [32, 40] (80% × 40 = 32): taken as typed
    (30, {("QUAL_SCORE_OUT_OF_BAND", "K4")}),  # 30 < 32: outside the band, exactly as for the label itself
])
def test_a_met_word_is_checked_against_the_met_band(tmp_path, score, expected):
    form = write_form(tmp_path, {"nature": "定性", "target": "合格", "actual": "已完成", "self_score": score})
    result = form.result()
    assert found(result) == expected  # never DEVIATION_UNEXPLAINED: 达成 is no missed target
    assert result.indicators[0].score == D(score)


def test_free_text_with_a_typed_score_takes_the_score_and_warns(tmp_path):
    # 良好 is no label and no word for 达成; 36 typed with a reason: the score is 36, total 60 + 36 = 96
    form = write_form(tmp_path, {"nature": "定性", "target": "合格以上", "actual": "良好", "self_score": 36,
                                 "reason": "个别站点未验收"})
    result = form.result()
    assert found(result) == {("QUAL_FREE_TEXT", form.cell("actual"))}
    assert result.indicators[0].score == D("36.00")
    assert result.total == D("96.00")
    assert result.valid  # a warning only


def test_free_text_scored_below_its_weight_without_a_reason_is_a_missed_target(tmp_path):
    form = write_form(tmp_path, {"nature": "定性", "target": "合格以上", "actual": "良好", "self_score": 36})
    assert found(form.result()) == {("QUAL_FREE_TEXT", "I4"), ("DEVIATION_UNEXPLAINED", "L4")}


def test_free_text_scored_at_its_weight_needs_no_reason(tmp_path):
    form = write_form(tmp_path, {"nature": "定性", "target": "合格以上", "actual": "良好", "self_score": 40})
    assert found(form.result()) == {("QUAL_FREE_TEXT", "I4")}


def test_free_text_score_above_the_weight_is_capped(tmp_path):
    # 45 > weight 40: SCORE_OVER_WEIGHT, and the row counts its weight, 40
    form = write_form(tmp_path, {"nature": "定性", "target": "合格以上", "actual": "良好", "self_score": 45})
    result = form.result()
    assert found(result) == {("QUAL_FREE_TEXT", "I4"), ("SCORE_OVER_WEIGHT", "K4")}
    assert result.indicators[0].score == D("40.00")


def test_free_text_without_a_score_is_an_unknown_label(tmp_path):
    # nothing to score by: the row is null and counts 0, total 60 + 0 = 60
    result = write_form(tmp_path, {"nature": "定性", "target": "合格以上", "actual": "良好"}).result()
    assert found(result) == {("QUAL_LABEL_UNKNOWN", "I4")}
    assert result.indicators[0].score is None
    assert result.total == D("60.00")


def test_free_text_target_without_a_nature_column_is_qualitative(tmp_path):
    # no 指标性质 column: the target 有效改善 is text, so the row is 定性 and the typed 38 stands
    form = write_form(tmp_path, {"target": "有效改善", "actual": "明显好转", "self_score": 38, "reason": "仍有反弹"},
                      nature_column=False)
    result = form.result()
    assert form.cell("actual") == "H4"
    assert found(result) == {("QUAL_FREE_TEXT", "H4")}
    assert result.indicators[0].qualitative
    assert result.indicators[0].score == D("38.00")


@pytest.mark.parametrize("target, actual", [("12月底前", "2025年11月20日"), ("≥95%", "96%"), ("100", "100")])
def test_a_number_or_date_target_without_a_nature_column_stays_quantitative(tmp_path, target, actual):
    # 11月20日 ≤ 12月31日, 96% ≥ 95%, 100 ≥ 100 (≥ assumed): each the full weight 40
    result = write_form(tmp_path, {"target": target, "actual": actual, "operator": "≥" if target == "100" else None},
                        nature_column=False).result()
    assert not result.indicators[0].qualitative
    assert result.indicators[0].score == D("40.00")
    assert result.checks == ()


@pytest.mark.parametrize("target", ["—", "/", "——", "／"])
def test_no_target_set_and_an_actual_in_words_is_free_text(tmp_path, target):
    # docs/rules.md §12.1: a weight, no target (a dash or slash) and an actual in words; even with 定量
    form = write_form(tmp_path, {"target": target, "actual": "已按计划推进", "self_score": 38, "reason": "进度略慢"})
    result = form.result()
    assert found(result) == {("QUAL_FREE_TEXT", "I4")}
    assert result.indicators[0].score == D("38.00")


def test_no_target_set_and_completed_reads_as_met(tmp_path):
    # 完成 is a word for 达成 (the dash is never "the target's text"): full weight 40
    result = write_form(tmp_path, {"target": "/", "actual": "完成"}).result()
    assert result.checks == ()
    assert result.indicators[0].score == D("40.00")


def test_no_target_set_with_a_number_stays_a_missing_target(tmp_path):
    # a number against a dash is no qualitative row: the target cannot be read
    result = write_form(tmp_path, {"operator": "≥", "target": "—", "actual": "98%"}).result()
    assert found(result) == {("VALUE_NOT_NUMBER", "G4")}
    assert result.indicators[0].score is None


@pytest.mark.parametrize("row, expected", [
    # qualitative rows whose score is null
    ({"nature": "定性", "target": "合格", "actual": PARTIAL}, {("QUAL_SCORE_MISSING", "K4")}),
    ({"nature": "定性", "target": "合格", "actual": MISSED}, {("QUAL_SCORE_MISSING", "K4")}),
    ({"nature": "定性", "target": "合格", "actual": "良好"}, {("QUAL_LABEL_UNKNOWN", "I4")}),
    # quantitative rows whose score is null, each with a typed score below the weight and no reason
    ({"operator": "≥", "target": 100, "actual": "完成", "self_score": 30}, {("VALUE_NOT_NUMBER", "I4")}),
    ({"operator": "≥", "target": 100, "actual": None, "self_score": 30}, {("VALUE_MISSING", "I4")}),
    ({"operator": "≥", "target": "≤100", "actual": 80, "self_score": 30}, {("OPERATOR_UNKNOWN", "G4")}),
    ({"operator": "≥", "target": "≥50个", "actual": "48项", "self_score": 30}, {("UNIT_INCOMPATIBLE", "I4")}),
    ({"target": "12月底前", "actual": 100, "self_score": 30}, {("VALUE_NOT_NUMBER", "I4")}),
])
def test_a_row_whose_score_is_null_gets_its_own_error_only(tmp_path, row, expected):
    # no SCORE_MISMATCH and no DEVIATION_UNEXPLAINED beside the error; the row counts 0: total 60
    result = write_form(tmp_path, row).result()
    assert found(result) == expected
    assert result.indicators[0].score is None
    assert result.total == D("60.00")


def test_an_invalid_weight_brings_no_missed_target_beside_it(tmp_path):
    result = write_form(tmp_path, {"nature": "定性", "target": "合格", "actual": PARTIAL, "self_score": 5,
                                   "weight": "待定"}).result()
    codes = {f.code for f in result.checks}
    assert "WEIGHT_INVALID" in codes
    assert not codes & {"DEVIATION_UNEXPLAINED", "SCORE_MISMATCH", "QUAL_SCORE_OUT_OF_BAND"}
    assert result.indicators[0].score is None


@pytest.mark.parametrize("actual, target, met", [
    ("达到预期目标", "合格", True), ("已实现", "合格", True), ("是", "否", True), ("合格。", "合格", True),
    ("达成预期", "x", True), ("基本完成", "合格", False), ("良好", "合格", False), ("未完成", "合格", False),
    ("—", "—", False), ("", "", False),
])
def test_met_in_words(actual, target, met):
    assert met_in_words(actual, target) is met


# --- §9 directions -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, op", [
    # a name ending in 率 goes by its last word
    ("投诉举报按时办结率", GE), ("任务完成率", GE), ("服务覆盖率", GE), ("水质达标率", GE), ("成本控制率", GE),
    ("投诉处理率", GE), ("事故处置及时率", GE), ("投诉举报按时办结率（%）", GE),
    ("火灾发生率", LE), ("财务差错率", LE), ("群众投诉率", LE), ("安全事故率", LE), ("预算超支率", LE),
    ("预算调整率", LE), ("资金结余率", LE), ("价格变动率", LE), ("数据偏差率", LE), ("操作失误率", LE),
    ("工程返工率", LE), ("火灾发生率(%)", LE),
    # any other name by the word list
    ("单位造价成本", LE), ("安全事故次数", LE), ("群众投诉件数", LE), ("差错笔数", LE), ("超支金额", LE),
    ("排放超标次数", LE), ("经济损失", LE), ("逾期未办结件数", LE), ("违规事件数", LE),
    ("培训人次", GE), ("新建道路长度", GE),
])
def test_the_assumed_comparison_of_a_name(tmp_path, name, op):
    # no comparison anywhere, target 2 and actual 1 (with a reason): ≤ is met, 40; ≥ is 40 × 1 ÷ 2 = 20
    form = write_form(tmp_path, {"name": name, "operator": None, "target": 2, "actual": 1, "reason": "见说明"})
    result = form.result()
    assert result.indicators[0].operator == op
    assert found(result) == {("OPERATOR_ASSUMED", "F4")}
    assert f"已按“{op}”计分" in result.checks[0].message
    assert result.indicators[0].score == (D("40.00") if op == LE else D("20.00"))
    assert lower_is_better_name(name) is (op == LE)


@pytest.mark.parametrize("operator, target, op", [("≥", 2, GE), (None, "≥2", GE), ("≤", 2, LE), ("反向", 2, LE)])
def test_an_explicit_comparison_always_wins(tmp_path, operator, target, op):
    # 火灾发生率 would be ≤ and 投诉举报按时办结率 ≥; what is written decides, without OPERATOR_ASSUMED
    for name in ("火灾发生率", "投诉举报按时办结率"):
        form = write_form(tmp_path, {"name": name, "operator": operator, "target": target, "actual": 1,
                                     "reason": "见说明"})
        result = form.result()
        assert result.indicators[0].operator == op
        assert result.checks == ()


# --- §10 units ------------------------------------------------------------------------------------

@pytest.mark.parametrize("operator, target, unit, actual, score, reason", [
    # 451000元 is 45.1万元 ≥ 42.5万元: the full weight 40
    ("≥", "42.5万元", None, "451000元", "40.00", None),
    # the same with the unit in the 计量单位 column and a bare target
    ("≥", 42.5, "万元", "451000元", "40.00", None),
    # ≤ 42.5万元 against 45.1万元: 40 × (1 − (45.1 − 42.5) ÷ 42.5) = 40 × 39.9 ÷ 42.5 = 1596 ÷ 42.5 = 37.5529… → 37.55
    ("≤", "42.5万元", None, "451000元", "37.55", "材料涨价"),
    # 1.2亿元 = 12000万元 ≥ 10000万元: 40
    ("≥", "10000万元", None, "1.2亿元", "40.00", None),
    # 3500千元 = 350万元 of ≥ 400万元: 40 × 350 ÷ 400 = 35
    ("≥", "400万元", None, "3500千元", "35.00", "部分资金未到位"),
    # 21000人 = 2.1万人 ≥ 2万人: 40
    ("≥", "2万人", None, "21000人", "40.00", None),
    # 1500米 = 1.5公里 of ≥ 3公里: 40 × 1.5 ÷ 3 = 20
    ("≥", "3公里", None, "1500米", "20.00", "征地延误"),
    # 12千米 = 12公里: 40
    ("≥", "12公里", None, "12千米", "40.00", None),
    # 2.5吨 = 2500公斤 ≤ 3000千克: 40
    ("≤", "3000千克", None, "2.5吨", "40.00", None),
    # 0.2平方千米 = 200000平方米 ≥ 150000平方米: 40
    ("≥", "150000平方米", None, "0.2平方千米", "40.00", None),
])
def test_units_that_convert_compare_exactly(tmp_path, operator, target, unit, actual, score, reason):
    form = write_form(tmp_path, {"operator": operator, "target": target, "unit": unit, "actual": actual,
                                 "reason": reason})
    result = form.result()
    assert result.checks == ()
    assert str(result.indicators[0].score) == score


@pytest.mark.parametrize("target, unit, actual", [
    ("≥50个", None, "52项"), ("95%", None, "95个"), ("≥100人次", None, "100人"), ("≥3公里", None, "3吨"),
    (50, "个", "52项"),  # a bare target under 个 against 项
])
def test_units_that_do_not_convert_make_the_row_unscorable(tmp_path, target, unit, actual):
    result = write_form(tmp_path, {"operator": "≥", "target": target, "unit": unit, "actual": actual}).result()
    assert found(result) == {("UNIT_INCOMPATIBLE", "I4")}
    finding = result.checks[0]
    assert finding.severity == "error" and "无法换算" in finding.message
    assert result.indicators[0].score is None
    assert result.total == D("60.00")  # counts 0
    assert not result.valid


def test_a_completion_word_after_a_number_is_not_part_of_its_unit(tmp_path):
    # 100%完成 is 100 %: 98% against it is 40 × 98 ÷ 100 = 39.2, no unit finding (a reason is given)
    row = {"operator": "≥", "target": "100%完成", "actual": "98%", "reason": "尾款未付"}
    result = write_form(tmp_path, row).result()
    assert result.checks == ()
    assert result.indicators[0].score == D("39.20")


def test_unit_mismatch_stays_for_the_hundredfold_percentage_only(tmp_path):
    # 0.96 bare takes the target's % (§12) and is then a hundredfold off 95%: read as typed, 40 × 0.96 ÷ 95
    # = 0.4042… → 0.40, with the warning; a reason keeps DEVIATION_UNEXPLAINED out
    row = {"operator": "≥", "target": "95%", "actual": D("0.96"), "reason": "口径待核"}
    result = write_form(tmp_path, row).result()
    assert found(result) == {("UNIT_MISMATCH", "I4")}
    assert result.indicators[0].score == D("0.40")


@pytest.mark.parametrize("value, unit, to, expected", [
    ("451000", "元", "万元", "45.1"), ("1.2", "亿元", "万元", "12000"), ("3500", "千元", "万元", "350"),
    ("2.5", "万人", "人", "25000"), ("3", "公里", "米", "3000"), ("1500", "米", "千米", "1.5"),
    ("3", "公里", "千米", "3"), ("2", "吨", "公斤", "2000"), ("500", "千克", "吨", "0.5"),
    ("0.5", "平方千米", "平方米", "500000"),
    ("3.2", "万人次", "人次", "32000"),  # 万 before any unit: design choice
])
def test_convert_unit(value, unit, to, expected):
    assert convert_unit(D(value), unit, to) == D(expected)


@pytest.mark.parametrize("unit, to", [("人", "人次"), ("个", "项"), ("%", "个"), ("元", "人"), ("吨", "米")])
def test_units_that_do_not_convert(unit, to):
    assert convert_unit(D(1), unit, to) is None


# --- §11 dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("target, actual, score", [
    ("≤11月15日前", "2025年11月10日", "40.00"),  # 11月10日 no later than 11月15日
    ("≤11月15日前", "2025年11月20日", "0.00"),  # missed: 0 (a reason is given)
    ("≥2025年6月", "2025年7月1日", "40.00"),  # 7月1日 no earlier than 6月 (its last day, 6月30日)
    ("≥2025年6月", "2025年3月1日", "0.00"),
    ("2021年12月完成", "2021年12月28日", "40.00"),  # 完成: no later than 2021年12月31日
    ("2021年12月完成", "2022年1月5日", "0.00"),
    ("2025年9月完工", "2025年9月30日", "40.00"),  # a month means its last day
    ("9月办结", "2025年10月1日", "0.00"),
    ("2025年9月到位", "2025-09-15", "40.00"),
    ("9月实施", "2025年9月1日", "40.00"),
    ("2025年9月支付", "2025年10月8日", "0.00"),
])
def test_date_targets_with_a_sign_or_a_completion_word(tmp_path, target, actual, score):
    # the sign, 前 or the completion word is the comparison: never OPERATOR_ASSUMED
    form = write_form(tmp_path, {"level2": "时效指标", "operator": None, "target": target, "actual": actual,
                                 "reason": "审批延误"})
    result = form.result()
    assert result.checks == ()
    assert str(result.indicators[0].score) == score


def test_a_date_whose_sign_and_word_disagree_is_an_unknown_operator(tmp_path):
    # ≥ before the date, 前 after it
    result = write_form(tmp_path, {"level2": "时效指标", "operator": None, "target": "≥6月前",
                                   "actual": "2025年5月1日"}).result()
    assert found(result) == {("OPERATOR_UNKNOWN", "G4")}


def test_a_date_without_a_year_and_no_evaluation_year_compares_month_and_day(tmp_path):
    # no 评价年度 anywhere: 11月10日 against 11月15日前 by month and day alone, met: 40
    form = write_form(tmp_path, {"level2": "时效指标", "operator": None, "target": "11月15日前",
                                 "actual": "11月10日"}, year=None)
    result = form.result()
    assert result.indicators[0].score == D("40.00")


@pytest.mark.parametrize("text, date, op", [
    ("≤11月15日前", dt.date(2025, 11, 15), LE),
    ("＜2025年6月30日", dt.date(2025, 6, 30), LE), ("不晚于10月底", dt.date(2025, 10, 31), LE),
    ("2021年12月完成", dt.date(2021, 12, 31), LE), ("12月完工", dt.date(2025, 12, 31), LE),
    ("6月30日办结", dt.date(2025, 6, 30), LE), ("2025年3月以后实施", dt.date(2025, 3, 31), GE),
    ("≥2025年6月", dt.date(2025, 6, 1), GE), ("≥6月底", dt.date(2025, 6, 30), GE),
    ("=2025年12月完成", dt.date(2025, 12, 31), LE), ("不超过6月底", dt.date(2025, 6, 30), LE),
    ("不早于2025年3月1日", dt.date(2025, 3, 1), GE),
])
def test_parse_text_date_signs_and_completion_words(text, date, op):
    assert parse_text_date(text, 2025) == DateValue(date, op)


@pytest.mark.parametrize("text", ["≥6月前", "≤2025年3月以后"])
def test_read_value_date_with_contradictory_signs(text):
    assert read_value(Cell("绩效指标", "G4", text), 2025) == "contradictory"


# --- §12 a bare number takes the other side's unit ---------------------------------------------------

def test_a_bare_actual_takes_the_targets_unit(tmp_path):
    # ≥50个 against 52: 52个, met: 40, no finding
    result = write_form(tmp_path, {"operator": None, "target": "≥50个", "actual": 52}).result()
    assert result.checks == ()
    assert result.indicators[0].score == D("40.00")


def test_a_bare_target_takes_the_actuals_unit(tmp_path):
    # 50 against 48个 (≥ written): 40 × 48 ÷ 50 = 38.4, no unit finding
    result = write_form(tmp_path, {"operator": "≥", "target": 50, "actual": "48个", "reason": "生源不足"}).result()
    assert result.checks == ()
    assert result.indicators[0].score == D("38.40")


# --- §9 in the template's live score ------------------------------------------------------------------

DIRECTION_NAMES = (
    "投诉举报按时办结率", "任务完成率", "成本控制率", "投诉处理率", "火灾发生率", "财务差错率", "群众投诉率",
    "安全事故率", "预算超支率", "预算调整率", "资金结余率", "价格变动率", "数据偏差率", "操作失误率", "工程返工率",
    "单位造价成本", "安全事故次数", "群众投诉件数", "排放超标次数", "经济损失", "逾期未办结件数", "违规事件数",
    "培训人次",
)


@pytest.mark.libreoffice
def test_the_templates_live_score_assumes_the_same_comparison(tmp_path, lo_convert):
    # Each name with no comparison, target 2, actual 3, weight 2: ≥ is met (2), ≤ scores
    # 2 × (1 − (3 − 2) ÷ 2) = 1. LibreOffice recalculates the sheet's 系统测算得分; the tool scores alike.
    from selfeval_xl.write.template_formulas import CALC_COL, IND_COL
    from workbooks import template_copy

    path = template_copy(tmp_path, "directions.xlsx", example=False)
    wb = openpyxl.load_workbook(path)
    ws = wb["绩效指标"]
    for i, name in enumerate(DIRECTION_NAMES):
        r = 4 + i
        for key, value in {"level1": "产出指标", "level2": "数量指标", "name": name, "nature": "定量", "target": 2,
                           "actual": 3, "weight": 2}.items():
            ws[f"{IND_COL[key]}{r}"] = value
    wb.save(path)
    converted = lo_convert([path], tmp_path / "out")[0]
    live = openpyxl.load_workbook(converted, data_only=True)["绩效指标"]
    tool = {ind.name: ind for ind in evaluate(path).indicators}
    for i, name in enumerate(DIRECTION_NAMES):
        expected = 1 if lower_is_better_name(name) else 2
        assert live[f"{CALC_COL}{4 + i}"].value == expected, name
        assert tool[name].score == D(expected), name
