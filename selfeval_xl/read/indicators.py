"""The indicator rows under a found header: levels carried down merged and blank cells, the form's
printed empty lines and not-applicable lines left out and listed, a reason merged over several rows
given to each (docs/workbook.md §5, §8)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from selfeval_xl import layout as L
from selfeval_xl.model import Cell, Indicator, SkippedRow
from selfeval_xl.read.cells import Grid
from selfeval_xl.read.headers import Table
from selfeval_xl.read.tables import NOTE, blank_in, read_cell, read_cells
from selfeval_xl.vocabulary import is_instruction, label_key, normalize_label, parse_operator_word, text_cache

_SKIP_INDICATOR_ROW = {label_key(x) for x in ("合计", "总计", "小计", "栏次", *L.TOTAL_SCORE_NAMES)}
_SKIP_LONGEST = 16  # 自评得分合计（分）： with room: a longer label cell is an indicator's name
# 指标1 … 指标N (指标１ folds to it), or only dots, ellipses or dashes: the lines a published form
# prints for the filler (docs/workbook.md §8).
_PLACEHOLDER_NAME = re.compile(r"^(?:指标\d+[:：]?|[.。…·．、]+|[-—―－_]+)$")
NOT_APPLICABLE = frozenset({"/", "\\", "—", "——", "―", "-", "--", "－", "无", "不适用"})
_NO_WEIGHT = frozenset({"", "/", "-", "—", "0"})
_INDICATOR_KEYS = ("area", "level1", "level2", "name", "target", "target_adjusted", "unit", "actual", "weight",
                   "self_score", "reason")


@dataclass(frozen=True)
class IndicatorRows:
    indicators: list[Indicator]
    skipped: list[SkippedRow]


def _label_columns(cols: dict[str, int]) -> set[int]:
    """A row's label cells (序号, 工作分项, 一级, 二级, 三级, and column A when it is one)."""
    value_cols = {cols[k] for k in ("target", "actual", "weight", "self_score", "unit", "reason") if k in cols}
    places = {cols[k] for k in ("seq", "area", "level1", "level2", "name") if k in cols}
    if 1 not in value_cols:
        places.add(1)
    return places


_SKIP_ROW, _NOTE_LINE = 1, 2


@text_cache  # a form repeats its level names in every row: each distinct label read once
def _label_kind(text: str) -> int:
    """What a row's label cell tells: _SKIP_ROW for a 合计 / 总分 / 栏次 row, _NOTE_LINE for the start of a
    note or signature line (注：, 填表人：, read with its colons), else 0."""
    key = normalize_label(text)
    if not key:
        return 0
    if len(key) <= _SKIP_LONGEST and label_key(key) in _SKIP_INDICATOR_ROW:
        return _SKIP_ROW
    return _NOTE_LINE if NOTE.match(key) else 0


def _label_kinds(grid: Grid, row: int, places: list[int]) -> int:
    """The _label_kind flags of a row's label cells together. Only text can tell either (an error value's
    too: a file may write any text as one): a number, date or truth value as written (1, 2025-06-30,
    TRUE) is no 合计 and no 注：."""
    kinds = 0
    cells = grid.cells
    for col in places:
        raw = cells.get((row, col))
        if raw is not None and isinstance(raw.value, str):
            kinds |= _label_kind(raw.value)
    return kinds


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


def operator_in_nature_column(grid: Grid, table: Table) -> bool:
    return "nature" in table.columns and _operator_column(grid, table)[0] == table.columns["nature"]


def _merged_rows(grid: Grid, col: int | None) -> dict[int, tuple[int, int]]:
    """Row → the origin of the merge that covers this column on that row, built once per column (a
    per-cell search of the merges would be quadratic on a large form)."""
    covered: dict[int, tuple[int, int]] = {}
    if col is None:
        return covered
    for r1, c1, r2, c2 in grid.merges:
        if c1 <= col <= c2:
            for r in range(r1, min(r2, grid.max_row) + 1):
                covered[r] = (r1, c1)
    return covered


def _reason(grid: Grid, row: int, col: int | None, merged: dict[int, tuple[int, int]]) -> Cell:
    cell = read_cell(grid, row, col)
    origin = merged.get(row)
    if cell.blank and origin is not None and origin[0] != row:
        cell = read_cell(grid, *origin)  # a reason merged over several rows is each row's reason (docs/workbook.md §5)
    if not cell.blank and isinstance(cell.value, str) and is_instruction(cell.value):
        return Cell(cell.sheet, cell.coord)  # the form's own instruction, not the filler's reason
    return cell


def _no_weight(cell: Cell) -> bool:
    if isinstance(cell.value, Decimal):
        return cell.value == 0
    return normalize_label(cell.text) in _NO_WEIGHT


def _no_score(cell: Cell) -> bool:
    # a printed form's 得分 formula shows 0 on its empty lines: that is no score anybody typed
    return cell.blank or (isinstance(cell.value, Decimal) and cell.value == 0)


