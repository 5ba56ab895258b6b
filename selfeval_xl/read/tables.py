"""The tables of the tool's own layout and of the textbook forms: 基本信息 fields, the money unit and
the budget lines, read cell by cell (a formula without a cached value is computed). The indicator
rows are read in indicators.py."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import product

from selfeval_xl import layout as L
from selfeval_xl.cellref import column_letter, coord
from selfeval_xl.model import BudgetRow, Cell, CellContent, CellError, SkippedRow
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.cells import Grid
from selfeval_xl.read.formula import UNKNOWN, Unknown
from selfeval_xl.read.formula import evaluate as evaluate_formula
from selfeval_xl.read.headers import HEADER_SCAN_ROWS, NUMBERING, Table, names_beside_qizhong
from selfeval_xl.read.limits import MAX_FORMULA_STEPS
from selfeval_xl.vocabulary import (
    brings_outside_data,
    fold,
    is_placeholder,
    label_key,
    normalize_label,
    read_label,
    text_cache,
)


def read_cell(grid: Grid, row: int, col: int | None) -> Cell:
    if col is None:
        return Cell(grid.name, None)
    raw = grid.cells.get((row, col))
    if raw is None:
        return Cell(grid.name, coord(row, col))
    value = _stripped(raw.value)
    if not raw.is_formula:  # a typed value, the common case: nothing to compute or to look into
        return Cell(grid.name, coord(row, col), value, raw.kind == "percent", hidden=raw.kind == "hides")
    uncached = raw.uncached
    recomputed = None
    if uncached and raw.formula:
        computed = _evaluate_uncached(grid, row, col, 0)
        if isinstance(computed, Decimal):
            value, uncached = computed, False
    elif raw.formula and grid.full_precision:
        recomputed = _stale(grid, raw.formula, value)
    outside = raw.formula is not None and brings_outside_data(raw.formula)
    return Cell(grid.name, coord(row, col), value, raw.kind == "percent", raw.is_formula, uncached, outside,
                recomputed, raw.kind == "hides")


def _stripped(value: CellContent) -> CellContent:
    """Text without its surrounding spaces (none left: blank); an error value stays one, typed or a
    formula's result alike (the rules read it as 错误值, never as words)."""
    if type(value) is str:
        return value.strip() or None
    if isinstance(value, CellError):
        return CellError(value.strip()) or None
    return value


def read_cells(grid: Grid, row: int, cols: list[int | None]) -> list[Cell]:
    """read_cell of each of `cols` on one row: the row's number spelled once, a typed value read in
    place (a large form reads tens of thousands of cells this way, most of them typed)."""
    name, cells, number = grid.name, grid.cells, str(row)
    out = []
    for col in cols:
        raw = cells.get((row, col)) if col is not None else None
        if raw is None:
            out.append(Cell(name, None if col is None else column_letter(col) + number))
        elif raw.is_formula:
            out.append(read_cell(grid, row, col))
        else:
            value = raw.value
            # _stripped, with text (most typed cells) in line
            value = (value.strip() or None) if type(value) is str else _stripped(value)
            # tuple.__new__ with every field: the NamedTuple's own constructor fills defaults in Python
            out.append(_new_cell(Cell, (name, column_letter(col) + number, value, raw.kind == "percent",
                                        False, False, False, None, raw.kind == "hides")))
    return out


_new_cell = tuple.__new__


# A stored result and what its formula gives are one number when they agree to this share of it, as in the check of
# a copy's other results (read/formula_results.py): Excel computes in binary floating point, the evaluator in
# decimals, and a difference of two large amounts keeps the binary noise (52333264.32-52331269.66 is stored as
# 1994.66000000387).
_SAME_RESULT = Decimal("1e-9")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def _stale(grid: Grid, formula: str, value: CellContent) -> Decimal | None:
    """What an input formula gives over the sheet's values, where that is not its stored result (a workbook saved
    without recalculating, or a result written over by hand): Excel, WPS and LibreOffice show the formula's
    number once they recalculate, the reader the stored one (docs/rules.md §11, FORMULA_RESULT_STALE). None where
    the two agree or the evaluator may not compute the formula as the applications do."""
    if not _as_applications_do(formula):
        return None
    stored = value if isinstance(value, Decimal) else (
        Decimal(value) if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value) else None)  # a text result "96"
    if stored is None:
        return None
    computed = evaluate_formula(formula, lambda r, c, d: _number_as_shown(grid, r, c, d))
    if computed is None or abs(computed - stored) <= _SAME_RESULT * max(abs(computed), Decimal(1)):
        return None
    return computed


