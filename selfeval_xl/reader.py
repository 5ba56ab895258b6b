"""Workbook file → EvaluationInput (workbook-contract.md §2). Owns the reading libraries.

Sheets are found by name, else by their header labels; headers by label and synonym; rows by
content, so reordered columns, inserted rows, merged group cells and renamed sheets all read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

from . import layout as L
from .errors import NotAForm, SelfevalError
from .formula import UNKNOWN
from .formula import evaluate as evaluate_formula
from .model import BudgetRow, Cell, EvaluationInput, Indicator
from .numbers import fold, normalize_label, parse_operator_word
from .ooxml import Grid, Package, coord
from .profile import BUILTIN_NAMES, DEFAULT_PROFILE, Profile, builtin_profile, load_profile, parse_profile

HEADER_SCAN_ROWS = 40
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|\([一二三四五六七八九十\d]+\)|其中[:：]?)+")
_YEAR = re.compile(r"(20\d\d|19\d\d)")


@dataclass
class Workbook:
    """The sheets of a workbook as grids, read lazily, whatever the file format."""

    path: Path
    sheet_names: list[str]
    hidden: set[str]
    loader: object  # callable(name) -> Grid
    _grids: dict[str, Grid] = field(default_factory=dict)
    package: Package | None = None

    def grid(self, name: str) -> Grid:
        if name not in self._grids:
            self._grids[name] = self.loader(name)  # type: ignore[operator]
        return self._grids[name]


@dataclass(frozen=True)
class Reading:
    """What the reader found: the scoring input, the profile it chose and where the tables are."""

    input: EvaluationInput
    profile: Profile
    workbook: Workbook
    input_cells: tuple[Cell, ...]


def open_workbook(path: Path) -> Workbook:
    from .sources import open_any
    return open_any(path)


# --- header detection ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    sheet: str
    header_row: int
    columns: dict[str, int]  # column key → column index
    last_header_row: int


# A unit written after a header label: 全年预算数（万元）, 执行率(%), 分值（分）.
_HEADER_UNIT = re.compile(r"\((?:万?元|%|分)\)$")


def _header_label(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return _HEADER_UNIT.sub("", normalize_label(value))


def _label_rank(column: L.Column, label: str) -> int:
    """0 for the column's own label, 1 for any synonym: the own label beats a synonym met earlier."""
    return 0 if label == normalize_label(column.label) else 1


def _match_header_row(grid: Grid, row: int, columns: tuple[L.Column, ...], required: set[str],
                      extra: tuple[L.Column, ...] = ()) -> Table | None:
    """The table whose header starts on `row` (labels may continue on the next row), or None."""
    found: dict[str, tuple[int, int]] = {}  # key → (column, rank of the label that matched)
    # A two-row header: labels missing on this row may sit on the next one.
    for header_row in (row, row + 1):
        taken = {c for c, _ in found.values()}
        for col in range(1, grid.max_col + 1):
            value = _header_label(grid.value(header_row, col))
            if not value or col in taken:
                continue
            column = next((c for c in (*columns, *extra) if c.matches(value)), None)
            if column is None:
                continue
            rank = _label_rank(column, value)
            if header_row > row and column.key in found:
                continue
            # The column's own label beats a synonym met earlier (名称 over an extra 项目 or 资金来源 column).
            if column.key not in found or rank < found[column.key][1]:
                found[column.key] = (col, rank)
    if not required <= found.keys():
        return None
    cols = {key: col for key, (col, _) in found.items()}
    second_row_used = any(isinstance(grid.value(row + 1, c), str) and grid.value(row, c) in (None, "")
                          for c in cols.values())
    return Table(grid.name, row, cols, row + 1 if second_row_used else row)


def _match_header(grid: Grid, columns: tuple[L.Column, ...], required: set[str],
                  extra: tuple[L.Column, ...] = ()) -> Table | None:
    best: Table | None = None
    for row in range(1, min(grid.max_row, HEADER_SCAN_ROWS) + 1):
        table = _match_header_row(grid, row, columns, required, extra)
        if table is not None and (best is None or len(table.columns) > len(best.columns)):
            best = table
    return best


def _find_table(book: Workbook, preferred: tuple[str, ...], columns: tuple[L.Column, ...], required: set[str],
                extra: tuple[L.Column, ...] = ()) -> Table | None:
    names = [n for n in preferred if n in book.sheet_names]
    names += [n for n in book.sheet_names if n not in names
              and n not in (L.SHEET_SUMMARY, L.SHEET_META, L.SHEET_LISTS, L.SHEET_SCORE, L.SHEET_GUIDE)]
    for name in names:
        table = _match_header(book.grid(name), columns, required, extra)
        if table is not None:
            return table
    return None


