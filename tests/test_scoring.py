"""The scoring rules of docs/rules.md §2–§9, one case per rule branch."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from builders import SMALL_INDICATORS, BRow, IRow, make_input, pct
from selfeval_xl.errors import ProfileError
from selfeval_xl.read.profiles import load_profile, parse_profile
from selfeval_xl.rules.assess import assess
from selfeval_xl.rules.scoring import (
    date_score,
    execution_rate,
    execution_score,
    grade,
    in_qualitative_band,
    quantitative_score,
)
from selfeval_xl.vocabulary import EQ, GE, LE, QUAL_MET, QUAL_MISSED, QUAL_PARTIAL

HEBEI = load_profile("hebei-dept")
MOF = load_profile("mof-project")


def profile_toml(*, name: str = "test", form: str = "department", digits: int = 2, execution: str = "weight = 10",
                 weights: str = '"产出指标" = 40\n"效益指标" = 40\n"满意度指标" = 10', explain: str = "",
                 grades: str = "") -> str:
    grades = grades or ('[[grades]]\nname = "优秀"\nmin = 85\n[[grades]]\nname = "良好"\nmin = 75\n'
                        '[[grades]]\nname = "一般"\nmin = 60\n[[grades]]\nname = "较差"\nmin = 0\n')
    return (f'name = "{name}"\nform = "{form}"\ndigits = {digits}\n\n[execution]\n{execution}\n\n'
            f'[weights]\n{weights}\n\n{grades}\n[explain]\n{explain}\n')


STEPS = parse_profile(profile_toml(name="jiangxi", execution=(
    'weight = 10\nrule = "steps"\nsteps = [[1.0, 10], [0.8, 7], [0.6, 5], [0.0, 0]]')), origin="jiangxi.toml")
HUBEI = parse_profile(profile_toml(name="hubei", execution="weight = 20",
                                   weights='"产出指标" = 40\n"效益指标" = 30\n"满意度指标" = 10'), origin="hubei.toml")
WHOLE = parse_profile(profile_toml(name="whole", digits=0), origin="whole.toml")


# --- §3 budget execution ----------------------------------------------------------------------------

@pytest.mark.parametrize("budget, executed, rate", [
    # exact, not rounded to 4 places: 680955410 ÷ 692991647 = 0.98263148329116873179280904088… (bc), to
    # Decimal's 28 significant digits (the 29th is 8, so the 28th goes up)
    ("6929916.47", "6809554.10", D("0.9826314832911687317928090409")),
    ("100", "50", D("0.5")),
    ("100", "120", D("1.2")),
    ("100", "0", D("0")),
    ("0", "0", None),  # budget 0: the rate is undefined
    ("0", "5", None),
])
def test_execution_rate(budget, executed, rate):
    assert execution_rate(D(budget), D(executed)) == rate


@pytest.mark.parametrize("profile, rate, score", [
    # proportional: weight × min(rate, 100%), rounded half-up to the profile's digits
    (HEBEI, D("6809554.10") / D("6929916.47"), "9.83"),
    (HEBEI, D("1"), "10.00"),
    (HEBEI, D("1.2"), "10.00"),  # over budget: capped at the weight
    (HEBEI, D("0.5"), "5.00"),
    (HEBEI, D("0.98125"), "9.81"),  # 9.8125 → 9.81
    (HEBEI, D("0.9813"), "9.81"),
    (HEBEI, D("0.9825"), "9.83"),  # 9.825 → 9.83 (half-up, not banker's 9.82)
    (HEBEI, D("0"), "0.00"),
    (HEBEI, None, "0"),  # budget 0: score 0
    (HUBEI, D("0.9"), "18.00"),  # execution weight 20
    (HUBEI, D("1.05"), "20.00"),
    (WHOLE, D("0.862"), "9"),  # digits 0: 8.62 → 9
    (WHOLE, D("0.845"), "8"),  # 8.45 → 8
    (WHOLE, D("0.85"), "9"),  # 8.5 → 9 (half-up)
    # step rule (江西): 100% → 10, [80%,100%) → 7, [60%,80%) → 5, below 60% → 0
    (STEPS, D("1.2"), "10.00"),
    (STEPS, D("1"), "10.00"),
    (STEPS, D("0.9999"), "7.00"),
    (STEPS, D("0.8"), "7.00"),
    (STEPS, D("0.7999"), "5.00"),
    (STEPS, D("0.6"), "5.00"),
    (STEPS, D("0.5999"), "0.00"),
    (STEPS, D("0"), "0.00"),
    (STEPS, None, "0"),
])
def test_execution_score(profile, rate, score):
    got = execution_score(rate, profile)
    assert got == D(score)
    assert str(got) == score


# --- §4.2–§4.4 quantitative indicators (unrounded) ---------------------------------------------------

@pytest.mark.parametrize("op, target, actual, weight, score", [
    # ≥ (§4.2)
    (GE, "100", "100", "4", "4"),  # met
    (GE, "100", "120", "4", "4"),  # 超额完成不加分
    (GE, "100", "96", "4", "3.84"),  # weight × actual ÷ target
    (GE, "90", "85", "15", "14.16666666666666666666666667"),  # 15 × 85 ÷ 90 = 1275 ÷ 90 = 14.1666…, 28 digits
    (GE, "100", "0", "4", "0"),
    (GE, "0", "0", "5", "5"),  # target 0: full weight when actual ≥ 0
    (GE, "0", "3", "5", "5"),
    (GE, "100", "-5", "4", "0"),  # a negative actual counts as 0
    (GE, "0", "-5", "5", "5"),  # … and 0 ≥ target 0
    # ≤ (§4.3)
    (LE, "10", "8", "10", "10"),  # under the target
    (LE, "10", "10", "10", "10"),
    (LE, "10", "15", "10", "5"),  # weight × (1 − (actual − target) ÷ target)
    (LE, "10", "12", "10", "8"),
    (LE, "10", "19.99", "10", "0.01"),  # 10 × (1 − 9.99 ÷ 10) = 10 × 0.001 = 0.01
    (LE, "10", "20", "10", "0"),  # actual ≥ 2 × target → 0
    (LE, "10", "25", "10", "0"),
    (LE, "0", "0", "10", "10"),  # target 0: full when actual ≤ 0
    (LE, "0", "0.1", "10", "0"),  # … otherwise 0
    (LE, "10", "-3", "10", "10"),  # negative actual counts as 0
    # = (§4.4)
    (EQ, "0", "0", "10", "10"),
    (EQ, "0", "1", "10", "0"),
    (EQ, "100", "100", "15", "15"),  # scored as ≥
    (EQ, "100", "105", "15", "15"),
    (EQ, "100", "90", "15", "13.5"),
])
def test_quantitative_score(op, target, actual, weight, score):
    assert quantitative_score(op, D(target), D(actual), D(weight)) == D(score)


@pytest.mark.parametrize("operator, target, actual, score", [
    (None, "≥100人次", "80人次", "32.00"),
    (None, "100人次以上", 80, "32.00"),
    ("正向", 100, 80, "32.00"),
    ("不低于", 100, 120, "40.00"),
    (">", 100, 80, "32.00"),  # strict > scored as ≥
    ("反向", 100, 150, "20.00"),
    ("<", 100, 150, "20.00"),  # strict < scored as ≤
    (None, "控制在43.2万元以内", "45万元", "38.33"),  # 40 × (1 − 1.8 ÷ 43.2)
    (None, "不超过5次", 6, "32.00"),
    ("≤", 5, 10, "0.00"),
    ("＝", 100, 100, "40.00"),
    ("等于", 0, 1, "0.00"),
    (None, "=0", 0, "40.00"),
])
def test_comparison_read_from_column_or_words(operator, target, actual, score):
    rows = [IRow("产出指标", "数量指标", "指标", "定量", operator, target, None, actual, 40, reason="说明"),
            *SMALL_REST]
    result = assess(make_input(rows), HEBEI)
    assert str(result.indicators[0].score) == score
    assert not result.checks


SMALL_REST = (IRow("效益指标", "社会效益指标", "政策知晓率", "定量", "≥", "90%", "%", "95%", 40),
              IRow("满意度指标", "服务对象满意度指标", "群众满意度", "定量", "≥", 90, "%", 92, 10))


# --- §4.5 dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("op, target, actual, score", [
    (LE, dt.date(2025, 12, 31), dt.date(2025, 12, 20), "5"),  # no later than: met
    (LE, dt.date(2025, 12, 31), dt.date(2025, 12, 31), "5"),  # on the day: met
    (LE, dt.date(2025, 11, 30), dt.date(2025, 12, 1), "0"),  # missed → 0
    (GE, dt.date(2025, 6, 1), dt.date(2025, 6, 1), "5"),  # no earlier than: met
    (GE, dt.date(2025, 6, 1), dt.date(2025, 5, 31), "0"),
    (EQ, dt.date(2025, 11, 30), dt.date(2025, 11, 15), "5"),  # = reads as ≤ for dates (code's choice)
    (EQ, dt.date(2025, 11, 30), dt.date(2025, 12, 15), "0"),
])
def test_date_score(op, target, actual, score):
    assert date_score(op, target, actual, D(5)) == D(score)


@pytest.mark.parametrize("target, actual, score", [
    ("12月底前", "2025年12月20日", "5.00"),
    ("2025-11-30", "2025-11-30", "5.00"),
    ("11月15日前", "2025-11-20", "0.00"),
    ("年底前", "12月31日", "5.00"),
    ("6月30日前", "7月1日", "0.00"),
])
def test_date_indicator_scored_through_assess(target, actual, score):
    rows = [IRow("产出指标", "时效指标", "完工时间", "定量", None, target, None, actual, 5, reason="已说明"),
            IRow("产出指标", "数量指标", "培训人次", "定量", "≥", 100, "人次", 100, 35),
            IRow("效益指标", "社会效益指标", "政策知晓率", "定量", "≥", "90%", "%", "95%", 40),
            IRow("满意度指标", "服务对象满意度指标", "群众满意度", "定量", "≥", 90, "%", 92, 10)]
    result = assess(make_input(rows), HEBEI)
    assert str(result.indicators[0].score) == score
    assert result.indicators[0].operator == LE
    assert not result.errors


# --- §4.6 qualitative bands -------------------------------------------------------------------------

@pytest.mark.parametrize("label, score, inside", [
    (QUAL_MET, "10", True), (QUAL_MET, "8", True), (QUAL_MET, "7.99", False), (QUAL_MET, "10.01", False),
    (QUAL_PARTIAL, "6", True), (QUAL_PARTIAL, "7.99", True), (QUAL_PARTIAL, "8", False), (QUAL_PARTIAL, "5.99", False),
    (QUAL_MISSED, "0", True), (QUAL_MISSED, "5.99", True), (QUAL_MISSED, "6", False), (QUAL_MISSED, "-1", False),
])
def test_in_qualitative_band(label, score, inside):
    assert in_qualitative_band(label, D(score), D(10)) is inside


@pytest.mark.parametrize("actual, self_score, score, codes", [
    ("达成年度指标", None, "8.00", set()),  # empty score on 达成: full weight
    ("达成预期指标", "7", "7.00", set()),  # the filler's score is the score
    ("部分达成年度指标并具有一定效果", "5.5", "5.50", set()),
    ("部分达成年度指标并具有一定效果", "4.8", "4.80", set()),  # 60% of 8 exactly: in band
    ("部分达成年度指标并具有一定效果", "6.4", "6.40", {"QUAL_SCORE_OUT_OF_BAND"}),  # 80%: out (upper exclusive)
    ("未达成年度指标且效果较差", "4.79", "4.79", set()),
    ("未达成年度指标且效果较差", None, None, {"QUAL_SCORE_MISSING"}),
    ("部分达成年度指标并具有一定效果", None, None, {"QUAL_SCORE_MISSING"}),
    ("达成年度指标", "6.395", "6.40", {"QUAL_SCORE_OUT_OF_BAND"}),  # band checked unrounded (6.4 would be in)
])
def test_qualitative_row(actual, self_score, score, codes):
    rows = [IRow("产出指标", "质量指标", "考核结果", "定性", None, "合格以上", None, actual, 8, self_score,
                 "已说明原因"),
            IRow("产出指标", "数量指标", "培训人次", "定量", "≥", 100, "人次", 100, 32),
            IRow("效益指标", "社会效益指标", "政策知晓率", "定量", "≥", "90%", "%", "95%", 40),
            IRow("满意度指标", "服务对象满意度指标", "群众满意度", "定量", "≥", 90, "%", 92, 10)]
    result = assess(make_input(rows), HEBEI)
    ind = result.indicators[0]
    assert ind.qualitative
    assert (None if ind.score is None else str(ind.score)) == score
    assert {f.code for f in result.checks} == codes


# --- §4.7 percent scales -------------------------------------------------------------------------

@pytest.mark.parametrize("target, actual, score", [
    ("≥90%", pct("0.88"), "14.67"),  # 0.88 shown as 88% is 88 %: 15 × 88 ÷ 90 = 1320 ÷ 90 = 14.666… → 14.67
    (pct("0.9"), pct("0.99"), "15.00"),  # 99% ≥ 90%: the full weight
    (pct("0.9"), "85%", "14.17"),  # 15 × 85 ÷ 90 = 1275 ÷ 90 = 14.1666… → 14.17
    (90, pct("0.855"), "14.25"),  # 0.855 shown as 85.5%: 15 × 85.5 ÷ 90 = 1282.5 ÷ 90 = 14.25
])
def test_percent_formatted_cells_compare_in_the_same_scale(target, actual, score):
    rows = [IRow("效益指标", "社会效益指标", "上访劝返率", "定量", "≥", target, "%", actual, 15, reason="原因"),
            IRow("效益指标", "社会效益指标", "政策知晓率", "定量", "≥", "90%", "%", "95%", 25),
            IRow("产出指标", "数量指标", "培训人次", "定量", "≥", 100, "人次", 100, 40),
            IRow("满意度指标", "服务对象满意度指标", "群众满意度", "定量", "≥", 90, "%", 92, 10)]
    result = assess(make_input(rows), HEBEI)
    assert str(result.indicators[0].score) == score
    assert "UNIT_MISMATCH" not in {f.code for f in result.checks}


# --- §5 rounding, total, grade ---------------------------------------------------------------------

def thirds_input():
    """Three 产出 rows scoring 1/3 of their weight each (13/3, 13/3, 14/3), so rounding matters."""
    rows = [IRow("产出指标", "数量指标", f"指标{i}", "定量", "≥", 3, "个", 1, w, reason="原因")
            for i, w in enumerate((13, 13, 14))]
    rows += [IRow("效益指标", "社会效益指标", "政策知晓率", "定量", "≥", "90%", "%", "95%", 40),
             IRow("满意度指标", "服务对象满意度指标", "群众满意度", "定量", "≥", 90, "%", 92, 10)]
    return make_input(rows, [BRow("基本支出", "人员经费", 1000, 862)])


def test_total_is_execution_plus_rounded_indicator_scores():
    result = assess(thirds_input(), HEBEI)
    scores = [str(i.score) for i in result.indicators]
    assert scores == ["4.33", "4.33", "4.67", "40.00", "10.00"]  # 13/3, 13/3, 14/3 rounded half-up
    assert result.execution.score == D("8.62")
    assert result.total == D("8.62") + D("4.33") + D("4.33") + D("4.67") + D("40") + D("10")
    assert str(result.total) == "71.95"  # 8.62 + 4.33 + 4.33 + 4.67 + 40.00 + 10.00
    assert result.to_json()["total"] == "71.95"
    assert result.grade == "一般"


@pytest.mark.parametrize("profile, weight, target, actual, score", [
    (HEBEI, 1, 8, 1, "0.13"),  # 0.125 → 0.13 (half-up; banker's rounding would give 0.12)
    (HEBEI, 4, 80, 77, "3.85"),  # 3.85 exactly
    (HEBEI, 2, 16, 5, "0.63"),  # 0.625 → 0.63
    (WHOLE, 5, 10, 5, "3"),  # 2.5 → 3 (banker's: 2)
    (WHOLE, 5, 10, 3, "2"),  # 1.5 → 2
])
def test_indicator_scores_round_half_up(profile, weight, target, actual, score):
    rows = [IRow("产出指标", "数量指标", "指标", "定量", "≥", target, "个", actual, weight, reason="说明"),
            IRow("产出指标", "数量指标", "其余", "定量", "≥", 1, "个", 1, 40 - weight), *SMALL_REST]
    result = assess(make_input(rows), profile)
    assert str(result.indicators[0].score) == score
    assert not result.checks


def test_digits_zero_profile_rounds_every_score_to_whole_points():
    result = assess(thirds_input(), WHOLE)
    assert [str(i.score) for i in result.indicators] == ["4", "4", "5", "40", "10"]
    assert result.execution.score == D("9")  # 8.62 → 9
    assert result.total == D(72)
    assert result.to_json()["total"] == "72"
    assert result.to_json()["execution"]["score"] == "9"


def test_execution_weight_20_profile():
    rows = [IRow("产出指标", "数量指标", "培训人次", "定量", "≥", 100, "人次", 100, 40),
            IRow("效益指标", "社会效益指标", "政策知晓率", "定量", "≥", "90%", "%", "95%", 30),
            IRow("满意度指标", "服务对象满意度指标", "群众满意度", "定量", "≥", 90, "%", 92, 10)]
    result = assess(make_input(rows, [BRow("基本支出", "人员经费", 1000, 900, "原因")]), HUBEI)
    assert not result.checks
    assert result.execution.weight == D(20)
    assert result.execution.score == D("18.00")
    assert result.total == D("98.00")


def test_budget_zero_gives_null_rate_and_zero_score():
    result = assess(make_input(lines=[BRow("基本支出", "人员经费", 0, 0)]), HEBEI)
    assert result.execution.rate is None
    assert result.execution.score == 0
    assert result.to_json()["execution"]["rate"] is None
    assert result.to_json()["execution"]["score"] == "0.00"
    assert not result.errors


def test_over_budget_scores_full_weight_but_is_an_error():
    result = assess(make_input(lines=[BRow("基本支出", "人员经费", 1000, 1100)]), HEBEI)
    assert result.execution.rate == D("1.1")
    assert result.execution.score == D("10.00")
    assert "EXECUTION_OVER_BUDGET" in {f.code for f in result.errors}
    assert not result.valid
    assert result.grade == "优秀"  # the grade is always computed (provisional)


def test_step_rule_through_assess():
    result = assess(make_input(lines=[BRow("基本支出", "人员经费", 1000, 850, "原因")]), STEPS)
    assert result.execution.score == D("7.00")
    assert result.total == D("97.00")


@pytest.mark.parametrize("form, lines, budget, executed, rate, line_rates", [
    # 1000 + 200.50 + 500 = 1700.50, 1000 + 100.25 + 400 = 1500.25; 1500.25 ÷ 1700.50 = 0.88224051749485445457218465157…
    # (bc) to 28 significant digits; lines 1000 ÷ 1000 = 1, 100.25 ÷ 200.50 = 0.5, 400 ÷ 500 = 0.8
    ("department", [BRow("基本支出", "人员经费", 1000, 1000), BRow("基本支出", "日常公用经费", "200.50", "100.25"),
                    BRow("项目支出", "环境整治经费", 500, 400, "原因")], "1700.50", "1500.25",
     "0.8822405174948544545721846516", ("1", "0.5", "0.8")),
    # 1000 + 200 = 1200, 800 + 200 = 1000; 1000 ÷ 1200 = 0.8333…; lines 800 ÷ 1000 = 0.8, 200 ÷ 200 = 1
    ("project", [BRow(None, "当年财政拨款", 1000, 800, "原因"), BRow(None, "上年结转资金", 200, 200)], "1200", "1000",
     "0.8333333333333333333333333333", ("0.8", "1")),
])
def test_totals_are_recomputed_from_the_lines(form, lines, budget, executed, rate, line_rates):
    result = assess(make_input(lines=lines, form=form, total={"budget": D(budget), "executed": D(executed)}), HEBEI)
    assert result.execution.budget == D(budget) and result.execution.executed == D(executed)
    assert result.execution.rate == D(rate)
    assert "BUDGET_TOTAL_MISMATCH" not in {f.code for f in result.checks}
    kinds = [(lr.kind, lr.group, lr.budget, lr.executed) for lr in result.execution.lines]
    assert kinds[-1] == ("total", None, D(budget), D(executed))
    # every line gets its own rate for display
    assert [lr.rate for lr in result.execution.lines if lr.kind == "line"] == [D(r) for r in line_rates]


def test_subtotals_get_their_group_sums():
    lines = [BRow("基本支出", "人员经费", 1000, 1000), BRow("基本支出", "日常公用经费", 200, 100),
             BRow("项目支出", "环境整治经费", 500, 400, "原因")]
    result = assess(make_input(lines=lines), HEBEI)
    subtotals = {lr.group: (lr.budget, lr.executed, lr.rate) for lr in result.execution.lines if lr.kind == "subtotal"}
    # 基本支出 1000 + 200 = 1200, 1000 + 100 = 1100, 1100 ÷ 1200 = 0.91666… (28 digits); 项目支出 400 ÷ 500 = 0.8
    assert subtotals == {"基本支出": (D(1200), D(1100), D("0.9166666666666666666666666667")),
                         "项目支出": (D(500), D(400), D("0.8"))}


def test_rate_uses_full_year_budget_not_initial():
    lines = [BRow("基本支出", "人员经费", 800, 800, "预算调减", initial=1000)]
    result = assess(make_input(lines=lines), HEBEI)
    assert result.execution.rate == D(1)


@pytest.mark.parametrize("profile, total, name", [
    (HEBEI, "100", "优秀"), (HEBEI, "85", "优秀"), (HEBEI, "84.99", "良好"), (HEBEI, "75", "良好"),
    (HEBEI, "74.99", "一般"), (HEBEI, "60", "一般"), (HEBEI, "59.99", "较差"), (HEBEI, "0", "较差"),
    (MOF, "90", "优"), (MOF, "89.99", "良"), (MOF, "80", "良"), (MOF, "79.99", "中"), (MOF, "60", "中"),
    (MOF, "59.99", "差"),
])
def test_grade_lower_bound_inclusive(profile, total, name):
    assert grade(D(total), profile) == name


# --- §8 profiles -------------------------------------------------------------------------------------

def test_builtin_profiles_match_the_spec_table():
    assert dict(HEBEI.weights) == {"产出指标": 40, "效益指标": 40, "满意度指标": 10}
    assert dict(MOF.weights) == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert MOF.optional == ("满意度指标",)
    sichuan = load_profile("sichuan-project")
    assert sichuan.weights == () and sichuan.explain_below == D("0.9") and sichuan.explain_adjustment
    for p in (HEBEI, MOF, sichuan):
        assert p.execution_weight == 10 and p.rule == "proportional" and p.digits == 2


@pytest.mark.parametrize("kwargs, key", [
    (dict(weights='"产出指标" = 40\n"效益指标" = 40\n"满意度指标" = 20'), "weights"),
    (dict(form="county"), "form"),
    (dict(grades='[[grades]]\nname = "a"\nmin = 60\n[[grades]]\nname = "b"\nmin = 85\n'), "grades[1].min"),
    (dict(grades='[[grades]]\nname = "a"\nmin = 60\n[[grades]]\nname = "b"\nmin = 10\n'), "grades[1].min"),
    (dict(execution='weight = 10\nrule = "steps"\nsteps = [[0.8, 7], [1.0, 10], [0.0, 0]]'), "execution.steps"),
    (dict(execution='weight = 10\nrule = "steps"\nsteps = [[1.0, 8], [0.0, 0]]'), "execution.steps"),
    (dict(digits=5), "digits"),
    (dict(explain="overshoot_ratio = 0.9"), "explain.overshoot_ratio"),
])
def test_profile_rejections_name_the_key(kwargs, key):
    with pytest.raises(ProfileError) as exc:
        parse_profile(profile_toml(**kwargs), origin="bad.toml")
    assert key in exc.value.message and "bad.toml" in exc.value.message


# --- scores never above weights -------------------------------------------------------------------

def test_odd_weights_round_to_no_more_than_themselves():
    # 产出 split 20.005 + 19.995 = 40, both met in full: half-up would give 20.01 + 20.00 = 40.01 > 40.
    # Each score is capped at its weight, rounded down: 20.00 and 19.99, so 产出 scores 39.99 of 40.
    rows = [IRow("产出指标", "数量指标", "培训人次", "定量", "≥", 100, "人次", 100, D("20.005")),
            IRow("产出指标", "质量指标", "合格率", "定量", "≥", 90, "%", 95, D("19.995")), *SMALL_INDICATORS[1:]]
    result = assess(make_input(rows), load_profile("hebei-dept"))
    assert [str(i.score) for i in result.indicators[:2]] == ["20.00", "19.99"]
    produced = next(lv for lv in result.levels if lv.name == "产出指标")
    assert str(produced.score) == "39.99"


def test_a_level_never_scores_above_its_weight():
    # weights 45 + 40 + 10 + execution 10 = 105: a WEIGHT_LEVEL error, and 产出 keeps at most its 40.
    # SMALL_INDICATORS all met; execution of SMALL_LINES scores 9.33 (1400 ÷ 1500 × 10 = 9.333 → 9.33):
    # total = 9.33 + 40 (capped from 45) + 40 + 10 = 99.33.
    rows = [SMALL_INDICATORS[0]._replace(weight=45), *SMALL_INDICATORS[1:]]
    result = assess(make_input(rows), load_profile("hebei-dept"))
    produced = next(lv for lv in result.levels if lv.name == "产出指标")
    assert produced.score == D(40)
    assert str(result.total) == "99.33"
    assert "WEIGHT_LEVEL" in {f.code for f in result.checks}
