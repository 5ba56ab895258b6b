"""The tables of the tool's own layout and of the textbook forms: 基本信息 fields, the budget lines
and the indicator rows, read cell by cell (a formula without a cached value is computed)."""
from __future__ import annotations

import re
from decimal import Decimal

from selfeval_xl import layout as L
from selfeval_xl.cellref import coord
from selfeval_xl.model import BudgetRow, Cell, Indicator
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.cells import Grid
from selfeval_xl.read.formula import UNKNOWN, Unknown
from selfeval_xl.read.formula import evaluate as evaluate_formula
from selfeval_xl.read.headers import HEADER_SCAN_ROWS, NUMBERING, Table
from selfeval_xl.read.limits import MAX_FORMULA_STEPS
from selfeval_xl.vocabulary import brings_outside_data, fold, normalize_label, parse_operator_word


def read_cell(grid: Grid, row: int, col: int | None) -> Cell:
    if col is None:
        return Cell(grid.name, None)
    raw = grid.cells.get((row, col))
    if raw is None:
        return Cell(grid.name, coord(row, col))
    value = raw.value
    uncached = raw.uncached
    if uncached and raw.formula:
        computed = _evaluate_uncached(grid, row, col, 0)
        if isinstance(computed, Decimal):
            value, uncached = computed, False
    if isinstance(value, str):
        value = value.strip() or None
    outside = raw.formula is not None and brings_outside_data(raw.formula)
    return Cell(grid.name, coord(row, col), value, raw.kind == "percent", raw.is_formula, uncached, outside)


def _evaluate_uncached(grid: Grid, row: int, col: int, depth: int) -> Decimal | None | Unknown:
    """An input formula no application computed: evaluated where formula.py can (same-sheet arithmetic).

    Decimal, None for a blank or non-numeric cell, or UNKNOWN."""
    grid.formula_steps += 1
    if grid.formula_steps > MAX_FORMULA_STEPS:
        return UNKNOWN  # a chain or a web of formulas built to keep the evaluator busy: left uncomputed
    raw = grid.get(row, col)
    if raw is None:
        return None
    if not raw.uncached:
        return raw.value if isinstance(raw.value, Decimal) else None
    if not raw.formula:
        return UNKNOWN
    known = grid.computed.get((row, col))
    if known is not None:
        return known
    value = evaluate_formula(raw.formula, lambda r, c, d: _evaluate_uncached(grid, r, c, d), depth)
    if value is None:
        return UNKNOWN
    grid.computed[(row, col)] = value
    return value


def line_key(text: str) -> str:
    return NUMBERING.sub("", normalize_label(fold(text)))


# --- 基本信息 -----------------------------------------------------------------------------------

_INFO_KEYS = {normalize_label(f): f for f in (*L.INFO_FIELDS_COMMON, *L.INFO_FIELDS_PROJECT)}
for _field, _syns in L.INFO_SYNONYMS.items():
    for _syn in _syns:
        _INFO_KEYS.setdefault(normalize_label(_syn), _field)


def read_info(grid: Grid, fields: dict[str, Cell], last_row: int | None = None) -> None:
    for (row, col), raw in sorted(grid.cells.items()):
        if not isinstance(raw.value, str) or (last_row is not None and row > last_row):
            continue
        label = normalize_label(raw.value).rstrip(":：")
        field_name = _INFO_KEYS.get(label)
        if field_name is None or field_name in fields:
            continue
        for c in range(col + 1, min(col + 8, grid.max_col + 1) + 1):
            cell = read_cell(grid, row, c)
            if not cell.blank:
                fields[field_name] = cell
                break
        else:
            fields[field_name] = read_cell(grid, row, col + 1)


def read_renamed_info(book: Workbook, info: dict[str, Cell], indicator_sheet: str) -> None:
    """基本信息 renamed: the first other sheet holding at least two of its labels."""
    skip = {indicator_sheet, L.SHEET_META, L.SHEET_LISTS, L.SHEET_SUMMARY, L.SHEET_SCORE, L.SHEET_GUIDE}
    for name in book.sheet_names:
        if name in skip:
            continue
        found: dict[str, Cell] = {}
        read_info(book.grid(name), found, last_row=HEADER_SCAN_ROWS)
        if len(found) >= 2 and ("单位名称" in found or "评价年度" in found):
            for key, cell in found.items():
                info.setdefault(key, cell)
            return


