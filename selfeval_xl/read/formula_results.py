"""Stored formula results that their formulas do not give: what a copy shows beside its inputs.

A workbook keeps each formula's last result, and that is what a viewer, a preview or any program
reading the file shows. An editor can rewrite those results (the 评分 sheet's live total, a
level's points) without touching an input. Each formula with a stored result is evaluated over
the stored values of the cells it reads (read/formula_eval.py); a result that differs is a
change named by its cell (docs/workbook.md §7). Checked one step at a time, every formula
consistent with its neighbours and every input recomputed means every shown result follows from
the inputs. A formula this evaluator does not compute like Excel is left unchecked.
"""
from __future__ import annotations

import math
from collections.abc import Container
from dataclasses import dataclass

from lxml import etree

from selfeval_xl.cellref import split_coord
from selfeval_xl.layout import SHEET_SUMMARY
from selfeval_xl.read.formula_eval import UNKNOWN, Evaluator, Pending, Sheets, Value, XlError, parse
from selfeval_xl.read.limits import MAX_CHECK_STEPS, MAX_CHECKED_FORMULAS
from selfeval_xl.read.package import M, Package
from selfeval_xl.read.sheet_scans import formula_cells, has_formula


@dataclass(frozen=True)
class Formula:
    sheet: str
    coord: str
    row: int
    col: int
    text: str
    anchor: tuple[int, int]  # the cell the text was written for (a shared formula's first cell)
    shown: Value


@dataclass(frozen=True)
class WrongResult:
    sheet: str
    coord: str
    shown: str
    computed: str


def _stored(cell: etree._Element, v: etree._Element | None, shared: list[str]) -> Value:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(cell.itertext())
    if v is None or v.text is None:
        return None if kind == "n" else ""
    text = v.text
    if kind == "s":
        index = int(text) if text.isdigit() else -1
        return shared[index] if 0 <= index < len(shared) else UNKNOWN
    if kind == "str":
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "e":
        return XlError(text.strip())
    try:
        return float(text)
    except ValueError:
        return UNKNOWN


def _read_sheet(package: Package, name: str, part: str, sheets: Sheets, formulas: list[Formula]) -> None:
    shared = package.shared_strings()
    masters: dict[str, tuple[str, tuple[int, int]]] = {}
    columns = sheets.columns.setdefault(name, {})
    for cell in package.xml(part).iter(f"{M}c"):
        ref = cell.get("r")
        if ref is None:
            continue  # a cell without its address: the reader has refused such a sheet already
        row, col = split_coord(ref)
        v, f = cell.find(f"{M}v"), cell.find(f"{M}f")
        shown = _stored(cell, v, shared)
        columns.setdefault(col, {})[row] = shown
        if f is None or f.get("t") in ("array", "dataTable"):
            continue
        text, anchor = f.text or "", (row, col)
        if f.get("t") == "shared":
            si = f.get("si", "")
            if text:
                masters[si] = (text, anchor)
            elif si in masters:
                text, anchor = masters[si]
            else:
                continue
        if v is None or shown is None:
            # no stored result (openpyxl writes an empty <v/>): nothing shown to check, and what reads
            # the cell gets its formula computed
            columns[col][row] = Pending(text, anchor) if text else UNKNOWN
        elif text and len(formulas) < MAX_CHECKED_FORMULAS:
            formulas.append(Formula(name, ref, row, col, text, anchor, shown))


def _same(shown: Value, computed: Value) -> bool:
    if computed is UNKNOWN or shown is UNKNOWN:
        return True
    if isinstance(computed, XlError) or isinstance(shown, XlError):
        return isinstance(computed, XlError) and isinstance(shown, XlError)
    if isinstance(computed, float) and isinstance(shown, float):
        return math.isclose(computed, shown, rel_tol=1e-9, abs_tol=1e-9)
    return (shown if shown is not None else "") == (computed if computed is not None else "")


def _spelled(value: Value) -> str:
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, XlError):
        return value.code
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return "（空）" if value in (None, "") else str(value)


@dataclass(frozen=True)
class FormulaCheck:
    checked: int  # formulas whose result was computed and compared
    wrong: tuple[WrongResult, ...]


def stored_results(data: bytes) -> list[str] | None:
    """The cells of sheet XML whose formula is followed by a stored result (<v>), or None where the
    scan does not see every formula element as a cell's."""
    cells = formula_cells(data)
    return None if cells is None else [m["ref"].decode() for m in cells if m["v"] is not None]


def _to_check(package: Package, parts: dict[str, str], inputs: Container[tuple[str, str]]
              ) -> set[tuple[str, str]] | None:
    """The (sheet, cell)s outside the inputs whose formula has a stored result, found by scanning the
    bytes; None where a sheet needs the parse to tell."""
    found: set[tuple[str, str]] = set()
    for name, part in parts.items():
        data = package.read(part)
        if not has_formula(data):
            continue
        cells = stored_results(data)
        if cells is None:
            return None
        found.update(where for ref in cells if (where := (name, ref)) not in inputs)
    return found


def check_formula_results(package: Package, inputs: Container[tuple[str, str]] = frozenset(),
                          only: set[tuple[str, str]] | None = None) -> FormulaCheck:
    """Every formula cell outside 评分汇总 and the `inputs` (sheet, cell) whose stored result its formula
    does not give (with `only`, among those cells). An input's stored value (any the reading consulted)
    is what was scored and is compared by scoring again. Sheets the checked formulas do not read are
    not parsed."""
    parts = {info.name: info.part for info in package.sheets if info.name != SHEET_SUMMARY}
    if only is None:
        # a scored copy stores hardly any result outside what the reading consulted: found in the
        # bytes, the sheets are not parsed unless a formula there has a result to check
        only = _to_check(package, parts, inputs)
    if only is not None and not only:
        return FormulaCheck(0, ())  # nothing to check: a workbook of values is not walked cell by cell
    formulas: list[Formula] = []

    def load(name: str) -> None:
        if name in parts:
            _read_sheet(package, name, parts[name], sheets, [])

    sheets = Sheets({}, MAX_CHECK_STEPS, loader=load)
    wanted = None if only is None else {sheet for sheet, _ in only}
    for name in [name for name in parts if wanted is None or name in wanted]:
        _read_sheet(package, name, parts[name], sheets, formulas)
    wrong, checked = [], 0
    for formula in formulas:
        where = (formula.sheet, formula.coord)
        if where in inputs or (only is not None and where not in only):
            continue
        node = parse(formula.text, *formula.anchor)
        if node is None:
            continue
        computed = Evaluator(sheets, formula.sheet, formula.row, formula.col).run(node)
        if sheets.steps > sheets.limit:
            break  # the rest stays unchecked
        checked += computed is not UNKNOWN
        if not _same(formula.shown, computed):
            wrong.append(WrongResult(formula.sheet, formula.coord, _spelled(formula.shown), _spelled(computed)))
    return FormulaCheck(checked, tuple(wrong))
