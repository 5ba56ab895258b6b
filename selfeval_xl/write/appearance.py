"""How the tool's own marks and workbooks look, in one place: the colours of marked cells, the
marker that opens the tool's notes, and the options every XlsxWriter workbook is opened with."""
from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter

NOTE_MARKER = "【selfeval-xl】"
NOTE_AUTHOR = "selfeval-xl"
NOTE_LIMIT = 30000  # characters of a note; Excel refuses a cell text over 32,767
# ARGB, as styles.xml writes them; rgb() gives XlsxWriter's #RRGGBB.
MARK_FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}
MARK_FONTS = {"error": "FF9C0006", "warning": "FF9C5700"}
# A marked cell is told apart without colour too (a grey printout, a colour-blind reader, the input
# cells' own yellow): an error framed solid, a warning dashed; (border style, colour). A pattern fill
# would not do: LibreOffice draws every pattern as a plain blend of its two colours.
MARK_BORDERS = {"error": ("medium", "FFC00000"), "warning": ("mediumDashed", "FFBF8F00")}
GOOD_FILL, GOOD_FONT = "FFC6EFCE", "FF006100"
FAIR_FILL, FAIR_FONT = "FFDDEBF7", "FF1F4E78"
PROVISIONAL_FILL, PROVISIONAL_FONT = "FFEDEDED", "FF595959"  # a provisional grade: grey, never a verdict's colour

# Text from a workbook is data: never turned into a number, a formula or a link on the way out.
XLSXWRITER_OPTIONS = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                      "strings_to_urls": False}


def rgb(argb: str) -> str:
    return "#" + argb[-6:]


def new_workbook(target: str | Path | io.BytesIO) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(target, XLSXWRITER_OPTIONS)
