"""The one-sheet official 项目支出绩效自评表 (docs/workbook.md §6).

Everything sits on one sheet: the 项目资金 block (年度资金总额 first, then 其中：… lines, the
execution 分值 printed on the total row), the 年度总体目标 block, the 绩效指标 block and a 总分
row. The indicator block is read by the ordinary indicator reader; this module reads the rest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from selfeval_xl import layout as L
from selfeval_xl.model import BudgetRow, Cell
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.headers import Table, match_header_row
from selfeval_xl.read.tables import read_budget, read_cell, read_info, sheet_money_unit
from selfeval_xl.vocabulary import normalize_label

_YEAR = re.compile(r"(20\d\d|19\d\d)")
_TOTAL_KEYS = {normalize_label(x) for x in L.TOTAL_NAMES}
_STOP_KEYS = {normalize_label(x) for x in ("年度总体目标", "总体目标", "绩效指标", "年度绩效目标")}


@dataclass(frozen=True)
class OneSheetForm:
    sheet: str
    info: dict[str, Cell]
    budget_rows: list[BudgetRow]
    budget_anchor: Cell | None
    money_unit: str
    typed_total: Cell | None
    indicator_start: int
    indicator_end: int
    year: int | None


def read_one_sheet_form(book: Workbook, indicator_table: Table) -> OneSheetForm | None:
    """The budget, info and total of a one-sheet form, or None when the sheet is not one."""
    grid = book.grid(indicator_table.sheet)
    header = indicator_table.header_row
    total_at = None
    for row in range(1, header):
        for col in range(1, grid.max_col + 1):
            value = grid.value(row, col)
            if isinstance(value, str) and normalize_label(value) in _TOTAL_KEYS:
                total_at = (row, col)
                break
        if total_at:
            break
    if total_at is None:
        return None
    budget_header = None
    for row in range(total_at[0] - 1, 0, -1):
        table = match_header_row(grid, row, L.BUDGET_COLUMNS, {"budget", "executed"}, (L.BUDGET_WEIGHT_COLUMN,))
        if table is not None:
            budget_header = table
            break
    if budget_header is None:
        return None
    columns = dict(budget_header.columns)
    columns["name"] = total_at[1]
    columns.pop("category", None)
    stop = header
    for row in range(total_at[0] + 1, header):
        for col in range(1, total_at[1] + 1):
            value = grid.value(row, col)
            if isinstance(value, str) and normalize_label(value) in _STOP_KEYS:
                stop = min(stop, row)
    table = Table(grid.name, budget_header.header_row, columns, budget_header.header_row)
    rows = read_budget(grid, table, "project", stop_row=stop, skip_empty_lines=True)

    info: dict[str, Cell] = {}
    read_info(grid, info, last_row=budget_header.header_row - 1)
    year = None
    for row in range(1, min(4, grid.max_row) + 1):
        for col in range(1, grid.max_col + 1):
            value = grid.value(row, col)
            m = _YEAR.search(str(value)) if isinstance(value, str) else None
            if m and "年" in str(value):
                year = int(m.group(1))
                break
        if year:
            break
    typed_total = None
    indicator_end = grid.max_row + 1
    score_col = indicator_table.columns.get("self_score")
    for row in grid.rows(header + 1):
        first = next((grid.value(row, c) for c in range(1, grid.max_col + 1) if grid.value(row, c) is not None), None)
        if isinstance(first, str) and normalize_label(first) in ("总分", "合计"):
            if score_col is not None and grid.value(row, score_col) is not None:
                typed_total = read_cell(grid, row, score_col)
            else:
                filled = [c for c in range(1, grid.max_col + 1) if grid.value(row, c) is not None]
                typed_total = read_cell(grid, row, filled[-1]) if len(filled) >= 3 else None
            indicator_end = row  # what follows 总分 is the signature block, not indicators
            break
    anchor_row = next((r.row for r in rows if r.kind == "total"), total_at[0])
    return OneSheetForm(
        sheet=grid.name, info=info, budget_rows=rows,
        budget_anchor=read_cell(grid, anchor_row, columns["budget"]),
        money_unit=sheet_money_unit(grid, budget_header), typed_total=typed_total,
        indicator_start=header, indicator_end=indicator_end, year=year,
    )
