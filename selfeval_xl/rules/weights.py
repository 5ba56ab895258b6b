"""Whose weights: the profile a person named, or the form as printed (docs/rules.md §14). Pure.

Published forms seldom name a profile and provinces print their own splits. When no profile is
named, the profile the form inference picked keeps its execution-rate rule, grades, bands and
rounding, but each first level weighs what its rows add up to and the execution what the rate row
prints, so a correct form is never scored against a split it never used.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from selfeval_xl.formatting import plain
from selfeval_xl.model import EvaluationInput
from selfeval_xl.rules.profiles import TOTAL_POINTS, Profile
from selfeval_xl.rules.quantities import read_plain_number
from selfeval_xl.rules.scoring import ZERO

EXECUTION_PART = "预算执行"


def _printed_execution(inp: EvaluationInput) -> Decimal | None | bool:
    """The 分值 printed on the rate / 年度资金总额 row: a number, None when none is printed, False when unreadable."""
    for row in inp.budget_rows:
        cell = row.printed_weight
        if cell is not None and not cell.blank:
            value = read_plain_number(cell)
            return value if isinstance(value, Decimal) and value >= 0 else False
    return None


def _level_sums(inp: EvaluationInput, profile: Profile) -> dict[str, Decimal] | None:
    """Each first level's row weights added up, or None when a row's level or weight cannot be read."""
    sums: dict[str, Decimal] = {}
    for ind in inp.indicators:
        level = profile.first_level(ind.level1.text)
        weight = read_plain_number(ind.weight)
        if level is None or not isinstance(weight, Decimal) or weight <= 0:
            return None
        counted = profile.counted_level(level)
        sums[counted] = sums.get(counted, ZERO) + weight
    return sums


def with_form_weights(inp: EvaluationInput, profile: Profile) -> Profile:
    """`profile` weighing each level and the execution as the form prints them, or `profile` itself
    when the form's weights cannot be read as a scheme (a row without a known level or a number)."""
    if inp.levels_absent or not inp.indicators or not profile.weights:
        return profile  # a profile fixing no level's weight (mof-4level) already takes the form's
    sums = _level_sums(inp, profile)
    printed = _printed_execution(inp)
    if sums is None or printed is False:
        return profile
    indicator_total = sum(sums.values(), ZERO)
    if isinstance(printed, Decimal):
        execution = printed
    elif not profile.execution_weight or indicator_total == TOTAL_POINTS:
        execution = ZERO  # the rate is shown, not scored (or scored as a row, mof-4level)
    else:
        execution = profile.execution_weight
    picked = (*profile.weights, (EXECUTION_PART, profile.execution_weight))
    return replace(profile, weights=tuple((level, sums.get(level, ZERO)) for level in profile.levels),
                   execution_weight=execution, optional=(), weights_from="form", picked_split=picked)


def split_text(profile: Profile) -> str:
    """产出指标 65、效益指标 15、满意度指标 10、预算执行 10: the split a profile weighs by."""
    parts = [f"{level} {plain(weight)}" for level, weight in profile.weights if weight]
    if profile.execution_weight:
        parts.append(f"{EXECUTION_PART} {plain(profile.execution_weight)}")
    return "、".join(parts)


def differs_from_picked(profile: Profile) -> bool:
    """The form's split makes 100 and is not the picked profile's (a level it fixes weighs otherwise, or
    the execution)."""
    if profile.weights_from != "form":
        return False
    used = {**dict(profile.weights), EXECUTION_PART: profile.execution_weight}
    if sum(used.values(), ZERO) != TOTAL_POINTS:
        return False  # not a scheme at all: WEIGHT_TOTAL says so, and the total is the plain sum
    return any(used.get(part, ZERO) != weight for part, weight in profile.picked_split)
