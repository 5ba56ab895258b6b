"""A1 cell references: column letters and (row, column) pairs, 1-based as people count them."""
from __future__ import annotations

import functools
import re

_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


@functools.lru_cache(maxsize=None)  # a few dozen distinct columns, asked for once per cell read or written
def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@functools.lru_cache(maxsize=None)
def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def coord(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def split_coord(ref: str) -> tuple[int, int]:
    m = _CELL_REF.match(ref) or _CELL_REF.match(ref.replace("$", "").upper())
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), column_index(m.group(1))
