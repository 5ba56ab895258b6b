"""One indicator row → its IndicatorResult: the comparison, the quantitative, date and qualitative
scores, units, and the row's own checks (docs/rules.md §3–§7, §12.5–§12.9). Pure."""
from __future__ import annotations

from decimal import Decimal

from selfeval_xl.formatting import plain
from selfeval_xl.model import Cell, CellError, EvaluationInput, Indicator, IndicatorResult
from selfeval_xl.rules.checks import Findings, not_number
from selfeval_xl.rules.profiles import Profile, level_key
from selfeval_xl.rules.profiles import canonical_level as canonical_level
from selfeval_xl.rules.quantities import (
    CONTRADICTORY,
    UNDATED_YEAR,
    DateValue,
    NotNumber,
    Quantity,
    convert_unit,
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
    is_no_target,
    lower_is_better_name,
    met_in_words,
    normalize_label,
    parse_operator_word,
    qualitative_label,
    unknown_sign,
)

SCORE_TOLERANCE = Decimal("0.01")
# A percentage typed as a fraction beside one typed in percent (0.95 against 95): the smaller at most 1.5,
# the larger 50 to 200 times it (UNIT_MISMATCH, docs/rules.md §12.7)
_FRACTION_AT_MOST, _HUNDREDFOLD_LOW, _HUNDREDFOLD_HIGH = Decimal("1.5"), Decimal(50), Decimal(200)


def check_input_cell(cell: Cell, findings: Findings) -> None:
    """An input cell holding a formula whose value the file does not carry (FORMULA_NOT_CACHED, docs/rules.md §11),
    one whose stored result its formula does not give (FORMULA_RESULT_STALE), one that brings outside data
    (FORMULA_EXTERNAL), or a number whose format shows something else (FORMAT_HIDES_VALUE).

    A value that stays unknown is also treated as empty by the caller; a stale one is scored as stored."""
    if cell.uncached and cell.blank:
        findings.add("FORMULA_NOT_CACHED", cell)
    if cell.recomputed is not None:
        stored = _as_shown(cell.value, cell.percent) if isinstance(cell.value, Decimal) else cell.text  # text "96"
        findings.add("FORMULA_RESULT_STALE", cell, stored=stored, computed=_as_shown(cell.recomputed, cell.percent))
    if cell.outside:
        findings.add("FORMULA_EXTERNAL", cell)
    if cell.hidden and cell.value is not None and not isinstance(cell.value, str):
        findings.add("FORMAT_HIDES_VALUE", cell, value=cell.text)


def _as_shown(value: Decimal, percent: bool) -> str:
    return plain(value * 100) + "%" if percent else plain(value)


# --- 绩效指标 --------------------------------------------------------------------------------------

def assess_indicator(ind: Indicator, inp: EvaluationInput, profile: Profile, findings: Findings) -> IndicatorResult:
    name_text = ind.name.text
    name = name_text or f"第{ind.row}行指标"
    for cell in (ind.target, ind.actual, ind.weight):
        check_input_cell(cell, findings)
    # The profile's own levels (docs/rules.md §12.3); a form without levels skips them (LEVELS_ABSENT).
    level = None if inp.levels_absent else profile.first_level(ind.level1.text)
    if level is None and not inp.levels_absent:
        findings.add("LEVEL_UNKNOWN", ind.level1, value=ind.level1.text, levels=profile.describe_levels())
    level2 = ""
    allowed = profile.second_levels_of(level) if level is not None else ()
    if level is not None and allowed and not ind.level2.blank:
        level2 = canonical_level(ind.level2.text, allowed) or ""
        if not level2:
            findings.add("LEVEL2_MISMATCH", ind.level2, value=ind.level2.text, level=level, allowed="、".join(allowed))
    weight_value = read_plain_number(ind.weight)
    weight = weight_value if isinstance(weight_value, Decimal) and weight_value > 0 else None
    if weight is None:
        findings.add("WEIGHT_INVALID", ind.weight, detail=_weight_problem(ind.weight))
    self_score = _self_score(ind, findings)
    reason = ind.reason.text
    reason_given = not is_empty_reason(reason)

    if _is_qualitative(ind):
        raw = _qualitative(ind, weight, self_score, reason_given, name, findings)
        op = None
    else:
        raw, op = _quantitative(ind, inp, profile, weight, reason_given, name, findings)
    score = None if raw is None else indicator_score(raw, weight, profile.digits)
    if op is not None and score is not None and self_score is not None and weight is not None:
        if self_score > weight:
            findings.add("SCORE_OVER_WEIGHT", ind.self_score, score=plain(self_score), weight=plain(weight))
        elif abs(self_score - score) > SCORE_TOLERANCE:
            findings.add("SCORE_MISMATCH", ind.self_score, score=plain(self_score), computed=plain(score))
    return IndicatorResult(  # positional: a NamedTuple's keywords cost twice as long, per row
        ind.name.sheet, ind.row, ind.area, name_text, profile.counted_level(level or ""), level2 or ind.level2.text,
        op is None, op, ind.target.text, ind.actual.text, ind.unit.text, weight, score, self_score,
        reason if reason_given else "", ind.name.coord)


