"""The review a county draws from its archive (docs/archive.md, 复核): each unit's year against the year before,
targets set below what the unit achieved last year, self-scores above the recomputed ones, copies changed after
scoring, and a 抽查 list ranked by a risk score with its reasons, from which a reproducible sample is drawn.

Plain rows in (county/archive_store.py current_year), plain data out: no database, no file."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from selfeval_xl.rules.quantities import convert_unit
from selfeval_xl.vocabulary import LE, normalize_label

# The risk score (docs/archive.md): points per finding, and the most one kind of finding adds.
CHANGED_AFTER_SCORING = 40
LOWERED_TARGET, LOWERED_TARGET_MOST = 10, 30
SELF_ABOVE, SELF_ABOVE_MOST = 5, 20
JUMP_POINTS, JUMP = 10, Decimal(10)  # a total up by 10 points or more on last year
NOT_VALID = 10
LOW_RATE_EXCELLENT, LOW_RATE = 10, Decimal("0.9")  # 优秀 with less than 90 % of the budget spent
SELF_TOLERANCE = Decimal("0.01")  # a self-score counts as above the recomputed one past a hundredth of a point


@dataclass
class UnitReview:
    unit: str
    department: str
    form: str
    file_name: str
    total: Decimal | None
    grade: str
    rate: Decimal | None
    verified: str
    project: str = ""
    last_total: Decimal | None = None
    last_grade: str | None = None
    last_rate: Decimal | None = None
    risk: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def total_change(self) -> Decimal | None:
        return None if self.total is None or self.last_total is None else self.total - self.last_total

    @property
    def rate_change(self) -> Decimal | None:
        return None if self.rate is None or self.last_rate is None else self.rate - self.last_rate


@dataclass(frozen=True)
class LoweredTarget:
    unit: str
    area: str
    level1: str
    name: str
    operator: str
    target: str  # as typed this year
    last_actual: str  # as typed last year
    target_value: Decimal
    last_value: Decimal  # last year's actual in this year's unit


@dataclass(frozen=True)
class SelfAbove:
    unit: str
    level1: str
    name: str
    self_score: Decimal
    score: Decimal


@dataclass
class Review:
    year: int
    units: list[UnitReview]  # ranked: the highest risk first
    lowered: list[LoweredTarget]
    self_above: list[SelfAbove]
    sample: list[UnitReview] = field(default_factory=list)
    seed: int | None = None


def decimal(text: Any) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _key(row: dict[str, Any]) -> tuple[str, str, str, str]:
    """A unit-year's unit as matched across years: its name as compared, form and project; a unit without a name
    is matched with nothing (its file stands for it)."""
    unit = row.get("unit_key") or normalize_label(str(row.get("unit") or ""))
    form, project = str(row.get("form") or ""), str(row.get("project") or "")
    return (unit, form, project, "") if unit else ("", form, project, str(row.get("file_name") or ""))


def review(year: int, this_year: list[dict[str, Any]], last_year: list[dict[str, Any]]) -> Review:
    """The year's review from its current unit-years and the year before's."""
    before = {_key(row): row for row in last_year}
    units, lowered, above = [], [], []
    for row in this_year:
        last = before.get(_key(row))
        unit = _unit(row, last)
        found_lowered = _lowered_targets(row, last) if last is not None else []
        found_above = _self_above(row)
        _score_risk(unit, row, found_lowered, found_above)
        units.append(unit)
        lowered += found_lowered
        above += found_above
    units.sort(key=lambda u: (-u.risk, u.unit, u.form, u.file_name))
    return Review(year, units, lowered, above)


def _unit(row: dict[str, Any], last: dict[str, Any] | None) -> UnitReview:
    name = str(row.get("unit") or "") or f"（未填单位名称：{row.get('file_name') or ''}）"
    unit = UnitReview(name, str(row.get("department") or ""), str(row.get("form") or ""),
                      str(row.get("file_name") or ""), decimal(row.get("total")), str(row.get("grade") or ""),
                      decimal(row.get("rate")), str(row.get("verified") or ""), str(row.get("project") or ""))
    if last is not None:
        unit.last_total, unit.last_grade, unit.last_rate = (decimal(last.get("total")), str(last.get("grade") or ""),
                                                            decimal(last.get("rate")))
    return unit


def _lowered_targets(row: dict[str, Any], last: dict[str, Any]) -> list[LoweredTarget]:
    """Quantitative targets this year below what the same indicator (工作分项, first level and name; the k-th of
    several alike with the k-th) achieved last year, in this year's unit; for a ≤ indicator (less is better), a
    target above it."""
    achieved: dict[str, list[dict[str, Any]]] = {}
    for ind in last.get("indicators", ()):
        achieved.setdefault(ind["name_key"], []).append(ind)
    seen: dict[str, int] = {}
    found = []
    for ind in row.get("indicators", ()):
        key = ind.get("name_key")
        k = seen[key] = seen.get(key, -1) + 1
        alike = achieved.get(key, [])
        before = alike[k] if k < len(alike) and decimal(alike[k].get("actual_value")) is not None else None
        target = decimal(ind.get("target_value"))
        if target is None or before is None:
            continue
        value = convert_unit(decimal(before["actual_value"]) or Decimal(0), before.get("actual_unit") or "",
                             ind.get("target_unit") or "")
        if value is None:
            continue  # units that do not convert (个 against 万元): not compared
        less_is_better = ind.get("operator") == LE
        if (target > value) if less_is_better else (target < value):
            found.append(LoweredTarget(_said(row, "unit"), _said(ind, "area"), _said(ind, "level1"), _said(ind, "name"),
                                       _said(ind, "operator"), _said(ind, "target"), _said(before, "actual"),
                                       target, value))
    return found


def _said(row: dict[str, Any], key: str) -> str:
    return str(row.get(key) or "")


def _self_above(row: dict[str, Any]) -> list[SelfAbove]:
    found = []
    for ind in row.get("indicators", ()):
        own, score = decimal(ind.get("self_score")), decimal(ind.get("score"))
        if own is not None and score is not None and own - score > SELF_TOLERANCE:
            found.append(SelfAbove(str(row.get("unit") or ""), str(ind.get("level1") or ""),
                                   str(ind.get("name") or ""), own, score))
    return found


def _score_risk(unit: UnitReview, row: dict[str, Any], lowered: list[LoweredTarget], above: list[SelfAbove]) -> None:
    def add(points: int, reason: str) -> None:
        unit.risk += points
        unit.reasons.append(f"{reason}（+{points}）")

    if row.get("verify_state") == "changed":
        add(CHANGED_AFTER_SCORING, f"评分副本在评分后被改动：{unit.verified}")
    if lowered:
        add(min(LOWERED_TARGET * len(lowered), LOWERED_TARGET_MOST), f"{len(lowered)} 个指标的目标低于上年实际完成值")
    if above:
        add(min(SELF_ABOVE * len(above), SELF_ABOVE_MOST), f"{len(above)} 个指标的自评得分高于重算得分")
    change = unit.total_change
    if change is not None and change >= JUMP:
        add(JUMP_POINTS, f"总分比上年提高 {change} 分")
    if not row.get("valid"):
        add(NOT_VALID, f"校验未通过（错误 {row.get('errors')} 个）")
    if unit.rate is not None and unit.rate < LOW_RATE and unit.grade == "优秀":
        add(LOW_RATE_EXCELLENT, "预算执行率低于 90% 而等级为优秀")


def draw_sample(ranked: list[UnitReview], size: int, seed: int) -> list[UnitReview]:
    """`size` units drawn without replacement, each with a chance in proportion to its risk + 1 (a unit
    without any finding can still be drawn): every unit gets the key u^(1/(risk+1)), u drawn in turn from
    random.Random(seed) over the units ordered by name, form and file; the largest keys are the sample
    (Efraimidis and Spirakis, 2006). The same archive and seed give the same sample on every machine."""
    rng = random.Random(seed)
    ordered = sorted(ranked, key=lambda u: (u.unit, u.form, u.file_name))
    keyed = [(rng.random() ** (1.0 / (u.risk + 1)), i) for i, u in enumerate(ordered)]
    keyed.sort(reverse=True)
    return [ordered[i] for _, i in keyed[:max(0, size)]]
