"""The scoring rules of docs/rules.md §2–§9 as pure functions over Decimals."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from selfeval_xl.formatting import quantum, round_half_up
from selfeval_xl.rules.profiles import Profile
from selfeval_xl.vocabulary import EQ, GE, LE, QUAL_MET, QUAL_MISSED, QUAL_PARTIAL

ZERO = Decimal(0)
ONE = Decimal(1)


def execution_rate(budget: Decimal, executed: Decimal) -> Decimal | None:
    """Exact rate; None when the budget is zero (undefined)."""
    if budget == 0:
        return None
    return executed / budget


def execution_score(rate: Decimal | None, profile: Profile) -> Decimal:
    if rate is None:
        return ZERO
    if profile.rule == "steps":
        for step in profile.steps:
            if rate >= step.threshold:
                return round_half_up(step.score, profile.digits)
        return ZERO.quantize(quantum(profile.digits))
    # A negative rate (negative amounts, each already a NEGATIVE_VALUE) scores nothing, never below 0.
    return round_half_up(profile.execution_weight * min(max(rate, ZERO), ONE), profile.digits)


def quantitative_score(op: str, target: Decimal, actual: Decimal, weight: Decimal) -> Decimal:
    """Unrounded score of a numeric indicator; a negative actual counts as 0 (docs/rules.md §5.1–§5.3)."""
    actual = max(actual, ZERO)
    if op == LE or (op == EQ and target == 0):
        if target == 0:
            return weight if actual <= 0 else ZERO
        if actual <= target:
            return weight
        if actual >= 2 * target:
            return ZERO
        return weight * (ONE - (actual - target) / target)
    if target == 0 or actual >= target:
        return weight
    if target < 0:
        return ZERO
    return weight * actual / target


def indicator_score(raw: Decimal, weight: Decimal | None, digits: int) -> Decimal:
    """The rounded score of docs/rules.md §8, never above the weight: half-up rounding of a full score on an odd
    weight (1.875 → 1.88) would pass it, so such a score is the weight rounded down (1.87)."""
    score = round_half_up(raw, digits)
    if weight is not None and score > weight:
        return weight.quantize(quantum(digits), rounding=ROUND_DOWN)
    return score


def date_score(op: str, target: dt.date, actual: dt.date, weight: Decimal) -> Decimal:
    """Met → full weight, missed → 0 (docs/rules.md §5.4). ≤ is "no later than"; = reads as ≤ for dates."""
    met = actual >= target if op == GE else actual <= target
    return weight if met else ZERO


QUAL_BANDS = {  # label → (lower fraction inclusive, upper fraction, upper inclusive)
    QUAL_MET: (Decimal("0.8"), ONE, True),
    QUAL_PARTIAL: (Decimal("0.6"), Decimal("0.8"), False),
    QUAL_MISSED: (ZERO, Decimal("0.6"), False),
}


def in_qualitative_band(label: str, score: Decimal, weight: Decimal) -> bool:
    low, high, inclusive = QUAL_BANDS[label]
    if score < low * weight:
        return False
    return score <= high * weight if inclusive else score < high * weight


def total_score(execution: Decimal, indicator_scores: list[Decimal]) -> Decimal:
    return execution + sum(indicator_scores, ZERO)


def grade(total: Decimal, profile: Profile) -> str:
    return profile.grade_for(total)
