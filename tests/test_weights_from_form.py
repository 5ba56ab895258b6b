"""Whose weights (docs/rules.md §14): with no profile named the form's printed split rules; a named
profile whose level the rows weigh otherwise rescales that level, never cuts it. Numbers by hand."""
from __future__ import annotations

from decimal import Decimal as D

from builders import BRow, IRow, make_input
from selfeval_xl.read.profiles import load_profile
from selfeval_xl.rules.assess import assess
from selfeval_xl.rules.weights import with_form_weights

HEBEI = load_profile("hebei-dept")  # 产出 40、效益 40、满意度 10 + 预算执行 10
FULL = [BRow(None, "基本支出", 100, 100)]  # rate 100 %


def _rows(output: list[tuple[int, int]], benefit: int = 15, satisfaction: int = 10) -> list[IRow]:
    """产出 rows as (weight, actual) against a target of 100 (actual 100 meets it, 0 scores 0), one 效益
    and one 满意度 row met."""
    rows = [IRow("产出指标", "数量指标", f"产出{i}", "定量", "≥", 100, "个", actual, weight)
            for i, (weight, actual) in enumerate(output)]
    return rows + [IRow("效益指标", "社会效益指标", "知晓率", "定量", "≥", "90%", "%", "95%", benefit),
                   IRow("满意度指标", "服务对象满意度指标", "满意度", "定量", "≥", 90, "%", 92, satisfaction)]


def _levels(result) -> dict[str, tuple[D | None, D]]:
    return {lv.name: (lv.weight, lv.score) for lv in result.levels}


def test_no_profile_named_the_printed_split_rules() -> None:
    """65 / 15 / 10 printed, every target met, rate 100 %: 65 + 15 + 10 + 10 × 100 % = 100.00 优秀."""
    inp = make_input(_rows([(65, 100)]), FULL)
    profile = with_form_weights(inp, HEBEI)
    result = assess(inp, profile)
    assert (str(result.total), result.grade, result.valid) == ("100.00", "优秀", True)
    assert result.profile == "hebei-dept（按表内分值）" and result.weights_from == "form"
    assert _levels(result) == {"产出指标": (D(65), D("65.00")), "效益指标": (D(15), D("15.00")),
                               "满意度指标": (D(10), D("10.00"))}
    warned = [f for f in result.checks if f.code == "WEIGHTS_FROM_FORM"]
    assert [(f.severity, f.cell) for f in warned] == [("warning", "C3")]  # the 一级指标 header
    assert "按表内分值：产出指标 65、效益指标 15、满意度指标 10、预算执行 10" in warned[0].message


def test_the_same_rows_under_the_named_profile_are_rescaled() -> None:
    """hebei-dept named: 产出 65 × 40 ÷ 65 = 40.00, 效益 15 × 40 ÷ 15 = 40.00, 满意度 10; total 100.00, provisional."""
    result = assess(make_input(_rows([(65, 100)]), FULL), HEBEI)
    assert {(f.code, f.cell) for f in result.checks} == {("WEIGHT_LEVEL", "C4"), ("WEIGHT_LEVEL", "C5")}
    assert _levels(result) == {"产出指标": (D(40), D("40.00")), "效益指标": (D(40), D("40.00")),
                               "满意度指标": (D(10), D("10.00"))}
    assert (str(result.total), result.valid) == ("100.00", False)
    output = result.to_json()["levels"][0]  # the rows' own sums beside what counted
    assert output == {"name": "产出指标", "weight": "40", "score": "40.00", "rows_weight": "65", "rows_score": "65.00"}


def test_a_level_scoring_52_of_65_rescales_to_32() -> None:
    """产出 rows 52 (met) and 13 (actual 0): 52 of 65 → 52 × 40 ÷ 65 = 32.00."""
    result = assess(make_input(_rows([(52, 100), (13, 0)]), FULL), HEBEI)
    assert _levels(result)["产出指标"] == (D(40), D("32.00"))


def test_levels_making_100_with_the_rate_shown_but_unscored() -> None:
    """40 / 40 / 20 printed, no 分值 on the rate row: the execution weighs 100 − 100 = 0, so the total is
    40 + 40 + 20 = 100.00, never 10 points the form does not offer."""
    inp = make_input(_rows([(40, 100)], benefit=40, satisfaction=20), [BRow(None, "基本支出", 100, 50)])
    result = assess(inp, with_form_weights(inp, HEBEI))
    assert result.execution.weight == 0
    assert str(result.total) == "100.00"


def test_an_inflated_weight_gains_nothing_under_the_named_profile() -> None:
    """The newcomer's template: one 产出 weight typed 8 instead of 4 (产出 44 of the profile's 40), every
    target met: 44 × 40 ÷ 44 = 40.00, the same as the correct form, with WEIGHT_LEVEL."""
    result = assess(make_input(_rows([(36, 100), (8, 100)], benefit=40), FULL), HEBEI)
    assert _levels(result)["产出指标"] == (D(40), D("40.00"))
    assert "WEIGHT_LEVEL" in {f.code for f in result.checks}
    assert str(result.total) == "100.00" and not result.valid


def test_the_summary_says_how_a_rescaled_level_counted() -> None:
    """评分汇总 beside 产出's 40.00: its rows' 65.00 of 65 rescaled to the profile's 40, and a score rate of
    40 ÷ 40 = 100 % (never 40 ÷ 65 = 61.54 % for a level whose targets were all met)."""
    from selfeval_xl.write.summary import build_summary
    result = assess(make_input(_rows([(65, 100)]), FULL), HEBEI)
    model = build_summary(result, HEBEI)
    row = next(c.row for c in model.cells if c.value == "产出指标" and c.col == 1)
    shown = {c.col: c.value for c in model.cells if c.row == row}
    assert shown[4] == D("40.00") and shown[5] == 1
    assert shown[6] == "各指标得分之和 65.00（分值合计 65）按口径分值 40 折算"
