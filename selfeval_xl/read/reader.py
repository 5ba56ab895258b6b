"""Workbook file → Reading (docs/workbook.md §2–§5): open, find the tables, choose the form and
the profile, and gather the scoring input."""
from __future__ import annotations

import contextlib
import gc
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, cast

from selfeval_xl import layout as L
from selfeval_xl.cellref import column_index, column_letter, split_coord
from selfeval_xl.errors import NotAForm, SelfevalError
from selfeval_xl.model import BudgetRow, Cell, EvaluationInput, SkippedRow
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.cells import Grid
from selfeval_xl.read.headers import ColumnReport, Table, best_partial, find_table, report_columns
from selfeval_xl.read.indicators import operator_in_nature_column, read_indicators
from selfeval_xl.read.oneform import OneSheetForm, read_one_sheet_form, typed_total
from selfeval_xl.read.profiles import builtin_for_levels, builtin_profile, load_profile, parse_profile
from selfeval_xl.read.shared_results import hold_shared_results
from selfeval_xl.read.sniff import open_any, open_bytes
from selfeval_xl.read.tables import (
    budget_columns,
    read_budget,
    read_cell,
    read_info,
    read_renamed_info,
    sheet_money_unit,
)
from selfeval_xl.rules.profiles import BUILTIN_NAMES, DEFAULT_PROFILE, Profile
from selfeval_xl.rules.weights import with_form_weights
from selfeval_xl.vocabulary import fold, is_empty_reason, normalize_label

_YEAR = re.compile(r"(20\d\d|19\d\d)")


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Reading a workbook allocates tens of thousands of small objects and no cycles; the cyclic
    collector would walk them all again and again: scoring the 3,000-indicator form took 925 ms with it
    running and 796 ms paused (median of five). The switch is process-wide, so it is used only where
    one thread reads: the command line, and the worker processes of the rollup and of the page (whose
    server threads never read a workbook themselves)."""
    enabled = gc.isenabled()
    gc.disable()
    gc.unfreeze()  # what an earlier reading left frozen is the collector's again (a cycle in it is freed)
    try:
        yield
    finally:
        if enabled:
            # what was read is kept or freed by reference counting; frozen, it is not walked again by
            # the first collection after the pause (598 → 570 ms on the large form), and the next
            # pause hands it back to the collector, so a worker reading file after file keeps its
            # memory flat (83 → 84 MB over a hundred files)
            gc.freeze()
            gc.enable()


@dataclass(frozen=True)
class Consulted:
    """The (sheet, cell)s whose stored values the reading may have looked at: every cell it read; on a
    sheet it opened, any cell of a table's columns or of the rows down to its header, and any cell of
    a sheet without a table (labels are searched for everywhere there). A stored formula result here
    is what was scored, the same on every reading of the workbook and of its scored copy; a cell
    right of a table's last column, or on a sheet never opened, played no part in the score."""

    read_cells: frozenset[tuple[str, str]]
    opened: frozenset[str]
    last_column: dict[str, int]
    header_row: dict[str, int]

    def __contains__(self, where: object) -> bool:
        if where in self.read_cells:
            return True
        sheet, ref = cast(tuple[str, str], where)
        if sheet not in self.opened:
            return False
        if sheet not in self.last_column:
            return True
        row, col = split_coord(ref)
        return col <= self.last_column[sheet] or row <= self.header_row.get(sheet, 0)