# --- cells -----------------------------------------------------------------------------------------

def _cell(grid: Grid, row: int, col: int | None) -> Cell:
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
    return Cell(grid.name, coord(row, col), value, raw.kind == "percent", raw.is_formula, uncached)


def _evaluate_uncached(grid: Grid, row: int, col: int, depth: int) -> object:
    """An input formula no application computed: evaluated where formula.py can (same-sheet arithmetic).

    Decimal, None for a blank or non-numeric cell, or UNKNOWN."""
    raw = grid.get(row, col)
    if raw is None:
        return None
    if not raw.uncached:
        return raw.value if isinstance(raw.value, Decimal) else None
    if not raw.formula:
        return UNKNOWN
    value = evaluate_formula(raw.formula, lambda r, c, d: _evaluate_uncached(grid, r, c, d), depth)
    return UNKNOWN if value is None else value


def _key(text: str) -> str:
    return _NUMBERING.sub("", normalize_label(fold(text)))


# --- 基本信息 -----------------------------------------------------------------------------------

_INFO_KEYS = {normalize_label(f): f for f in (*L.INFO_FIELDS_COMMON, *L.INFO_FIELDS_PROJECT)}
for _field, _syns in L.INFO_SYNONYMS.items():
    for _syn in _syns:
        _INFO_KEYS.setdefault(normalize_label(_syn), _field)


def _read_info(grid: Grid, fields: dict[str, Cell], last_row: int | None = None) -> None:
    for (row, col), raw in sorted(grid.cells.items()):
        if not isinstance(raw.value, str) or (last_row is not None and row > last_row):
            continue
        label = normalize_label(raw.value).rstrip(":：")
        field_name = _INFO_KEYS.get(label)
        if field_name is None or field_name in fields:
            continue
        for c in range(col + 1, min(col + 8, grid.max_col + 1) + 1):
            cell = _cell(grid, row, c)
            if not cell.blank:
                fields[field_name] = cell
                break
        else:
            fields[field_name] = _cell(grid, row, col + 1)


def _read_renamed_info(book: Workbook, info: dict[str, Cell], indicator_sheet: str) -> None:
    """基本信息 renamed: the first other sheet holding at least two of its labels."""
    skip = {indicator_sheet, L.SHEET_META, L.SHEET_LISTS, L.SHEET_SUMMARY, L.SHEET_SCORE, L.SHEET_GUIDE}
    for name in book.sheet_names:
        if name in skip:
            continue
        found: dict[str, Cell] = {}
        _read_info(book.grid(name), found, last_row=HEADER_SCAN_ROWS)
        if len(found) >= 2 and ("单位名称" in found or "评价年度" in found):
            for key, cell in found.items():
                info.setdefault(key, cell)
            return


def _read_meta(book: Workbook) -> dict[str, str]:
    if L.SHEET_META not in book.sheet_names:
        return {}
    grid = book.grid(L.SHEET_META)
    meta: dict[str, str] = {}
    for row in range(1, grid.max_row + 1):
        key, value = grid.value(row, 1), grid.value(row, 2)
        if isinstance(key, str) and value is not None:
            meta[key] = meta.get(key, "") + str(value) if key == "profile_toml" else str(value)
    return meta


# --- form and profile -------------------------------------------------------------------------------

def _year(info: dict[str, Cell], book: Workbook) -> int | None:
    cell = info.get("评价年度")
    if cell is not None and not cell.blank:
        m = _YEAR.search(cell.text)
        if m:
            return int(m.group(1))
    return None


def _choose_profile(requested: Profile | str | None, info: dict[str, Cell], meta: dict[str, str],
                    origin: str) -> Profile | None:
    if isinstance(requested, Profile):
        return requested
    if requested:
        return load_profile(requested)
    named = info.get("评价口径")
    if named is not None and not named.blank:
        name = named.text
        if meta.get("profile") == name and meta.get("profile_toml"):
            return parse_profile(meta["profile_toml"], origin=f"{origin} 内嵌的规则口径")
        # A workbook names only built-in profiles (or the one it embeds): a name in a cell must never
        # make the tool read a file from the scorer's disk.
        if name in BUILTIN_NAMES:
            return builtin_profile(name)
        else:
            raise SelfevalError(f"文件 {origin} 工作表“{named.sheet}”单元格 {named.coord} 的评价口径“{name}”未知："
                                f"请填写 hebei-dept、mof-project 或 sichuan-project，或用 --profile 指定口径文件。",
                                code="PROFILE_UNKNOWN")
    if meta.get("profile_toml"):
        return parse_profile(meta["profile_toml"], origin=f"{origin} 内嵌的规则口径")
    if meta.get("profile"):
        return load_profile(meta["profile"])
    return None


