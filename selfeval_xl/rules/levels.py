"""The levels: each first level's weight against the profile and against a weight printed in its
label, the total of 100, and each level's points rescaled to its weight where the rows weigh
otherwise (docs/rules.md §10, §14). Pure."""
from __future__ import annotations

from decimal import Decimal

from selfeval_xl.formatting import plain, round_half_up
from selfeval_xl.model import Cell, EvaluationInput, Indicator, IndicatorResult, LevelResult
from selfeval_xl.rules.checks import Findings
from selfeval_xl.rules.profiles import TOTAL_POINTS, Profile, printed_weight
from selfeval_xl.rules.scoring import ZERO

WEIGHT_TOLERANCE = Decimal("0.001")


def check_weights(inp: EvaluationInput, results: list[IndicatorResult], profile: Profile,
                  findings: Findings) -> list[LevelResult]:
    if inp.levels_absent:
        # Nothing to group by: each indicator counts on its own and only the total of 100 is checked.
        findings.near("LEVELS_ABSENT", inp.name_header, inp.indicator_sheet)
        _check_total(results, profile, findings)
        return []
    levels: list[LevelResult] = []
    by_level: dict[str, list[tuple[Indicator, IndicatorResult]]] = {}
    for ind, res in zip(inp.indicators, results, strict=True):
        by_level.setdefault(res.level, []).append((ind, res))
    # An optional level that is absent frees its weight for the others: only the total of 100 is checked
    # (docs/rules.md §10).
    optional_absent = any(level in profile.optional and not by_level.get(level) for level in profile.levels)
    for level in profile.levels:
        members = by_level.get(level, [])
        weight_sum = sum((r.weight for _, r in members if r.weight is not None), ZERO)
        score_sum = sum((r.score for _, r in members if r.score is not None), ZERO)
        expected = profile.weight_of(level)
        counted = _counted(score_sum, weight_sum, expected, optional_absent, profile)
        levels.append(LevelResult(level, expected, counted, weight_sum, score_sum if counted != score_sum else None))
        # A level with an invalid weight has only WEIGHT_INVALID (its sum is a consequence); the
        # other levels are still checked, so every independent problem is reported at once.
        if not inp.indicators or any(r.weight is None for _, r in members):
            continue
        if expected is not None and not optional_absent and abs(weight_sum - expected) > WEIGHT_TOLERANCE:
            anchor = members[0][0].level1 if members else None
            fields = dict(level=level, actual=plain(weight_sum), profile=profile.label, expected=plain(expected))
            findings.near("WEIGHT_LEVEL", anchor, inp.indicator_sheet, **fields)
        _check_printed(level, members, weight_sum, profile, findings)
    _check_total(results, profile, findings)
    return levels


def _counted(score_sum: Decimal, weight_sum: Decimal, expected: Decimal | None, optional_absent: bool,
             profile: Profile) -> Decimal:
    """A level's points in the total (docs/rules.md §14): its rows' points, rescaled to the profile's
    weight where the rows weigh otherwise (every target met is still the whole level, and inflating a
    level's weights gains nothing), never above that weight; as they are where the level is free."""
    if expected is None or optional_absent:
        return score_sum
    if weight_sum > 0 and abs(weight_sum - expected) > WEIGHT_TOLERANCE:
        return min(round_half_up(score_sum * expected / weight_sum, profile.digits), expected)
    return min(score_sum, expected)


def _check_printed(level: str, members: list[tuple[Indicator, IndicatorResult]], weight_sum: Decimal,
                   profile: Profile, findings: Findings) -> None:
    """A weight printed in the level's label (产出指标（50分）) binds the form whatever the profile says."""
    label: Cell | None = next((ind.level1 for ind, _ in members
                               if ind.level1.coord and printed_weight(ind.level1.text) is not None), None)
    if label is None:
        return
    printed = printed_weight(label.text)
    assert printed is not None, "found above by its printed weight"
    if abs(weight_sum - printed) > WEIGHT_TOLERANCE:
        findings.add("WEIGHT_LEVEL", label, level=level, actual=plain(weight_sum),
                     profile=f"{profile.label}；表中“{label.text}”所印", expected=plain(printed))


def _check_total(results: list[IndicatorResult], profile: Profile, findings: Findings) -> None:
    if not all(r.weight is not None for r in results):
        return
    indicator_total = sum((r.weight for r in results if r.weight is not None), ZERO)
    if abs(indicator_total + profile.execution_weight - TOTAL_POINTS) > WEIGHT_TOLERANCE:
        findings.at("WEIGHT_TOTAL", None, indicators=plain(indicator_total), execution=plain(profile.execution_weight),
                    total=plain(indicator_total + profile.execution_weight))