def _placeholder_name(name: str) -> bool:
    return not name or bool(_PLACEHOLDER_NAME.match(name)) or name in NOT_APPLICABLE


def _left_out(get: dict[str, Cell]) -> str | None:
    """Why this row is no indicator: a printed placeholder or a not-applicable line
    (docs/workbook.md §8), else None."""
    weight = get["weight"].value
    if isinstance(weight, Decimal) and weight != 0:
        return None  # a row with a weight is an indicator, whatever else it lacks: decided at once
    name = normalize_label(get["name"].text)
    if all(get[k].blank for k in ("name", "target", "actual", "weight")) and not get["self_score"].blank:
        return "只填了得分，没有三级指标、年度指标值、实际完成值和分值"
    empty = get["target"].blank and get["actual"].blank and _no_weight(get["weight"]) and _no_score(get["self_score"])
    if empty and not name:
        return "表样空行：三级指标为空，未填年度指标值、实际完成值、分值和得分"
    if empty and _placeholder_name(name):
        return f"表样空行：三级指标为“{get['name'].text}”，未填年度指标值、实际完成值、分值和得分"
    if empty:
        return None  # a named indicator with nothing filled in: VALUE_MISSING tells the filler
    target, actual = normalize_label(get["target"].text), normalize_label(get["actual"].text)
    # both marked not applicable, or one marked and the other left empty: nothing was set to be met
    marks = [v for v in (target, actual) if v]
    if marks and all(v in NOT_APPLICABLE for v in marks) and _no_weight(get["weight"]) \
            and _no_score(get["self_score"]):
        said = [f"{label}为“{get[k].text}”" if get[k].text else f"{label}未填"
                for k, label in (("target", "年度指标值"), ("actual", "实际完成值"))]
        return f"不适用：{'，'.join(said)}，未设分值"
    return None


def read_indicators(grid: Grid, table: Table, first: int | None = None, stop: int | None = None) -> IndicatorRows:
    cols = table.columns
    operator_col, nature_col = _operator_column(grid, table)
    indicators: list[Indicator] = []
    skipped: list[SkippedRow] = []
    carried: dict[str, Cell] = {}
    read_cols = [c for c in (*(cols.get(k) for k in _INDICATOR_KEYS), operator_col, nature_col) if c is not None]
    reason_merges = _merged_rows(grid, cols.get("reason"))
    level2_merges = _merged_rows(grid, cols.get("level2"))
    places = sorted(_label_columns(cols))
    row_keys = [*(key for key in _INDICATOR_KEYS if key != "reason"), "operator", "nature"]
    row_cols = [*(cols.get(key) for key in _INDICATOR_KEYS if key != "reason"), operator_col, nature_col]
    for row in grid.rows(first or table.last_header_row + 1, stop):
        if blank_in(grid, row, read_cols, textless_formulas=False):
            continue  # the template's prepared rows: only helper formulas past the table, nothing to read
        get = dict(zip(row_keys, read_cells(grid, row, row_cols), strict=True))
        get["reason"] = _reason(grid, row, cols.get("reason"), reason_merges)
        if not get["target_adjusted"].blank:
            # 调整指标值 where filled, else the 年初 value stands (docs/workbook.md §4)
            get["target"] = get["target_adjusted"]
        if operator_col is None and not get["nature"].blank and normalize_label(get["nature"].text) not in L.NATURES \
                and parse_operator_word(get["nature"].text):
            # 指标性质 holding 定性 on some rows and ≥ / ≤ / = on the others: the sign is this row's comparison.
            get["operator"], get["nature"] = get["nature"], Cell(grid.name, None)
        kinds = _label_kinds(grid, row, places)
        if kinds & _SKIP_ROW:
            continue  # a 合计 / 总分 row (in any label column, 序号 included) or a 栏次 row
        if kinds & _NOTE_LINE and get["target"].blank and get["actual"].blank and get["weight"].blank:
            continue  # a note or signature line under the table
        level1_carried = get["level1"].blank
        for key in ("area", "level1"):
            if get[key].blank and key in carried:
                get[key] = carried[key]
        if get["level2"].blank and "level2" in carried and cols.get("level2") and (
                level1_carried or row in level2_merges):
            get["level2"] = carried["level2"]
        for key in ("area", "level1", "level2"):
            if not get[key].blank:
                carried[key] = get[key]
        if not level1_carried and get["level2"].blank:
            carried.pop("level2", None)
        why = _left_out(get)
        if why is not None:
            skipped.append(SkippedRow(grid.name, row, why))
            continue
        indicators.append(Indicator(  # positional: a NamedTuple's keywords cost twice as long, per row
            row, get["area"].text, get["level1"], get["level2"], get["name"], get["nature"], get["operator"],
            get["target"], get["unit"], get["actual"], get["weight"], get["self_score"], get["reason"]))
    return IndicatorRows(indicators, skipped)
