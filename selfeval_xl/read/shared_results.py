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


def hold_shared_results(book: Workbook, inp: EvaluationInput) -> EvaluationInput:
    """The input with each textless formula cell whose stored number its shared formula does not give marked with
    what the formula gives (Cell.recomputed); the input itself where there is none."""
    if book.package is None:
        return inp  # .xls and .ods: no formulas are read
    textless = {(cell.sheet, cell.coord) for cell in inp.cells()
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

    def row_held(row: Any, first: int) -> Any:  # an Indicator or a BudgetRow: its cells from `first` on
        return row._make([*row[:first], *map(held, row[first:])])

    # an Indicator's cells follow its row and area, a BudgetRow's its row, kind, group and name (EvaluationInput.cells)
    return replace(
        inp, info={key: held(cell) or cell for key, cell in inp.info.items()}, typed_total=held(inp.typed_total),
        indicators=tuple(row_held(ind, 2) for ind in inp.indicators),
        budget_rows=tuple(row_held(row, 4) for row in inp.budget_rows))


def _textless(book: Workbook, cell: Cell) -> bool:
    """A consulted formula cell with a stored number and no formula text of its own."""
    if not cell.is_formula or cell.uncached or cell.coord is None or not isinstance(cell.value, Decimal):
        return False
    raw = book.grid(cell.sheet).get(*split_coord(cell.coord))
    return raw is not None and raw.is_formula and not raw.formula