def _as_applications_do(formula: str) -> bool:
    # ROUND is taken on the binary number: ROUND(10.1-10.095,2) is 0 in Excel and LibreOffice, 0.01 in decimals.
    # A text in quotes the evaluator never computes: such a formula (the template's rates, IF(…,"",…)) is passed
    # over before anything is converted.
    return '"' not in formula and "ROUND" not in formula.upper()


def _number_as_shown(grid: Grid, row: int, col: int, depth: int) -> Decimal | None | Unknown:
    """A cell a formula reads, as the applications take it once they recalculate: a number, a blank (0), a formula
    worked out from its own text (its stored result may be stale too, or left out of a scored copy: the same
    number at scoring and at verify), or UNKNOWN for anything they may read otherwise than the evaluator would
    (text "5" is 5 to A1+1 and nothing to SUM, TRUE is 1, a date its serial number, a shared formula's other
    cells carry no text), so that no formula is called stale for a difference of reading."""
    grid.result_steps += 1
    if grid.result_steps > MAX_FORMULA_STEPS:
        return UNKNOWN  # a sum over thousands of cells in every row: the rest left unchecked
    raw = grid.get(row, col)
    if raw is None:
        return None
    if raw.is_formula:
        if not raw.formula or not _as_applications_do(raw.formula):
            return UNKNOWN
        computed = evaluate_formula(raw.formula, lambda r, c, d: _number_as_shown(grid, r, c, d), depth)
        return UNKNOWN if computed is None else computed
    value = raw.value
    if isinstance(value, Decimal) or value is None:
        return value
    return UNKNOWN


def _evaluate_uncached(grid: Grid, row: int, col: int, depth: int) -> Decimal | None | Unknown:
    """An input formula no application computed: evaluated where formula.py can (same-sheet arithmetic).

    Decimal, None for a blank or non-numeric cell, or UNKNOWN."""
    grid.formula_steps += 1
    if grid.formula_steps > MAX_FORMULA_STEPS:
        return UNKNOWN  # a chain or a web of formulas built to keep the evaluator busy: left uncomputed
    raw = grid.get(row, col)
    if raw is None:
        return None
    if not raw.uncached:
        return raw.value if isinstance(raw.value, Decimal) else None
    if not raw.formula:
        return UNKNOWN
    known = grid.computed.get((row, col))
    if known is not None:
        return known
    value = evaluate_formula(raw.formula, lambda r, c, d: _evaluate_uncached(grid, r, c, d), depth)
    if value is None:
        return UNKNOWN
    grid.computed[(row, col)] = value
    return value


@text_cache  # a county's units print the same line names: each worked out once per process
def line_key(text: str) -> str:
    """A budget row's name as compared: 一、其中：年度资金总额（万元）： → 年度资金总额."""
    return NUMBERING.sub("", label_key(fold(text)))


# --- 基本信息 -----------------------------------------------------------------------------------

_INFO_KEYS = {label_key(f): f for f in (*L.INFO_FIELDS_COMMON, *L.INFO_FIELDS_PROJECT)}
for _field, _syns in L.INFO_SYNONYMS.items():
    for _syn in _syns:
        _INFO_KEYS.setdefault(label_key(_syn), _field)
_IN_CELL = re.compile(r"^([^:：]{1,12})[:：](.+)$")


def read_info(grid: Grid, fields: dict[str, Cell], last_row: int | None = None) -> None:
    # filtered before sorting: above a large form's indicator table only its first rows are fields, found
    # by looking them up rather than by a pass over the tens of thousands of cells below
    cells = grid.cells
    if last_row is not None and last_row * grid.max_col < len(cells):
        near = ((key, raw) for key in product(range(1, last_row + 1), range(1, grid.max_col + 1))
                if (raw := cells.get(key)) is not None)
    else:
        near = ((key, raw) for key, raw in cells.items() if last_row is None or key[0] <= last_row)
    texts = [(key, raw) for key, raw in near if isinstance(raw.value, str)]
    for (row, col), raw in sorted(texts, key=lambda item: item[0]):
        assert isinstance(raw.value, str)
        field_name = _INFO_KEYS.get(label_key(raw.value))
        if field_name is None:
            # 填报单位：某某局 in one cell (a line above a published form's header, docs/workbook.md §2)
            m = _IN_CELL.match(raw.value.strip())
            field_name = _INFO_KEYS.get(label_key(m.group(1))) if m else None
            if m and field_name is not None and field_name not in fields and m.group(2).strip():
                fields[field_name] = Cell(grid.name, coord(row, col), m.group(2).strip())
            continue
        if field_name in fields:
            continue
        for c in range(col + 1, min(col + 8, grid.max_col + 1) + 1):
            cell = read_cell(grid, row, c)
            if not cell.blank:
                fields[field_name] = cell
                break
        else:
            fields[field_name] = read_cell(grid, row, col + 1)