def _titles(book: Workbook) -> str:
    """The title cells of the first sheets, read only when nothing else tells the form."""
    return " ".join(str(book.grid(n).value(r, c) or "") for n in book.sheet_names[:3] if n != L.SHEET_META
                    for r in range(1, 3) for c in range(1, 4))


def _choose_form(meta: dict[str, str], info: dict[str, Cell], profile: Profile | None,
                 titles: Callable[[], str]) -> str:
    if meta.get("form") in ("department", "project"):
        return meta["form"]
    kind = info.get("评价类型")
    if kind is not None and not kind.blank:
        text = normalize_label(kind.text)
        if "部门" in text or "整体" in text:
            return "department"
        if "项目" in text:
            return "project"
    if profile is not None:
        return profile.form
    project_name = info.get("项目名称")
    if (project_name is not None and not project_name.blank) or "项目支出绩效自评表" in titles():
        return "project"
    return "department"


# --- tables -----------------------------------------------------------------------------------------

def _money_unit(grid: Grid, table: Table | None) -> str:
    rows = range(1, (table.last_header_row if table else min(grid.max_row, 10)) + 1)
    for row in rows:
        for col in range(1, grid.max_col + 1):
            value = grid.value(row, col)
            if isinstance(value, str) and "万元" in value and ("单位" in value or "金额" in value or "资金" in value
                                                             or "（万元）" in value or "(万元)" in value):
                return "万元"
    return "元"


def _read_budget(grid: Grid, table: Table, form: str, *, stop_row: int | None = None,
                 skip_empty_lines: bool = False) -> list[BudgetRow]:
    """Budget rows under the header; `skip_empty_lines` for printed forms whose unused lines stay blank."""
    cols = table.columns
    groups = {normalize_label(g) for g in L.BUDGET_GROUPS["department"]} if form == "department" else set()
    total_keys = {normalize_label(t) for t in L.TOTAL_NAMES}
    rows: list[BudgetRow] = []
    current_group: str | None = None
    seen_line = False
    closed = False
    for row in range(table.last_header_row + 1, (stop_row or grid.max_row + 1)):
        cells = {key: _cell(grid, row, cols.get(key))
                 for key in ("category", "name", "initial", "budget", "executed", "rate", "reason")}
        printed_weight = _cell(grid, row, cols["weight"]) if "weight" in cols else None
        name_key = _key(cells["name"].text)
        category_key = _key(cells["category"].text)
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


def _read_indicators(grid: Grid, table: Table) -> list[Indicator]:
    cols = table.columns
    operator_col, nature_col = _operator_column(grid, table)
    indicators: list[Indicator] = []
    carried: dict[str, Cell] = {}
    for row in range(table.last_header_row + 1, grid.max_row + 1):
        get = {key: _cell(grid, row, cols.get(key)) for key in ("area", "level1", "level2", "name", "target", "unit",
                                                                    "actual", "weight", "self_score", "reason")}
        get["operator"] = _cell(grid, row, operator_col)
        get["nature"] = _cell(grid, row, nature_col)
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


# --- entry point ------------------------------------------------------------------------------------------

def read(path: Path, requested_profile: Profile | str | None = None) -> Reading:
    return read_book(open_workbook(path), requested_profile)


def read_bytes(path: Path, data: bytes, requested_profile: Profile | str | None = None) -> Reading:
    from .sources import open_bytes
    return read_book(open_bytes(path, "xlsx", data), requested_profile)


