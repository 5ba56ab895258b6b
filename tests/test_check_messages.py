"""Every check message of the catalogue pinned as exact text: one row per code, through assess().

Each row: the code, a scenario (the builders of tests/builders.py and the per-code scenarios of
tests/test_checks.py), the profile, the expected sheet and cell, and the full Chinese message with
every number worked out by hand (the comment on the row says how). Nothing here computes an
expected value with the code under test.

With SMALL_INDICATORS and SMALL_LINES (tests/builders.py): 绩效指标 rows 4–6 (培训人次 ≥100 actual
100 weight 40, 政策知晓率 ≥90% actual 95% weight 40, 群众满意度 ≥90 actual 92 weight 10);
预算执行 lines 4 人员经费 1000/1000 and 5 环境整治经费 500/400, 基本支出小计 6, 项目支出小计 7, 合计 8
(totals 1500 budget, 1400 executed).
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from builders import (
    BUDGET_SHEET,
    INDICATOR_SHEET,
    SCORE_SHEET,
    SMALL_INDICATORS,
    SMALL_LINES,
    BRow,
    Raw,
    make_input,
    outside_formula,
    pct,
    stale_formula,
    uncached_formula,
)
from level_inputs import initial_basis_input, levels_absent_input
from selfeval_xl.model import Cell
from selfeval_xl.rules.assess import assess
from selfeval_xl.rules.checks import CATALOGUE
from selfeval_xl.rules.weights import with_form_weights
from test_checks import GUANGXI, HEBEI, PROJECT_LINES, QUAL, SICHUAN, row

PARTIAL = "部分达成年度指标并具有一定效果"

# no profile named: hebei-dept picked, its weights replaced by the form's (docs/rules.md §14)
_SPLIT_65_15 = make_input([SMALL_INDICATORS[0]._replace(weight=65), SMALL_INDICATORS[1]._replace(weight=15),
                           SMALL_INDICATORS[2]])
HEBEI_FORM = with_form_weights(_SPLIT_65_15, HEBEI)

MESSAGES = [
    pytest.param(
        "WEIGHT_TOTAL", lambda: make_input(row(2, weight=5)), SICHUAN, None, None,
        # 40 + 40 + 5 = 85 indicators, + 10 execution = 95 (sichuan has no level weights, only the total)
        "指标分值合计 85 加预算执行率分值 10 为 95，应为 100：请调整各指标分值。",
        id="WEIGHT_TOTAL"),
    pytest.param(
        "WEIGHTS_FROM_FORM", lambda: _SPLIT_65_15, HEBEI_FORM, INDICATOR_SHEET, "C3",
        # no profile named: 产出 65, 效益 15, 满意度 10 as printed; 90 ≠ 100, so the execution keeps hebei's 10
        "没有指定评价口径，各一级指标和预算执行率按表内印的分值计分（按表内分值：产出指标 65、效益指标 15、"
        "满意度指标 10、预算执行 10），与推定口径的分值不同；"
        "如须按某一口径计分，请在基本信息中填写评价口径或用 --profile 指定。",
        id="WEIGHTS_FROM_FORM"),
    pytest.param(
        "WEIGHT_LEVEL", lambda: make_input(row(0, weight=35)), HEBEI, INDICATOR_SHEET, "C4",
        # 产出 has the one row 培训人次, now 35; hebei-dept sets 产出指标 = 40; anchored on its 一级指标 cell
        "产出指标的指标分值合计为 35，评价口径（hebei-dept）规定为 40：请调整该一级指标下各指标的分值。",
        id="WEIGHT_LEVEL"),
    pytest.param(
        "WEIGHT_INVALID", lambda: make_input(row(0, weight=0)), HEBEI, INDICATOR_SHEET, "K4",
        # the cell's text as shown: 0
        "分值“0”无效：每个指标的分值应为大于 0 的数字，请填写。",
        id="WEIGHT_INVALID"),
    pytest.param(
        "LEVEL_UNKNOWN", lambda: make_input(row(0, level1="其他指标")), HEBEI, INDICATOR_SHEET, "C4",
        "一级指标“其他指标”不是产出指标、效益指标、满意度指标（或成本指标、效果指标）之一：请从下拉列表中选择。",
        id="LEVEL_UNKNOWN"),
    pytest.param(
        "LEVELS_ABSENT", levels_absent_input, HEBEI, INDICATOR_SHEET, "E3",
        # on the header of the name column (docs/rules.md §10)
        "绩效指标表没有一级指标列：各指标逐项计分，只核对分值合计 100，未核对各一级指标的分值；"
        "如有一级、二级指标，请补上这两列。",
        id="LEVELS_ABSENT"),
    pytest.param(
        "BUDGET_BASIS_INITIAL", initial_basis_input, HEBEI, BUDGET_SHEET, "C3",
        # on the 年初预算数 header (docs/rules.md §12.2)
        "预算执行表没有全年预算数（调整后预算数）列，执行率按年初预算数计算：如年中有预算调整，请补上全年预算数列。",
        id="BUDGET_BASIS_INITIAL"),
    pytest.param(
        "LEVEL2_MISMATCH", lambda: make_input(row(0, level2="社会效益指标")), HEBEI, INDICATOR_SHEET, "D4",
        # the 二级指标 hebei-dept lists under 产出指标, in its order (with the 成本 ones of docs/rules.md §12.6)
        "二级指标“社会效益指标”不属于产出指标（应为数量指标、质量指标、时效指标、成本指标、经济成本指标、社会成本指标、"
        "生态环境成本指标之一）："
        "请核对一级、二级指标的对应关系。",
        id="LEVEL2_MISMATCH"),
    pytest.param(
        "BUDGET_TOTAL_MISMATCH", lambda: make_input(total={"executed": 1450}), HEBEI, BUDGET_SHEET, "E8",
        # lines 1000 + 400 = 1,400.00 executed; typed 1,450.00; 1450 − 1400 = 50.00
        "合计的全年执行数填写为 1,450.00，明细之和为 1,400.00（相差 50.00）：已按明细之和计算，请更正合计数。",
        id="BUDGET_TOTAL_MISMATCH"),
    pytest.param(
        "EXECUTION_OVER_BUDGET",
        lambda: make_input(lines=[SMALL_LINES[0], SMALL_LINES[1]._replace(executed=600)]), HEBEI, BUDGET_SHEET, "E8",
        # executed 1000 + 600 = 1,600.00 against budget 1000 + 500 = 1,500.00
        "合计全年执行数 1,600.00 超过全年预算数 1,500.00：请核对预算调整或执行数（得分按满分计算）。",
        id="EXECUTION_OVER_BUDGET"),
    pytest.param(
        "LINE_OVER_BUDGET",
        lambda: make_input(lines=[SMALL_LINES[0]._replace(executed=1100), SMALL_LINES[1]._replace(executed=300)]),
        HEBEI, BUDGET_SHEET, "E4",
        # 人员经费: 1100 executed of 1000 (the total, 1400 of 1500, stays within budget)
        "“人员经费”的全年执行数 1,100.00 超过全年预算数 1,000.00：请核对。",
        id="LINE_OVER_BUDGET"),
    pytest.param(
        "EXECUTION_RATE_MISMATCH", lambda: make_input(total={"rate": pct("0.9")}), HEBEI, BUDGET_SHEET, "F8",
        # typed 0.9 → 90.00%; 1400 ÷ 1500 = 0.93333… → 93.333…% → 93.33% (half-up at 2 places)
        "“合计”填写的执行率为 90.00%，按执行数÷预算数重算为 93.33%：请更正或改为公式。",
        id="EXECUTION_RATE_MISMATCH"),
    pytest.param(
        "EXECUTION_UNEXPLAINED",
        lambda: make_input(lines=PROJECT_LINES, form="project", total_name="年度资金总额"), SICHUAN, BUDGET_SHEET, "G6",
        # (800 + 200) ÷ (1000 + 200) = 1000 ÷ 1200 = 0.83333… → 83.33%; sichuan's threshold 0.9 → 90.00%
        "预算执行率 83.33% 低于 90.00%：请在原因说明中写明原因。",
        id="EXECUTION_UNEXPLAINED"),
    pytest.param(
        "BUDGET_ADJUSTED_UNEXPLAINED",
        lambda: make_input(lines=[BRow(None, "当年财政拨款", 1000, 1000, initial=1200)], form="project",
                           total_name="年度资金总额"),
        SICHUAN, BUDGET_SHEET, "G4",
        # 全年预算数 1000 → 1,000.00; 年初预算数 1200 → 1,200.00
        "“当年财政拨款”的全年预算数 1,000.00 与年初预算数 1,200.00 不同：请在原因说明中写明调整原因。",
        id="BUDGET_ADJUSTED_UNEXPLAINED"),
    pytest.param(
        "VALUE_MISSING", lambda: make_input(row(0, target=None)), HEBEI, INDICATOR_SHEET, "H4",
        "“培训人次”的年度指标值为空：请填写。",
        id="VALUE_MISSING"),
    pytest.param(
        "VALUE_NOT_NUMBER", lambda: make_input(row(0, actual="完成")), HEBEI, INDICATOR_SHEET, "J4",
        "“培训人次”的实际完成值“完成”不能识别为数字或日期：请填写数字（可带单位，如 95%、12个）"
        "或日期（如 2025年12月31日）。",
        id="VALUE_NOT_NUMBER"),
    pytest.param(
        "OPERATOR_UNKNOWN", lambda: make_input(row(0, operator="≥", target="≤100人次")), HEBEI, INDICATOR_SHEET,
        "H4",
        # the column says ≥, the target cell says ≤
        "比较方式为“≥”，指标值“≤100人次”中却写的是“≤”：请在比较方式中选择 ≥、≤ 或 ＝，"
        "并与指标值中的符号保持一致（该指标暂按 0 分计）。",
        id="OPERATOR_UNKNOWN"),
    pytest.param(
        "OPERATOR_ASSUMED",
        lambda: make_input(row(0, operator=None, name="火灾发生率", target=1, actual=0, unit="%")), HEBEI,
        INDICATOR_SHEET, "G4",
        # "发生率" is a lower-is-better word, so the default is ≤
        "“火灾发生率”未写比较方式，已按“≤”计分：如不正确，请在比较方式中选择。",
        id="OPERATOR_ASSUMED"),
    pytest.param(
        "UNIT_MISMATCH", lambda: make_input(row(1, target=D("0.95"), actual=96, unit="%")), HEBEI,
        INDICATOR_SHEET, "J5",
        # 96 ÷ 0.95 ≈ 101, within 50–200 and the smaller ≤ 1.5: a hundredfold apart; the cells' own text
        "“政策知晓率”的指标值 0.95 与实际完成值 96 相差约百倍，可能一个按小数、一个按百分数填写："
        "请核对计量单位与数值的写法。",
        id="UNIT_MISMATCH"),
    pytest.param(
        "QUAL_LABEL_UNKNOWN",
        lambda: make_input(row(0, nature="定性", target="合格以上", actual="良好", unit=None)), HEBEI,
        INDICATOR_SHEET, "J4",
        # 良好 is neither a label, nor the target's text, nor a word for 达成 (完成 would read as 达成), and
        # no 自评得分 is typed
        "定性指标的实际完成值“良好”不是“达成年度指标”“部分达成年度指标并具有一定效果”“未达成年度指标且效果较差”"
        "之一：请从下拉列表中选择。",
        id="QUAL_LABEL_UNKNOWN"),
    pytest.param(
        "QUAL_FREE_TEXT",
        lambda: make_input(row(0, nature="定性", target="合格以上", actual="良好", unit=None, self_score=36)), HEBEI,
        INDICATOR_SHEET, "J4",
        # the same free text with a typed score of 36 (≤ weight 40): the score is taken, no band to check it
        "定性指标的实际完成值“良好”不是三个完成档次之一，已采用自评得分 36：如需按档次区间核对得分，请改选"
        "“达成年度指标”“部分达成年度指标并具有一定效果”或“未达成年度指标且效果较差”。",
        id="QUAL_FREE_TEXT"),
    pytest.param(
        "UNIT_INCOMPATIBLE", lambda: make_input(row(1, target="95%", actual="95个", unit=None)), HEBEI,
        INDICATOR_SHEET, "J5",
        # % and 个 belong to no common family of units: nothing converts one into the other
        "“政策知晓率”的指标值单位为“%”，实际完成值单位为“个”，两者无法换算：请统一计量单位（该指标暂按 0 分计）。",
        id="UNIT_INCOMPATIBLE"),
    pytest.param(
        "QUAL_SCORE_MISSING", lambda: make_input(row(0, **QUAL, actual=PARTIAL)), HEBEI, INDICATOR_SHEET, "L4",
        # weight 40: 60% × 40 = 24 (inclusive) to 80% × 40 = 32 (exclusive), in words
        "“部分达成年度指标并具有一定效果”须由评价人在 24 分至 32 分（不含 32 分）范围内打分："
        "请填写自评得分（暂按 0 分计）。",
        id="QUAL_SCORE_MISSING"),
    pytest.param(
        "QUAL_SCORE_OUT_OF_BAND", lambda: make_input(row(0, **QUAL, actual=PARTIAL, self_score=35)), HEBEI,
        INDICATOR_SHEET, "L4",
        # 35 ≤ weight 40 (not over the weight) but ≥ 32, the band's exclusive top (80% × 40)
        "自评得分 35 不在“部分达成年度指标并具有一定效果”对应的 24 分至 32 分（不含 32 分）范围内："
        "请调整得分或完成情况。",
        id="QUAL_SCORE_OUT_OF_BAND"),
    pytest.param(
        "SCORE_OVER_WEIGHT", lambda: make_input(row(0, self_score=45)), HEBEI, INDICATOR_SHEET, "L4",
        "自评得分 45 超过该指标分值 40：请更正。",
        id="SCORE_OVER_WEIGHT"),
    pytest.param(
        "SCORE_MISMATCH",
        lambda: make_input(row(0, target=320, actual=313, self_score=39, reason="场地受限")), HEBEI,
        INDICATOR_SHEET, "L4",
        # 40 × 313 ÷ 320 = 12520 ÷ 320 = 39.125 → 39.13 half-up (banker's rounding would give 39.12);
        # |39 − 39.13| = 0.13 > 0.01
        "自评得分 39 与按规则重算的 39.13 不符：以重算结果为准，请核对。",
        id="SCORE_MISMATCH"),
    pytest.param(
        "TOTAL_MISMATCH", lambda: make_input(typed_total=90), HEBEI, SCORE_SHEET, "B17",
        # execution 10 × 1400 ÷ 1500 = 9.333… → 9.33; indicators 40 + 40 + 10 (all met) = 90; 9.33 + 90 = 99.33
        "填写的总分 90 与重算的 99.33 不符：以重算结果为准，请核对。",
        id="TOTAL_MISMATCH"),
    pytest.param(
        "DEVIATION_UNEXPLAINED", lambda: make_input(row(0, actual=80)), HEBEI, INDICATOR_SHEET, "M4",
        # 80 of ≥100: 40 × 80 ÷ 100 = 32 < 40, and no reason given
        "“培训人次”未完全达成目标：请填写偏差原因分析及改进措施。",
        id="DEVIATION_UNEXPLAINED"),
    pytest.param(
        "OVERSHOOT_UNEXPLAINED", lambda: make_input(row(0, actual=130)), GUANGXI, INDICATOR_SHEET, "M4",
        # 130 ≥ 1.3 × 100; the profile's ratio printed as typed: 1.3
        "“培训人次”实际完成值达到指标值的 1.3 倍以上：请说明超额原因（目标是否设定过低）。",
        id="OVERSHOOT_UNEXPLAINED"),
    pytest.param(
        "NEGATIVE_VALUE", lambda: make_input(row(0, actual=-5, reason="数据待核实")), HEBEI, INDICATOR_SHEET, "J4",
        # an actual below 0 is scored as 0 (a negative amount is not: tests/test_first_day_messages.py)
        "“培训人次”的实际完成值为负数 -5：计分时按 0 处理，请核对。",
        id="NEGATIVE_VALUE"),
    pytest.param(
        "FORMULA_NOT_CACHED", lambda: make_input(row(0, actual=uncached_formula())), HEBEI, INDICATOR_SHEET, "J4",
        "该单元格是公式，文件中没有保存计算结果且无法自动计算：请在 Excel/WPS 中打开并保存一次，或直接填写数值。",
        id="FORMULA_NOT_CACHED"),
    pytest.param(
        "FORMULA_RESULT_STALE", lambda: make_input(row(0, actual=stale_formula(96, 100))), HEBEI, INDICATOR_SHEET,
        "J4",
        # the stored 96 is what is scored; the formula gives 100
        "该单元格的公式算得 100，文件里保存的结果却是 96（保存前没有重算，或结果被改过）："
        "评分按保存的 96 计算，而 Excel、WPS 重算后显示 100。请在 Excel/WPS 中按 F9 重算并保存后再评分，"
        "或直接填写数值。",
        id="FORMULA_RESULT_STALE"),
    pytest.param(
        "FORMAT_HIDES_VALUE", lambda: make_input(row(0, actual=Raw(D(96), hidden=True))), HEBEI, INDICATOR_SHEET, "J4",
        # the cell holds 96, its format shows something else
        "该单元格里的数是 96，但它的数字格式（自定义格式，如带条件或写死的文字、数字）让表上显示成别的内容："
        "评分按单元格里的 96 计算，与看到的不一致。请把数字格式改回“常规”或“数值”，直接填写要报的数。",
        id="FORMAT_HIDES_VALUE"),
    pytest.param(
        "FORMULA_EXTERNAL", lambda: make_input(row(0, actual=outside_formula(100))), HEBEI, INDICATOR_SHEET, "J4",
        "该单元格的公式引用其他工作簿、网络或外部程序，或每次重算都会变化（如 RAND、NOW）："
        "评分采用文件中保存的值，请改为直接填写数值。",
        id="FORMULA_EXTERNAL"),
    pytest.param(
        "UNIT_UNNAMED", lambda: replace(make_input(), unit_name="", info={"单位名称": Cell("基本信息", "B2")}),
        HEBEI, "基本信息", "B2",
        # no unit after every fallback: reported on the empty 单位名称 input cell
        "工作簿中找不到单位名称（基本信息、填报单位或单位（盖章）一行、标题和实施单位都没有）："
        "请在基本信息的“单位名称”中填写，汇总时才能认出是哪个单位报送的。",
        id="UNIT_UNNAMED"),
    pytest.param(
        "YEAR_UNKNOWN", lambda: make_input(year=None), HEBEI, BUDGET_SHEET, None,
        # no 基本信息 at all: reported on the first sheet of the form, the budget sheet
        "工作簿中找不到评价年度（基本信息、标题和表头上方各行都没有）：请在基本信息的“评价年度”中填写四位年份"
        "（如 2025），汇总时才能区分年度，不带年份的日期也才能按该年度比较。",
        id="YEAR_UNKNOWN"),
]


def test_the_table_has_one_row_per_catalogue_code():
    codes = [p.values[0] for p in MESSAGES]
    assert len(codes) == len(set(codes)), "a code has more than one row"
    assert set(codes) == set(CATALOGUE)


@pytest.mark.parametrize("code, scenario, profile, sheet, cell, message", MESSAGES)
def test_check_message(code, scenario, profile, sheet, cell, message):
    findings = [f for f in assess(scenario(), profile).checks if f.code == code]
    assert [(f.sheet, f.cell, f.message) for f in findings] == [(sheet, cell, message)]


def test_an_amount_is_told_how_money_is_written() -> None:
    """VALUE_NOT_NUMBER on a budget cell: the money hint (docs/rules.md §13.1), not the indicator's 95%."""
    inp = make_input(lines=[SMALL_LINES[0]._replace(executed="约一千"), SMALL_LINES[1]])
    found = [f for f in assess(inp, HEBEI).checks if f.code == "VALUE_NOT_NUMBER"]
    assert [(f.sheet, f.cell, f.message) for f in found] == [(
        BUDGET_SHEET, "E4", "预算执行“人员经费”的全年执行数“约一千”不能识别为金额："
                            "请填写金额，如 280000 或 28万元（没有金额的留空或填“—”）。")]


def test_a_stale_percent_result_is_told_as_the_cell_shows_it():
    # 0.95 stored in a percent cell (95%), and its formula gives 0.9 (90%)
    stale = Raw(D("0.95"), percent=True, formula=True, recomputed=D("0.9"))
    findings = [f for f in assess(make_input(row(1, actual=stale)), HEBEI).checks if f.code == "FORMULA_RESULT_STALE"]
    assert [(f.sheet, f.cell, f.severity, f.message) for f in findings] == [(INDICATOR_SHEET, "J5", "error", (
        "该单元格的公式算得 90%，文件里保存的结果却是 95%（保存前没有重算，或结果被改过）："
        "评分按保存的 95% 计算，而 Excel、WPS 重算后显示 90%。请在 Excel/WPS 中按 F9 重算并保存后再评分，"
        "或直接填写数值。"))]
