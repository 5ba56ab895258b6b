"""The rollup written out: the county's .xlsx (one row per unit, grade counts, target changes)
and a CSV that Excel opens with its Chinese intact."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from selfeval_xl.county.rollup import KEY_COLUMNS, LEVEL_PREFIX, Rollup
from selfeval_xl.formatting import without_surrogates, wrapped_height, wrapped_lines
from selfeval_xl.layout import FORM_TYPE_LABELS
from selfeval_xl.write.appearance import MARK_FILLS, new_workbook, rgb
from selfeval_xl.write.atomic import write_atomically

FORMULA_STARTS = ("=", "+", "-", "@")
# The custom document property that says "this is a rollup selfeval-xl wrote": a later `rollup -o` may
# replace such a file, never another workbook (a document property: a LibreOffice re-save keeps it).
ROLLUP_MARK = "selfeval_rollup"


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet opens as the text it is (OWASP CSV injection): text starting,
    after any leading whitespace, with = + - @ (or starting with a tab or carriage return) gets a
    leading '. Numbers stay numbers: a difference of -1.5 is not text."""
    if not isinstance(value, str):
        return value
    text = without_surrogates(value)
    if text[:1] in ("\t", "\r") or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def shown(unit: dict, key: str) -> object:
    """A unit's value as the county's table shows it: the form type in words (部门整体支出, not department)."""
    value = unit.get(key)
    return FORM_TYPE_LABELS.get(value, value) if key == "form" and isinstance(value, str) else value


def write_csv(rollup: Rollup, target: Path) -> None:
    # dtype=object keeps 2025 and 3 as written; a column with blanks would otherwise turn them into 2025.0.
    columns = rollup.columns
    frame = pd.DataFrame([{label: csv_cell(shown(u, key)) for key, label in columns} for u in rollup.units],
                         columns=[c for _, c in columns], dtype=object)
    # Excel opens UTF-8 CSV with Chinese intact only when it starts with a BOM.
    write_atomically(target, frame.to_csv(index=False).encode("utf-8-sig"))


# Widths in characters of the default font; the key columns (county/rollup.py KEY_COLUMNS) add up to
# what an A4 landscape page holds at 100 %, so the first printed page carries them for every unit.
WIDTHS = {"unit": 24, "total": 8, "grade": 6, "valid": 14, "errors": 6, "rate": 10, "note": 30,
          "file": 30, "path": 30, "department": 20, "project": 20, "form": 13, "verified": 14}
LINE_POINTS = 15.0


def counts_line(rollup: Rollup) -> str:
    """What the rollup holds, counted as a county reads it: units scored, files unreadable, duplicates."""
    scored = [u for u in rollup.units if u.get("form")]
    passed = sum(1 for u in scored if not u.get("provisional"))
    return (f"{len(scored)} 个单位（校验通过 {passed} 个，暂评 {len(scored) - passed} 个），"
            f"无法读取的文件 {len(rollup.unreadable)} 个，重复提交未采用 {len(rollup.dropped)} 份")


