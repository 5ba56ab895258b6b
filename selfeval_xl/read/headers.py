"""Header detection: which row of a sheet holds a table's header, which column holds each field, and
why (docs/workbook.md §2, §4).

Headers are matched by label and synonym (layout.py) after the printed decorations are removed
(trailing colon, (A), （万元）, (盖章), 一、), so reordered columns, inserted rows, merged group cells
and renamed sheets all read. A header may take two rows: a group label merged across columns over
sub-labels; the sub-labels name the columns, and the group label names a column only where nothing
stands beneath it. Every match records why it was made, for `check --explain`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from selfeval_xl import layout as L
from selfeval_xl.cellref import column_letter, coord
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.cells import Grid
from selfeval_xl.vocabulary import normalize_label, read_label

HEADER_SCAN_ROWS = 40
NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|\([一二三四五六七八九十\d]+\)|其中[:：]?)+")
SKIPPED_SHEETS = (L.SHEET_SUMMARY, L.SHEET_META, L.SHEET_LISTS, L.SHEET_SCORE, L.SHEET_GUIDE)

WHY_OWN = "表头名称"
WHY_SYNONYM = "同义词"


@dataclass(frozen=True)
class HeaderMatch:
    """One column found: its key, where its label sits, the label as printed and why it was taken."""

    key: str
    col: int
    row: int
    label: str
    why: str

    @property
    def cell(self) -> str:
        return coord(self.row, self.col)

    @property
    def letter(self) -> str:
        return column_letter(self.col)


@dataclass(frozen=True)
class Table:
    sheet: str
    header_row: int
    columns: dict[str, int]  # column key → column index
    last_header_row: int
    matches: tuple[HeaderMatch, ...] = ()
    money_unit: str | None = None  # a bracketed unit in a header label: 全年预算数（万元）

    def match(self, key: str) -> HeaderMatch | None:
        return next((m for m in self.matches if m.key == key), None)


def header_label(value: object) -> str | None:
    """A header cell's comparison key, or None when the cell cannot be a column header (not text, or
    a field to stamp such as 实施单位（盖章）)."""
    if not isinstance(value, str):
        return None
    label = read_label(value)
    return None if label.stamp else label.key


_LOOKUPS: dict[tuple[int, int], tuple[tuple[L.Column, ...], tuple[L.Column, ...], dict[str, L.Column]]] = {}


def _by_label(columns: tuple[L.Column, ...], extra: tuple[L.Column, ...]) -> dict[str, L.Column]:
    """Each label and synonym key → its column; where two share one, the first listed wins.
    Kept per layout (the layouts are module constants: looked up by identity, never hashed)."""
    key = (id(columns), id(extra))
    cached = _LOOKUPS.get(key)
    if cached is None or cached[0] is not columns or cached[1] is not extra:
        table: dict[str, L.Column] = {}
        for column in (*columns, *extra):
            for label in column.keys:
                table.setdefault(label, column)
        cached = _LOOKUPS[key] = (columns, extra, table)
    return cached[2]


@dataclass(frozen=True)
class _Label:
    col: int
    column: L.Column
    rank: int  # 0 the column's own label, 1 a synonym, 2 a bare word (Column.generic)
    printed: str


def _labels_on(grid: Grid, row: int, lookup: dict[str, L.Column]) -> dict[int, _Label]:
    """The row's cells that are labels of `lookup`'s columns. Worked out once per grid, row and layout:
    each table search reads every candidate row twice (as a header's first row and as its second)."""
    memo = ("header labels", row, id(lookup))  # the entry holds the lookup: its id is not reused meanwhile
    known = grid.derived.get(memo)
    if known is not None:
        return cast(tuple[object, dict[int, _Label]], known)[1]
    found: dict[int, _Label] = {}
    cells = grid.cells
    for col in range(1, grid.max_col + 1):
        raw = cells.get((row, col))
        if raw is None or type(raw.value) is not str:
            continue  # a header is typed text (an error value, a str too, is never a label)
        value = raw.value
        key = header_label(value)
        column = lookup.get(key) if key else None
        if column is not None and key:
            found[col] = _Label(col, column, column.rank(key), value.strip())
    grid.derived[memo] = (lookup, found)
    return found


def _spans(grid: Grid, row: int) -> dict[int, tuple[int, int]]:
    """The merges that start on `row`: first column → (last row, last column)."""
    return {c1: (r2, min(c2, grid.max_col)) for r1, c1, r2, c2 in grid.merges if r1 == row}


def _why(label: _Label, base: str) -> str:
    own = WHY_OWN if label.rank == 0 else WHY_SYNONYM
    return own if not base else f"{base}，{own}"


def _choose(candidates: list[tuple[int, int, int, _Label, str]], rows: tuple[int, int]) -> list[HeaderMatch]:
    """Per key the best candidate: the lower header row first, then the own label over a synonym, then
    the leftmost column. candidates: (row preference, rank, column, label, why)."""
    best: dict[str, tuple[int, int, int, _Label, str]] = {}
    for cand in candidates:
        key = cand[3].column.key
        if key not in best or cand[:3] < best[key][:3]:
            best[key] = cand
    taken: set[int] = set()
    matches = []
    for pref, _rank, col, label, why in sorted(best.values(), key=lambda c: c[:3]):
        if col in taken:
            continue
        taken.add(col)
        matches.append(HeaderMatch(label.column.key, col, rows[pref], label.printed, why))
    return sorted(matches, key=lambda m: m.col)


def _money_unit(grid: Grid, rows: range) -> str | None:
    for row in rows:
        for col in range(1, grid.max_col + 1):
            value = grid.value(row, col)
            if isinstance(value, str):
                unit = read_label(value).money_unit
                if unit:
                    return unit
    return None


def read_header_row(grid: Grid, row: int, columns: tuple[L.Column, ...],
                    extra: tuple[L.Column, ...] = ()) -> Table | None:
    """The columns a header starting on `row` names (a second header row included when it reads
    better), whatever is required; None when nothing on it is a label."""
    lookup = _by_label(columns, extra)
    upper = _labels_on(grid, row, lookup)
    if not upper:
        return None  # a header starts with a label (below one, _two_rows would find nothing to add to)
    lower = _labels_on(grid, row + 1, lookup) if row + 1 <= grid.max_row else {}
    single = [(1, lab.rank, col, lab, _why(lab, "")) for col, lab in upper.items()]
    best = _choose(single, (row, row))
    last = row
    if lower:
        double = _two_rows(grid, row, upper, lower)
        if double is not None and len({m.key for m in double}) >= len(best):
            best, last = double, row + 1
    if not best:
        return None
    return Table(grid.name, row, {m.key: m.col for m in best}, last, tuple(best),
                 _money_unit(grid, range(row, last + 1)))


def _two_rows(grid: Grid, row: int, upper: dict[int, _Label], lower: dict[int, _Label]) -> list[HeaderMatch] | None:
    """`row` and the next one read as one header; None when the upper row adds nothing to it (a title
    or a 填报单位 line above a one-row header)."""
    spans = _spans(grid, row)
    below = row + 1

    def beneath(col: int, own: tuple[int, int] | None) -> bool:
        if own is not None and own[0] >= below:
            return False  # the upper label's own cell reaches down: nothing of its own beneath
        value = grid.value(below, col)
        return value is not None and not (isinstance(value, str) and not value.strip())

    candidates: list[tuple[int, int, int, _Label, str]] = []
    groups: dict[int, str] = {}  # lower column → the group label over it
    contributes = False
    for c1, (_r2, c2) in spans.items():
        value = grid.value(row, c1)
        if c2 > c1 and isinstance(value, str) and value.strip():
            for c in range(c1, c2 + 1):
                groups[c] = value.strip()
                # a known label over sub-labels (年度指标值 over 指标值 | 度量单位) makes this a two-row
                # header; a merged title or a goal's text over a header does not
                contributes = contributes or (c1 in upper and c in lower)
    for col, lab in upper.items():
        own = spans.get(col)
        width = range(col, (own[1] if own else col) + 1)
        free = next((c for c in width if not beneath(c, own)), None)
        if free is None:
            continue
        contributes = True
        why = "合并表头，下方无子表头" if len(width) > 1 else ""
        candidates.append((1, lab.rank, free, lab, _why(lab, why)))
    if not contributes:
        return None
    for col, lab in lower.items():
        group = groups.get(col)
        why = f"合并表头“{group}”下的子表头" if group else "第二行表头"
        candidates.append((0, lab.rank, col, lab, _why(lab, why)))
    return _choose(candidates, (below, row))


def match_header_row(grid: Grid, row: int, columns: tuple[L.Column, ...], required: set[str],
                     extra: tuple[L.Column, ...] = ()) -> Table | None:
    """The table whose header starts on `row` (labels may continue on the next row), or None."""
    table = read_header_row(grid, row, columns, extra)
    return table if table is not None and required <= table.columns.keys() else None


def match_header(grid: Grid, columns: tuple[L.Column, ...], required: set[str],
                 extra: tuple[L.Column, ...] = ()) -> Table | None:
    best: Table | None = None
    for row in range(1, min(grid.max_row, HEADER_SCAN_ROWS) + 1):
        table = match_header_row(grid, row, columns, required, extra)
        if table is not None and (best is None or len(table.columns) > len(best.columns)):
            best = table
    return best


def _sheets(book: Workbook, preferred: tuple[str, ...], exclude: tuple[str, ...]) -> list[str]:
    names = [n for n in preferred if n in book.sheet_names]
    names += [n for n in book.sheet_names if n not in names and n not in SKIPPED_SHEETS]
    return [n for n in names if n not in exclude]


def find_table(book: Workbook, preferred: tuple[str, ...], columns: tuple[L.Column, ...], required: set[str],
               extra: tuple[L.Column, ...] = (), exclude: tuple[str, ...] = ()) -> Table | None:
    for name in _sheets(book, preferred, exclude):
        table = match_header(book.grid(name), columns, required, extra)
        if table is not None:
            return table
    return None


def best_partial(book: Workbook, preferred: tuple[str, ...], columns: tuple[L.Column, ...], required: set[str],
                 extra: tuple[L.Column, ...] = ()) -> Table | None:
    """The header row that comes nearest to a table (most required columns found, at least one), for
    a message that names what it found and what it missed."""
    best: Table | None = None
    best_count = 0
    for name in _sheets(book, preferred, ()):
        grid = book.grid(name)
        for row in range(1, min(grid.max_row, HEADER_SCAN_ROWS) + 1):
            table = read_header_row(grid, row, columns, extra)
            count = len(required & table.columns.keys()) if table is not None else 0
            if table is not None and count > best_count:
                best, best_count = table, count
    return best


@dataclass(frozen=True)
class ColumnReport:
    """One column as `check --explain` and `check --json` show it."""

    table: str
    sheet: str
    column: str
    header: str
    label: str
    meaning: str
    why: str

    def to_json(self) -> dict[str, object]:
        return {"table": self.table, "sheet": self.sheet, "column": self.column, "header": self.header,
                "label": self.label, "meaning": self.meaning, "why": self.why}


def report_columns(name: str, table: Table, layout: tuple[L.Column, ...],
                   notes: dict[str, tuple[str | None, str]] | None = None) -> list[ColumnReport]:
    """The table's matches in words; `notes` maps a key to (another meaning or None, a note on why)."""
    meanings = {c.key: c.label for c in layout}
    reports = []
    for m in table.matches:
        meaning, why = meanings.get(m.key, m.key), m.why
        if notes and m.key in notes:
            other, note = notes[m.key]
            meaning, why = other or meaning, f"{why}；{note}"
        reports.append(ColumnReport(name, table.sheet, m.letter, m.cell, m.label, meaning, why))
    return reports


# --- the 其中 cell beside a money block's line names (docs/workbook.md §8) ---------------------------

_QIZHONG = ("其中", "其中:", "其中：")


def _is_qizhong(value: object) -> bool:
    return isinstance(value, str) and normalize_label(value) in _QIZHONG


def names_beside_qizhong(grid: Grid, name_col: int | None, avoid: set[int]) -> dict[int, int]:
    """Row → the column holding a line's name, for the rows whose name cell is a cell reading only
    其中 (merged down several lines or not): the name is the text just right of it. A cell whose
    right neighbour is an amount column (`avoid`) is left alone: there is no name to take there."""
    beside: dict[int, int] = {}
    if name_col is None:
        return beside
    for r1, c1, r2, c2 in grid.merges:
        if c1 <= name_col <= c2 and c2 + 1 not in avoid and _is_qizhong(grid.value(r1, c1)):
            for row in range(r1, min(r2, grid.max_row) + 1):
                beside[row] = c2 + 1
    if name_col + 1 not in avoid:
        cells = grid.cells
        for row in grid.rows(1):  # the name column's cells, not a pass over every cell of the sheet
            raw = cells.get((row, name_col))
            if raw is not None and row not in beside and _is_qizhong(raw.value):
                beside[row] = name_col + 1
    return beside