@dataclass(frozen=True)
class Reading:
    """What the reader found: the scoring input, the profile it chose and where the tables are."""

    input: EvaluationInput
    profile: Profile
    workbook: Workbook
    input_cells: tuple[Cell, ...]
    columns: tuple[ColumnReport, ...] = ()  # which label named which column, and why (check --explain)
    # the sheets the reading opened, as it finished: what is opened later (verify looks further) was
    # not read for the score
    opened: frozenset[str] = frozenset()

    def _table_extents(self) -> tuple[dict[str, int], dict[str, int]]:
        """Per sheet with a table: its last column read, and its last header row."""
        last_column: dict[str, int] = {}
        header_row: dict[str, int] = {}
        for report in self.columns:
            last_column[report.sheet] = max(column_index(report.column), last_column.get(report.sheet, 0))
            if report.header:
                header_row[report.sheet] = max(split_coord(report.header)[0], header_row.get(report.sheet, 0))
        return last_column, header_row

    def consulted(self) -> Consulted:
        return Consulted(self.input.read_cells(), self.opened, *self._table_extents())

    def live_score(self) -> Callable[[str, str], bool]:
        """Whether a (sheet, cell) belongs to the live provisional score of the tool's own template: the
        评分 sheet, and the score and helper columns right of the indicator table below its header. The
        scored copy's 评分汇总 replaces it; nothing there is read for scoring."""
        if L.SHEET_META not in self.workbook.sheet_names:
            return lambda sheet, ref: False
        last_columns, header_rows = self._table_extents()
        last_column = last_columns.get(L.SHEET_INDICATORS, 0)
        header_row = header_rows.get(L.SHEET_INDICATORS, 0)

        def provisional(sheet: str, ref: str) -> bool:
            if sheet == L.SHEET_SCORE:
                return True
            if sheet != L.SHEET_INDICATORS or not last_column:
                return False
            row, col = split_coord(ref)
            return col > last_column and row > header_row

        return provisional


def open_workbook(path: Path) -> Workbook:
    return open_any(path)


def _read_meta(book: Workbook) -> dict[str, str]:
    if L.SHEET_META not in book.sheet_names:
        return {}
    grid = book.grid(L.SHEET_META)
    meta: dict[str, str] = {}
    for row in grid.rows(1):
        key, value = grid.value(row, 1), grid.value(row, 2)
        if isinstance(key, str) and value is not None:
            meta[key] = meta.get(key, "") + str(value) if key == "profile_toml" else str(value)
    return meta


# --- form and profile -------------------------------------------------------------------------------

_CHINESE_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
# The unit a title names before the year: 南障城镇2025年度部门整体支出绩效自评表 → 南障城镇 (docs/rules.md §13.6).
_TITLE_UNIT = re.compile(r"(?:^|\s)(?P<unit>[^\s\d()（）:：]{2,40}?)[(（]?(?:19|20)\d\d年")
_NOT_A_UNIT = ("绩效", "自评", "表", "项目支出", "部门整体", "评价")


def _year(info: dict[str, Cell], book: Workbook) -> int | None:
    cell = info.get("评价年度")
    if cell is not None and not cell.blank:
        # 二〇二五年 and ２０２５ are the year a careful reader sees, as 2025 is
        m = _YEAR.search(fold(cell.text).translate(_CHINESE_DIGITS))
        if m:
            return int(m.group(1))
    return None


def _lines_above(book: Workbook, tables: tuple[Table | None, ...]) -> dict[str, Cell]:
    """填报单位：某某局, 单位（盖章）：…, 评价年度：2025 printed above a table's header on a form with no
    基本信息 sheet: read only above the header, where a column named 单位 cannot be taken for one."""
    found: dict[str, Cell] = {}
    for table in tables:
        if table is not None and table.header_row > 1:
            read_info(book.grid(table.sheet), found, last_row=table.header_row - 1)
    return found


def _title_year(titles: str) -> int | None:
    m = re.search(r"(20\d\d|19\d\d)\s*年", titles)
    return int(m.group(1)) if m else None


def _unit_name(info: dict[str, Cell], above: dict[str, Cell]) -> str:
    """单位名称 (or 填报单位, 单位（盖章） … read into it), else 实施单位, else a 填报单位 line above a table
    (else _title_unit); a dash or 无 names no one."""
    for cell in (info.get("单位名称"), info.get("实施单位"), above.get("单位名称")):
        if cell is not None and not is_empty_reason(cell.text):
            return cell.text.strip()
    return ""


def _title_unit(titles: str) -> str:
    """The unit a title names before its year."""
    for m in _TITLE_UNIT.finditer(titles):
        unit = m.group("unit")
        if not any(word in unit for word in _NOT_A_UNIT):
            return unit
    return ""


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
                                f"请填写 {'、'.join(BUILTIN_NAMES)} 之一，或用 --profile 指定口径文件。",
                                code="PROFILE_UNKNOWN")
    if meta.get("profile_toml"):
        return parse_profile(meta["profile_toml"], origin=f"{origin} 内嵌的规则口径")
    if meta.get("profile"):
        if meta["profile"] not in BUILTIN_NAMES:  # never a path: nothing in a workbook picks a file here
            raise SelfevalError(f"文件 {origin} 的元数据中的评价口径“{meta['profile'][:40]}”不是内置口径："
                                "请用 --profile 指定口径。", code="PROFILE_UNKNOWN")
        return builtin_profile(meta["profile"])
    return None


