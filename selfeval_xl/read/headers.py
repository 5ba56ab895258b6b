"""Header detection: which row of a sheet holds a table's header, and which column holds each field.

Headers are matched by label and synonym (layout.py), so reordered columns, inserted rows, merged
group cells and renamed sheets all read.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from selfeval_xl import layout as L
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.cells import Grid
from selfeval_xl.vocabulary import normalize_label

HEADER_SCAN_ROWS = 40
NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|\([一二三四五六七八九十\d]+\)|其中[:：]?)+")


@dataclass(frozen=True)
class Table:
    sheet: str
    header_row: int
    columns: dict[str, int]  # column key → column index
    last_header_row: int


# A unit written after a header label: 全年预算数（万元）, 执行率(%), 分值（分）.
_HEADER_UNIT = re.compile(r"\((?:万?元|%|分)\)$")


def header_label(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return _header_text(value)


@functools.lru_cache(maxsize=65536)
def _header_text(text: str) -> str:
    return _HEADER_UNIT.sub("", normalize_label(text))


def _label_rank(column: L.Column, label: str) -> int:
    """0 for the column's own label, 1 for any synonym: the own label beats a synonym met earlier."""
    return 0 if label == normalize_label(column.label) else 1


_LOOKUPS: dict[tuple[int, int], tuple[tuple[L.Column, ...], tuple[L.Column, ...], dict[str, L.Column]]] = {}


def _by_label(columns: tuple[L.Column, ...], extra: tuple[L.Column, ...]) -> dict[str, L.Column]:
    """Each normalized label and synonym → its column; where two share one, the first listed wins.
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


def match_header_row(grid: Grid, row: int, columns: tuple[L.Column, ...], required: set[str],
                      extra: tuple[L.Column, ...] = ()) -> Table | None:
    """The table whose header starts on `row` (labels may continue on the next row), or None."""
    found: dict[str, tuple[int, int]] = {}  # key → (column, rank of the label that matched)
    lookup = _by_label(columns, extra)
    # A two-row header: labels missing on this row may sit on the next one.
    for header_row in (row, row + 1):
        taken = {c for c, _ in found.values()}
        for col in range(1, grid.max_col + 1):
            value = header_label(grid.value(header_row, col))
            if not value or col in taken:
                continue
            column = lookup.get(value)
            if column is None:
                continue
            rank = _label_rank(column, value)
            if header_row > row and column.key in found:
                continue
            # The column's own label beats a synonym met earlier (名称 over an extra 项目 or 资金来源 column).
            if column.key not in found or rank < found[column.key][1]:
                found[column.key] = (col, rank)
    if not required <= found.keys():
        return None
    cols = {key: col for key, (col, _) in found.items()}
    second_row_used = any(isinstance(grid.value(row + 1, c), str) and grid.value(row, c) in (None, "")
                          for c in cols.values())
    return Table(grid.name, row, cols, row + 1 if second_row_used else row)


def match_header(grid: Grid, columns: tuple[L.Column, ...], required: set[str],
                  extra: tuple[L.Column, ...] = ()) -> Table | None:
    best: Table | None = None
    for row in range(1, min(grid.max_row, HEADER_SCAN_ROWS) + 1):
        table = match_header_row(grid, row, columns, required, extra)
        if table is not None and (best is None or len(table.columns) > len(best.columns)):
            best = table
    return best


def find_table(book: Workbook, preferred: tuple[str, ...], columns: tuple[L.Column, ...], required: set[str],
                extra: tuple[L.Column, ...] = ()) -> Table | None:
    names = [n for n in preferred if n in book.sheet_names]
    names += [n for n in book.sheet_names if n not in names
              and n not in (L.SHEET_SUMMARY, L.SHEET_META, L.SHEET_LISTS, L.SHEET_SCORE, L.SHEET_GUIDE)]
    for name in names:
        table = match_header(book.grid(name), columns, required, extra)
        if table is not None:
            return table
    return None
