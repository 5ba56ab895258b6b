"""Plain types shared by every layer. No I/O, no third-party imports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import Literal, NamedTuple, Union

from selfeval_xl.formatting import amount_text, rate_text, score_text, weight_text

Severity = Literal["error", "warning"]


# normalize() with no digit rounded away, whatever the number
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


class CellError(str):
    """A spreadsheet error value such as #DIV/0! or #REF!."""


CellContent = Union[None, str, Decimal, bool, dt.date, dt.datetime, CellError]


class Cell(NamedTuple):
    """One input cell as read: its place, its value and what the reader knows about its format.

    A NamedTuple rather than a frozen dataclass: the reader makes one per column per row, and a
    large workbook has tens of thousands."""

    sheet: str
    coord: str | None  # A1 notation; None when the column does not exist on the sheet
    value: CellContent = None
    percent: bool = False  # the number format shows a percentage, so the value is a fraction
    is_formula: bool = False
    uncached: bool = False  # a formula whose value the file does not carry
    outside: bool = False  # a formula that brings outside data or changes on recalculation
    # what the cell's formula gives where that is not the stored result the cell is read by: the number an
    # application shows once it recalculates (FORMULA_RESULT_STALE)
    recomputed: Decimal | None = None
    hidden: bool = False  # its number format shows other text than its number ([<100]"100"): FORMAT_HIDES_VALUE

    @property
    def blank(self) -> bool:
        value = self.value
        return value is None or (isinstance(value, str) and not value.strip())

    @property
    def text(self) -> str:
        value = self.value
        if type(value) is str:  # the common case first (the rules ask a row's cells for it a dozen times)
            return value.strip()
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return _decimal_text(value)
        return str(value).strip()


def _decimal_text(value: Decimal) -> str:
    """A number as typed: 100 for 100.00, 1.50 kept as 1.50, every digit kept (normalize() in the default
    context would round a 29th). Read off str(): normalize() and to_integral() cost three times as much."""
    text = str(value)
    if "E" in text:
        if "E+" in text:  # a positive exponent: a whole number (the reader's 100 is 1E+2, normalized)
            return format(value, "f")
        return format(value.normalize(_EXACT), "f") if value == value.to_integral() else text
    if "." in text:
        whole = text.rstrip("0")
        if whole[-1] == ".":
            return whole[:-1]
    return text


class BudgetRow(NamedTuple):
    """A row of the 预算执行 table. kind: line, subtotal (of `group`) or total. A NamedTuple, like
    Indicator: made for every line a form fills."""

    row: int
    kind: Literal["line", "subtotal", "total"]
    group: str | None
    name: str
    initial: Cell
    budget: Cell
    executed: Cell
    rate: Cell
    reason: Cell
    printed_weight: Cell | None = None


class Indicator(NamedTuple):
    """One indicator row as read. A NamedTuple, like Cell and IndicatorResult: made once per row, and a
    frozen dataclass takes four times as long to make."""

    row: int
    area: str
    level1: Cell
    level2: Cell
    name: Cell
    nature: Cell
    operator: Cell
    target: Cell
    unit: Cell
    actual: Cell
    weight: Cell
    self_score: Cell
    reason: Cell


@dataclass(frozen=True)
class SkippedRow:
    """A row the reader left out on purpose (a printed placeholder, a not-applicable line, a budget
    line without amounts): listed in the JSON so nothing disappears silently."""

    sheet: str
    row: int
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "reason": self.reason}


@dataclass(frozen=True)
class EvaluationInput:
    """Everything scoring needs, read from a workbook but independent of any file format."""

    file: str
    form: str
    year: int | None
    unit_name: str
    money_unit: str
    info: dict[str, Cell]
    budget_sheet: str
    budget_rows: tuple[BudgetRow, ...]
    indicator_sheet: str
    indicators: tuple[Indicator, ...]
    budget_anchor: Cell | None = None  # where a missing budget is reported: the first input row
    indicator_anchor: Cell | None = None
    typed_total: Cell | None = None
    skipped: tuple[SkippedRow, ...] = ()
    # The indicator table has no 一级指标 column: indicators are scored one by one (LEVELS_ABSENT on
    # name_header, the header cell of the name column).
    levels_absent: bool = False
    name_header: Cell | None = None
    # No 全年预算数 column: each BudgetRow.budget holds the 年初预算数 cell, and this is its header
    # cell (BUDGET_BASIS_INITIAL).
    budget_basis: Cell | None = None
    # The money block lacks a column the rate needs (its label, e.g. "全年预算数"): the execution
    # scores 0 with VALUE_MISSING naming it at budget_anchor.
    budget_missing: str | None = None

    def cells(self) -> list[Cell]:
        """Every cell scoring reads, where it reads it (a cell read on two rows is listed twice)."""
        found = [*self.info.values(), *(c for c in (self.typed_total, self.budget_basis) if c is not None)]
        for ind in self.indicators:
            found += ind[2:]  # level1 to reason: every field after the row and its area is a cell
        for row in self.budget_rows:
            found += [c for c in row[4:] if c is not None]  # initial to printed_weight
        return found

    def read_cells(self) -> frozenset[tuple[str, str]]:
        """(sheet, cell) of every cell scoring reads: what was scored is compared as inputs, never as
        formula results (docs/workbook.md §7)."""
        return frozenset((c.sheet, c.coord) for c in self.cells() if c.coord)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    sheet: str | None
    cell: str | None
    message: str

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet,
                "cell": self.cell, "message": self.message}


