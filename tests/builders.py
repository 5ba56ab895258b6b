"""Compact builders for EvaluationInput objects used by the pure-core tests.

Cells get the coordinates the template gives them (docs/workbook.md §1):

预算执行: A 类别, B 名称, C 年初预算数, D 全年预算数, E 全年执行数, F 执行率, G 原因说明
          (H 分值 on the total row, as on the one-sheet form); lines from row 4, then the
          subtotals (one per group, in order of appearance), then the total row.
绩效指标: A 序号, B 工作分项, C 一级指标, D 二级指标, E 三级指标, F 指标性质, G 比较方式,
          H 年度指标值, I 计量单位, J 实际完成值, K 分值, L 自评得分, M 偏差原因; rows from 4.

Values: int / float / numeric Decimal become Decimal cell values (a float goes through str),
str stays text (typed as text), None is an empty cell, ABSENT means the column does not exist,
and `Raw(...)` gives full control (percent format, formula, uncached formula).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from selfeval_xl.model import BudgetRow, Cell, CellError, EvaluationInput, Indicator
from selfeval_xl.write import example as example

BUDGET_SHEET = "预算执行"
INDICATOR_SHEET = "绩效指标"
SCORE_SHEET = "评分"
FIRST_ROW = 4

BUDGET_COL = {"category": "A", "name": "B", "initial": "C", "budget": "D", "executed": "E", "rate": "F",
              "reason": "G", "weight": "H"}
IND_COL = {"area": "B", "level1": "C", "level2": "D", "name": "E", "nature": "F", "operator": "G",
           "target": "H", "unit": "I", "actual": "J", "weight": "K", "self_score": "L", "reason": "M"}


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()  # the column does not exist on the sheet
SAME = object()  # 年初预算数 equal to 全年预算数


@dataclass(frozen=True)
class Raw:
    """A cell value with format flags: Raw(Decimal("0.88"), percent=True) is 0.88 shown as 88%."""

    value: object = None
    percent: bool = False
    formula: bool = False
    uncached: bool = False
    outside: bool = False
    recomputed: object = None  # what the formula gives where that is not the stored value
    hidden: bool = False  # the number format shows other text than the number


def pct(value: object) -> Raw:
    """A number in a cell formatted as a percentage (the cell holds the fraction)."""
    return Raw(value if isinstance(value, Decimal) else Decimal(str(value)), percent=True)


def uncached_formula() -> Raw:
    """A formula cell whose value the file does not carry."""
    return Raw(None, formula=True, uncached=True)


def outside_formula(value: object) -> Raw:
    """A formula that links another workbook or recalculates to something new, with its cached value."""
    return Raw(value, formula=True, outside=True)


def stale_formula(stored: object, computed: object) -> Raw:
    """A formula whose stored result is not what it gives (saved without recalculating, or edited)."""
    return Raw(stored, formula=True, recomputed=computed)


def formula(value: object = None) -> Raw:
    """A formula cell with a cached value (the template's own subtotals)."""
    return Raw(value, formula=True)


def _value(x: object) -> object:
    if x is None or isinstance(x, (str, CellError, bool, dt.date)):
        return x
    if isinstance(x, Decimal):
        return x
    if isinstance(x, (int, float)):
        return Decimal(str(x))
    raise TypeError(f"unsupported cell value {x!r}")


def cell(sheet: str, coord: str, x: object) -> Cell:
    if x is ABSENT:
        return Cell(sheet, None)
    if isinstance(x, Cell):
        return x
    if isinstance(x, Raw):
        return Cell(sheet, coord, _value(x.value), x.percent, x.formula, x.uncached, x.outside,
                    None if x.recomputed is None else _value(x.recomputed), x.hidden)
    return Cell(sheet, coord, _value(x))


# --- indicators ----------------------------------------------------------------------------------

class IRow(NamedTuple):
    """One 绩效指标 row, in the column order of the sheet."""

    level1: object
    level2: object
    name: object
    nature: object = "定量"
    operator: object = "≥"
    target: object = None
    unit: object = None
    actual: object = None
    weight: object = None
    self_score: object = None
    reason: object = None
    area: object = None


def indicator(row: int, r: IRow, sheet: str = INDICATOR_SHEET) -> Indicator:
    c = {key: cell(sheet, f"{IND_COL[key]}{row}", getattr(r, key)) for key in IND_COL}
    return Indicator(row=row, area="" if r.area in (None, ABSENT) else str(r.area),
                     **{k: v for k, v in c.items() if k != "area"})


# --- budget ---------------------------------------------------------------------------------------

class BRow(NamedTuple):
    """One 预算执行 line: 类别, 名称, 全年预算数, 全年执行数, 原因说明, 年初预算数 (SAME = 全年预算数), 执行率."""

    category: object
    name: object
    budget: object
    executed: object
    reason: object = None
    initial: object = SAME
    rate: object = None


def _bcells(row: int, values: dict[str, object]) -> dict[str, Cell]:
    return {key: cell(BUDGET_SHEET, f"{BUDGET_COL[key]}{row}", values.get(key)) for key in
            ("initial", "budget", "executed", "rate", "reason")}


def budget_rows(lines: list[BRow] | tuple[BRow, ...], *, subtotals: dict[str, dict[str, object]] | None = None,
                total: dict[str, object] | None = None, with_subtotals: bool = True, with_total: bool = True,
                total_name: str = "合计") -> tuple[BudgetRow, ...]:
    """Lines from row 4, then one subtotal per group (formula cells unless `subtotals` types values),
    then the total row (formula cells unless `total` types values; keys initial/budget/executed/rate/
    reason/weight)."""
    rows: list[BudgetRow] = []
    groups: list[str] = []
    r = FIRST_ROW
    for line in lines:
        initial = line.budget if line.initial is SAME else line.initial
        c = _bcells(r, {"initial": initial, "budget": line.budget, "executed": line.executed,
                        "rate": line.rate, "reason": line.reason})
        group = None if line.category in (None, ABSENT) else str(line.category)
        if group and group not in groups:
            groups.append(group)
        rows.append(BudgetRow(r, "line", group, str(line.name), c["initial"], c["budget"], c["executed"], c["rate"],
                              c["reason"]))
        r += 1
    if with_subtotals:
        for group in groups:
            typed = (subtotals or {}).get(group, {})
            values = {k: typed.get(k, formula()) for k in ("initial", "budget", "executed", "rate")}
            values["reason"] = typed.get("reason")
            c = _bcells(r, values)
            rows.append(BudgetRow(r, "subtotal", group, f"{group}小计", c["initial"], c["budget"], c["executed"],
                                  c["rate"], c["reason"]))
            r += 1
    if with_total:
        typed = total or {}
        values = {k: typed.get(k, formula()) for k in ("initial", "budget", "executed", "rate")}
        values["reason"] = typed.get("reason")
        c = _bcells(r, values)
        weight = typed.get("weight", ABSENT)
        printed = None if weight is ABSENT else cell(BUDGET_SHEET, f"{BUDGET_COL['weight']}{r}", weight)
        rows.append(BudgetRow(r, "total", None, total_name, c["initial"], c["budget"], c["executed"], c["rate"],
                              c["reason"], printed))
    return tuple(rows)


def total_row_number(lines: list[BRow] | tuple[BRow, ...]) -> int:
    """Row of the total when every group has a subtotal (the default layout of budget_rows)."""
    groups = {line.category for line in lines if line.category not in (None, ABSENT)}
    return FIRST_ROW + len(lines) + len(groups)


# --- whole inputs ---------------------------------------------------------------------------------

# A small valid department form (hebei-dept: 产出 40, 效益 40, 满意度 10, 执行 10).
SMALL_LINES = (
    BRow("基本支出", "人员经费", 1000, 1000),
    BRow("项目支出", "环境整治经费", 500, 400, "部分工程尾款待审计后支付"),
)
SMALL_INDICATORS = (
    IRow("产出指标", "数量指标", "培训人次", "定量", "≥", 100, "人次", 100, 40),
    IRow("效益指标", "社会效益指标", "政策知晓率", "定量", "≥", "90%", "%", "95%", 40),
    IRow("满意度指标", "服务对象满意度指标", "群众满意度", "定量", "≥", 90, "%", 92, 10),
)


def make_input(indicators: list[IRow] | tuple[IRow, ...] = SMALL_INDICATORS,
               lines: list[BRow] | tuple[BRow, ...] | None = SMALL_LINES, *,
               form: str = "department", year: int | None = 2025, budget: tuple[BudgetRow, ...] | None = None,
               typed_total: object = ABSENT, money_unit: str = "元", **budget_options: object) -> EvaluationInput:
    """An EvaluationInput from compact tuples. `budget` overrides the rows built from `lines`."""
    if budget is None:
        budget = budget_rows(lines or (), **budget_options)  # type: ignore[arg-type]
    inds = tuple(indicator(FIRST_ROW + i, r) for i, r in enumerate(indicators))
    total_cell = None if typed_total is ABSENT else cell(SCORE_SHEET, "B17", typed_total)
    return EvaluationInput(
        file="test.xlsx", form=form, year=year, unit_name="测试单位", money_unit=money_unit, info={},
        budget_sheet=BUDGET_SHEET, budget_rows=budget, indicator_sheet=INDICATOR_SHEET, indicators=inds,
        budget_anchor=Cell(BUDGET_SHEET, f"D{FIRST_ROW}"), indicator_anchor=Cell(INDICATOR_SHEET, f"E{FIRST_ROW}"),
        typed_total=total_cell,
    )


def example_input() -> EvaluationInput:
    """The worked example of example.py (南障城镇 2025) as an EvaluationInput."""
    lines = tuple(BRow(cat, name, Decimal(b), Decimal(e), reason or None) for cat, name, b, e, reason in
                  example.BUDGET_LINES)
    inds = tuple(IRow(l1, l2, name, nature, op or None, target, unit or None, actual, weight, None, reason or None,
                      area)
                 for area, l1, l2, name, nature, op, target, unit, actual, weight, reason in example.INDICATORS)
    return make_input(inds, lines)
