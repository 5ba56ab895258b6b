"""Legacy .xls and .ods files, read through python-calamine (their scored copy: write/legacy_copy.py).

calamine carries values but no number formats or formulas, so a cell shown as 96% reads as
0.96 and the promise that nothing is lost holds for .xlsx and .xlsm only (README).
"""
from __future__ import annotations

import io
from pathlib import Path

from python_calamine import CalamineWorkbook

from selfeval_xl.errors import UnreadableWorkbook
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.cells import Grid, RawCell, calamine_value

LEGACY_NOTE = "本评分副本由 .xls/.ods 文件转换为 .xlsx，只保留了单元格的值（格式、公式、图片等未保留）。"


def open_legacy(path: Path, data: bytes, kind: str) -> Workbook:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        hidden = {m.name for m in book.sheets_metadata
                  if str(getattr(m, "visible", "visible")).lower() not in ("visible", "sheetvisibleenum.visible")}
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types for damaged files
        label = "Excel 97-2003（.xls）" if kind == "xls" else "OpenDocument（.ods）"
        raise UnreadableWorkbook(f"文件 {path.name} 不是可读的{label}工作簿（{type(exc).__name__}）："
                                 "请在 Excel、WPS 或 LibreOffice 中打开并另存为 .xlsx 后再试。") from None

    def load(name: str) -> Grid:
        try:
            sheet = book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merges = list(getattr(sheet, "merged_cell_ranges", None) or [])
        except Exception as exc:  # noqa: BLE001
            raise UnreadableWorkbook(f"文件 {path.name} 的工作表“{name}”无法读取（{type(exc).__name__}）："
                                     "请另存为 .xlsx 后再试。") from None
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