def _titles(book: Workbook) -> str:
    """The title cells of the first sheets (text naming a 绩效/自评 表), read only when nothing else
    tells the form."""
    texts = (book.grid(n).value(r, c) for n in book.sheet_names[:3] if n != L.SHEET_META
             for r in range(1, 3) for c in range(1, 4))
    return " ".join(t for t in texts if isinstance(t, str) and "表" in t and ("绩效" in t or "自评" in t))


def _infer_form(info: dict[str, Cell], titles: str, project_block: bool) -> str:
    """docs/workbook.md §3, §6: a 部门整体 title, then the project signals, then the default."""
    if "部门整体" in titles:
        return "department"
    project_name = info.get("项目名称")
    if (project_name is not None and not project_name.blank) or "项目" in titles or project_block:
        return "project"
    return "department"


def _stated_form(meta: dict[str, str], info: dict[str, Cell]) -> str | None:
    """The form the metadata or the 评价类型 cell states, if any."""
    if meta.get("form") in ("department", "project"):
        return meta["form"]
    kind = info.get("评价类型")
    if kind is not None and not kind.blank:
        text = normalize_label(kind.text)
        if "部门" in text or "整体" in text:
            return "department"
        if "项目" in text:
            return "project"
    return None


def _profile_by_levels(first_levels: tuple[str, ...], stated: str | None) -> Profile | None:
    """The built-in profile the first levels call for (决策, 过程 → mof-4level, docs/rules.md §12.4); an inference, so
    never against a form the workbook states."""
    name = builtin_for_levels(first_levels)
    profile = builtin_profile(name) if name else None
    return profile if profile is not None and stated in (None, profile.form) else None


# --- tables -----------------------------------------------------------------------------------------

_INDICATOR_SHEETS = (L.SHEET_INDICATORS, "绩效指标表", "绩效指标完成情况")
_BUDGET_SHEETS = (L.SHEET_BUDGET, "预算执行情况", "预算执行表")
_BUDGET_REQUIRED = ({"name", "budget", "executed"}, {"name", "executed"}, {"name", "budget"}, {"name", "initial"})
TABLE_INDICATORS = "绩效指标表"
TABLE_BUDGET = "预算执行表"
_BASIS_NOTE: dict[str, tuple[str | None, str]] = {"initial": (None, "没有全年预算数列，执行率按年初预算数计算")}


def _labels(keys: list[str]) -> str:
    names = {c.key: c.label for c in L.INDICATOR_COLUMNS}
    return "、".join(names[k] for k in keys)


def _indicator_table(book: Workbook, origin: str) -> Table:
    """The indicator table, or exit 2 naming what the nearest candidate found and missed."""
    required = set(L.INDICATOR_REQUIRED)
    table = find_table(book, _INDICATOR_SHEETS, L.INDICATOR_COLUMNS, required, L.INDICATOR_EXTRA)
    if table is not None:
        return table
    best = best_partial(book, _INDICATOR_SHEETS, L.INDICATOR_COLUMNS, required, L.INDICATOR_EXTRA)
    found = [k for k in L.INDICATOR_REQUIRED if best is not None and k in best.columns]
    missing = [k for k in L.INDICATOR_REQUIRED if k not in found]
    where = (f"工作表“{best.sheet}”第 {best.header_row} 行找到 {_labels(found)}，缺少 {_labels(missing)} 列"
             if best is not None and found else "")
    if best is not None and missing == ["weight"]:
        raise NotAForm(f"文件 {origin} 的绩效指标表没有分值列，无法评分：{where}。"
                       "每个三级指标都要有自己的分值（只在一级指标上写分值的表不能逐项评分）：请加一列“分值”。",
                       code="WEIGHT_COLUMN_MISSING")
    raise NotAForm(
        f"文件 {origin} 不是绩效自评表：没有找到绩效指标表"
        f"（在工作表 {('、'.join(book.sheet_names)) or '（无）'} 中查找含"
        f"“{_labels(list(L.INDICATOR_REQUIRED))}”表头的表格{'；' + where if where else ''}）。"
        f"请使用 selfeval-xl template 生成的模板，或保留“{L.SHEET_BUDGET}”“{L.SHEET_INDICATORS}”两张表的表头。")


