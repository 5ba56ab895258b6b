"""How the template's sheets look and print: its cell formats, notes and example rows as tall as their
wrapped text, sheet protection, and the page setup every sheet gets."""
from __future__ import annotations

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from selfeval_xl.formatting import wrapped_height
from selfeval_xl.write.template_formulas import FORMULA_FILL, HEADER_FILL, INPUT_FILL


class Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        border = {"border": 1, "border_color": "#A6A6A6", "valign": "vcenter", "font_name": "宋体", "font_size": 10}
        self.title = wb.add_format({"bold": True, "font_size": 16, "font_name": "黑体"})
        self.note = wb.add_format({"italic": True, "font_color": "#595959", "font_size": 9, "text_wrap": True,
                                   "valign": "top"})
        self.text = wb.add_format({"text_wrap": True, "valign": "top", "font_size": 10})
        self.header = wb.add_format({**border, "bold": True, "bg_color": HEADER_FILL, "text_wrap": True,
                                     "align": "center"})
        self.label = wb.add_format({**border, "bold": True, "bg_color": HEADER_FILL, "text_wrap": True})
        self.input = wb.add_format({**border, "bg_color": INPUT_FILL, "locked": False, "text_wrap": True})
        self.input_money = wb.add_format({**border, "bg_color": INPUT_FILL, "locked": False, "num_format": "#,##0.00"})
        self.input_number = wb.add_format({**border, "bg_color": INPUT_FILL, "locked": False, "num_format": "General"})
        self.input_score = wb.add_format({**border, "bg_color": INPUT_FILL, "locked": False, "num_format": "0.00"})
        self.calc_money = wb.add_format({**border, "bg_color": FORMULA_FILL, "num_format": "#,##0.00", "bold": True})
        self.calc_rate = wb.add_format({**border, "bg_color": FORMULA_FILL, "num_format": "0.00%"})
        self.calc_score = wb.add_format({**border, "bg_color": FORMULA_FILL, "num_format": "0.00"})
        self.calc_text = wb.add_format({**border, "bg_color": FORMULA_FILL, "bold": True})
        self.calc_label = wb.add_format({**border, "bg_color": FORMULA_FILL, "bold": True})
        self.big = wb.add_format({**border, "bg_color": FORMULA_FILL, "bold": True, "font_size": 14,
                                  "num_format": "0.00"})
        self.big_text = wb.add_format({**border, "bg_color": FORMULA_FILL, "bold": True, "font_size": 14})
        self.legend_input = wb.add_format({"bg_color": INPUT_FILL, "border": 1})
        self.legend_calc = wb.add_format({"bg_color": FORMULA_FILL, "border": 1})
        self.warn = wb.add_format({"font_color": "#C00000", "bold": True})


GUIDE_WIDTH = 100
INFO_VALUE_WIDTH = 80
SCORE_WIDTHS = (30, 16, 16, 16)
NOTE_LINE_POINTS = 13  # the notes' 9-point type


def note(ws: Worksheet, row: int, text: str, widths: list[int] | tuple[int, ...], fmt: Formats) -> None:
    """A note across the sheet's columns, its row as tall as its wrapped text (no application grows a
    row for merged text a program wrote)."""
    ws.merge_range(row, 0, row, len(widths) - 1, text, fmt.note)
    ws.set_row(row, wrapped_height(text, sum(widths), NOTE_LINE_POINTS))


def fit_row(ws: Worksheet, r: int, texts: list[tuple[object, float]], least: float = 0) -> None:
    """An example row as tall as its longest wrapped text: an application grows a row for text a person
    types, never for text a program wrote."""
    height = max([least, *(wrapped_height(str(text), width) for text, width in texts if text)])
    if height > 20:
        ws.set_row(r, height)


def protect(ws: Worksheet) -> None:
    # No password: protection only guards formulas against slips, never locks the owner out.
    ws.protect("", {"insert_rows": True, "delete_rows": True, "format_columns": True, "format_rows": True,
                    "format_cells": True, "sort": True, "autofilter": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})


def print_setup(ws: Worksheet, header_rows: tuple[int, int] | None = None) -> None:
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    if header_rows:
        ws.repeat_rows(header_rows[0] - 1, header_rows[1] - 1)
