"""The budget table → ExecutionResult: totals recomputed from the lines, the execution rate and its
score, and the budget's own checks (docs/rules.md §2, §12.2). Pure."""
from __future__ import annotations

from decimal import Decimal

from selfeval_xl.formatting import money, percent, plain
from selfeval_xl.model import BudgetRow, Cell, EvaluationInput, ExecutionResult, LineResult
from selfeval_xl.rules.checks import Findings, not_number
from selfeval_xl.rules.indicator import check_input_cell
from selfeval_xl.rules.profiles import Profile
from selfeval_xl.rules.quantities import NotNumber, read_amount, read_plain_number, read_rate
from selfeval_xl.rules.scoring import ZERO, execution_rate, execution_score
from selfeval_xl.vocabulary import is_empty_reason

HALF_CENT = Decimal("0.005")
RATE_TOLERANCE = Decimal("0.0001")  # 0.01 percentage point
COLUMN_NAMES = {"initial": "年初预算数", "budget": "全年预算数", "executed": "全年执行数"}


IN_TOTALS = "已按所填负数计入合计"  # a negative amount is summed as typed; only a negative rate scores 0
IN_RATE = "已按所填负数计算执行率"  # a total typed without lines is the rate's own numerator or denominator


def _amount(cell: Cell, what: str, findings: Findings, unit: str, *, required: bool,
            effect: str = IN_TOTALS) -> Decimal | None:
    check_input_cell(cell, findings)
    value = read_amount(cell, unit)
    if value is None:  # blank, or a mark (—, /) that says there is no money (docs/rules.md §13.3)
        if required:
            findings.add("VALUE_MISSING", cell, what=what)
        return None
    if isinstance(value, NotNumber):
        findings.add("VALUE_NOT_NUMBER", cell, what=what, value=cell.text, **not_number("money"))
        return None
    if value < 0:
        findings.add("NEGATIVE_VALUE", cell, what=what, value=plain(value), effect=effect)
    return value


def assess_budget(inp: EvaluationInput, profile: Profile, findings: Findings) -> ExecutionResult:
    if inp.budget_missing:
        # Without the column the rate has no denominator (or numerator): nothing on the lines is comparable.
        findings.near("VALUE_MISSING", inp.budget_anchor, inp.budget_sheet,
                      what=f"预算执行表没有“{inp.budget_missing}”列，{inp.budget_missing}")
        return ExecutionResult(None, None, None, profile.execution_weight, execution_score(None, profile))
    if inp.budget_basis is not None:  # the lines' budget cells hold 年初预算数 (docs/rules.md §12.2)
        findings.near("BUDGET_BASIS_INITIAL", inp.budget_basis, inp.budget_sheet)
    sums: dict[tuple[str | None, str], Decimal] = {}
    line_results = [_line(line, inp, profile, sums, findings) for line in inp.budget_rows if line.kind == "line"]
    any_reason = any(not is_empty_reason(r.reason.text) for r in inp.budget_rows)
    has_lines = any(k[1] in ("budget", "executed") for k in sums)
    line_results += [sub for row in inp.budget_rows if row.kind != "line"
                     if (sub := _check_summed_row(row, inp, sums, has_lines, findings)) is not None]
    total_row = next((r for r in inp.budget_rows if r.kind == "total"), None)
    budget_total, executed_total = _totals(inp, profile, sums, has_lines, total_row, findings)
    rate = None
    if budget_total is not None and executed_total is not None:
        rate = execution_rate(budget_total, executed_total)
        _check_total(inp, profile, total_row, budget_total, executed_total, rate, any_reason, findings)
    if total_row is not None:
        _check_printed_weight(total_row, profile, findings)
        line_results.append(LineResult(total_row.row, "total", None, total_row.name, budget_total, executed_total, rate,
                                       sums.get((None, "initial"))))
    return ExecutionResult(budget_total, executed_total, rate, profile.execution_weight,
                           execution_score(rate, profile), tuple(line_results))


def _line(line: BudgetRow, inp: EvaluationInput, profile: Profile, sums: dict[tuple[str | None, str], Decimal],
          findings: Findings) -> LineResult:
    """One budget line read, checked and added into its group's and the total's sums."""
    label = f"预算执行“{line.name or f'第{line.row}行'}”的"
    budget = _amount(line.budget, label + "全年预算数", findings, inp.money_unit, required=True)
    executed = _amount(line.executed, label + "全年执行数", findings, inp.money_unit, required=True)
    initial = _amount(line.initial, label + "年初预算数", findings, inp.money_unit, required=False)
    for key, value in (("budget", budget), ("executed", executed), ("initial", initial)):
        if value is not None:
            # into its group and the total; a line with no group (project form) into the total once
            for group in ((line.group, None) if line.group is not None else (None,)):
                sums[(group, key)] = sums.get((group, key), ZERO) + value
    rate = execution_rate(budget, executed) if budget is not None and executed is not None else None
    if budget is not None and executed is not None and executed > budget:
        findings.add("LINE_OVER_BUDGET", line.executed, name=line.name, executed=money(executed), budget=money(budget))
    _compare_typed_rate(line, rate, findings)
    if (profile.explain_adjustment and initial is not None and budget is not None and initial != budget
            and is_empty_reason(line.reason.text)):
        findings.add("BUDGET_ADJUSTED_UNEXPLAINED", line.reason if line.reason.coord else line.budget,
                     name=line.name, budget=money(budget), initial=money(initial))
    return LineResult(line.row, "line", line.group, line.name, budget, executed, rate, initial)