def read_renamed_info(book: Workbook, info: dict[str, Cell], indicator_sheet: str) -> None:
    """基本信息 renamed: the first other sheet holding at least two of its labels."""
    skip = {indicator_sheet, L.SHEET_META, L.SHEET_LISTS, L.SHEET_SUMMARY, L.SHEET_SCORE, L.SHEET_GUIDE}
    for name in book.sheet_names:
        if name in skip:
            continue
        found: dict[str, Cell] = {}
        read_info(book.grid(name), found, last_row=HEADER_SCAN_ROWS)
        if len(found) >= 2 and ("单位名称" in found or "评价年度" in found):
            for key, cell in found.items():
                info.setdefault(key, cell)
            return


# 金额单位：万元, 单位：元, 资金单位:万元 on a line above a table (docs/rules.md §13.1)
_UNIT_LINE = re.compile(r"(?:金额|资金)?单位[:：]?(千元|万元|亿元|元)")


def money_unit_in(grid: Grid, rows: range) -> str | None:
    """The money unit a bracket in a label (项目资金（万元）) or a 金额单位 line in these rows gives."""
    for row in rows:
        for col in range(1, grid.max_col + 1):
            value = grid.value(row, col)
            if not isinstance(value, str) or "元" not in value:
                continue
            unit = read_label(value).money_unit
            m = None if unit else _UNIT_LINE.search(normalize_label(value))
            if unit or m:
                return unit or (m.group(1) if m else None)
    return None


def sheet_money_unit(grid: Grid, table: Table | None) -> str:
    if table is not None and table.money_unit:
        return table.money_unit
    rows = range(1, (table.last_header_row if table else min(grid.max_row, 10)) + 1)
    return money_unit_in(grid, rows) or "元"


@dataclass(frozen=True)
class BudgetColumns:
    """A money block's columns as the rate needs them (docs/rules.md §12.2): with no 全年预算数
    column the 年初预算数 one stands in (`basis` its header cell); `missing` names a column neither
    gives."""

    columns: dict[str, int]
    basis: Cell | None
    missing: str | None


def budget_columns(grid: Grid, table: Table, columns: dict[str, int] | None = None) -> BudgetColumns:
    cols = dict(table.columns if columns is None else columns)
    basis = None
    missing = None
    if "budget" not in cols and "initial" in cols:
        cols["budget"] = cols["initial"]
        match = table.match("initial")
        basis = read_cell(grid, match.row if match else table.header_row, cols["initial"])
    elif "budget" not in cols:
        missing = "全年预算数"
    if "executed" not in cols and missing is None:
        missing = "全年执行数"
    return BudgetColumns(cols, basis, missing)


@dataclass(frozen=True)
class BudgetRows:
    rows: list[BudgetRow]
    skipped: list[SkippedRow]


def _has_amount(cells: dict[str, Cell]) -> bool:
    # an uncomputed formula counts: it may hold an amount the tool cannot see (FORMULA_NOT_CACHED);
    # a mark (—, /, 无) says there is none (docs/rules.md §13.3)
    return any((not cells[k].blank and not is_placeholder(cells[k].text)) or cells[k].uncached
               for k in ("initial", "budget", "executed"))


def blank_in(grid: Grid, row: int, cols: Sequence[int | None], *, textless_formulas: bool) -> bool:
    """Every one of the row's cells in these columns reads as blank. A formula whose value the file lacks
    counts as something where its own text may compute it (read_cell would), and with `textless_formulas`
    also without (a shared formula's other cells: _has_amount counts an amount it cannot see)."""
    cells = grid.cells
    for col in cols:
        raw = cells.get((row, col)) if col is not None else None
        if raw is None:
            continue
        if raw.uncached and (textless_formulas or raw.formula):
            return False
        value = raw.value
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return False
    return True