def sheet_money_unit(grid: Grid, table: Table | None) -> str:
    rows = range(1, (table.last_header_row if table else min(grid.max_row, 10)) + 1)
    for row in rows:
        for col in range(1, grid.max_col + 1):
            value = grid.value(row, col)
            if isinstance(value, str) and "万元" in value and ("单位" in value or "金额" in value or "资金" in value
                                                             or "（万元）" in value or "(万元)" in value):
                return "万元"
    return "元"


def read_budget(grid: Grid, table: Table, form: str, *, stop_row: int | None = None,
                 skip_empty_lines: bool = False) -> list[BudgetRow]:
    """Budget rows under the header; `skip_empty_lines` for printed forms whose unused lines stay blank."""
    cols = table.columns
    groups = {normalize_label(g) for g in L.BUDGET_GROUPS["department"]} if form == "department" else set()
    total_keys = {normalize_label(t) for t in L.TOTAL_NAMES}
    rows: list[BudgetRow] = []
    current_group: str | None = None
    seen_line = False
    closed = False
    for row in grid.rows(table.last_header_row + 1, stop_row):
        cells = {key: read_cell(grid, row, cols.get(key))
                 for key in ("category", "name", "initial", "budget", "executed", "rate", "reason")}
        printed_weight = read_cell(grid, row, cols["weight"]) if "weight" in cols else None
        name_key = line_key(cells["name"].text)
        category_key = line_key(cells["category"].text)
        has_amount = any(not cells[k].blank for k in ("initial", "budget", "executed"))
        if not name_key and not category_key and not has_amount:
            continue
        if _is_column_number_row(grid, row, cols) or (not has_amount
                                                      and (skip_empty_lines or _NOTE.match(name_key or category_key))):
            continue  # a 栏次 row (1, 2, 3=2/1 …) under the header, or a note / signature line
        label_key = name_key or category_key
        name = cells["name"].text or cells["category"].text
        if label_key in total_keys or category_key in total_keys:
            rows.append(BudgetRow(row, "total", None, name, cells["initial"], cells["budget"], cells["executed"],
                                  cells["rate"], cells["reason"], printed_weight))
            closed = seen_line
            continue
        if closed:
            continue
        if label_key.endswith(L.SUBTOTAL_SUFFIX):
            stem = label_key[: -len(L.SUBTOTAL_SUFFIX)]
            group = stem if stem in groups else category_key if category_key in groups else current_group
            rows.append(BudgetRow(row, "subtotal", group, name, cells["initial"], cells["budget"], cells["executed"],
                                  cells["rate"], cells["reason"]))
            continue
        if name_key in groups or (not name_key and category_key in groups):
            current_group = name_key or category_key
            if has_amount:
                rows.append(BudgetRow(row, "subtotal", current_group, name, cells["initial"], cells["budget"],
                                      cells["executed"], cells["rate"], cells["reason"]))
            continue
        # A 类别 merged down its group, or left blank under a filled one, takes the value above.
        if category_key in groups:
            current_group = category_key
        group = current_group
        rows.append(BudgetRow(row, "line", group, cells["name"].text or cells["category"].text, cells["initial"],
                              cells["budget"], cells["executed"], cells["rate"], cells["reason"]))
        seen_line = True
    return rows


_SKIP_INDICATOR_ROW = {normalize_label(x) for x in ("合计", "总计", "总分", "小计", "栏次")}
# A note or signature line under a table: 注：…, 说明：…, 填表人：…, 单位负责人：…
_NOTE = re.compile(r"^(?:注\d*[:：]|说明[:：]|(?:填表|填报|制表|审核)人|(?:单位|财务)?负责人[:：]|联系电话[:：])")


def _is_column_number_row(grid: Grid, row: int, cols: dict[str, int]) -> bool:
    """The 栏次 row many finance forms print under the header: 栏次 | 1 | 2 | 3=2/1 …"""
    for col in {1, *cols.values()}:
        if normalize_label(grid.value(row, col)) == "栏次":
            return True
    return False