def read_book(book: Workbook, requested_profile: Profile | str | None = None) -> Reading:
    path = book.path
    origin = path.name
    from .oneform import read_one_sheet_form
    indicator_table = _find_table(book, (L.SHEET_INDICATORS, "绩效指标表", "绩效指标完成情况"), L.INDICATOR_COLUMNS,
                                  {"level1", "name", "target", "actual", "weight"}, (L.DIRECTION_COLUMN,))
    if indicator_table is None:
        raise NotAForm(
            f"文件 {origin} 不是绩效自评表：没有找到绩效指标表"
            f"（在工作表 {('、'.join(book.sheet_names)) or '（无）'} 中查找含"
            f"“一级指标、三级指标、年度指标值、实际完成值、分值”表头的表格）。请使用 selfeval-xl template 生成的模板，"
            f"或保留“{L.SHEET_BUDGET}”“{L.SHEET_INDICATORS}”两张表的表头。")
    one_sheet = read_one_sheet_form(book, indicator_table)
    meta = _read_meta(book)
    info: dict[str, Cell] = {}
    if one_sheet is not None:
        info.update(one_sheet.info)
    if L.SHEET_INFO in book.sheet_names:
        _read_info(book.grid(L.SHEET_INFO), info)
    elif one_sheet is None:
        _read_renamed_info(book, info, indicator_table.sheet)
    profile = _choose_profile(requested_profile, info, meta, origin)
    form = _choose_form(meta, info, profile, lambda: _titles(book) + (
        "项目支出绩效自评表" if one_sheet is not None and "部门整体" not in _titles(book) else ""))
    if profile is None:
        profile = load_profile(DEFAULT_PROFILE[form])
    if profile.form != form:
        raise SelfevalError(
            f"文件 {origin} 是{L.FORM_TYPE_LABELS[form]}绩效自评表，"
            f"但评价口径 {profile.name} 适用于{L.FORM_TYPE_LABELS[profile.form]}："
            f"请换用适用于{L.FORM_TYPE_LABELS[form]}的口径。", code="PROFILE_FORM_MISMATCH")

    indicator_grid = book.grid(indicator_table.sheet)
    indicators = _read_indicators(indicator_grid, indicator_table)
    if one_sheet is not None:
        budget_rows, budget_sheet, budget_anchor, money_unit = (one_sheet.budget_rows, one_sheet.sheet,
                                                                one_sheet.budget_anchor, one_sheet.money_unit)
        typed_total = one_sheet.typed_total
        indicators = [i for i in indicators if one_sheet.indicator_start < i.row < one_sheet.indicator_end]
    else:
        budget_table = _find_table(book, (L.SHEET_BUDGET, "预算执行情况", "预算执行表"), L.BUDGET_COLUMNS,
                                   {"name", "budget", "executed"})
        if budget_table is not None and budget_table.sheet != indicator_table.sheet:
            grid = book.grid(budget_table.sheet)
            budget_rows = _read_budget(grid, budget_table, form)
            budget_sheet = budget_table.sheet
            budget_anchor = _cell(grid, budget_table.last_header_row + 1, budget_table.columns["budget"])
            money_unit = _money_unit(grid, budget_table)
        else:
            budget_rows, budget_sheet, budget_anchor, money_unit = [], L.SHEET_BUDGET, None, "元"
        typed_total = None
    unit_cell = info.get("单位名称") or info.get("实施单位")
    inp = EvaluationInput(
        file=origin, form=form, year=_year(info, book) or (one_sheet.year if one_sheet else None),
        unit_name=unit_cell.text if unit_cell is not None else "", money_unit=money_unit, info=info,
        budget_sheet=budget_sheet, budget_rows=tuple(budget_rows), indicator_sheet=indicator_table.sheet,
        indicators=tuple(indicators), budget_anchor=budget_anchor,
        indicator_anchor=_cell(indicator_grid, indicator_table.last_header_row + 1, indicator_table.columns["name"]),
        typed_total=typed_total,
    )
    return Reading(inp, profile, book, tuple(_input_cells(inp)))


def _input_cells(inp: EvaluationInput) -> list[Cell]:
    """Every cell scoring depended on, for the fingerprint and for `verify`."""
    cells: list[Cell] = []
    for row in inp.budget_rows:
        own = [row.initial, row.budget, row.executed, row.rate, row.reason]
        # The template's own formulas (rates, subtotals) are derived, not inputs; a file saved by a
        # program that drops cached values must still verify as untouched.
        cells += [c for c in own if not (c.is_formula and (c is row.rate or row.kind != "line"))]
    for ind in inp.indicators:
        cells += [ind.level1, ind.level2, ind.name, ind.nature, ind.operator, ind.target, ind.unit, ind.actual,
                  ind.weight, ind.self_score, ind.reason]
    cells += list(inp.info.values())
    if inp.typed_total is not None:
        cells.append(inp.typed_total)
    seen = set()
    unique = []
    for cell in cells:
        if cell.coord is None or (cell.sheet, cell.coord) in seen:
            continue
        seen.add((cell.sheet, cell.coord))
        unique.append(cell)
    return unique
