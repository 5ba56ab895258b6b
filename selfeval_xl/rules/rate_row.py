"""The 预算执行率 as an indicator row, for a profile without a separate execution weight (mof-4level,
docs/rules.md §12.4): the row scores the rate recomputed from the money block, against 100%
where the form prints no target. Pure."""
from __future__ import annotations

from decimal import Decimal

from selfeval_xl.formatting import percent
from selfeval_xl.model import Cell, ExecutionResult, Indicator, IndicatorResult
from selfeval_xl.rules.checks import Findings
from selfeval_xl.rules.execution import RATE_TOLERANCE
from selfeval_xl.rules.profiles import Profile
from selfeval_xl.rules.quantities import read_rate
from selfeval_xl.vocabulary import normalize_label

# A printed "no target": the rate's own target, 100%, stands in.
NO_TARGET = ("", "—", "——", "/", "-", "－", "--", "\\")
FULL_RATE = "≥100%"


def rate_rows(indicators: tuple[Indicator, ...], profile: Profile) -> set[int]:
    """The rows that are the execution rate: names with 预算执行率, or else with 执行率.

    Only a profile that gives the rate no weight of its own has such rows; elsewhere a 执行率 in an
    indicator's name is an ordinary indicator."""
    if profile.execution_weight:
        return set()
    for word in ("预算执行率", "执行率"):
        found = {ind.row for ind in indicators if word in normalize_label(ind.name.text)}
        if found:
            return found
    return set()


def as_rate_row(ind: Indicator, execution: ExecutionResult, findings: Findings) -> Indicator:
    """The row with its target defaulted to ≥100% and its actual replaced by the recomputed rate."""
    target = ind.target
    if normalize_label(target.text) in NO_TARGET:
        target = Cell(target.sheet, target.coord, FULL_RATE)
    actual = ind.actual
    rate = execution.rate
    if rate is not None:
        typed = read_rate(actual) if not actual.is_formula else None
        if isinstance(typed, Decimal) and abs(typed - rate) > RATE_TOLERANCE:
            findings.add("EXECUTION_RATE_MISMATCH", actual, name=ind.name.text, typed=percent(typed),
                         computed=percent(rate))
        actual = Cell(actual.sheet, actual.coord, rate, percent=True)
    return ind._replace(target=target, actual=actual)


def shown_as_scored(result: IndicatorResult, ind: Indicator, execution: ExecutionResult) -> IndicatorResult:
    """The result showing the rate it scored as a percentage (not a long fraction), and the target scored."""
    if execution.rate is None:
        return result
    return result._replace(actual=percent(execution.rate), target=ind.target.text)