def _label_texts(grid: Grid, row: int, cols: dict[str, int]) -> set[str]:
    """The normalized text of a row's label cells: 序号, 工作分项, 一级, 二级, 三级, and column A when it is one."""
    value_cols = {cols[k] for k in ("target", "actual", "weight", "self_score", "unit", "reason") if k in cols}
    places = {cols[k] for k in ("seq", "area", "level1", "level2", "name") if k in cols}
    if 1 not in value_cols:
        places.add(1)
    return {normalize_label(grid.value(row, c)) for c in places} - {""}


def _operator_column(grid: Grid, table: Table) -> tuple[int | None, int | None]:
    """(operator column, nature column): a 指标性质 column holding ≥/≤/= is really the operator column."""
    cols = table.columns
    nature = cols.get("nature")
    operator = cols.get("operator") or cols.get("direction")
    if nature is not None and operator is None:
        values = [grid.value(r, nature) for r in range(table.last_header_row + 1, grid.max_row + 1)]
        texts = [v for v in values if isinstance(v, str) and v.strip()]
        if (texts and not any(normalize_label(t) in L.NATURES for t in texts)
                and any(parse_operator_word(t) for t in texts)):
            return nature, None
    return operator, nature


_INDICATOR_KEYS = ("area", "level1", "level2", "name", "target", "unit", "actual", "weight", "self_score", "reason")


def _nothing_in(grid: Grid, row: int, cols: list[int]) -> bool:
    """Every one of the row's cells in these columns reads as blank (an uncomputed formula might not)."""
    for col in cols:
        raw = grid.cells.get((row, col))
        if raw is None:
            continue
        if raw.uncached and raw.formula:
            return False
        value = raw.value
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return False
    return True


def read_indicators(grid: Grid, table: Table) -> list[Indicator]:
    cols = table.columns
    operator_col, nature_col = _operator_column(grid, table)
    indicators: list[Indicator] = []
    carried: dict[str, Cell] = {}
    read_cols = [c for c in (*(cols.get(k) for k in _INDICATOR_KEYS), operator_col, nature_col) if c is not None]
    for row in grid.rows(table.last_header_row + 1):
        if _nothing_in(grid, row, read_cols):
            continue  # the template's prepared rows: only helper formulas past the table, nothing to read
        get = {key: read_cell(grid, row, cols.get(key))
               for key in _INDICATOR_KEYS}
        get["operator"] = read_cell(grid, row, operator_col)
        get["nature"] = read_cell(grid, row, nature_col)
        if operator_col is None and not get["nature"].blank and normalize_label(get["nature"].text) not in L.NATURES \
                and parse_operator_word(get["nature"].text):
            # 指标性质 holding 定性 on some rows and ≥ / ≤ / = on the others: the sign is this row's comparison.
            get["operator"], get["nature"] = get["nature"], Cell(grid.name, None)
        labels = _label_texts(grid, row, cols)
        if labels & _SKIP_INDICATOR_ROW:
            continue  # a 合计 / 总分 row (in any label column, 序号 included) or a 栏次 row
        if all(get[k].blank for k in ("target", "actual", "weight")) and any(_NOTE.match(t) for t in labels):
            continue  # a note or signature line under the table
        level1_carried = get["level1"].blank
        for key in ("area", "level1"):
            if get[key].blank and key in carried:
                get[key] = carried[key]
        if get["level2"].blank and "level2" in carried and cols.get("level2") and (
                level1_carried or grid.merged_origin(row, cols["level2"]) is not None):
            get["level2"] = carried["level2"]
        for key in ("area", "level1", "level2"):
            if not get[key].blank:
                carried[key] = get[key]
        if not level1_carried and get["level2"].blank:
            carried.pop("level2", None)
        is_indicator = any(not get[k].blank for k in ("name", "target", "actual", "weight"))
        if not is_indicator:
            continue
        indicators.append(Indicator(
            row=row, area=get["area"].text, level1=get["level1"], level2=get["level2"], name=get["name"],
            nature=get["nature"], operator=get["operator"], target=get["target"], unit=get["unit"],
            actual=get["actual"], weight=get["weight"], self_score=get["self_score"], reason=get["reason"],
        ))
    return indicators
