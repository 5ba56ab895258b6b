"""assess(input, profile) → Result: walks the budget and the indicators, scores, and checks.

Pure: plain objects in, plain objects out. Every problem becomes a Finding; nothing raises.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal

from selfeval_xl.formatting import money, percent, plain
from selfeval_xl.layout import COUNTED_WITH, LEVEL2_BY_LEVEL1, LOWER_IS_BETTER_WORDS
from selfeval_xl.model import (
    BudgetRow,
    Cell,
    EvaluationInput,
    ExecutionResult,
    Indicator,
    IndicatorResult,
    LevelResult,
    LineResult,
    Result,
)
from selfeval_xl.rules.checks import Findings
from selfeval_xl.rules.profiles import KNOWN_LEVELS, TOTAL_POINTS, Profile
from selfeval_xl.rules.quantities import (
    CONTRADICTORY,
    DateValue,
    NotNumber,
    Quantity,
    normalize_unit,
    read_amount,
    read_plain_number,
    read_rate,
    read_value,
)
from selfeval_xl.rules.scoring import (
    QUAL_BANDS,
    ZERO,
    date_score,
    execution_rate,
    execution_score,
    in_qualitative_band,
    indicator_score,
    quantitative_score,
    total_score,
)
from selfeval_xl.rules.scoring import grade as grade_for
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

HALF_CENT = Decimal("0.005")
SCORE_TOLERANCE = Decimal("0.01")
RATE_TOLERANCE = Decimal("0.0001")  # 0.01 percentage point
WEIGHT_TOLERANCE = Decimal("0.001")
COLUMN_NAMES = {"initial": "年初预算数", "budget": "全年预算数", "executed": "全年执行数"}


def assess(inp: EvaluationInput, profile: Profile) -> Result:
    findings = Findings()
    execution = _assess_budget(inp, profile, findings)
    indicators = [_assess_indicator(ind, inp, profile, findings) for ind in inp.indicators]
    if not inp.indicators:
        findings.add("VALUE_MISSING", inp.indicator_anchor,
                     what="绩效指标表没有任何指标行，三级指标、指标值、实际完成值、分值")
    levels = _check_weights(inp, indicators, profile, findings)
    # Each level counts at most its weight; rows outside every known level count as they score.
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
        typed_total=typed_total,
    )


# --- 预算执行 --------------------------------------------------------------------------------------

def _not_cached(cell: Cell, findings: Findings) -> None:
    """An input cell holding a formula whose value the file does not carry (§7 FORMULA_NOT_CACHED).

    The value stays unknown, so the cell is also treated as empty by the caller."""
    if cell.uncached and cell.blank:
        findings.add("FORMULA_NOT_CACHED", cell)
    if cell.outside:
        findings.add("FORMULA_EXTERNAL", cell)


def _amount(cell: Cell, what: str, findings: Findings, *, required: bool) -> Decimal | None:
    _not_cached(cell, findings)
    value = read_amount(cell)
    if value is None:
        if required:
            findings.add("VALUE_MISSING", cell, what=what)
        return None
    if isinstance(value, NotNumber):
        findings.add("VALUE_NOT_NUMBER", cell, what=what, value=cell.text)
        return None
    if value < 0:
        findings.add("NEGATIVE_VALUE", cell, what=what, value=plain(value))
    return value


def _assess_budget(inp: EvaluationInput, profile: Profile, findings: Findings) -> ExecutionResult:
    lines = [r for r in inp.budget_rows if r.kind == "line"]
    sums: dict[tuple[str | None, str], Decimal] = {}
    line_results: list[LineResult] = []
    any_reason = False
    for line in lines:
        label = f"预算执行“{line.name or f'第{line.row}行'}”的"
        budget = _amount(line.budget, label + "全年预算数", findings, required=True)
        executed = _amount(line.executed, label + "全年执行数", findings, required=True)
        initial = _amount(line.initial, label + "年初预算数", findings, required=False)
        reason_given = not is_empty_reason(line.reason.text)
        any_reason = any_reason or reason_given
        for key, value in (("budget", budget), ("executed", executed), ("initial", initial)):
            if value is not None:
                # into its group and the total; a line with no group (project form) into the total once
                for group in ((line.group, None) if line.group is not None else (None,)):
                    sums[(group, key)] = sums.get((group, key), ZERO) + value
        rate = execution_rate(budget, executed) if budget is not None and executed is not None else None
        if budget is not None and executed is not None and executed > budget:
            findings.add("LINE_OVER_BUDGET", line.executed, name=line.name, executed=money(executed),
                         budget=money(budget))
        _compare_typed_rate(line, rate, findings)
        if (profile.explain_adjustment and initial is not None and budget is not None and initial != budget
                and not reason_given):
            findings.add("BUDGET_ADJUSTED_UNEXPLAINED", line.reason if line.reason.coord else line.budget,
                         name=line.name, budget=money(budget), initial=money(initial))
        line_results.append(LineResult(line.row, "line", line.group, line.name, budget, executed, rate, initial))

    total_row = next((r for r in inp.budget_rows if r.kind == "total"), None)
    has_lines = any(k[1] in ("budget", "executed") for k in sums)
    for row in inp.budget_rows:
        if row.kind == "line":
            continue
        group = row.group if row.kind == "subtotal" else None
        computed: dict[str, Decimal | None] = {}
        for key in ("initial", "budget", "executed"):
            cell: Cell = getattr(row, key)
            expected = sums.get((group, key))
            computed[key] = expected
            if cell.blank or cell.is_formula or expected is None or not has_lines:
                continue
            typed = read_amount(cell)
            if isinstance(typed, NotNumber):
                findings.add("VALUE_NOT_NUMBER", cell, what=f"{row.name}的{COLUMN_NAMES[key]}", value=cell.text)
            elif typed is not None and abs(typed - expected) > HALF_CENT:
                findings.add("BUDGET_TOTAL_MISMATCH", cell, row=row.name, column=COLUMN_NAMES[key],
                             typed=money(typed), computed=money(expected), diff=money(abs(typed - expected)))
        if row.kind == "subtotal":
            b, e = computed["budget"], computed["executed"]
            rate = execution_rate(b, e) if b is not None and e is not None else None
            line_results.append(LineResult(row.row, "subtotal", row.group, row.name, b, e, rate, computed["initial"]))
        any_reason = any_reason or not is_empty_reason(row.reason.text)

    if has_lines:
        budget_total = sums.get((None, "budget"))
        executed_total = sums.get((None, "executed"))
    elif total_row is not None and not total_row.budget.is_formula:
        budget_total = _amount(total_row.budget, f"{total_row.name}的全年预算数", findings, required=True)
        executed_total = _amount(total_row.executed, f"{total_row.name}的全年执行数", findings, required=True)
    else:
        findings.add("VALUE_MISSING", inp.budget_anchor, what="预算执行表没有任何预算行，全年预算数、全年执行数")
        budget_total = executed_total = None

    rate = None
    if budget_total is not None and executed_total is not None:
        rate = execution_rate(budget_total, executed_total)
        over_cell = total_row.executed if total_row is not None else None
        if executed_total > budget_total:
            if over_cell is not None:
                findings.add("EXECUTION_OVER_BUDGET", over_cell, executed=money(executed_total),
                             budget=money(budget_total))
            else:
                findings.at("EXECUTION_OVER_BUDGET", inp.budget_sheet, executed=money(executed_total),
                            budget=money(budget_total))
        if total_row is not None:
            _compare_typed_rate(total_row, rate, findings)
        if (profile.explain_below is not None and rate is not None and rate < profile.explain_below
                and not any_reason):
            where = total_row.reason if total_row is not None and total_row.reason.coord else None
            if where is not None:
                findings.add("EXECUTION_UNEXPLAINED", where, rate=percent(rate),
                             threshold=percent(profile.explain_below))
            else:
                findings.at("EXECUTION_UNEXPLAINED", inp.budget_sheet, rate=percent(rate),
                            threshold=percent(profile.explain_below))
    if total_row is not None and total_row.printed_weight is not None and not total_row.printed_weight.blank:
        printed = read_plain_number(total_row.printed_weight)
        if not isinstance(printed, Decimal) or printed != profile.execution_weight:
            findings.add("WEIGHT_LEVEL", total_row.printed_weight, level="预算执行率",
                         actual=total_row.printed_weight.text, profile=profile.label,
                         expected=plain(profile.execution_weight))
    if total_row is not None:
        line_results.append(LineResult(total_row.row, "total", None, total_row.name, budget_total, executed_total, rate,
                                       sums.get((None, "initial"))))
    return ExecutionResult(budget_total, executed_total, rate, profile.execution_weight,
                           execution_score(rate, profile), tuple(line_results))


def _compare_typed_rate(row: BudgetRow, rate: Decimal | None, findings: Findings) -> None:
    if row.rate.blank or row.rate.is_formula or rate is None:
        return
    typed = read_rate(row.rate)
    if isinstance(typed, NotNumber):
        findings.add("VALUE_NOT_NUMBER", row.rate, what=f"“{row.name}”的执行率", value=row.rate.text)
    elif typed is not None and abs(typed - rate) > RATE_TOLERANCE:
        findings.add("EXECUTION_RATE_MISMATCH", row.rate, name=row.name, typed=percent(typed), computed=percent(rate))


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


def _assess_indicator(ind: Indicator, inp: EvaluationInput, profile: Profile, findings: Findings) -> IndicatorResult:
    name = ind.name.text or f"第{ind.row}行指标"
    for cell in (ind.target, ind.actual, ind.weight):
        _not_cached(cell, findings)
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
    _not_cached(ind.self_score, findings)
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


# --- 分值 ------------------------------------------------------------------------------------------

def _check_weights(inp: EvaluationInput, results: list[IndicatorResult], profile: Profile,
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
