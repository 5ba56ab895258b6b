"""assess(input, profile) → Result: the budget (execution.py), each indicator (indicator.py) and the
levels (levels.py), then the total, the grade and the typed total's check.

Pure: plain objects in, plain objects out. Every problem becomes a Finding; nothing raises.
"""
from __future__ import annotations

from decimal import Decimal

from selfeval_xl.formatting import plain
from selfeval_xl.model import Cell, EvaluationInput, Result
from selfeval_xl.rules.checks import Findings
from selfeval_xl.rules.execution import assess_budget
from selfeval_xl.rules.identity import check_identity
from selfeval_xl.rules.indicator import assess_indicator
from selfeval_xl.rules.levels import check_weights
from selfeval_xl.rules.profiles import Profile
from selfeval_xl.rules.quantities import read_plain_number
from selfeval_xl.rules.rate_row import as_rate_row, rate_rows, shown_as_scored
from selfeval_xl.rules.scoring import grade as grade_for
from selfeval_xl.rules.scoring import total_score
from selfeval_xl.rules.weights import differs_from_picked, split_text

SCORE_TOLERANCE = Decimal("0.01")


def assess(inp: EvaluationInput, profile: Profile) -> Result:
    findings = Findings()
    check_identity(inp, findings)
    execution = assess_budget(inp, profile, findings)
    rate_rows_ = rate_rows(inp.indicators, profile)
    indicators = []
    for ind in inp.indicators:
        if ind.row in rate_rows_:
            scored = as_rate_row(ind, execution, findings)
            indicators.append(shown_as_scored(assess_indicator(scored, inp, profile, findings), scored, execution))
        else:
            indicators.append(assess_indicator(ind, inp, profile, findings))
    if not inp.indicators:
        findings.add("VALUE_MISSING", inp.indicator_anchor,
                     what="绩效指标表没有任何指标行，三级指标、指标值、实际完成值、分值")
    if differs_from_picked(profile):
        findings.add("WEIGHTS_FROM_FORM", _level_header(inp), split=split_text(profile))
    levels = check_weights(inp, indicators, profile, findings)
    # Each level counts at most its weight; rows outside every known level (all rows of a form without
    # levels) count as they score.
    known = {lv.name for lv in levels}
    outside = [ind.score for ind in indicators if ind.score is not None and ind.level not in known]
    total = total_score(execution.score, [lv.score for lv in levels] + outside)
    typed_total = None
    if inp.typed_total is not None and not inp.typed_total.blank and not inp.typed_total.is_formula:
        typed = read_plain_number(inp.typed_total)
        if isinstance(typed, Decimal):
            typed_total = typed
            if abs(typed - total) > SCORE_TOLERANCE:
                findings.add("TOTAL_MISMATCH", inp.typed_total, typed=plain(typed), computed=plain(total))
    return Result(
        file=inp.file, form=inp.form, profile=profile.label, unit=inp.unit_name, year=inp.year,
        money_unit=inp.money_unit, execution=execution, levels=tuple(levels), indicators=tuple(indicators),
        total=total, grade=grade_for(total, profile), digits=profile.digits, checks=findings.items(),
        typed_total=typed_total, skipped=inp.skipped, weights_from=profile.weights_from,
    )


def _level_header(inp: EvaluationInput) -> Cell | None:
    """The 一级指标 header cell, where a note on the levels' weights is read (the row above the first indicator)."""
    first = next((ind.level1.coord for ind in inp.indicators if ind.level1.coord), None)
    if first is None or inp.indicator_anchor is None or not inp.indicator_anchor.coord:
        return inp.indicator_anchor
    column = first.rstrip("0123456789")
    row = int(inp.indicator_anchor.coord.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - 1
    return Cell(inp.indicator_sheet, f"{column}{row}", "")
