"""One indicator row → its IndicatorResult: the comparison, the quantitative, date and qualitative
scores, units, and the row's own checks (scoring-rules.md §4, published-forms.md §8–12). Pure."""
from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal

from selfeval_xl.formatting import plain
from selfeval_xl.layout import COUNTED_WITH, LEVEL2_BY_LEVEL1, LOWER_IS_BETTER_WORDS
from selfeval_xl.model import Cell, EvaluationInput, Indicator, IndicatorResult
from selfeval_xl.rules.checks import Findings
from selfeval_xl.rules.profiles import Profile
from selfeval_xl.rules.quantities import (
    CONTRADICTORY,
    DateValue,
    NotNumber,
    Quantity,
    normalize_unit,
    read_plain_number,
    read_value,
)
from selfeval_xl.rules.scoring import (
    QUAL_BANDS,
    ZERO,
    date_score,
    in_qualitative_band,
    indicator_score,
    quantitative_score,
)
from selfeval_xl.vocabulary import (
    EQ,
    GE,
    LE,
    QUAL_MET,
    is_empty_reason,
    normalize_label,
    parse_operator_word,
    qualitative_label,
)

SCORE_TOLERANCE = Decimal("0.01")


def not_cached(cell: Cell, findings: Findings) -> None:
    """An input cell holding a formula whose value the file does not carry (§7 FORMULA_NOT_CACHED),
    or one that brings outside data (FORMULA_EXTERNAL).

    The value stays unknown, so the cell is also treated as empty by the caller."""
    if cell.uncached and cell.blank:
        findings.add("FORMULA_NOT_CACHED", cell)
    if cell.outside:
        findings.add("FORMULA_EXTERNAL", cell)


# --- 绩效指标 --------------------------------------------------------------------------------------

_LEVEL_DECORATION = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\d+[、.]|\([一二三四五六七八九十\d]+\))|\(.*\)$")


def canonical_level(text: str, table: Collection[str]) -> str | None:
    key = _LEVEL_DECORATION.sub("", normalize_label(text))
    key = _LEVEL_DECORATION.sub("", key)
    if not key:
        return None
    if not key.endswith("指标"):
        key += "指标"
    return key if key in table else None


def assess_indicator(ind: Indicator, inp: EvaluationInput, profile: Profile, findings: Findings) -> IndicatorResult:
    name = ind.name.text or f"第{ind.row}行指标"
    for cell in (ind.target, ind.actual, ind.weight):
        not_cached(cell, findings)
    level = canonical_level(ind.level1.text, LEVEL2_BY_LEVEL1)
    if level is None:
        findings.add("LEVEL_UNKNOWN", ind.level1, value=ind.level1.text)
    level2 = ""
    if level is not None and not ind.level2.blank:
        allowed = LEVEL2_BY_LEVEL1[level]
        level2 = canonical_level(ind.level2.text, allowed) or ""
        if not level2:
            findings.add("LEVEL2_MISMATCH", ind.level2, value=ind.level2.text, level=level, allowed="、".join(allowed))
    weight_value = read_plain_number(ind.weight)
    weight = weight_value if isinstance(weight_value, Decimal) and weight_value > 0 else None
    if weight is None:
        findings.add("WEIGHT_INVALID", ind.weight, value=ind.weight.text)
    self_score = _self_score(ind, findings)
    reason_given = not is_empty_reason(ind.reason.text)

    if _is_qualitative(ind):
        raw = _qualitative(ind, weight, self_score, reason_given, name, findings)
        op = None
    else:
        raw, op = _quantitative(ind, inp, profile, weight, reason_given, name, findings)
        if raw is not None and self_score is not None and weight is not None:
            if self_score > weight:
                findings.add("SCORE_OVER_WEIGHT", ind.self_score, score=plain(self_score), weight=plain(weight))
            elif abs(self_score - indicator_score(raw, weight, profile.digits)) > SCORE_TOLERANCE:
                findings.add("SCORE_MISMATCH", ind.self_score, score=plain(self_score),
                             computed=plain(indicator_score(raw, weight, profile.digits)))
    score = None if raw is None else indicator_score(raw, weight, profile.digits)
    return IndicatorResult(
        sheet=ind.name.sheet, row=ind.row, area=ind.area, name=ind.name.text,
        level=COUNTED_WITH.get(level or "", level or ""),
        level2=level2 or ind.level2.text, qualitative=op is None, operator=op, target=ind.target.text,
        actual=ind.actual.text, unit=ind.unit.text, weight=weight, score=score, self_score=self_score,
        reason="" if not reason_given else ind.reason.text,
    )


def _is_qualitative(ind: Indicator) -> bool:
    nature = normalize_label(ind.nature.text)
    if nature.startswith("定性"):
        return True
    if nature.startswith("定量"):
        return False
    if qualitative_label(ind.actual.text):
        return True
    looks_numeric = (not isinstance(read_value(ind.target, None), NotNumber)
                     or not isinstance(read_value(ind.actual, None), NotNumber))
    return not looks_numeric


def _self_score(ind: Indicator, findings: Findings) -> Decimal | None:
    not_cached(ind.self_score, findings)
    value = read_plain_number(ind.self_score)
    if isinstance(value, NotNumber):
        findings.add("VALUE_NOT_NUMBER", ind.self_score, what="自评得分", value=ind.self_score.text)
        return None
    return value


