"""Legacy .xls and .ods files: read through python-calamine, scored copy written as a new .xlsx.

calamine carries values but no number formats or formulas, so a cell shown as 96% reads as
0.96 and the promise that nothing is lost holds for .xlsx and .xlsm only (README).
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from .errors import UnreadableWorkbook
from .model import CellError, Result
from .numbers import excel_number
from .ooxml import Grid, RawCell

LEGACY_NOTE = "本评分副本由 .xls/.ods 文件转换为 .xlsx，只保留了单元格的值（格式、公式、图片等未保留）。"


def open_legacy(path: Path, data: bytes, kind: str):  # -> reader.Workbook
    from python_calamine import CalamineWorkbook

    from .reader import Workbook
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
                converted = _value(value)
                if converted is None:
                    continue
                grid.cells[(r, c)] = RawCell(converted)
                grid.max_row, grid.max_col = max(grid.max_row, r), max(grid.max_col, c)
        for (r1, c1), (r2, c2) in merges:
            grid.merges.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
        return grid

    return Workbook(path, names, hidden, load)


def _value(value: object) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return CellError("#NUM!")
        return excel_number(repr(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if isinstance(value, dt.timedelta):
        return str(value)
    text = str(value)
    if text.startswith("#") and text.upper() in ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"):
        return CellError(text.upper())
    return text


def write_scored_from_values(reading, result: Result, target: Path) -> None:
    """A new .xlsx: the summary, then every sheet's values, problem cells filled and noted."""
    import xlsxwriter

    from .atomic import write_atomically
    from .layout import SHEET_SUMMARY
    from .record import build_record, record_chunks
    from .summary import add_record, build_summary, shown_values

    if target.suffix.lower() != ".xlsx":
        target = target.with_suffix(".xlsx")
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    summary_ws = wb.add_worksheet(SHEET_SUMMARY)
    model = build_summary(result, reading.profile)
    add_record(model, record_chunks(build_record(reading.input_cells, result, reading.profile, [],
                                                 shown_values(model))))
    fmt_bold = wb.add_format({"bold": True})
    fmt_money = wb.add_format({"num_format": "#,##0.00"})
    fmt_rate = wb.add_format({"num_format": "0.00%"})
    fmt_score = wb.add_format({"num_format": "0.00"})
    styles = {"title": wb.add_format({"bold": True, "font_size": 16}), "label": fmt_bold, "label_big": fmt_bold,
              "header": fmt_bold, "money": fmt_money, "rate": fmt_rate, "score": fmt_score, "big_score": fmt_score}
    for cell in model.cells:
        value = cell.value
        style = styles.get(cell.style)
        if isinstance(value, Decimal):
            summary_ws.write_number(cell.row - 1, cell.col - 1, float(value), style)
        elif value is not None:
            summary_ws.write_string(cell.row - 1, cell.col - 1, str(value), style)
    for ref, loc, tip in model.links:
        summary_ws.write_url(ref, f"internal:{loc}", string=ref, tip=tip)
    for col in model.hidden_columns:
        summary_ws.set_column(col - 1, col - 1, None, None, {"hidden": True})
    summary_ws.write_string(2, 0, LEGACY_NOTE)  # row 3 of the summary model is left free for it
    for col, width in model.widths.items():
        summary_ws.set_column(col - 1, col - 1, width)
    marks = {(f.sheet, f.cell): f for f in result.checks if f.sheet and f.cell}
    mark_fmt = {"error": wb.add_format({"bg_color": "#FFC7CE"}), "warning": wb.add_format({"bg_color": "#FFEB9C"})}
    book = reading.workbook
    for name in book.sheet_names:
        grid = book.grid(name)
        ws = wb.add_worksheet(name[:31])
        for (r, c), raw in grid.cells.items():
            ref = xlsxwriter.utility.xl_rowcol_to_cell(r - 1, c - 1)
            finding = marks.get((name, ref))
            fmt = mark_fmt[finding.severity] if finding else None
            value = raw.value
            if isinstance(value, bool):
                ws.write_boolean(r - 1, c - 1, value, fmt)
            elif isinstance(value, Decimal):
                ws.write_number(r - 1, c - 1, float(value), fmt)
            elif isinstance(value, (dt.date, dt.datetime)):
                ws.write_datetime(r - 1, c - 1,
                                  value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time()),
                                  wb.add_format({"num_format": "yyyy-mm-dd",
                                                 **({"bg_color": "#FFC7CE"} if finding else {})}))
            else:
                ws.write_string(r - 1, c - 1, str(value), fmt)
        for (sheet, ref), finding in marks.items():
            if sheet == name:
                ws.write_comment(ref, f"【selfeval-xl】\n{finding.code}：{finding.message}"[:30000])
        if name in book.hidden:
            ws.hide()
    summary_ws.activate()
    wb.close()
    write_atomically(target, out.getvalue())