def _budget_table(book: Workbook, indicator_sheet: str) -> Table | None:
    for required in _BUDGET_REQUIRED:
        table = find_table(book, _BUDGET_SHEETS, L.BUDGET_COLUMNS, required, exclude=(indicator_sheet,))
        if table is not None:
            return table
    return None


@dataclass(frozen=True)
class _Budget:
    rows: list[BudgetRow]
    skipped: list[SkippedRow]
    sheet: str
    anchor: Cell | None
    money_unit: str
    basis: Cell | None
    missing: str | None
    columns: list[ColumnReport]


def _separate_budget(book: Workbook, table: Table | None, form: str) -> _Budget:
    if table is None:
        return _Budget([], [], L.SHEET_BUDGET, None, "元", None, None, [])
    grid = book.grid(table.sheet)
    chosen = budget_columns(grid, table)
    read = read_budget(grid, table, form, columns=chosen.columns)
    anchor_col = chosen.columns.get("budget") or chosen.columns.get("executed") or chosen.columns["name"]
    notes = _BASIS_NOTE if chosen.basis is not None else None
    return _Budget(read.rows, read.skipped, table.sheet, read_cell(grid, table.last_header_row + 1, anchor_col),
                   sheet_money_unit(grid, table), chosen.basis, chosen.missing,
                   report_columns(TABLE_BUDGET, table, L.BUDGET_COLUMNS, notes))


def _one_sheet_budget(one: OneSheetForm) -> _Budget:
    columns = []
    if one.budget_table is not None:
        notes = _BASIS_NOTE if one.budget_basis is not None else None
        columns = report_columns(TABLE_BUDGET, one.budget_table, (*L.BUDGET_COLUMNS, L.BUDGET_WEIGHT_COLUMN), notes)
        name = one.name_cell
        if name is not None and name.coord and "name" not in one.budget_table.columns:
            _row, col = split_coord(name.coord)
            columns.append(ColumnReport(TABLE_BUDGET, one.sheet, column_letter(col), name.coord, name.text, "名称",
                                        "资金块的行名（年度资金总额、其中：…）所在的列"))
            columns.sort(key=lambda c: column_index(c.column))
    return _Budget(one.budget_rows, one.budget_skipped, one.sheet, one.budget_anchor, one.money_unit, one.budget_basis,
                   one.budget_missing, columns)


def _indicator_columns(grid: Grid, table: Table) -> list[ColumnReport]:
    notes: dict[str, tuple[str | None, str]] = {}
    if operator_in_nature_column(grid, table):
        notes["nature"] = ("比较方式", "该列填的是比较符号（≥、≤、=），按比较方式读")
    if "target_adjusted" in table.columns:
        notes["target_adjusted"] = (None, "填写了调整指标值的行，以调整值为年度指标值")
    return report_columns(TABLE_INDICATORS, table, (*L.INDICATOR_COLUMNS, *L.INDICATOR_EXTRA), notes)


# --- entry point ------------------------------------------------------------------------------------------

def read(path: Path, requested_profile: Profile | str | None = None) -> Reading:
    return read_book(open_workbook(path), requested_profile)


def read_bytes(path: Path, data: bytes, requested_profile: Profile | str | None = None) -> Reading:
    return read_book(open_bytes(path, "xlsx", data), requested_profile)