def _qualitative(ind: Indicator, weight: Decimal | None, self_score: Decimal | None, reason_given: bool,
                 name: str, findings: Findings) -> Decimal | None:
    if ind.actual.blank:
        findings.add("VALUE_MISSING", ind.actual, what=f"“{name}”的实际完成值")
        return None
    label = qualitative_label(ind.actual.text)
    if label is None:
        findings.add("QUAL_LABEL_UNKNOWN", ind.actual, value=ind.actual.text)
        return None
    if label != QUAL_MET and not reason_given:
        findings.add("DEVIATION_UNEXPLAINED", ind.reason if ind.reason.coord else ind.actual, name=name)
    if weight is None:
        return None
    low, high, inclusive = QUAL_BANDS[label]
    band = f"[{plain(low * weight)}, {plain(high * weight)}{']' if inclusive else ')'}"
    if self_score is None:
        if label == QUAL_MET:
            return weight
        findings.add("QUAL_SCORE_MISSING", ind.self_score if ind.self_score.coord else ind.actual, label=label,
                     band=band)
        return None
    if self_score > weight:
        findings.add("SCORE_OVER_WEIGHT", ind.self_score, score=plain(self_score), weight=plain(weight))
        return weight
    if not in_qualitative_band(label, self_score, weight):
        findings.add("QUAL_SCORE_OUT_OF_BAND", ind.self_score, score=plain(self_score), label=label, band=band)
    return max(self_score, ZERO)


def _default_operator(ind: Indicator) -> str:
    level = canonical_level(ind.level1.text, LEVEL2_BY_LEVEL1)
    level2 = normalize_label(ind.level2.text)
    if level == "成本指标" or "成本" in level2 or any(w in ind.name.text for w in LOWER_IS_BETTER_WORDS):
        return LE
    return GE


def _quantitative(ind: Indicator, inp: EvaluationInput, profile: Profile, weight: Decimal | None,
                  reason_given: bool, name: str, findings: Findings) -> tuple[Decimal | None, str]:
    target = read_value(ind.target, inp.year)
    actual = read_value(ind.actual, inp.year)
    column_op: str | None = None
    failed = False
    if not ind.operator.blank:
        column_op = parse_operator_word(ind.operator.text)
        if column_op is None:
            findings.add("OPERATOR_UNKNOWN", ind.operator, detail=f"比较方式“{ind.operator.text}”无法识别")
            failed = True
    for cell, value, what in ((ind.target, target, "年度指标值"), (ind.actual, actual, "实际完成值")):
        if value is None:
            findings.add("VALUE_MISSING", cell, what=f"“{name}”的{what}")
            failed = True
        elif value == CONTRADICTORY:
            findings.add("OPERATOR_UNKNOWN", cell, detail=f"{what}“{cell.text}”中的比较符号前后矛盾")
            failed = True
        elif isinstance(value, NotNumber):
            findings.add("VALUE_NOT_NUMBER", cell, what=f"“{name}”的{what}", value=cell.text)
            failed = True
    cell_op = target.op if isinstance(target, (Quantity, DateValue)) else None
    if column_op and cell_op and column_op != cell_op and EQ not in (column_op, cell_op):
        findings.add("OPERATOR_UNKNOWN", ind.target,
                     detail=f"比较方式为“{ind.operator.text}”，指标值“{ind.target.text}”中却写的是“{cell_op}”")
        failed = True
    op = column_op or cell_op
    if op is None and not failed:
        op = LE if isinstance(target, DateValue) else _default_operator(ind)
        findings.add("OPERATOR_ASSUMED", ind.operator if ind.operator.coord else ind.target, name=name, op=op)
    op = op or GE
    if failed or weight is None:
        return None, op
    if isinstance(target, DateValue) or isinstance(actual, DateValue):
        if not isinstance(target, DateValue) or not isinstance(actual, DateValue):
            # The actual is what disagrees with the target's kind (a date against a number or the reverse).
            expected = "日期" if isinstance(target, DateValue) else "数字"
            findings.add("VALUE_NOT_NUMBER", ind.actual, what=f"“{name}”的实际完成值（应为{expected}）",
                         value=ind.actual.text)
            return None, op
        raw = date_score(op, target.date, actual.date, weight)
    else:
        assert isinstance(target, Quantity) and isinstance(actual, Quantity)
        _check_units(ind, target, actual, name, findings)
        if actual.value < 0:
            findings.add("NEGATIVE_VALUE", ind.actual, what=f"“{name}”的实际完成值", value=plain(actual.value))
        raw = quantitative_score(op, target.value, actual.value, weight)
        if (profile.overshoot_ratio is not None and op != LE and target.value > 0 and not reason_given
                and actual.value >= profile.overshoot_ratio * target.value):
            findings.add("OVERSHOOT_UNEXPLAINED", ind.reason if ind.reason.coord else ind.actual,
                         name=name, ratio=plain(profile.overshoot_ratio))
    if raw < weight and not reason_given:
        findings.add("DEVIATION_UNEXPLAINED", ind.reason if ind.reason.coord else ind.actual, name=name)
    return raw, op


def _check_units(ind: Indicator, target: Quantity, actual: Quantity, name: str, findings: Findings) -> None:
    column_unit = normalize_unit(ind.unit.text)
    target_unit = target.unit or column_unit
    actual_unit = actual.unit or column_unit
    if target.unit and actual.unit and target.unit != actual.unit:
        findings.add("UNIT_MISMATCH", ind.actual,
                     detail=f"“{name}”的指标值单位为“{target.unit}”，实际完成值单位为“{actual.unit}”")
        return
    if target_unit == "%" and actual_unit == "%" and not (target.shown_percent and actual.shown_percent):
        small, large = sorted((abs(target.value), abs(actual.value)))
        if 0 < small <= Decimal("1.5") and Decimal(50) <= large / small <= Decimal(200):
            findings.add("UNIT_MISMATCH", ind.actual,
                         detail=(f"“{name}”的指标值 {ind.target.text} 与实际完成值 {ind.actual.text} 相差约百倍，"
                                 "可能一个按小数、一个按百分数填写"))


