"""The scored copy of a legacy .xls/.ods workbook (docs/workbook.md §7): its sheets' values written to a
plain .xlsx, which is then scored like any .xlsx.

calamine gives values only (no formats, formulas or pictures). Those values become a new .xlsx in
memory, sheet by sheet and cell by cell (dates keep a date format, hidden sheets stay hidden), and
that package goes through the very writer of every scored copy: the same 评分汇总, marks, notes,
record and fingerprint name. So the copy verifies like any other, and the county sees one kind of
scored copy whatever the unit sent. A last sheet says what was not kept.
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from selfeval_xl.read.legacy import LEGACY_NOTE
from selfeval_xl.read.package import Package
from selfeval_xl.read.reader import Reading
from selfeval_xl.write.appearance import new_workbook

NOTE_SHEET = "转换说明"


def values_package(reading: Reading, name: str) -> Package:
    """The legacy workbook's values as an .xlsx package (in memory) named `name`."""
    out = io.BytesIO()
    wb = new_workbook(out)
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    book = reading.workbook
    for sheet in book.sheet_names:
        ws = wb.add_worksheet(sheet[:31])
        for (r, c), raw in book.grid(sheet).cells.items():
            value = raw.value
            if isinstance(value, bool):
                ws.write_boolean(r - 1, c - 1, value)
            elif isinstance(value, Decimal):
                ws.write_number(r - 1, c - 1, float(value))
            elif isinstance(value, dt.datetime):
                ws.write_datetime(r - 1, c - 1, value, date_format)
            elif isinstance(value, dt.date):
                ws.write_datetime(r - 1, c - 1, dt.datetime.combine(value, dt.time()), date_format)
            elif value is not None:
                ws.write_string(r - 1, c - 1, str(value))
        if sheet in book.hidden:
            ws.hide()
    note = wb.add_worksheet(NOTE_SHEET)
    note.write_string(0, 0, LEGACY_NOTE)
    note.set_column(0, 0, 100)
    wb.close()
    return Package(Path(name), out.getvalue())