def _weight_problem(cell: Cell) -> str:
    """What is wrong with a weight, as WEIGHT_INVALID says it: an empty cell is not quoted as “”."""
    if cell.blank:
        return "是公式，文件中没有保存计算结果" if cell.uncached else "未填写"
    return f"“{cell.text}”无效"


def band_in_words(low: Decimal, high: Decimal, inclusive: bool) -> str:
    """A qualitative band as an accountant reads it: 24 分至 32 分（不含 32 分）, never [24, 32)."""
    return f"{plain(low)} 分至 {plain(high)} 分（{'含' if inclusive else '不含'} {plain(high)} 分）"


def _is_qualitative(ind: Indicator) -> bool:
    nature = normalize_label(ind.nature.text)
    if nature.startswith("定性"):
        return True
    if is_no_target(ind.target.text) and _in_words(ind.actual):
        return True  # no target set (— or /) and an actual in words: nothing to compare (docs/rules.md §12.1)
    if nature.startswith("定量"):
        return False
    if qualitative_label(ind.actual.text) or _in_words(ind.target):
        return True
    looks_numeric = (not isinstance(read_value(ind.target, None), NotNumber)
                     or not isinstance(read_value(ind.actual, None), NotNumber))
    return not looks_numeric


def _in_words(cell: Cell) -> bool:
    """Typed text that is neither a number nor a date nor a dash (显著提升, 合格, 按期完成)."""
    return (isinstance(cell.value, str) and not isinstance(cell.value, CellError) and not cell.blank
            and not is_no_target(cell.text) and isinstance(read_value(cell, None), NotNumber))


def _self_score(ind: Indicator, findings: Findings) -> Decimal | None:
    check_input_cell(ind.self_score, findings)
    value = read_plain_number(ind.self_score)
    if isinstance(value, NotNumber):
        findings.add("VALUE_NOT_NUMBER", ind.self_score, what="自评得分", value=ind.self_score.text,
                     **not_number("score"))
        return None
    return value


def _qualitative(ind: Indicator, weight: Decimal | None, self_score: Decimal | None, reason_given: bool,
                 name: str, findings: Findings) -> Decimal | None:
    if ind.actual.blank:
        findings.add("VALUE_MISSING", ind.actual, what=f"“{name}”的实际完成值")
        return None
    label = qualitative_label(ind.actual.text)
    if label is None and met_in_words(ind.actual.text, ind.target.text):
        label = QUAL_MET  # from here on exactly the label (docs/rules.md §12.5)
    if label is None:
        return _free_text(ind, weight, self_score, reason_given, name, findings)
    if weight is None:
        return None
    low, high, inclusive = QUAL_BANDS[label]
    band = band_in_words(low * weight, high * weight, inclusive)
    if self_score is None:
        if label == QUAL_MET:
            return weight
        findings.add("QUAL_SCORE_MISSING", ind.self_score if ind.self_score.coord else ind.actual, label=label,
                     band=band)
        return None
    if self_score > weight:
        findings.add("SCORE_OVER_WEIGHT", ind.self_score, score=plain(self_score), weight=plain(weight))
        raw = weight
    else:
        if not in_qualitative_band(label, self_score, weight):
            findings.add("QUAL_SCORE_OUT_OF_BAND", ind.self_score, score=plain(self_score), label=label, band=band)
        raw = max(self_score, ZERO)
    # Only a row that has a score can have missed its target: a null score carries its own error alone
    # (docs/rules.md §7).
    if label != QUAL_MET and not reason_given:
        findings.add("DEVIATION_UNEXPLAINED", ind.reason if ind.reason.coord else ind.actual, name=name)
    return raw


def _free_text(ind: Indicator, weight: Decimal | None, self_score: Decimal | None, reason_given: bool,
               name: str, findings: Findings) -> Decimal | None:
    """A 定性 actual in words of the filler's own: the typed score stands, with no band to check it
    (docs/rules.md §12.5)."""
    if self_score is None:
        findings.add("QUAL_LABEL_UNKNOWN", ind.actual, value=ind.actual.text)
        return None
    if weight is None:
        return None
    findings.add("QUAL_FREE_TEXT", ind.actual, value=ind.actual.text, score=plain(self_score))
    if self_score > weight:
        findings.add("SCORE_OVER_WEIGHT", ind.self_score, score=plain(self_score), weight=plain(weight))
        return weight
    raw = max(self_score, ZERO)
    if raw < weight and not reason_given:
        findings.add("DEVIATION_UNEXPLAINED", ind.reason if ind.reason.coord else ind.actual, name=name)
    return raw


