"""The one-sheet official 项目支出绩效自评表 (docs/workbook.md §6).

Everything sits on one sheet: title lines, the header fields (项目名称, 实施单位 …), the money block
(年度资金总额 first, then 其中：… lines, the execution 分值 printed on the total row), the 年度总体目标
block, the 绩效指标 block and a 总分 row. Each block is read on its own, so a money block the reader
cannot use costs the execution score only, never the fields, the indicators or the typed total.
The indicator block is read by the ordinary indicator reader; this module reads the rest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from selfeval_xl import layout as L
from selfeval_xl.model import BudgetRow, Cell, SkippedRow
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.cells import Grid
from selfeval_xl.read.headers import Table, read_header_row
from selfeval_xl.read.tables import budget_columns, line_key, money_unit_in, read_budget, read_cell, read_info
from selfeval_xl.vocabulary import label_key

_YEAR = re.compile(r"(20\d\d|19\d\d)")
_TOTAL_KEYS = {label_key(x) for x in L.TOTAL_NAMES}
_BLOCK_KEYS = {label_key(x) for x in L.MONEY_BLOCK_LABELS}
_STOP_KEYS = {label_key(x) for x in L.BLOCK_STARTS}
_GOAL_KEYS = {label_key(x) for x in L.GOAL_HEADINGS}
_SCORE_KEYS = {label_key(x) for x in L.TOTAL_SCORE_NAMES}
_AMOUNTS = ("initial", "budget", "executed")
_PROJECT_KEYS = {label_key(x) for x in ("项目资金", "年度资金总额", "年度财政资金总额")}


@dataclass(frozen=True)
class OneSheetForm:
    sheet: str
    info: dict[str, Cell]
    budget_rows: list[BudgetRow]
    budget_skipped: list[SkippedRow]
    budget_anchor: Cell | None
    money_unit: str
    year: int | None
    title: str
    money_block: bool  # a 项目资金 / 年度资金总额 block or a budget header above the indicators
    project_block: bool  # a 项目资金 or 年度资金总额 label: the project form's money block (docs/workbook.md §6)
    budget_table: Table | None
    budget_basis: Cell | None
    budget_missing: str | None
    name_cell: Cell | None = None  # the 年度资金总额 cell: its column names the money block's lines


def _texts(grid: Grid, row: int) -> list[tuple[int, str]]:
    return [(c, v) for c in range(1, grid.max_col + 1) if isinstance(v := grid.value(row, c), str) and v.strip()]


def _budget_header(grid: Grid, rows: range) -> Table | None:
    """The first row above the indicators that reads as a money block's header: an amount column and
    at least two of 年初预算数, 全年预算数, 全年执行数, 执行率."""
    for row in rows:
        table = read_header_row(grid, row, L.BUDGET_COLUMNS, (L.BUDGET_WEIGHT_COLUMN,))
        if table is None:
            continue
        amounts = {k for k in (*_AMOUNTS, "rate") if k in table.columns}
        if len(amounts) >= 2 and amounts & set(_AMOUNTS):
            return table
    return None


def _find_total(grid: Grid, rows: range) -> tuple[int, int] | None:
    for row in rows:
        for col, text in _texts(grid, row):
            if line_key(text) in _TOTAL_KEYS:
                return row, col
    return None


def _block_end(grid: Grid, first: int, stop: int, label_cols: int) -> int:
    """The row where the money block ends: the first column starts a new block (年度总体目标, 绩效指标,
    总分 …), or a row reads 预期目标 / 实际完成情况 (docs/workbook.md §6)."""
    for row in range(first, stop):
        for col, text in _texts(grid, row):
            key = label_key(text)
            if (col <= label_cols and key in _STOP_KEYS) or key in _GOAL_KEYS:
                return row
    return stop


def _goals(grid: Grid, rows: range, info: dict[str, Cell]) -> None:
    """预期目标 | 实际完成情况 headings with the texts beneath them."""
    for row in rows:
        found = {label_key(text): col for col, text in _texts(grid, row)}
        if "预期目标" in found and "实际完成情况" in found:
            info["年度总体目标（预期目标）"] = read_cell(grid, row + 1, found["预期目标"])
            info["年度总体目标实际完成情况"] = read_cell(grid, row + 1, found["实际完成情况"])
            return


def _title_and_year(grid: Grid, last: int) -> tuple[str, int | None]:
    title: list[str] = []
    year = None
    for row in range(1, min(last, 6) + 1):
        for _col, text in _texts(grid, row):
            if "表" in text and ("绩效" in text or "自评" in text):
                title.append(text)
            m = _YEAR.search(text)
            if year is None and m and "年" in text:
                year = int(m.group(1))
    return " ".join(title), year


def typed_total(grid: Grid, indicator_table: Table) -> tuple[Cell | None, int]:
    """The typed 总分 (自评总分, 合计得分, 自评得分合计) and the row where the indicators end (docs/workbook.md §6),
    asked for only of a one-sheet form: under a separate budget table the rows are not walked for it."""
    upper = range(1, indicator_table.header_row)
    score_col = indicator_table.columns.get("self_score")
    for row in grid.rows(indicator_table.last_header_row + 1):
        first = next((grid.value(row, c) for c in range(1, grid.max_col + 1) if grid.value(row, c) is not None), None)
        if not isinstance(first, str):
            continue
        key = label_key(first)
        if key not in _SCORE_KEYS and key != "合计":
            continue
        filled = [c for c in range(1, grid.max_col + 1) if grid.value(row, c) is not None]
        if score_col is not None and grid.value(row, score_col) is not None:
            return read_cell(grid, row, score_col), row
        if key != "总分" and key != "合计" and len(filled) >= 2:
            return read_cell(grid, row, filled[-1]), row  # 自评总分 | 96.61: the one number is the score
        return (read_cell(grid, row, filled[-1]) if len(filled) >= 3 else None), row
    # A header labelled 自评总分 above the table: its value to the right, or beneath it.
    for row in upper:
        for col, text in _texts(grid, row):
            if label_key(text) in _SCORE_KEYS:
                right = next((c for c in range(col + 1, min(col + 8, grid.max_col) + 1)
                              if grid.value(row, c) is not None), None)
                return read_cell(grid, row, right) if right else read_cell(grid, row + 1, col), grid.max_row + 1
    return None, grid.max_row + 1


def read_one_sheet_form(book: Workbook, indicator_table: Table) -> OneSheetForm:
    """The fields, the money block and the typed total on the indicator table's sheet."""
    grid = book.grid(indicator_table.sheet)
    header = indicator_table.header_row
    upper = range(1, header)
    total_at = _find_total(grid, upper)
    budget_header = _budget_header(grid, range(total_at[0] - 1, 0, -1) if total_at else upper)
    block_at = next((row for row in upper for _c, t in _texts(grid, row) if label_key(t) in _BLOCK_KEYS), None)
    money_block = budget_header is not None or total_at is not None or block_at is not None
    project_block = any(label_key(t) in _PROJECT_KEYS for row in upper for _c, t in _texts(grid, row))

    info: dict[str, Cell] = {}
    _goals(grid, upper, info)
    info_end = budget_header.header_row - 1 if budget_header is not None else header - 1
    read_info(grid, info, last_row=info_end)
    title, year = _title_and_year(grid, header - 1)

    rows: list[BudgetRow] = []
    skipped: list[SkippedRow] = []
    anchor = None
    basis = missing = None
    if budget_header is not None:
        columns = dict(budget_header.columns)
        amount_cols = [columns[k] for k in _AMOUNTS if k in columns]
        name_col = total_at[1] if total_at else columns.get("name", max(1, min(amount_cols) - 1))
        columns["name"] = name_col
        columns.pop("category", None)
        chosen = budget_columns(grid, budget_header, columns)
        stop = _block_end(grid, budget_header.last_header_row + 1, header, name_col)
        table = Table(grid.name, budget_header.header_row, chosen.columns, budget_header.last_header_row,
                      budget_header.matches)
        read = read_budget(grid, table, "project", stop_row=stop, skip_empty_lines=True, columns=chosen.columns)
        rows, skipped, basis, missing = read.rows, read.skipped, chosen.basis, chosen.missing
        anchor_row = next((r.row for r in rows if r.kind == "total"), total_at[0] if total_at
                          else budget_header.last_header_row + 1)
        anchor_col = chosen.columns.get("budget") or chosen.columns.get("executed") or name_col
        anchor = read_cell(grid, anchor_row, anchor_col)
    elif money_block:
        missing = "全年预算数"  # a 年度资金总额 line without the columns its amounts belong to
        where = total_at or (block_at, _texts(grid, block_at)[0][0]) if block_at else total_at
        anchor = read_cell(grid, *where) if where else None
    money_start = budget_header.header_row if budget_header is not None else (total_at or (block_at or 1, 0))[0]
    money_unit = (budget_header.money_unit if budget_header is not None else None) or money_unit_in(
        grid, range(1, money_start + 1)) or money_unit_in(grid, range(money_start, header)) or "元"
    return OneSheetForm(
        sheet=grid.name, info=info, budget_rows=rows, budget_skipped=skipped, budget_anchor=anchor,
        money_unit=money_unit, year=year, title=title, money_block=money_block, project_block=project_block,
        budget_table=budget_header, budget_basis=basis, budget_missing=missing,
        name_cell=read_cell(grid, *total_at) if total_at else None,
    )
