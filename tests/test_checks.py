"""The check catalogue (docs/rules.md §10–§11): one test per code, with its severity and exact cell.

Coordinates follow tests/builders.py: 绩效指标 rows start at 4 (C 一级, D 二级, G 比较方式,
H 年度指标值, J 实际完成值, K 分值, L 自评得分, M 偏差原因); 预算执行 lines start at 4
(C 年初, D 全年预算数, E 全年执行数, F 执行率, G 原因说明), then one subtotal per group, then
the total. With SMALL_LINES: lines on 4–5, 基本支出小计 6, 项目支出小计 7, 合计 8.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from builders import (
    ABSENT,
    BUDGET_SHEET,
    INDICATOR_SHEET,
    SCORE_SHEET,
    SMALL_INDICATORS,
    SMALL_LINES,
    BRow,
    IRow,
    Raw,
    example_input,
    formula,
    make_input,
    outside_formula,
    pct,
    stale_formula,
    total_row_number,
    uncached_formula,
)
from selfeval_xl.model import Cell, CellError, Finding
from selfeval_xl.read.profiles import load_profile, parse_profile
from selfeval_xl.rules.assess import assess
from selfeval_xl.rules.checks import CATALOGUE
from selfeval_xl.rules.profiles import Profile

HEBEI = load_profile("hebei-dept")
SICHUAN = load_profile("sichuan-project")  # free weights (90 in all), explain_below 0.9, explain_adjustment
GUANGXI = parse_profile("""
name = "guangxi"
form = "department"
[execution]
weight = 10
[weights]
"产出指标" = 40
"效益指标" = 40
"满意度指标" = 10
[[grades]]
name = "优秀"
min = 85
[[grades]]
name = "较差"
min = 0
[explain]
overshoot_ratio = 1.3
""", origin="guangxi.toml")

TOTAL_ROW = total_row_number(SMALL_LINES)  # 8
assert TOTAL_ROW == 8

# docs/rules.md §11, severities as written there.
SPEC_SEVERITIES = {
    "WEIGHT_TOTAL": "error", "WEIGHT_LEVEL": "error",
    "WEIGHTS_FROM_FORM": "warning", "WEIGHT_INVALID": "error", "LEVEL_UNKNOWN": "error",
    "LEVEL2_MISMATCH": "warning", "BUDGET_TOTAL_MISMATCH": "error", "EXECUTION_OVER_BUDGET": "error",
    "LINE_OVER_BUDGET": "warning", "EXECUTION_RATE_MISMATCH": "warning", "EXECUTION_UNEXPLAINED": "warning",
    "BUDGET_ADJUSTED_UNEXPLAINED": "warning", "VALUE_MISSING": "error", "VALUE_NOT_NUMBER": "error",
    "OPERATOR_UNKNOWN": "error", "OPERATOR_ASSUMED": "warning", "UNIT_MISMATCH": "warning",
    "QUAL_LABEL_UNKNOWN": "error", "QUAL_SCORE_MISSING": "error", "QUAL_SCORE_OUT_OF_BAND": "error",
    "SCORE_OVER_WEIGHT": "error", "SCORE_MISMATCH": "warning", "TOTAL_MISMATCH": "warning",
    "DEVIATION_UNEXPLAINED": "warning", "OVERSHOOT_UNEXPLAINED": "warning", "NEGATIVE_VALUE": "warning",
    "FORMULA_NOT_CACHED": "warning", "FORMULA_EXTERNAL": "warning", "FORMULA_RESULT_STALE": "error",
    "FORMAT_HIDES_VALUE": "error",
    "LEVELS_ABSENT": "warning", "BUDGET_BASIS_INITIAL": "warning",  # docs/rules.md §11
    "QUAL_FREE_TEXT": "warning", "UNIT_INCOMPATIBLE": "error",  # docs/rules.md §12.5, §12.7
    "UNIT_UNNAMED": "warning", "YEAR_UNKNOWN": "warning",  # docs/rules.md §13
}


def check(inp, profile: Profile = HEBEI) -> list[Finding]:
    return list(assess(inp, profile).checks)


def where(findings: list[Finding]) -> set[tuple[str, str, str | None, str | None]]:
    return {(f.code, f.severity, f.sheet, f.cell) for f in findings}


def one(findings: list[Finding], code: str) -> Finding:
    hits = [f for f in findings if f.code == code]
    assert len(hits) == 1, f"expected one {code}, got {where(findings)}"
    assert hits[0].severity == SPEC_SEVERITIES[code]
    assert hits[0].message and hits[0].message == hits[0].message.strip()
    return hits[0]


def row(i: int, **changes) -> list[IRow]:
    """SMALL_INDICATORS with row i (0-based; sheet row 4 + i) changed."""
    rows = list(SMALL_INDICATORS)
    rows[i] = rows[i]._replace(**changes)
    return rows


def ind(sheet_cell: str) -> tuple[str, str]:
    return INDICATOR_SHEET, sheet_cell


def bud(sheet_cell: str) -> tuple[str, str]:
    return BUDGET_SHEET, sheet_cell


def assert_at(finding: Finding, place: tuple[str | None, str | None]) -> None:
    assert (finding.sheet, finding.cell) == place


# --- the catalogue itself ----------------------------------------------------------------------------

def test_catalogue_has_the_codes_of_the_spec_with_their_severities():
    assert {code: c.severity for code, c in CATALOGUE.items()} == SPEC_SEVERITIES
    assert len(CATALOGUE) == 36  # every code of docs/rules.md §11


def test_every_code_has_its_own_test_here():
    names = set(globals())
    assert {f"test_{code.lower()}" for code in CATALOGUE} <= names


def test_valid_inputs_give_no_checks():
    assert check(make_input()) == []
    result = assess(example_input(), HEBEI)
    assert result.checks == ()
    assert result.valid
    assert str(result.total) == "98.40" and result.grade == "优秀"  # contract §5's example


# --- §6 weights ---------------------------------------------------------------------------------------

def test_weight_total():
    rows = row(2, weight=5)  # 40 + 40 + 5 + 10 = 95
    f = one(check(make_input(rows), SICHUAN), "WEIGHT_TOTAL")
    assert_at(f, (None, None))  # a workbook-level finding
    assert "95" in f.message
    assert {x.code for x in check(make_input(rows), SICHUAN)} == {"WEIGHT_TOTAL"}


def test_weight_level():
    rows = [SMALL_INDICATORS[0]._replace(weight=35), SMALL_INDICATORS[1]._replace(weight=45), SMALL_INDICATORS[2]]
    findings = check(make_input(rows))  # 产出 35 ≠ 40, 效益 45 ≠ 40; the total is still 100
    assert where(findings) == {("WEIGHT_LEVEL", "error", *ind("C4")), ("WEIGHT_LEVEL", "error", *ind("C5"))}
    # a printed execution 分值 that differs from the profile's, on that cell
    printed = check(make_input(total={"weight": 20}))
    assert where(printed) == {("WEIGHT_LEVEL", "error", *bud(f"H{TOTAL_ROW}"))}
    assert check(make_input(total={"weight": 10})) == []


def test_weights_from_form():
    """No profile named, 产出 printed 65 and 效益 15 (hebei-dept: 40 / 40): the form's split, said once on
    the 一级指标 header; no WEIGHT_LEVEL (docs/rules.md §14)."""
    from selfeval_xl.rules.weights import with_form_weights
    rows = [SMALL_INDICATORS[0]._replace(weight=65), SMALL_INDICATORS[1]._replace(weight=15), SMALL_INDICATORS[2]]
    inp = make_input(rows)
    assert where(check(inp, with_form_weights(inp, HEBEI))) == {("WEIGHTS_FROM_FORM", "warning", *ind("C3"))}


MOF = load_profile("mof-project")  # 满意度指标 optional
PROJECT_LINE = [BRow(None, "当年财政拨款", 100, 100)]


@pytest.mark.parametrize("weights, expected", [
    ((55, 35), set()),  # 满意度 absent: its 10 points are free, only the total of 100 is checked
    ((60, 30), set()),
    ((50, 30), {("WEIGHT_TOTAL", "error", None, None)}),
    ((50, 30, 10), set()),
    ((55, 30, 5), {("WEIGHT_LEVEL", "error", *ind("C4")), ("WEIGHT_LEVEL", "error", *ind("C6"))}),  # present: checked
])
def test_weight_levels_with_an_optional_level(weights, expected):
    names = (("产出指标", "数量指标", "培训人次"), ("效益指标", "社会效益指标", "政策知晓率"),
             ("满意度指标", "服务对象满意度指标", "群众满意度"))
    rows = [IRow(*n, "定量", "≥", 90, "%", 95, w) for n, w in zip(names, weights, strict=False)]
    inp = make_input(rows, PROJECT_LINE, form="project", total_name="年度资金总额")
    assert where(check(inp, MOF)) == expected


@pytest.mark.parametrize("weight", [None, "   ", 0, -2, "abc", "#REF!", CellError("#REF!")])
def test_weight_invalid(weight):
    findings = check(make_input(row(0, weight=weight)))
    assert where(findings) == {("WEIGHT_INVALID", "error", *ind("K4"))}  # and only that code


def test_weight_as_text_with_points_is_valid():
    assert check(make_input(row(2, weight="１０分"))) == []


# --- levels -----------------------------------------------------------------------------------------

def test_level_unknown():
    findings = check(make_input(row(0, level1="其他指标")))
    assert_at(one(findings, "LEVEL_UNKNOWN"), ind("C4"))
    assert "LEVEL2_MISMATCH" not in {f.code for f in findings}  # no second level to compare with


@pytest.mark.parametrize("level1, level2", [
    ("产出指标（40分）", "数量指标"), ("一、产出指标", "数量"), ("产出", "质量指标"), ("成本指标", "经济成本指标"),
    ("产出指标", "成本指标"), ("产出指标", "时效"), (" 产出\n指标 ", "数量指标"),
])
def test_level_names_accepted(level1, level2):
    assert check(make_input(row(0, level1=level1, level2=level2))) == []


def test_level2_mismatch():
    findings = check(make_input(row(0, level2="社会效益指标")))
    assert where(findings) == {("LEVEL2_MISMATCH", "warning", *ind("D4"))}


def test_levels_absent():
    from level_inputs import levels_absent_input  # docs/rules.md §12.3–§12.4: no 一级指标 column
    assert where(check(levels_absent_input())) == {("LEVELS_ABSENT", "warning", *ind("E3"))}


def test_budget_basis_initial():
    from level_inputs import initial_basis_input  # docs/rules.md §12.2: rate on 年初预算数
    assert where(check(initial_basis_input())) == {("BUDGET_BASIS_INITIAL", "warning", *bud("C3"))}


# --- §3 budget --------------------------------------------------------------------------------------

def test_budget_total_mismatch():
    findings = check(make_input(subtotals={"基本支出": {"budget": "1000.01"}}))
    assert where(findings) == {("BUDGET_TOTAL_MISMATCH", "error", *bud("D6"))}
    # on the total, the recomputed sum is used
    result = assess(make_input(total={"executed": 1450}), HEBEI)
    assert where(list(result.checks)) == {("BUDGET_TOTAL_MISMATCH", "error", *bud(f"E{TOTAL_ROW}"))}
    assert result.execution.executed == 1400


@pytest.mark.parametrize("typed, flagged", [("1400.005", False), ("1399.995", False), ("1400.006", True),
                                            ("1,400.00元", False), (1400, False)])
def test_budget_total_half_cent_tolerance(typed, flagged):
    codes = {f.code for f in check(make_input(total={"executed": typed}))}
    assert ("BUDGET_TOTAL_MISMATCH" in codes) is flagged


def test_budget_total_formula_is_not_compared():
    assert check(make_input(total={"budget": formula(D(99)), "executed": formula(D(1))})) == []


def test_execution_over_budget():
    lines = [SMALL_LINES[0], SMALL_LINES[1]._replace(executed=600)]
    findings = check(make_input(lines=lines))
    assert_at(one(findings, "EXECUTION_OVER_BUDGET"), bud(f"E{TOTAL_ROW}"))
    assert_at(one(findings, "LINE_OVER_BUDGET"), bud("E5"))
    # a budget of 0 with spending
    zero = check(make_input(lines=[BRow("基本支出", "人员经费", 0, 10)]))
    assert_at(one(zero, "EXECUTION_OVER_BUDGET"), bud("E6"))
    # no total row: reported on the sheet
    no_total = check(make_input(lines=lines, with_total=False))
    assert_at(one(no_total, "EXECUTION_OVER_BUDGET"), (BUDGET_SHEET, None))


def test_line_over_budget():
    lines = [SMALL_LINES[0]._replace(executed=1100), SMALL_LINES[1]._replace(executed=300)]
    findings = check(make_input(lines=lines))
    assert where(findings) == {("LINE_OVER_BUDGET", "warning", *bud("E4"))}


@pytest.mark.parametrize("typed, flagged", [
    ("95%", True), ("100%", False), (D(100), False), (D(1), False), ("99.99%", False), ("99.98%", True),
    (D("0.95"), True), (D(95), True),
])
def test_execution_rate_mismatch(typed, flagged):
    lines = [SMALL_LINES[0]._replace(rate=typed), SMALL_LINES[1]]
    findings = check(make_input(lines=lines))
    if flagged:
        assert where(findings) == {("EXECUTION_RATE_MISMATCH", "warning", *bud("F4"))}
    else:
        assert findings == []


def test_execution_rate_mismatch_percent_formatted_cell():
    lines = [SMALL_LINES[0], SMALL_LINES[1]._replace(rate=pct("0.8"))]  # 400 / 500 = 80%
    assert check(make_input(lines=lines)) == []
    findings = check(make_input(lines=lines, total={"rate": pct("0.9")}))  # 1400 / 1500 = 93.33%
    assert where(findings) == {("EXECUTION_RATE_MISMATCH", "warning", *bud(f"F{TOTAL_ROW}"))}


PROJECT_LINES = [BRow(None, "当年财政拨款", 1000, 800), BRow(None, "上年结转资金", 200, 200)]


def test_execution_unexplained():
    inp = make_input(lines=PROJECT_LINES, form="project", total_name="年度资金总额")
    # rate 1000 / 1200 = 83.33% < 90%, no reason anywhere; the total is on row 6
    assert where(check(inp, SICHUAN)) == {("EXECUTION_UNEXPLAINED", "warning", *bud("G6"))}
    explained = [PROJECT_LINES[0]._replace(reason="项目尾款待验收后支付"), PROJECT_LINES[1]]
    assert check(make_input(lines=explained, form="project", total_name="年度资金总额"), SICHUAN) == []
    assert check(inp, HEBEI) == []  # the profile without a threshold asks nothing


def test_budget_adjusted_unexplained():
    lines = [BRow(None, "当年财政拨款", 1000, 1000, initial=1200)]
    inp = make_input(lines=lines, form="project", total_name="年度资金总额")
    assert where(check(inp, SICHUAN)) == {("BUDGET_ADJUSTED_UNEXPLAINED", "warning", *bud("G4"))}
    assert check(inp, HEBEI) == []
    explained = [lines[0]._replace(reason="年中追加预算")]
    assert check(make_input(lines=explained, form="project", total_name="年度资金总额"), SICHUAN) == []


# --- §4 values --------------------------------------------------------------------------------------

@pytest.mark.parametrize("inp, place", [
    (lambda: make_input(row(0, target=None)), ind("H4")),
    (lambda: make_input(row(0, actual="  ")), ind("J4")),
    (lambda: make_input(row(0, nature="定性", actual=None)), ind("J4")),
    # 年初预算数 never stands in for an empty 全年预算数
    (lambda: make_input(lines=[SMALL_LINES[0]._replace(budget=None, initial=1000), SMALL_LINES[1]]), bud("D4")),
    (lambda: make_input(lines=[SMALL_LINES[0]._replace(executed=None), SMALL_LINES[1]]), bud("E4")),
    (lambda: make_input(lines=()), bud("D4")),  # no budget rows: the anchor
    (lambda: make_input(indicators=()), ind("E4")),  # no indicator rows: the anchor
])
def test_value_missing(inp, place):
    assert_at(one(check(inp()), "VALUE_MISSING"), place)


@pytest.mark.parametrize("inp, place", [
    (lambda: make_input(row(0, actual="完成")), ind("J4")),
    (lambda: make_input(row(0, actual=CellError("#DIV/0!"))), ind("J4")),
    (lambda: make_input(row(0, target=CellError("#N/A"))), ind("H4")),
    (lambda: make_input(row(0, target="80-90%")), ind("H4")),
    # a date target needs a date actual
    (lambda: make_input(row(0, operator=None, target="12月底前", actual=100)), ind("J4")),
    (lambda: make_input(row(0, self_score="满分")), ind("L4")),
    (lambda: make_input(lines=[SMALL_LINES[0]._replace(budget="不详", initial=1000), SMALL_LINES[1]]), bud("D4")),
    (lambda: make_input(lines=[SMALL_LINES[0]._replace(rate="#DIV/0!"), SMALL_LINES[1]]), bud("F4")),
    (lambda: make_input(subtotals={"项目支出": {"executed": "见附表"}}), bud("E7")),
])
def test_value_not_number(inp, place):
    assert_at(one(check(inp()), "VALUE_NOT_NUMBER"), place)


def test_value_not_number_row_scores_null():
    result = assess(make_input(row(0, actual="完成")), HEBEI)
    assert result.indicators[0].score is None
    assert result.to_json()["indicators"][0]["score"] is None
    assert result.total == D("59.33")  # 9.33 + 0 + 40 + 10


@pytest.mark.parametrize("changes, place", [
    (dict(operator="≥", target="≤100人次"), ind("H4")),  # the column and the cell disagree
    (dict(operator="大于", target="不超过100"), ind("H4")),
    (dict(operator="xyz"), ind("G4")),  # unreadable column
    (dict(target="≥100个以下"), ind("H4")),  # contradictory cell
])
def test_operator_unknown(changes, place):
    result = assess(make_input(row(0, **changes)), HEBEI)
    assert_at(one(list(result.checks), "OPERATOR_UNKNOWN"), place)
    assert result.indicators[0].score is None  # the row scores 0


@pytest.mark.parametrize("changes, op", [
    (dict(operator=None), "≥"),
    (dict(operator=None, name="火灾发生率", target=1, actual=0, unit="%"), "≤"),
    (dict(operator=None, name="安全事故次数", target=0, actual=0), "≤"),
    (dict(operator=None, name="群众投诉件数", target=5, actual=3, unit="件"), "≤"),
    (dict(operator=None, level2="成本指标", name="单位面积造价", target=100, actual=90, unit="元"), "≤"),
])
def test_operator_assumed(changes, op):
    result = assess(make_input(row(0, **changes)), HEBEI)
    assert where(list(result.checks)) == {("OPERATOR_ASSUMED", "warning", *ind("G4"))}
    assert result.indicators[0].operator == op
    assert f"“{op}”" in result.checks[0].message


def test_operator_assumed_without_an_operator_column_is_reported_on_the_target():
    result = assess(make_input(row(0, operator=ABSENT)), HEBEI)
    assert where(list(result.checks)) == {("OPERATOR_ASSUMED", "warning", *ind("H4"))}


@pytest.mark.parametrize("changes", [
    dict(operator=None, target="≥100人次"), dict(operator=None, target="100人次以上"),
    dict(operator="正向"), dict(operator="不低于"), dict(operator=None, target="不少于100"),
])
def test_operator_from_words_is_not_assumed(changes):
    result = assess(make_input(row(0, **changes)), HEBEI)
    assert result.checks == ()
    assert result.indicators[0].operator == "≥"


@pytest.mark.parametrize("changes", [
    dict(target=D("0.95"), actual=96, unit="%"),  # a hundredfold apart
    dict(target=95, actual=D("0.96"), unit="百分比", reason="口径待核实"),  # read as typed: 0.96 of 95
])
def test_unit_mismatch(changes):
    findings = check(make_input(row(1, **changes)))
    assert where(findings) == {("UNIT_MISMATCH", "warning", *ind("J5"))}


def test_unit_mismatch_not_raised_for_a_percent_formatted_cell():
    assert check(make_input(row(1, target="90%", actual=pct("0.95")))) == []


def test_qual_label_unknown():
    # 良好: not a label, not the target's text, not a word for 达成 (完成 reads as 达成, docs/rules.md §12.5)
    result = assess(make_input(row(0, nature="定性", target="合格以上", actual="良好", unit=None)), HEBEI)
    assert where(list(result.checks)) == {("QUAL_LABEL_UNKNOWN", "error", *ind("J4"))}
    assert result.indicators[0].score is None


def test_qual_free_text():
    # the same free text with a typed 自评得分 of 36 (≤ weight 40): taken as the score, with the warning
    result = assess(make_input(row(0, nature="定性", target="合格以上", actual="良好", unit=None, self_score=36,
                                   reason="个别站点未验收")), HEBEI)
    assert where(list(result.checks)) == {("QUAL_FREE_TEXT", "warning", *ind("J4"))}
    assert result.indicators[0].score == D("36.00")


def test_unit_incompatible():
    # % against 个 do not convert: the row cannot be scored (null, counted 0)
    result = assess(make_input(row(1, target="95%", actual="95个", unit=None)), HEBEI)
    assert where(list(result.checks)) == {("UNIT_INCOMPATIBLE", "error", *ind("J5"))}
    assert result.indicators[1].score is None


QUAL = dict(nature="定性", operator=None, target="合格以上", unit=None, reason="受疫情影响，部分工作推迟")


def test_qual_score_missing():
    findings = check(make_input(row(0, **QUAL, actual="部分达成年度指标并具有一定效果")))
    assert where(findings) == {("QUAL_SCORE_MISSING", "error", *ind("L4"))}
    assert "24 分至 32 分（不含 32 分）" in findings[0].message  # 60% × 40 = 24 to 80% × 40 = 32, the top excluded
    # no 自评得分 column: reported on the actual
    no_column = check(make_input(row(0, **QUAL, actual="未达成预期指标且效果较差", self_score=ABSENT)))
    assert where(no_column) == {("QUAL_SCORE_MISSING", "error", *ind("J4"))}


def test_qual_score_out_of_band():
    findings = check(make_input(row(0, **QUAL, actual="部分达成年度指标并具有一定效果", self_score=35)))
    assert where(findings) == {("QUAL_SCORE_OUT_OF_BAND", "error", *ind("L4"))}
    assert check(make_input(row(0, **QUAL, actual="部分达成年度指标并具有一定效果", self_score=24))) == []


@pytest.mark.parametrize("changes", [dict(self_score=45), dict(**QUAL, actual="达成年度指标", self_score="45")])
def test_score_over_weight(changes):
    findings = check(make_input(row(0, **changes)))
    assert where(findings) == {("SCORE_OVER_WEIGHT", "error", *ind("L4"))}


@pytest.mark.parametrize("self_score, flagged", [(39, True), ("39.99", False), ("40.00", False), ("40", False),
                                                 ("39.98", True)])
def test_score_mismatch(self_score, flagged):
    findings = check(make_input(row(0, self_score=self_score)))
    assert where(findings) == ({("SCORE_MISMATCH", "warning", *ind("L4"))} if flagged else set())


def test_score_mismatch_never_on_a_qualitative_row():
    assert check(make_input(row(0, **QUAL, actual="达成年度指标", self_score=33))) == []


@pytest.mark.parametrize("typed, flagged", [(90, True), ("99.33", False), ("99.34", False), ("99.35", True),
                                            ("９９.３３", False)])
def test_total_mismatch(typed, flagged):
    findings = check(make_input(typed_total=typed))  # computed total 9.33 + 90 = 99.33
    assert where(findings) == ({("TOTAL_MISMATCH", "warning", SCORE_SHEET, "B17")} if flagged else set())


def test_total_mismatch_formula_total_is_ignored():
    assert check(make_input(typed_total=formula(D(12)))) == []


@pytest.mark.parametrize("reason", [None, "无", "/", "   ", "\u3000", "—", "－", " 无 "])
def test_deviation_unexplained(reason):
    findings = check(make_input(row(0, actual=80, reason=reason)))
    assert where(findings) == {("DEVIATION_UNEXPLAINED", "warning", *ind("M4"))}


@pytest.mark.parametrize("changes, place", [
    (dict(actual=80, reason=ABSENT), ind("J4")),  # no reason column: on the actual
    (dict(actual="99.999"), ind("M4")),  # missed by the unrounded score, though it rounds to 40.00
    (dict(**{**QUAL, "reason": "/"}, actual="部分达成年度指标并具有一定效果", self_score=30), ind("M4")),
    (dict(**{**QUAL, "reason": None}, actual="未达成年度指标且效果较差", self_score=10), ind("M4")),
    (dict(target="12月底前", actual="2026年1月5日", operator=None, unit=None), ind("M4")),
])
def test_deviation_unexplained_variants(changes, place):
    findings = [f for f in check(make_input(row(0, **changes))) if f.code != "OPERATOR_ASSUMED"]
    assert where(findings) == {("DEVIATION_UNEXPLAINED", "warning", *place)}


def test_deviation_explained_or_met():
    assert check(make_input(row(0, actual=80, reason="培训场地受限"))) == []
    assert check(make_input(row(0, actual=120))) == []


@pytest.mark.parametrize("actual, flagged", [(130, True), (200, True), (129, False), ("130人次", True)])
def test_overshoot_unexplained(actual, flagged):
    findings = check(make_input(row(0, actual=actual)), GUANGXI)
    assert where(findings) == ({("OVERSHOOT_UNEXPLAINED", "warning", *ind("M4"))} if flagged else set())
    assert check(make_input(row(0, actual=actual)), HEBEI) == []  # the profile without a ratio asks nothing


def test_overshoot_explained_or_lower_is_better():
    assert check(make_input(row(0, actual=150, reason="上级追加培训任务")), GUANGXI) == []
    assert check(make_input(row(0, operator="≤", actual=50)), GUANGXI) == []


def test_negative_value():
    findings = check(make_input(row(0, actual=-5, reason="数据待核实")))
    assert where(findings) == {("NEGATIVE_VALUE", "warning", *ind("J4"))}
    assert assess(make_input(row(0, actual=-5, reason="数据待核实")), HEBEI).indicators[0].score == 0
    lines = [SMALL_LINES[0], SMALL_LINES[1]._replace(executed=-10, reason="冲减")]
    assert_at(one(check(make_input(lines=lines)), "NEGATIVE_VALUE"), bud("E5"))


def test_formula_not_cached():
    findings = check(make_input(row(0, actual=uncached_formula())))
    assert_at(one(findings, "FORMULA_NOT_CACHED"), ind("J4"))
    assert_at(one(findings, "VALUE_MISSING"), ind("J4"))  # the value stays unknown: the row cannot be scored
    lines = [SMALL_LINES[0]._replace(executed=uncached_formula()), SMALL_LINES[1]]
    assert_at(one(check(make_input(lines=lines)), "FORMULA_NOT_CACHED"), bud("E4"))
    # a formula that carries its value is read by it, silently
    assert check(make_input(row(0, actual=formula(D(100))))) == []


def test_formula_result_stale():
    # 培训人次 ≥100: the stored 100 is scored (full 40 of 40), though its formula gives 90; the result is provisional
    result = assess(make_input(row(0, actual=stale_formula(D(100), D(90)))), HEBEI)
    finding = one(list(result.checks), "FORMULA_RESULT_STALE")
    assert_at(finding, ind("J4"))
    assert finding.severity == "error" and not result.valid
    assert result.indicators[0].score == 40
    lines = [SMALL_LINES[0]._replace(executed=stale_formula(D(1000), D(900))), SMALL_LINES[1]]
    assert_at(one(check(make_input(lines=lines)), "FORMULA_RESULT_STALE"), bud("E4"))


def test_format_hides_value():
    # 培训人次 96 against ≥100, shown by its format as something else: scored as 96 (40 × 96/100 = 38.40), refused
    result = assess(make_input(row(0, actual=Raw(D(96), hidden=True))), HEBEI)
    finding = one(list(result.checks), "FORMAT_HIDES_VALUE")
    assert_at(finding, ind("J4"))
    assert finding.severity == "error" and not result.valid and result.indicators[0].score == D("38.40")
    # a word in such a cell is no number the format can change: not this check's
    assert "FORMAT_HIDES_VALUE" not in {f.code for f in check(make_input(row(0, actual=Raw("完成", hidden=True))))}


def test_formula_external():
    # the cached value is scored (100 against ≥100: full marks), and the cell is flagged
    result = assess(make_input(row(0, actual=outside_formula(D(100)))), HEBEI)
    assert_at(one(list(result.checks), "FORMULA_EXTERNAL"), ind("J4"))
    assert result.valid


# --- §7 all at once -----------------------------------------------------------------------------------

def test_every_problem_is_reported_at_once():
    rows = [
        SMALL_INDICATORS[0]._replace(level2="社会效益指标", actual=90, self_score=40),
        SMALL_INDICATORS[1]._replace(actual="完成"),
        SMALL_INDICATORS[2]._replace(operator=None, actual=80, reason="无"),
        IRow("产出指标", "质量指标", "考核结果", "定性", None, "合格以上", None, "良好", 5),
    ]
    lines = [SMALL_LINES[0]._replace(executed=1100), SMALL_LINES[1]._replace(rate="50%")]
    result = assess(make_input(rows, lines, typed_total=100, subtotals={"基本支出": {"budget": 999}}), HEBEI)
    assert where(list(result.checks)) == {
        ("LINE_OVER_BUDGET", "warning", *bud("E4")),
        ("EXECUTION_RATE_MISMATCH", "warning", *bud("F5")),
        ("BUDGET_TOTAL_MISMATCH", "error", *bud("D6")),
        ("LEVEL2_MISMATCH", "warning", *ind("D4")),
        ("SCORE_MISMATCH", "warning", *ind("L4")),
        ("DEVIATION_UNEXPLAINED", "warning", *ind("M4")),
        ("VALUE_NOT_NUMBER", "error", *ind("J5")),
        ("OPERATOR_ASSUMED", "warning", *ind("G6")),
        ("DEVIATION_UNEXPLAINED", "warning", *ind("M6")),
        ("QUAL_LABEL_UNKNOWN", "error", *ind("J7")),
        ("WEIGHT_LEVEL", "error", *ind("C4")),
        ("WEIGHT_TOTAL", "error", None, None),
        ("TOTAL_MISMATCH", "warning", SCORE_SHEET, "B17"),
    }
    assert not result.valid
    assert len(result.errors) == 5 and len(result.warnings) == 8
    assert result.to_json()["valid"] is False
    assert [c["code"] for c in result.to_json()["checks"]] == [f.code for f in result.checks]


def test_a_cell_is_reported_once_per_code():
    findings = check(make_input(row(0, operator="≥", target="≤100人次")))
    assert [f.code for f in findings].count("OPERATOR_UNKNOWN") == 1


# --- the pure core stays pure -------------------------------------------------------------------------


# --- who sent it (docs/rules.md §13.6; more in tests/test_identity.py) ----------------------------------

def test_unit_unnamed():
    info = {"单位名称": Cell("基本信息", "B2"), "评价年度": Cell("基本信息", "B4", "2025")}
    inp = replace(make_input(), unit_name="", info=info)
    assert where(check(inp)) == {("UNIT_UNNAMED", "warning", "基本信息", "B2")}


def test_year_unknown():
    inp = replace(make_input(year=None), info={"评价年度": Cell("基本信息", "B4")})
    assert where(check(inp)) == {("YEAR_UNKNOWN", "warning", "基本信息", "B4")}