def _default_operator(ind: Indicator) -> str:
    # A 成本 row at either level (成本指标, 产出成本, 经济成本指标) is lower-is-better, whatever the profile's levels.
    cost_level = "成本" in level_key(ind.level1.text) or "成本" in level_key(ind.level2.text)
    if cost_level or lower_is_better_name(ind.name.text):
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
        elif isinstance(value, NotNumber) and cell is ind.target and (sign := unknown_sign(cell.text)):
            # ≠0, ≈95%: a sign the table does not hold is refused as a sign, never read past (docs/rules.md §13.4)
            findings.add("OPERATOR_UNKNOWN", cell, detail=f"{what}“{cell.text}”中的比较符号“{sign}”无法识别")
            failed = True
        elif isinstance(value, NotNumber):
            findings.add("VALUE_NOT_NUMBER", cell, what=f"“{name}”的{what}", value=cell.text, **not_number("value"))
            failed = True
    cell_op = target.op if isinstance(target, (Quantity, DateValue)) else None
    if column_op and cell_op and column_op != cell_op and EQ not in (column_op, cell_op):
        findings.add("OPERATOR_UNKNOWN", ind.target,
                     detail=f"比较方式为“{ind.operator.text}”，指标值“{ind.target.text}”中却写的是“{cell_op}”")
        failed = True
    op = column_op or cell_op
    if op is None and not failed:
        op = LE if isinstance(target, DateValue) else _default_operator(ind)
        findings.add("OPERATOR_ASSUMED", ind.operator if ind.operator.coord else ind.target, name=name,
                     op=_assumed_in_words(op, target))
    op = op or GE
    if failed or weight is None:
        return None, op
    if isinstance(target, DateValue) or isinstance(actual, DateValue):
        if not isinstance(target, DateValue) or not isinstance(actual, DateValue):
            # The actual is what disagrees with the target's kind (a date against a number or the reverse).
            expected = "日期" if isinstance(target, DateValue) else "数字"
            findings.add("VALUE_NOT_NUMBER", ind.actual, what=f"“{name}”的实际完成值（应为{expected}）",
                         value=ind.actual.text, **not_number("value"))
            return None, op
        raw = date_score(op, target.date, actual.date, weight)
    else:
        assert isinstance(target, Quantity) and isinstance(actual, Quantity)
        measured = _actual_in_target_unit(ind, target, actual, name, findings)
        if measured is None:
            return None, op
        if measured < 0:
            findings.add("NEGATIVE_VALUE", ind.actual, what=f"“{name}”的实际完成值", value=plain(actual.value),
                         effect="计分时按 0 处理")
        raw = quantitative_score(op, target.value, measured, weight)
        if (profile.overshoot_ratio is not None and op != LE and target.value > 0 and not reason_given
                and measured >= profile.overshoot_ratio * target.value):
            findings.add("OVERSHOOT_UNEXPLAINED", ind.reason if ind.reason.coord else ind.actual,
                         name=name, ratio=plain(profile.overshoot_ratio))
    if raw < weight and not reason_given:
        findings.add("DEVIATION_UNEXPLAINED", ind.reason if ind.reason.coord else ind.actual, name=name)
    return raw, op


def _assumed_in_words(op: str, target: object) -> str:
    """The assumed comparison as OPERATOR_ASSUMED says it: a bare date is a deadline, and the message names
    the day it ends on (2023年12月 → 不晚于 2023年12月31日, docs/rules.md §13.5)."""
    if not isinstance(target, DateValue):
        return op
    day = target.date
    shown = f"{day.month}月{day.day}日" if day.year == UNDATED_YEAR else f"{day.year}年{day.month}月{day.day}日"
    return f"{op}（不晚于 {shown}）"


def _actual_in_target_unit(ind: Indicator, target: Quantity, actual: Quantity, name: str,
                           findings: Findings) -> Decimal | None:
    """The actual in the target's unit (451000元 against 42.5万元 is 45.1); None when the units cannot be
    converted (UNIT_INCOMPATIBLE, docs/rules.md §12.7)."""
    column_unit = normalize_unit(ind.unit.text)
    # A bare number takes the 计量单位 column's unit, or else the other side's (docs/rules.md §12.9: ≥50个
    # against 52 is 52个);
    # the column comes first so that a bare 42.5 under 万元 stays 42.5万元 against 451000元.
    target_unit = target.unit or column_unit or actual.unit
    actual_unit = actual.unit or column_unit or target.unit
    value = convert_unit(actual.value, actual_unit, target_unit)
    if value is None:
        findings.add("UNIT_INCOMPATIBLE", ind.actual, name=name, target=target_unit, actual=actual_unit)
        return None
    if target_unit == "%" and actual_unit == "%" and not (target.shown_percent and actual.shown_percent):
        small, large = sorted((abs(target.value), abs(actual.value)))
        if 0 < small <= _FRACTION_AT_MOST and _HUNDREDFOLD_LOW <= large / small <= _HUNDREDFOLD_HIGH:
            findings.add("UNIT_MISMATCH", ind.actual,
                         detail=(f"“{name}”的指标值 {ind.target.text} 与实际完成值 {ind.actual.text} 相差约百倍，"
                                 "可能一个按小数、一个按百分数填写"))
    return value