class LineResult(NamedTuple):
    """One budget row's result (a NamedTuple, like IndicatorResult: made for every line of a form)."""

    row: int
    kind: str
    group: str | None
    name: str
    budget: Decimal | None
    executed: Decimal | None
    rate: Decimal | None
    initial: Decimal | None = None


@dataclass(frozen=True)
class ExecutionResult:
    budget: Decimal | None
    executed: Decimal | None
    rate: Decimal | None
    weight: Decimal
    score: Decimal
    lines: tuple[LineResult, ...] = ()


@dataclass(frozen=True)
class LevelResult:
    name: str
    weight: Decimal | None
    score: Decimal  # what counts in the total: the rows' points, rescaled where the weights differ
    indicator_weight: Decimal  # the rows' weights added up
    rows_score: Decimal | None = None  # the rows' points added up, where score is otherwise (rescaled)


class IndicatorResult(NamedTuple):
    sheet: str
    row: int
    area: str
    name: str
    level: str
    level2: str
    qualitative: bool
    operator: str | None
    target: str
    actual: str
    unit: str
    weight: Decimal | None
    score: Decimal | None
    self_score: Decimal | None
    reason: str
    cell: str | None = None  # the name cell (A1 notation), where the summary's link leads


@dataclass(frozen=True)
class Result:
    file: str
    form: str
    profile: str
    unit: str
    year: int | None
    money_unit: str
    execution: ExecutionResult
    levels: tuple[LevelResult, ...]
    indicators: tuple[IndicatorResult, ...]
    total: Decimal
    grade: str
    digits: int
    checks: tuple[Finding, ...] = field(default_factory=tuple)
    typed_total: Decimal | None = None
    skipped: tuple[SkippedRow, ...] = ()
    weights_from: str = "profile"  # "form": no profile named, the form's printed weights rule

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.checks if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.checks if f.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def execution_json(self) -> dict[str, object]:
        ex = self.execution
        return {"budget": amount_text(ex.budget), "executed": amount_text(ex.executed),
                "rate": rate_text(ex.rate),
                "weight": weight_text(ex.weight),
                # a profile without an execution weight (mof-4level) scores the rate as an indicator row
                "score": score_text(ex.score, self.digits) if ex.weight else None}

    def levels_json(self) -> list[dict[str, object]]:
        return [self._level_json(lv) for lv in self.levels]

    def _level_json(self, lv: LevelResult) -> dict[str, object]:
        """A level; where its rows weigh or score otherwise than what counts (rescaled, docs/rules.md §14),
        the rows' own sums beside it, so the indicators always add up to something the JSON shows."""
        out: dict[str, object] = {"name": lv.name, "weight": weight_text(lv.weight),
                                  "score": score_text(lv.score, self.digits)}
        if lv.rows_score is not None:
            out["rows_weight"] = weight_text(lv.indicator_weight)
            out["rows_score"] = score_text(lv.rows_score, self.digits)
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "form": self.form,
            "profile": self.profile,
            "weights_from": self.weights_from,
            "unit": self.unit,
            "year": self.year,
            "money_unit": self.money_unit,
            "execution": self.execution_json(),
            "levels": self.levels_json(),
            "indicators": [
                {"sheet": ind.sheet, "row": ind.row, "area": ind.area, "name": ind.name, "level": ind.level,
                 "weight": weight_text(ind.weight), "score": score_text(ind.score, self.digits),
                 "self_score": None if ind.self_score is None else weight_text(ind.self_score)}
                for ind in self.indicators
            ],
            "total": score_text(self.total, self.digits),
            "grade": self.grade,
            "valid": self.valid,
            "checks": [f.to_json() for f in self.checks],
            "skipped": [s.to_json() for s in self.skipped],
        }