def read_book(book: Workbook, requested_profile: Profile | str | None = None, *,
              form_weights: bool = False) -> Reading:
    """The workbook read for scoring. With no profile named (by the caller or the workbook) the form's
    own weights rule (docs/rules.md §14); `form_weights` asks for that even with `requested_profile`
    (verify rescoring a copy that was scored so)."""
    path = book.path
    origin = path.name
    indicator_table = _indicator_table(book, origin)
    indicator_grid = book.grid(indicator_table.sheet)
    one = read_one_sheet_form(book, indicator_table)
    separate = None if one.money_block else _budget_table(book, indicator_table.sheet)
    one_sheet = separate is None
    total_typed, indicator_end = typed_total(indicator_grid, indicator_table) if one_sheet else (None, None)
    read = read_indicators(indicator_grid, indicator_table, stop=indicator_end)
    meta = _read_meta(book)
    info: dict[str, Cell] = {}
    if one_sheet:
        info.update(one.info)
    if L.SHEET_INFO in book.sheet_names:
        read_info(book.grid(L.SHEET_INFO), info)
    elif not one_sheet:
        read_renamed_info(book, info, indicator_table.sheet)
        for key, cell in one.info.items():
            info.setdefault(key, cell)
    first_levels = tuple(dict.fromkeys(i.level1.text for i in read.indicators if not i.level1.blank))
    stated = _stated_form(meta, info)
    named = _choose_profile(requested_profile, info, meta, origin)
    profile = named or _profile_by_levels(first_levels, stated)
    form = stated or (profile.form if profile is not None else
                      _infer_form(info, f"{one.title} {_titles(book)}", one.project_block))
    if profile is None:
        profile = load_profile(DEFAULT_PROFILE[form])
    if profile.form != form:
        raise SelfevalError(
            f"文件 {origin} 是{L.FORM_TYPE_LABELS[form]}绩效自评表，"
            f"但评价口径 {profile.name} 适用于{L.FORM_TYPE_LABELS[profile.form]}："
            f"请换用适用于{L.FORM_TYPE_LABELS[form]}的口径。", code="PROFILE_FORM_MISMATCH")

    budget = _one_sheet_budget(one) if one_sheet else _separate_budget(book, separate, form)
    levels_absent = "level1" not in indicator_table.columns
    name_match = indicator_table.match("name")
    name_header = read_cell(indicator_grid, name_match.row, name_match.col) if name_match else None
    above = {} if one_sheet or L.SHEET_INFO in book.sheet_names else _lines_above(book, (separate, indicator_table))
    year, unit_name = _year(info, book) or one.year or _year(above, book), _unit_name(info, above)
    if not year or not unit_name:  # the titles of the first sheets, read only when the fields leave a gap
        titles = f"{one.title} {_titles(book)}"
        year, unit_name = year or _title_year(titles), unit_name or _title_unit(titles)
    inp = EvaluationInput(
        file=origin, form=form, year=year, unit_name=unit_name, money_unit=budget.money_unit, info=info,
        budget_sheet=budget.sheet, budget_rows=tuple(budget.rows), indicator_sheet=indicator_table.sheet,
        indicators=tuple(read.indicators), budget_anchor=budget.anchor,
        indicator_anchor=read_cell(indicator_grid, indicator_table.last_header_row + 1,
                                   indicator_table.columns["name"]),
        typed_total=total_typed,
        skipped=tuple(budget.skipped + read.skipped), levels_absent=levels_absent,
        name_header=name_header if levels_absent else None, budget_basis=budget.basis,
        budget_missing=budget.missing,
    )
    inp = hold_shared_results(book, inp)
    if named is None or form_weights:
        profile = with_form_weights(inp, profile)
    columns = tuple(budget.columns + _indicator_columns(indicator_grid, indicator_table))
    return Reading(inp, profile, book, tuple(_input_cells(inp)), columns, book.opened)


def _input_cells(inp: EvaluationInput) -> list[Cell]:
    """Every cell scoring depended on, for the fingerprint and for `verify`, in reading order. A cell read
    twice (a level carried down, a reason merged over rows) is listed each time: the record keeps its first
    reading (write/record.recorded_inputs)."""
    cells: list[Cell] = []
    for row in inp.budget_rows:
        own = [row.initial, row.budget, row.executed, row.rate, row.reason]
        # The template's own formulas (rates, subtotals) are derived, not inputs; a file saved by a
        # program that drops cached values must still verify as untouched.
        cells += [c for c in own if not (c.is_formula and (c is row.rate or row.kind != "line"))]
    for ind in inp.indicators:
        cells += ind[2:]  # every cell of the row, level1 to reason: after row and area, which are no cells
    cells += inp.info.values()
    if inp.typed_total is not None:
        cells.append(inp.typed_total)
    return cells