def print_setup(ws: Worksheet, header_row: int | None, title: str, *, first_column: bool = True) -> None:
    """A4 landscape, the header row repeated on every page and the unit's name on every page to the right."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if header_row is not None:
        ws.repeat_rows(header_row)
    if first_column:
        ws.repeat_columns(0)
    ws.set_header(f"&C{title}")
    ws.set_footer("&C第 &P 页，共 &N 页")


def write_xlsx(rollup: Rollup, target: Path) -> None:
    book = _Book(rollup)
    book.units_sheet()
    book.departments_sheet()
    grade_sheet(book.wb, rollup, book.head, book.text)
    book.targets_sheet()
    book.dropped_sheet()
    book.wb.close()
    write_atomically(target, book.out.getvalue())


class _Book:
    """The rollup workbook being written: its formats and columns shared by every sheet."""

    def __init__(self, rollup: Rollup) -> None:
        self.rollup = rollup
        self.out = io.BytesIO()
        wb = self.wb = new_workbook(self.out)
        wb.set_properties({"title": "预算绩效自评汇总", "author": "selfeval-xl", "created": dt.datetime(2025, 1, 1)})
        wb.set_custom_property(ROLLUP_MARK, "selfeval-xl")
        self.head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                   "valign": "vcenter"})
        self.num = wb.add_format({"num_format": "0.00", "border": 1, "valign": "top"})
        self.pct = wb.add_format({"num_format": "0.00%", "border": 1, "valign": "top"})
        self.text = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        self.bad = wb.add_format({"border": 1, "text_wrap": True, "valign": "top",
                                  "bg_color": rgb(MARK_FILLS["error"])})
        self.title = wb.add_format({"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"})
        self.columns = rollup.columns
        self.widths = [WIDTHS.get(key, 11) for key, _ in self.columns]

    def _format(self, unit: dict, key: str) -> Format:
        if key in ("note", "valid") and (not unit.get("form") or unit.get("unnamed")):
            return self.bad
        if key == "rate":
            return self.pct
        if key in ("total", "typed_total", "difference", "execution_score") or key.startswith(LEVEL_PREFIX):
            return self.num
        return self.text

    def table(self, ws: Worksheet, first_row: int, units: list[dict]) -> int:
        """The header and one row per unit from `first_row`; rows as tall as their wrapped text."""
        for col, (_, label) in enumerate(self.columns):
            ws.write(first_row, col, label, self.head)
        row = first_row
        for unit in units:
            row += 1
            lines = 1
            for col, (key, _) in enumerate(self.columns):
                value, fmt = shown(unit, key), self._format(unit, key)
                if value is None or value == "":
                    ws.write_blank(row, col, None, fmt)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(row, col, value, fmt)
                else:
                    ws.write_string(row, col, str(value), fmt)
                    lines = max(lines, wrapped_lines(str(value), self.widths[col]))
            if lines > 1:
                ws.set_row(row, lines * LINE_POINTS + 3)
        return row

    def title_row(self, ws: Worksheet, row: int, words: str) -> None:
        # merged over the key columns and wrapped, so the line prints on the first page, not across three
        ws.merge_range(row, 0, row, len(KEY_COLUMNS) - 1, words, self.title)
        ws.set_row(row, wrapped_height(words, sum(self.widths[:len(KEY_COLUMNS)]) * 12 / 14, 18))

    def columns_and_print(self, ws: Worksheet, header_row: int | None, heading: str) -> None:
        for col, width in enumerate(self.widths):
            ws.set_column(col, col, width)
        print_setup(ws, header_row, heading)

    def units_sheet(self) -> None:
        ws = self.wb.add_worksheet("汇总")
        self.title_row(ws, 0, f"预算绩效自评汇总：{counts_line(self.rollup)}。"
                              "通过的在前，暂评其次，无法读取的文件在后。")
        last = self.table(ws, 2, self.rollup.units)
        ws.freeze_panes(3, 1)
        ws.autofilter(2, 0, max(last, 3), len(self.columns) - 1)
        self.columns_and_print(ws, 2, "预算绩效自评汇总")
        difference = [key for key, _ in self.columns].index("difference")
        ws.conditional_format(3, difference, max(last, 3), difference,
                              {"type": "cell", "criteria": ">", "value": 1, "format": self.bad})

    def departments_sheet(self) -> None:
        ws = self.wb.add_worksheet("按主管部门")
        row = 0
        groups: dict[str, list[dict]] = {}
        for unit in self.rollup.units:
            groups.setdefault(unit.get("department") or "（未填主管部门或无法读取）", []).append(unit)
        for department, units in sorted(groups.items()):
            self.title_row(ws, row, f"{department}（{len(units)} 个单位）")
            row = self.table(ws, row + 1, units) + 2
        self.columns_and_print(ws, None, "预算绩效自评汇总（按主管部门）")  # one header per department

    def targets_sheet(self) -> None:
        if not self.rollup.target_flags:
            return
        ws = self.wb.add_worksheet("目标变动")
        keys = [("unit", "单位名称"), ("year", "年度"), ("area", "工作分项"), ("indicator", "指标"), ("kind", "变动"),
                ("approved_target", "年初批复指标值"), ("target", "自评表指标值"), ("approved_weight", "批复分值"),
                ("weight", "自评分值"), ("cell", "单元格"), ("file", "文件"), ("detail", "说明")]
        ws.write_row(0, 0, [label for _, label in keys], self.head)
        for r, flag in enumerate(self.rollup.target_flags, start=1):
            for c, (key, _) in enumerate(keys):
                value = flag.get(key)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(r, c, value, self.text)
                else:
                    ws.write_string(r, c, "" if value is None else str(value), self.text)
        ws.set_column(0, len(keys) - 1, 16)
        print_setup(ws, 0, "目标变动", first_column=False)
        ws.fit_to_pages(1, 0)

    def dropped_sheet(self) -> None:
        if not self.rollup.dropped:
            return
        ws = self.wb.add_worksheet("重复提交")
        ws.write_row(0, 0, ["单位名称", "年度", "未采用的文件", "采用的文件", "说明"], self.head)
        for r, item in enumerate(self.rollup.dropped, start=1):
            ws.write_row(r, 0, [item["unit"], str(item["year"] or ""), item["file"], item["kept"], item["reason"]],
                         self.text)
        ws.set_column(0, 4, 30)
        print_setup(ws, 0, "重复提交", first_column=False)
        ws.fit_to_pages(1, 0)


GRADE_HEADER = ["等级", "正式", "暂评", "合计"]
PROVISIONAL_NOTE = "暂评：自评表还有错误，等级待单位更正后才能确定。"


def grade_sheet(wb: Workbook, rollup: Rollup, head: Format, text: Format) -> None:
    """等级分布: one row per grade of the units' profiles, in order, zeros included; final and
    provisional (暂评) counts side by side and their sum, so that no grade of a workbook with errors
    passes for a final one; a stacked column chart of the two."""
    ws = wb.add_worksheet("等级分布")
    counts = rollup.grade_counts()
    ws.write_row(0, 0, GRADE_HEADER, head)
    for i, (grade, (final, provisional)) in enumerate(counts.items(), start=1):
        ws.write_string(i, 0, grade, text)
        ws.write_row(i, 1, [final, provisional, final + provisional], text)
    last = len(counts)
    ws.write_string(last + 2, 0, PROVISIONAL_NOTE)
    if rollup.unreadable:
        ws.write_string(last + 3, 0, f"另有 {len(rollup.unreadable)} 个文件无法读取，没有等级（见“汇总”表的说明列）。")
    ws.set_column(0, 0, 14)
    ws.set_column(1, 3, 8)
    if counts:
        chart = wb.add_chart({"type": "column", "subtype": "stacked"})
        for col, color in ((1, "#4472C4"), (2, "#F4B183")):
            chart.add_series({"name": ["等级分布", 0, col], "categories": ["等级分布", 1, 0, last, 0],
                              "values": ["等级分布", 1, col, last, col], "fill": {"color": color},
                              "data_labels": {"value": True, "num_format": "0;;;"}})  # no label on a 0
        chart.set_title({"name": "等级分布"})
        chart.set_legend({"position": "bottom"})
        ws.insert_chart("F2", chart)
    # the table and its chart on one landscape page, never split across two
    print_setup(ws, None, "等级分布", first_column=False)
    ws.fit_to_pages(1, 1)
