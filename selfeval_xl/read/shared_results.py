"""Input formulas that carry no text of their own, held to their stored results (docs/rules.md §11,
FORMULA_RESULT_STALE): the other cells of a shared formula, as Excel writes a formula filled down a column. The
reader's own evaluator works a formula out from the cell's text (read/tables.py); these cells have none, so the
copy check's evaluator (read/formula_results.py), which follows a shared formula to its first cell and moves its
references, computes them. Only the rare workbook that has such an input is parsed for it."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from selfeval_xl.cellref import split_coord
from selfeval_xl.formatting import excel_number
from selfeval_xl.model import Cell, EvaluationInput
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.formula_results import check_formula_results

_INDICATOR_CELLS = ("level1", "level2", "name", "nature", "operator", "target", "unit", "actual", "weight",
                    "self_score", "reason")
_BUDGET_CELLS = ("initial", "budget", "executed", "rate", "reason", "printed_weight")


def hold_shared_results(book: Workbook, inp: EvaluationInput) -> EvaluationInput:
    """The input with each textless formula cell whose stored number its shared formula does not give marked with
    what the formula gives (Cell.recomputed); the input itself where there is none."""
    if book.package is None:
        return inp  # .xls and .ods: no formulas are read
    textless = {(cell.sheet, cell.coord) for cell in _cells(inp)
                if cell.is_formula and cell.coord is not None and _textless(book, cell)}
    if not textless:
        return inp
    stale: dict[tuple[str, str | None], Decimal] = {}
    for wrong in check_formula_results(book.package, only=textless).wrong:
        try:
            stale[(wrong.sheet, wrong.coord)] = excel_number(wrong.computed)
        except (InvalidOperation, ValueError):
            continue  # a formula that gives text or an error: what it shows is no number to score by
    if not stale:
        return inp

    def held(cell: Cell | None) -> Cell | None:
        if cell is None or (cell.sheet, cell.coord) not in stale:
            return cell
        return cell._replace(recomputed=stale[(cell.sheet, cell.coord)])

    def row_held(item: Any, fields: tuple[str, ...]) -> Any:  # an Indicator or a BudgetRow, each its own NamedTuple
        return item._replace(**{f: held(getattr(item, f)) for f in fields})

    return replace(
        inp, info={key: held(cell) or cell for key, cell in inp.info.items()}, typed_total=held(inp.typed_total),
        indicators=tuple(row_held(ind, _INDICATOR_CELLS) for ind in inp.indicators),
        budget_rows=tuple(row_held(row, _BUDGET_CELLS) for row in inp.budget_rows))


def _cells(inp: EvaluationInput) -> list[Cell]:
    cells = [*inp.info.values(), *([inp.typed_total] if inp.typed_total else [])]
    for ind in inp.indicators:
        cells += ind[2:]  # level1 to reason: every field after the row and its area is a cell
    for row in inp.budget_rows:
        cells += [c for c in row[4:] if c is not None]  # initial to printed_weight
    return cells


def _textless(book: Workbook, cell: Cell) -> bool:
    """A consulted formula cell with a stored number and no formula text of its own."""
    if not cell.is_formula or cell.uncached or cell.coord is None or not isinstance(cell.value, Decimal):
        return False
    raw = book.grid(cell.sheet).get(*split_coord(cell.coord))
    return raw is not None and raw.is_formula and not raw.formula