def _check_summed_row(row: BudgetRow, inp: EvaluationInput, sums: dict[tuple[str | None, str], Decimal],
                      has_lines: bool, findings: Findings) -> LineResult | None:
    """A subtotal or total row's typed amounts against the lines' sums; a subtotal's own result."""
    group = row.group if row.kind == "subtotal" else None
    computed: dict[str, Decimal | None] = {}
    for key in ("initial", "budget", "executed"):
        cell: Cell = getattr(row, key)
        expected = computed[key] = sums.get((group, key))
        if cell.blank or cell.is_formula or expected is None or not has_lines:
            continue
        typed = read_amount(cell, inp.money_unit)
        if isinstance(typed, NotNumber):
            findings.add("VALUE_NOT_NUMBER", cell, what=f"{row.name}的{COLUMN_NAMES[key]}", value=cell.text,
                         **not_number("money"))
        elif typed is not None and abs(typed - expected) > HALF_CENT:
            findings.add("BUDGET_TOTAL_MISMATCH", cell, row=row.name, column=COLUMN_NAMES[key],
                         typed=money(typed), computed=money(expected), diff=money(abs(typed - expected)))
    if row.kind != "subtotal":
        return None
    b, e = computed["budget"], computed["executed"]
    rate = execution_rate(b, e) if b is not None and e is not None else None
    return LineResult(row.row, "subtotal", row.group, row.name, b, e, rate, computed["initial"])


def _totals(inp: EvaluationInput, profile: Profile, sums: dict[tuple[str | None, str], Decimal], has_lines: bool,
            total_row: BudgetRow | None, findings: Findings) -> tuple[Decimal | None, Decimal | None]:
    """The budget and executed totals: the lines' sums, or the total row's own amounts on a form without
    lines, or none."""
    if has_lines:
        return sums.get((None, "budget")), sums.get((None, "executed"))
    if total_row is not None and not total_row.budget.is_formula:
        return (_amount(total_row.budget, f"{total_row.name}的全年预算数", findings, inp.money_unit,
                        required=True, effect=IN_RATE),
                _amount(total_row.executed, f"{total_row.name}的全年执行数", findings, inp.money_unit,
                        required=True, effect=IN_RATE))
    # A profile that scores the rate as an indicator row (weight 0) scores nothing here: a form
    # without a money block is then complete (docs/rules.md §12.4).
    if profile.execution_weight:
        findings.add("VALUE_MISSING", inp.budget_anchor, what="预算执行表没有任何预算行，全年预算数、全年执行数")
    return None, None


def _check_total(inp: EvaluationInput, profile: Profile, total_row: BudgetRow | None, budget_total: Decimal,
                 executed_total: Decimal, rate: Decimal | None, any_reason: bool, findings: Findings) -> None:
    if executed_total > budget_total:
        findings.near("EXECUTION_OVER_BUDGET", total_row.executed if total_row is not None else None,
                      inp.budget_sheet, executed=money(executed_total), budget=money(budget_total))
    if total_row is not None:
        _compare_typed_rate(total_row, rate, findings)
    if profile.explain_below is not None and rate is not None and rate < profile.explain_below and not any_reason:
        findings.near("EXECUTION_UNEXPLAINED", total_row.reason if total_row is not None else None,
                      inp.budget_sheet, rate=percent(rate), threshold=percent(profile.explain_below))


def _check_printed_weight(total_row: BudgetRow, profile: Profile, findings: Findings) -> None:
    """The execution weight printed on a one-sheet form's total row, against the profile's."""
    if total_row.printed_weight is None or total_row.printed_weight.blank:
        return
    printed = read_plain_number(total_row.printed_weight)
    if not isinstance(printed, Decimal) or printed != profile.execution_weight:
        findings.add("WEIGHT_LEVEL", total_row.printed_weight, level="预算执行率",
                     actual=total_row.printed_weight.text, profile=profile.label,
                     expected=plain(profile.execution_weight))


def _compare_typed_rate(row: BudgetRow, rate: Decimal | None, findings: Findings) -> None:
    if row.rate.blank or row.rate.is_formula or rate is None:
        return
    typed = read_rate(row.rate)
    if isinstance(typed, NotNumber):
        findings.add("VALUE_NOT_NUMBER", row.rate, what=f"“{row.name}”的执行率", value=row.rate.text,
                     **not_number("rate"))
    elif typed is not None and abs(typed - rate) > RATE_TOLERANCE:
        findings.add("EXECUTION_RATE_MISMATCH", row.rate, name=row.name, typed=percent(typed), computed=percent(rate))
