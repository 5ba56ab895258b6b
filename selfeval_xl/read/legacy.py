"""Legacy .xls and .ods files, read through python-calamine (their scored copy: write/legacy_copy.py).

calamine carries values but no number formats or formulas, so a cell shown as 96% reads as
0.96 and the promise that nothing is lost holds for .xlsx and .xlsm only (docs/security.md).

A damaged legacy file can make calamine panic (a Rust panic is a BaseException no `except
Exception` stops) or allocate without bound, so the file is parsed in a child process with a time
and a memory limit; whatever happens there comes back as a clear refusal.
"""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any, Iterator

from python_calamine import CalamineWorkbook

from selfeval_xl.errors import UnreadableWorkbook
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.cells import Grid, RawCell, calamine_value
from selfeval_xl.read.limits import WORKER_SECONDS
from selfeval_xl.read.sandbox import Failure, run_alone

LEGACY_NOTE = "本评分副本由 .xls/.ods 文件转换为 .xlsx，只保留了单元格的值（格式、公式、图片等未保留）。"

# Each sheet's rows of calamine values (numbers, text, dates, times) and its merged ranges.
Sheets = dict[str, tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]]


def parse_legacy(data: bytes) -> tuple[list[str], set[str], Sheets]:
    """Every sheet's values and merged ranges, as calamine gives them (runs in the child)."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    names = list(book.sheet_names)
    hidden = {m.name for m in book.sheets_metadata
              if str(getattr(m, "visible", "visible")).lower() not in ("visible", "sheetvisibleenum.visible")}
    sheets: Sheets = {}
    for name in names:
        sheet = book.get_sheet_by_name(name)
        sheets[name] = (sheet.to_python(skip_empty_area=False), list(getattr(sheet, "merged_cell_ranges", None) or []))
    return names, hidden, sheets


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """The parser's runtime prints a panic's text straight to the process's stderr (file descriptor 2),
    around the one Chinese line the user should see: while parsing, that goes nowhere."""
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield
        return
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _parse_quietly(data: bytes) -> tuple[list[str], set[str], Sheets]:
    with _quiet_stderr():
        return parse_legacy(data)


def open_legacy(path: Path, data: bytes, kind: str) -> Workbook:
    parsed = run_alone(_parse_quietly, data, seconds=WORKER_SECONDS)
    if isinstance(parsed, Failure):
        label = "Excel 97-2003（.xls）" if kind == "xls" else "OpenDocument（.ods）"
        # the parser's own exception names (PanicException, XlsError …) say nothing to the user
        why = {"timeout": f"超过 {WORKER_SECONDS:g} 秒", "died": "进程异常退出"}.get(parsed.kind) or (
            "读取所需内存超过上限" if parsed.error == "MemoryError" else "内容已损坏，无法解析")
        raise UnreadableWorkbook(f"文件 {path.name} 不是可读的{label}工作簿（{why}）："
                                 "请在 Excel、WPS 或 LibreOffice 中打开并另存为 .xlsx 后再试。")
    names, hidden, sheets = parsed

    def load(name: str) -> Grid:
        rows, merges = sheets[name]
        grid = Grid(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                converted = calamine_value(value, errors_as_text=False)
                if converted is None:
                    continue
                grid.cells[(r, c)] = RawCell(converted)
                grid.max_row, grid.max_col = max(grid.max_row, r), max(grid.max_col, c)
        for (r1, c1), (r2, c2) in merges:
            grid.merges.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
        return grid

    return Workbook(path, names, hidden, load)
