"""The levels: each first level's weight against the profile, the total of 100, and each level's
points capped at its weight (scoring-rules.md §6). Pure."""
from __future__ import annotations

from decimal import Decimal

from selfeval_xl.formatting import plain
from selfeval_xl.model import EvaluationInput, Indicator, IndicatorResult, LevelResult
from selfeval_xl.rules.checks import Findings
from selfeval_xl.rules.profiles import KNOWN_LEVELS, TOTAL_POINTS, Profile
from selfeval_xl.rules.scoring import ZERO

WEIGHT_TOLERANCE = Decimal("0.001")


def check_weights(inp: EvaluationInput, results: list[IndicatorResult], profile: Profile,
                   findings: Findings) -> list[LevelResult]:
    levels: list[LevelResult] = []
    all_weights_valid = all(r.weight is not None for r in results)
    by_level: dict[str, list[tuple[Indicator, IndicatorResult]]] = {}
    for ind, res in zip(inp.indicators, results, strict=True):
        by_level.setdefault(res.level, []).append((ind, res))
    # An optional level that is absent frees its weight for the others: only the total of 100 is checked (§2).
    optional_absent = any(level in profile.optional and not by_level.get(level) for level in KNOWN_LEVELS)
    for level in KNOWN_LEVELS:
        members = by_level.get(level, [])
        weight_sum = sum((r.weight for _, r in members if r.weight is not None), ZERO)
        score_sum = sum((r.score for _, r in members if r.score is not None), ZERO)
        expected = profile.weight_of(level)
        # Never more points than the level is worth (indicator weights summing past it would allow it).
        capped = min(score_sum, expected) if expected is not None else score_sum
        levels.append(LevelResult(level, expected, capped, weight_sum))
        # A level with an invalid weight has only WEIGHT_INVALID (its sum is a consequence); the
        # other levels are still checked, so every independent problem is reported at once.
        if expected is None or not inp.indicators or any(r.weight is None for _, r in members):
            continue
        if optional_absent:
            continue
        if abs(weight_sum - expected) > WEIGHT_TOLERANCE:
            anchor = members[0][0].level1 if members else None
            fields = dict(level=level, actual=plain(weight_sum), profile=profile.label, expected=plain(expected))
            if anchor is not None and anchor.coord:
                findings.add("WEIGHT_LEVEL", anchor, **fields)
            else:
                findings.at("WEIGHT_LEVEL", inp.indicator_sheet, **fields)
    indicator_total = sum((r.weight for r in results if r.weight is not None), ZERO)
    if all_weights_valid and abs(indicator_total + profile.execution_weight - TOTAL_POINTS) > WEIGHT_TOLERANCE:
        findings.at("WEIGHT_TOTAL", None, indicators=plain(indicator_total), execution=plain(profile.execution_weight),
                    total=plain(indicator_total + profile.execution_weight))
    return levels
