"""The scored copy of a legacy .xls/.ods workbook: a new .xlsx with the summary first, then every
sheet's values, problem cells filled and noted (calamine carries no formats or formulas)."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from selfeval_xl.layout import SHEET_SUMMARY
from selfeval_xl.model import Result
from selfeval_xl.read.legacy import LEGACY_NOTE
from selfeval_xl.read.reader import Reading
from selfeval_xl.write.appearance import MARK_FILLS, NOTE_LIMIT, NOTE_MARKER, new_workbook, rgb
from selfeval_xl.write.atomic import write_atomically
from selfeval_xl.write.record import build_record, record_chunks
from selfeval_xl.write.summary import add_record, build_summary, shown_values


def write_scored_from_values(reading: Reading, result: Result, target: Path) -> None:
    """A new .xlsx: the summary, then every sheet's values, problem cells filled and noted."""
    if target.suffix.lower() != ".xlsx":
        target = target.with_suffix(".xlsx")
    out = io.BytesIO()
    wb = new_workbook(out)
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
    mark_fmt = {severity: wb.add_format({"bg_color": rgb(fill)}) for severity, fill in MARK_FILLS.items()}
    book = reading.workbook
    for name in book.sheet_names:
        grid = book.grid(name)
        ws = wb.add_worksheet(name[:31])
        for (r, c), raw in grid.cells.items():
            ref = xl_rowcol_to_cell(r - 1, c - 1)
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
                                  wb.add_format({"num_format": "yyyy-mm-dd", **(
                                      {"bg_color": rgb(MARK_FILLS[finding.severity])} if finding else {})}))
            else:
                ws.write_string(r - 1, c - 1, str(value), fmt)
        for (sheet, ref), finding in marks.items():
            if sheet == name:
                ws.write_comment(ref, f"{NOTE_MARKER}\n{finding.code}：{finding.message}"[:NOTE_LIMIT])
        if name in book.hidden:
            ws.hide()
    summary_ws.activate()
    wb.close()
    write_atomically(target, out.getvalue())
