"""Workbook file → Reading (docs/workbook.md §2–§5): open, find the tables, choose the form and
the profile, and gather the scoring input."""
from __future__ import annotations

import contextlib
import gc
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from selfeval_xl import layout as L
from selfeval_xl.errors import NotAForm, SelfevalError
from selfeval_xl.model import Cell, EvaluationInput
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.headers import find_table
from selfeval_xl.read.oneform import read_one_sheet_form
from selfeval_xl.read.sniff import open_any, open_bytes
from selfeval_xl.read.tables import (
    read_budget,
    read_cell,
    read_indicators,
    read_info,
    read_renamed_info,
    sheet_money_unit,
)
from selfeval_xl.rules.profiles import (
    BUILTIN_NAMES,
    DEFAULT_PROFILE,
    Profile,
    builtin_profile,
    load_profile,
    parse_profile,
)
from selfeval_xl.vocabulary import normalize_label

_YEAR = re.compile(r"(20\d\d|19\d\d)")


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Reading a workbook allocates tens of thousands of small objects and no cycles; the cyclic
    collector would walk them all again and again (a fifth of the time on a large form)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Reading:
    """What the reader found: the scoring input, the profile it chose and where the tables are."""

    input: EvaluationInput
    profile: Profile
    workbook: Workbook
    input_cells: tuple[Cell, ...]


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
        if meta["profile"] not in BUILTIN_NAMES:  # never a path: nothing in a workbook picks a file here
            raise SelfevalError(f"文件 {origin} 的元数据中的评价口径“{meta['profile'][:40]}”不是内置口径："
                                "请用 --profile 指定口径。", code="PROFILE_UNKNOWN")
        return builtin_profile(meta["profile"])
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

# --- entry point ------------------------------------------------------------------------------------------

def read(path: Path, requested_profile: Profile | str | None = None) -> Reading:
    return read_book(open_workbook(path), requested_profile)


def read_bytes(path: Path, data: bytes, requested_profile: Profile | str | None = None) -> Reading:
    return read_book(open_bytes(path, "xlsx", data), requested_profile)


def read_book(book: Workbook, requested_profile: Profile | str | None = None) -> Reading:
    path = book.path
    origin = path.name
    indicator_table = find_table(book, (L.SHEET_INDICATORS, "绩效指标表", "绩效指标完成情况"), L.INDICATOR_COLUMNS,
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
        read_info(book.grid(L.SHEET_INFO), info)
    elif one_sheet is None:
        read_renamed_info(book, info, indicator_table.sheet)
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
    indicators = read_indicators(indicator_grid, indicator_table)
    if one_sheet is not None:
        budget_rows, budget_sheet, budget_anchor, money_unit = (one_sheet.budget_rows, one_sheet.sheet,
                                                                one_sheet.budget_anchor, one_sheet.money_unit)
        typed_total = one_sheet.typed_total
        indicators = [i for i in indicators if one_sheet.indicator_start < i.row < one_sheet.indicator_end]
    else:
        budget_table = find_table(book, (L.SHEET_BUDGET, "预算执行情况", "预算执行表"), L.BUDGET_COLUMNS,
                                   {"name", "budget", "executed"})
        if budget_table is not None and budget_table.sheet != indicator_table.sheet:
            grid = book.grid(budget_table.sheet)
            budget_rows = read_budget(grid, budget_table, form)
            budget_sheet = budget_table.sheet
            budget_anchor = read_cell(grid, budget_table.last_header_row + 1, budget_table.columns["budget"])
            money_unit = sheet_money_unit(grid, budget_table)
        else:
            budget_rows, budget_sheet, budget_anchor, money_unit = [], L.SHEET_BUDGET, None, "元"
        typed_total = None
    unit_cell = info.get("单位名称") or info.get("实施单位")
    inp = EvaluationInput(
        file=origin, form=form, year=_year(info, book) or (one_sheet.year if one_sheet else None),
        unit_name=unit_cell.text if unit_cell is not None else "", money_unit=money_unit, info=info,
        budget_sheet=budget_sheet, budget_rows=tuple(budget_rows), indicator_sheet=indicator_table.sheet,
        indicators=tuple(indicators), budget_anchor=budget_anchor,
        indicator_anchor=read_cell(indicator_grid, indicator_table.last_header_row + 1,
                                   indicator_table.columns["name"]),
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