def read_budget(grid: Grid, table: Table, form: str, *, stop_row: int | None = None,
                skip_empty_lines: bool = False, columns: dict[str, int] | None = None) -> BudgetRows:
    """Budget rows under the header; `skip_empty_lines` for printed forms whose unused lines stay blank.
    A line with a name and no amounts at all is left out and listed (docs/workbook.md §5)."""
    cols = table.columns if columns is None else columns
    department_groups = {normalize_label(g) for g in L.BUDGET_GROUPS["department"]}
    groups = department_groups if form == "department" else set()
    total_keys = {label_key(t) for t in L.TOTAL_NAMES}
    rows: list[BudgetRow] = []
    skipped: list[SkippedRow] = []
    current_group: str | None = None
    seen_line = False
    closed = False
    # issue 23: a 其中 cell merged beside the names is no name (docs/workbook.md §8); rule in headers.py
    beside = names_beside_qizhong(grid, cols.get("name"), {cols[k] for k in ("initial", "budget", "executed")
                                                           if k in cols})
    keys = ("category", "name", "initial", "budget", "executed", "rate", "reason")
    places = [cols.get(key) for key in keys]
    name_and_amounts = keys.index("rate")  # the places before the rate
    number_places = sorted({1, *cols.values()})
    for row in grid.rows(table.last_header_row + 1, stop_row):
        places[1] = beside.get(row, cols.get("name"))
        if blank_in(grid, row, places[:name_and_amounts], textless_formulas=True):
            continue  # no name and no amount: a template's prepared line holding only its rate formula
        cells = dict(zip(keys, read_cells(grid, row, places), strict=True))
        if cells["reason"].blank and "reason" in cols and (origin := grid.merged_origin(row, cols["reason"])):
            # a reason merged over several rows is the reason of every row it covers (docs/workbook.md §5)
            cells["reason"] = read_cell(grid, *origin)
        printed_weight = read_cell(grid, row, cols["weight"]) if "weight" in cols else None
        name_key = line_key(cells["name"].text)
        category_key = line_key(cells["category"].text)
        has_amount = _has_amount(cells)
        if not name_key and not category_key and not has_amount:
            continue
        if _is_column_number_row(grid, row, number_places) or (not has_amount and NOTE.match(
                normalize_label(cells["name"].text or cells["category"].text))):
            continue  # a 栏次 row (1, 2, 3=2/1 …) under the header, or a note / signature line
        key = name_key or category_key
        name = cells["name"].text or cells["category"].text
        if key in department_groups and NUMBERING.match(normalize_label(fold(name))):
            # 一、基本支出 / 二、项目支出 printed above their lines on any form are their groups' headings
            # (subtotals when they carry amounts), never lines to add (docs/workbook.md §5)
            groups = groups | department_groups
        is_total = key in total_keys or category_key in total_keys
        if not has_amount and (skip_empty_lines or not (is_total or key.endswith(L.SUBTOTAL_SUFFIX)
                                                       or key in groups)):
            if not is_total and key not in groups and not closed:
                skipped.append(SkippedRow(grid.name, row, f"预算行“{name}”没有填写任何金额"))
            continue
        if is_total:
            rows.append(BudgetRow(row, "total", None, name, cells["initial"], cells["budget"], cells["executed"],
                                  cells["rate"], cells["reason"], printed_weight))
            closed = seen_line
            continue
        if closed:
            continue
        if key.endswith(L.SUBTOTAL_SUFFIX):
            stem = key[: -len(L.SUBTOTAL_SUFFIX)]
            group = stem if stem in groups else category_key if category_key in groups else current_group
            rows.append(BudgetRow(row, "subtotal", group, name, cells["initial"], cells["budget"], cells["executed"],
                                  cells["rate"], cells["reason"]))
            continue
        if name_key in groups or (not name_key and category_key in groups):
            current_group = name_key or category_key
            if has_amount:
                rows.append(BudgetRow(row, "subtotal", current_group, name, cells["initial"], cells["budget"],
                                      cells["executed"], cells["rate"], cells["reason"]))
            continue
        # A 类别 merged down its group, or left blank under a filled one, takes the value above.
        if category_key in groups:
            current_group = category_key
        rows.append(BudgetRow(row, "line", current_group, name, cells["initial"], cells["budget"],
                              cells["executed"], cells["rate"], cells["reason"]))
        seen_line = True
    return BudgetRows(rows, skipped)


# A note or signature line under a table: 注：…, 说明：…, 填表人：…, 单位负责人：…
NOTE = re.compile(r"^(?:注\d*[:：]|说明[:：]|(?:填表|填报|制表|审核)人|(?:单位|财务)?负责人[:：]|联系电话[:：])")


def _is_column_number_row(grid: Grid, row: int, places: Iterable[int]) -> bool:
    """The 栏次 row many finance forms print under the header: 栏次 | 1 | 2 | 3=2/1 … (`places`: column A
    and the table's columns)."""
    for col in places:
        value = grid.value(row, col)
        if type(value) is str and normalize_label(value) == "栏次":  # a number never reads 栏次
            return True
    return False
