"""Workbooks the template did NOT make: the worked example written directly with XlsxWriter.

`write_workbook(path, budget=BudgetLayout(...), indicators=IndicatorLayout(...))` lays the data
of selfeval_xl/example.py out the way people and other programs do: published label variants,
columns in another order, extra columns, renamed sheets, title rows, blank rows, merged or blank
group cells, typed subtotals and group headings, numbers typed as text, percentage formats,
operators inside the target cell, 万元 sheets. It returns a `Written` that says where things went
(cell addresses), so a test can assert a finding on the exact cell.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

from selfeval_xl.write import example as EX

GROUPS = ("基本支出", "项目支出")
CHINESE_NUMBERS = ("一", "二", "三")

# --- expected result of the worked example (docs/rules.md §9) ---------------------------
TOTAL = "98.40"
GRADE = "优秀"
EXECUTION = {"budget": "6929916.47", "executed": "6809554.10", "rate": "0.9826", "weight": "10", "score": "9.83"}
LEVELS = [{"name": "产出指标", "weight": "40", "score": "39.44"},
          {"name": "效益指标", "weight": "40", "score": "39.17"},
          {"name": "满意度指标", "weight": "10", "score": "9.96"}]
INDICATOR_SCORES = ["4.00", "4.00", "3.84", "4.00", "4.00", "3.60", "8.00", "8.00",
                    "14.17", "15.00", "10.00", "2.00", "2.00", "2.00", "1.96", "2.00"]

LEVEL_WEIGHTS = {"产出指标": 40, "效益指标": 40, "满意度指标": 10}

BUDGET_LABELS = {"seq": "序号", "category": "类别", "name": "名称", "initial": "年初预算数", "budget": "全年预算数",
                 "executed": "全年执行数", "rate": "执行率", "reason": "原因说明"}
INDICATOR_LABELS = {"seq": "序号", "area": "工作分项", "level1": "一级指标", "level2": "二级指标", "name": "三级指标",
                    "nature": "指标性质", "operator": "比较方式", "target": "年度指标值", "unit": "计量单位",
                    "actual": "实际完成值", "weight": "分值", "self_score": "自评得分",
                    "reason": "偏差原因分析及改进措施"}
# Labels seen on published forms (docs/workbook.md §2–§5).
PUBLISHED_BUDGET_LABELS = {"category": "支出类别", "name": "项目名称", "initial": "年初预算数",
                           "budget": "全年预算数（A）", "executed": "全年执行数（B）", "rate": "执行率（B/A）",
                           "reason": "备注"}
PUBLISHED_INDICATOR_LABELS = {"name": "指标名称", "target": "指标值", "actual": "全年实际值（B）", "unit": "度量单位",
                              "weight": "权重", "self_score": "得分", "reason": "偏差原因", "operator": "计算符号"}

BUDGET_COLUMNS = ("category", "name", "initial", "budget", "executed", "rate", "reason")
INDICATOR_COLUMNS = ("seq", "area", "level1", "level2", "name", "nature", "operator", "target", "unit", "actual",
                     "weight", "self_score", "reason")
EXTRA_FILL = {"功能分类科目": "2010301", "资金性质": "一般公共预算", "指标解释": "按年度工作计划考核",
              "数据来源": "镇政府台账", "评分标准": "完成得满分", "责任人": "马智"}


@dataclass(frozen=True)
class Formula:
    text: str
    value: float = 0  # XlsxWriter's default cached value: what a file never opened in Excel carries


@dataclass(frozen=True)
class Pct:
    value: Decimal
    fmt: str = "0.00%"


@dataclass
class BudgetLayout:
    sheet: str = "预算执行"
    columns: tuple[str, ...] = BUDGET_COLUMNS  # keys of BUDGET_LABELS, or "x:<label>" for an unrelated column
    labels: dict[str, str] = field(default_factory=dict)  # key → header text (overrides BUDGET_LABELS)
    title_rows: tuple[str, ...] = ()  # text rows above the header (column A)
    header_after_units_row: bool = False  # a 栏次 row (1, 2, 3 …) right under the header
    style: str = "flat"  # flat: a 类别 on each line; grouped: 一、基本支出 headings with amounts, 其中： lines
    category: str = "full"  # full / merge (merged down its group) / blank (only on the group's first line)
    subtotals: str = "none"  # none / constant / formula (flat style: 基本支出小计 rows after each group)
    total: str | None = "bottom"  # bottom / top / None
    total_label: str = "合计"
    blank_after: tuple[int, ...] = ()  # indexes of budget lines followed by a blank row
    money: str = "元"  # 元 / 万元
    round_totals: int | None = None  # typed subtotals and totals rounded to this many decimals
    amounts: str = "number"  # number / text ("5,042,799.97") / fullwidth ("５０４２７９９.９７")
    rates: str | None = "percent"  # percent (a fraction shown as %) / text ("98.26%") / None (left empty)
    # (row label, key) → what the filler typed instead: a Decimal amount (rendered like the others) or,
    # for "rate", the cell's value as is ("98.62%", Pct(…)).
    override: dict[tuple[str, str], object] = field(default_factory=dict)
    notes_below: tuple[str, ...] = ()


@dataclass
class IndicatorLayout:
    sheet: str = "绩效指标"
    columns: tuple[str, ...] = INDICATOR_COLUMNS  # keys of INDICATOR_LABELS, or "x:<label>"
    labels: dict[str, str] = field(default_factory=dict)
    title_rows: tuple[str, ...] = ()
    levels: str = "full"  # full / merge (一级、二级 merged down their group) / blank (only the group's first row)
    level1_weights: bool = False  # the weight written inside the first-level label: 产出指标（40分）
    operator_in_target: bool = False  # ≥95%, 不低于90%, ≤0 … written inside the target cell
    nature_holds_operator: bool = False  # the 指标性质 column holds ≥ / ≤ / ＝ (and nothing on 定性 rows)
    nature_mixed: bool = False  # with nature_holds_operator: the 定性 row says 定性, the others ≥ / ≤ / ＝
    actual_percent_format: bool = False  # actuals of % rows as fractions shown with a '0%' format
    numbers_as_text: bool = False  # targets, actuals and weights typed as text ("100%", "96%", "4")
    self_scores: bool = False  # the filler's 自评得分 (equal to the computed scores)
    blank_after: tuple[int, ...] = ()  # indexes of indicators followed by a blank row
    total_row: bool = False  # a 合计 row (in the first column) carrying the weight sum
    override: dict[tuple[int, str], object] = field(default_factory=dict)  # (indicator index, key) → value
    notes_below: tuple[str, ...] = ()


@dataclass
class Written:
    path: Path
    cells: dict[tuple[str, str], str] = field(default_factory=dict)  # (budget row label, key) → "D12"
    budget_sheet: str = ""
    indicator_sheet: str = ""
    indicator_rows: list[int] = field(default_factory=list)  # 1-based row of each indicator, in order
    indicator_cells: dict[tuple[int, str], str] = field(default_factory=dict)  # (indicator index, key) → cell


# --- helpers ----------------------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789,%", "０１２３４５６７８９，％")


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") if len(text.split(".")[1]) > 2 else text
    return text


def _money_text(value: Decimal) -> str:
    digits = max(2, -value.normalize().as_tuple().exponent)
    return f"{value:,.{digits}f}"


class _Sheet:
    """Writes typed values: str → string (never a formula), numbers, Pct, Formula, None → nothing."""

    def __init__(self, book: xlsxwriter.Workbook, name: str) -> None:
        self.book = book
        self.ws = book.add_worksheet(name)
        self._formats: dict[str, object] = {}

    def fmt(self, code: str):
        if code not in self._formats:
            self._formats[code] = self.book.add_format({"num_format": code})
        return self._formats[code]

    def put(self, row: int, col: int, value: object) -> None:  # 0-based
        ws = self.ws
        if value is None:
            return
        if isinstance(value, Formula):
            ws.write_formula(row, col, value.text, None, value.value)
        elif isinstance(value, Pct):
            ws.write_number(row, col, float(value.value), self.fmt(value.fmt))
        elif isinstance(value, str):
            ws.write_string(row, col, value)
        elif isinstance(value, Decimal):
            ws.write_number(row, col, float(value), self.fmt("#,##0.00") if value != value.to_integral() else None)
        elif isinstance(value, (int, float)):
            ws.write_number(row, col, value)
        else:
            raise TypeError(value)

    def header(self, start: int, title_rows: tuple[str, ...], columns: tuple[str, ...], labels: dict[str, str]) -> int:
        for i, text in enumerate(title_rows):
            self.put(start + i, 0, text)
        row = start + len(title_rows)
        for col, key in enumerate(columns):
            self.put(row, col, key[2:] if key.startswith("x:") else labels[key])
        return row + 1


# --- 基本信息 -------------------------------------------------------------------------------------------

def _write_info(book: xlsxwriter.Workbook, name: str) -> None:
    sheet = _Sheet(book, name)
    sheet.put(0, 0, "基本信息")
    for i, (label, value) in enumerate(EX.INFO.items(), start=2):
        sheet.put(i, 0, label + "：")
        sheet.put(i, 1, value)


# --- 预算执行 -------------------------------------------------------------------------------------------

def budget_rows(layout: BudgetLayout) -> list[dict[str, object]]:
    """The rows of the budget table as key → value (plus _label/_group/_line bookkeeping)."""
    scale = Decimal(1) if layout.money == "元" else Decimal(10000)
    lines = [(cat, name, Decimal(b) / scale, Decimal(e) / scale, reason) for cat, name, b, e, reason in EX.BUDGET_LINES]

    def amount(value: Decimal, typed_total: bool = False) -> object:
        if typed_total and layout.round_totals is not None:
            value = value.quantize(Decimal(1).scaleb(-layout.round_totals))
        if layout.amounts == "text":
            return _money_text(value)
        if layout.amounts == "fullwidth":
            return _plain(value).translate(_FULLWIDTH)
        return value

    def rate(budget: Decimal, executed: Decimal) -> object:
        if layout.rates is None or budget == 0:
            return None
        exact = executed / budget
        if layout.rates == "text":
            return f"{(exact * 100).quantize(Decimal('0.01'))}%"
        return Pct(exact.quantize(Decimal("0.0001")))

    def summary(label: str, group: str | None, chosen: list) -> dict[str, object]:
        b = sum((x[2] for x in chosen), Decimal(0))
        e = sum((x[3] for x in chosen), Decimal(0))
        row: dict[str, object] = {"_label": label, "_group": group, "_sum": True, "name": label,
                                  "initial": amount(b, True), "budget": amount(b, True),
                                  "executed": amount(e, True), "rate": rate(b, e)}
        _override(row, label)
        return row

    def _override(row: dict[str, object], label: str) -> None:
        for key in ("initial", "budget", "executed", "rate"):
            if (label, key) in layout.override:
                value = layout.override[(label, key)]
                row[key] = amount(value) if key != "rate" else value  # type: ignore[arg-type]

    rows: list[dict[str, object]] = []
    total = summary(layout.total_label, None, lines)
    if layout.total == "top":
        rows.append(total)
    index = 0
    for g, group in enumerate(GROUPS):
        members = [x for x in lines if x[0] == group]
        if layout.style == "grouped":
            heading = summary(f"{CHINESE_NUMBERS[g]}、{group}", group, members)
            rows.append(heading)
        for j, (cat, name, b, e, reason) in enumerate(members):
            label = name
            if layout.style == "grouped" and j == 0:
                label = "其中：" + name
            row = {"_label": name, "_group": group, "_line": True, "name": label,
                   "category": cat if layout.style == "flat" else None, "initial": amount(b), "budget": amount(b),
                   "executed": amount(e), "rate": rate(b, e), "reason": reason or None}
            _override(row, name)
            if layout.style == "flat" and layout.category == "blank" and j > 0:
                row["category"] = None
            rows.append(row)
            if index in layout.blank_after:
                rows.append({"_blank": True, "_group": group})
            index += 1
        if layout.style == "flat" and layout.subtotals != "none":
            rows.append(summary(f"{group}小计", group, members))
    if layout.total == "bottom":
        rows.append(total)
    return rows


def _write_budget(book: xlsxwriter.Workbook, layout: BudgetLayout, written: Written) -> None:
    sheet = _Sheet(book, layout.sheet)
    labels = {**BUDGET_LABELS, **layout.labels}
    row = sheet.header(0, layout.title_rows, layout.columns, labels)
    col_of = {key: i for i, key in enumerate(layout.columns)}
    if layout.header_after_units_row:
        for i, key in enumerate(layout.columns):
            sheet.put(row, i, "栏次" if i == 0 else str(i) if key != "rate" else f"{i}={i - 1}/{i - 2}")
        row += 1
    rows = budget_rows(layout)
    placed: list[tuple[int, dict[str, object]]] = []
    for data in rows:
        placed.append((row, data))
        row += 1
    line_rows: dict[str | None, list[int]] = {}
    for r, data in placed:
        if data.get("_line"):
            line_rows.setdefault(data["_group"], []).append(r)  # type: ignore[arg-type]
    seq = 0
    for r, data in placed:
        if data.get("_blank"):
            continue
        for key, col in col_of.items():
            value = data.get(key)
            if key.startswith("x:") and data.get("_line"):
                value = EXTRA_FILL.get(key[2:], "—")
            if key == "seq" and data.get("_line"):
                seq += 1
                value = seq
            if (data.get("_sum") and layout.subtotals == "formula" and key in ("initial", "budget", "executed")
                    and data["_label"] != layout.total_label):
                members = line_rows[data["_group"]]
                letter = xl_rowcol_to_cell(0, col)[:-1]
                value = Formula(f"=SUM({letter}{members[0] + 1}:{letter}{members[-1] + 1})")
            if key == "category" and layout.category == "merge" and data.get("_line"):
                continue
            sheet.put(r, col, value)
            if key in ("initial", "budget", "executed", "rate", "reason", "name", "category"):
                written.cells[(str(data["_label"]), key)] = xl_rowcol_to_cell(r, col)
    if layout.category == "merge" and "category" in col_of:
        col = col_of["category"]
        for group, members in line_rows.items():
            first, last = members[0], members[-1]
            if first == last:
                sheet.put(first, col, group)
            else:
                sheet.ws.merge_range(first, col, last, col, group)
    for i, note in enumerate(layout.notes_below, start=1):
        sheet.put(row + i, 0, note)
    written.budget_sheet = layout.sheet


# --- 绩效指标 -------------------------------------------------------------------------------------------

_OPERATOR_TEXT = {"≥": ("≥{t}%", "不低于{t}%", "{t}%以上", "≥{t}%"), "≤": ("≤{t}",), "＝": ("＝{t}%",)}


def indicator_values(layout: IndicatorLayout, index: int, ind: tuple) -> dict[str, object]:
    area, level1, level2, name, nature, op, target, unit, actual, weight, reason = ind
    qualitative = nature == "定性"
    row: dict[str, object] = {"seq": index + 1, "area": area, "level1": level1, "level2": level2, "name": name,
                              "nature": nature, "operator": op or None, "target": target, "unit": unit or None,
                              "actual": actual, "weight": weight, "reason": reason or None,
                              "self_score": None}
    if layout.level1_weights:
        row["level1"] = f"{level1}（{LEVEL_WEIGHTS[level1]}分）"
    if layout.self_scores:
        row["self_score"] = Decimal(INDICATOR_SCORES[index])
    if layout.nature_holds_operator:
        row["nature"] = op or ("定性" if layout.nature_mixed else None)
    if not qualitative:
        if layout.operator_in_target:
            styles = _OPERATOR_TEXT[op]
            row["target"] = styles[index % len(styles)].format(t=target)
        elif layout.numbers_as_text:
            row["target"] = f"{target}%"
        if layout.actual_percent_format and unit == "%":
            row["actual"] = Pct(Decimal(actual) / 100, "0%")
        elif layout.numbers_as_text:
            row["actual"] = f"{actual}%" if index % 2 else f"{actual}%".translate(_FULLWIDTH)
    if layout.numbers_as_text:
        row["weight"] = str(weight)
    for (i, key), value in layout.override.items():
        if i == index:
            row[key] = value
    return row


def _write_indicators(book: xlsxwriter.Workbook, layout: IndicatorLayout, written: Written) -> None:
    sheet = _Sheet(book, layout.sheet)
    labels = {**INDICATOR_LABELS, **layout.labels}
    row = sheet.header(0, layout.title_rows, layout.columns, labels)
    col_of = {key: i for i, key in enumerate(layout.columns)}
    placed: list[tuple[int, int, dict[str, object]]] = []
    for i, ind in enumerate(EX.INDICATORS):
        placed.append((row, i, indicator_values(layout, i, ind)))
        row += 2 if i in layout.blank_after else 1
    runs: dict[str, list[tuple[str, int, int]]] = {"level1": [], "level2": []}  # (value, first row, last row)
    last_key: dict[str, object] = {}
    for r, _, data in placed:
        for key, run_key in (("level1", data["level1"]), ("level2", (data["level1"], data["level2"]))):
            if runs[key] and last_key.get(key) == run_key:
                value, first, _ = runs[key][-1]
                runs[key][-1] = (value, first, r)
            else:
                runs[key].append((str(data[key]), r, r))
            last_key[key] = run_key
    for r, i, data in placed:
        written.indicator_rows.append(r + 1)
        for key, col in col_of.items():
            value = data.get(key) if not key.startswith("x:") else EXTRA_FILL.get(key[2:], "—")
            if key in ("level1", "level2") and layout.levels != "full":
                continue
            sheet.put(r, col, value)
            written.indicator_cells[(i, key)] = xl_rowcol_to_cell(r, col)
    if layout.levels != "full":
        for key in ("level1", "level2"):
            if key not in col_of:
                continue
            col = col_of[key]
            for value, first, last in runs[key]:
                written.indicator_cells[(_index_at(placed, first), key)] = xl_rowcol_to_cell(first, col)
                if layout.levels == "merge" and last > first:
                    sheet.ws.merge_range(first, col, last, col, value)
                else:
                    sheet.put(first, col, value)
    if layout.total_row:
        sheet.put(row, 0, "合计")
        if "weight" in col_of:
            sheet.put(row, col_of["weight"], 90)
        if "self_score" in col_of and layout.self_scores:
            sheet.put(row, col_of["self_score"], Decimal("88.57"))
        row += 1
    for i, note in enumerate(layout.notes_below, start=1):
        sheet.put(row + i, 0, note)
    written.indicator_sheet = layout.sheet


def _index_at(placed: list[tuple[int, int, dict[str, object]]], row: int) -> int:
    return next(i for r, i, _ in placed if r == row)


# --- the workbook ---------------------------------------------------------------------------------------

def write_workbook(path: Path, *, budget: BudgetLayout | None = None, indicators: IndicatorLayout | None = None,
                   info: str | None = "基本信息", with_budget: bool = True, with_indicators: bool = True,
                   indicators_first: bool = False, cover: str | None = None,
                   inline_strings: bool = False) -> Written:
    """Write the worked example as a foreign workbook; returns where things went.

    inline_strings: XlsxWriter's constant_memory mode, which stores text as inline strings
    (t="inlineStr") instead of the shared-string table, as some exporters do. Rows must then be
    written in order, so it suits the layouts without merges.
    """
    budget = budget or BudgetLayout()
    indicators = indicators or IndicatorLayout()
    written = Written(Path(path))
    book = xlsxwriter.Workbook(str(path), {"constant_memory": inline_strings})
    if cover:
        _Sheet(book, cover).put(0, 0, "2025年度部门整体支出绩效自评表")
    if info:
        _write_info(book, info)
    parts = [lambda: _write_budget(book, budget, written) if with_budget else None,
             lambda: _write_indicators(book, indicators, written) if with_indicators else None]
    for part in (reversed(parts) if indicators_first else parts):
        part()
    book.close()
    return written


def write_headers_only(path: Path, *, budget_labels: tuple[str, ...] = ("名称", "全年预算数", "全年执行数"),
                       indicator_labels: tuple[str, ...] = tuple(INDICATOR_LABELS.values())) -> None:
    """A form with the tables' header rows and not one input row."""
    book = xlsxwriter.Workbook(str(path))
    for name, labels in (("预算执行", budget_labels), ("绩效指标", indicator_labels)):
        sheet = _Sheet(book, name)
        sheet.put(0, 0, f"{name}表")
        for col, label in enumerate(labels):
            sheet.put(1, col, label)
    book.close()


_ROW = re.compile(rb"<row\b[^>]*>.*?</row>|<row\b[^>]*/>", re.S)
_C_REF = re.compile(rb'(<c\b[^>]*?) r="([A-Z]+[0-9]+)"')
_ROW_REF = re.compile(rb'^(<row\b[^>]*?) r="([0-9]+)"')


def strip_implied_refs(path: Path) -> int:
    """Rewrite the worksheets without the optional r attributes wherever the position is implied
    (a row right after the previous one, a cell right after its left neighbour), as streaming
    writers do (ECMA-376 §18.3.1.73, §18.3.1.4). Returns how many attributes were dropped."""
    dropped = 0
    source = zipfile.ZipFile(path)
    parts = {name: source.read(name) for name in source.namelist()}
    source.close()
    for name, data in parts.items():
        if not name.startswith("xl/worksheets/sheet"):
            continue
        previous_row = 0

        def one_row(m: re.Match) -> bytes:
            nonlocal previous_row, dropped
            text = m.group(0)
            rm = _ROW_REF.match(text)
            row = int(rm.group(2)) if rm else previous_row + 1
            if rm and row == previous_row + 1:
                text = _ROW_REF.sub(rb"\1", text, count=1)
                dropped += 1
            previous_row = row
            previous_col = -1

            def one_cell(c: re.Match) -> bytes:
                nonlocal previous_col, dropped
                _, col = xl_cell_to_rowcol(c.group(2).decode())
                implied = col == previous_col + 1
                previous_col = col
                if implied:
                    dropped += 1
                    return c.group(1)
                return c.group(0)

            return _C_REF.sub(one_cell, text)

        parts[name] = _ROW.sub(one_row, data)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return dropped


def write_two_row_headers(path: Path) -> None:
    """Both tables under two-row headers with merged cells, as printed forms have them:
    预算执行情况（元） over 全年预算数 | 全年执行数 | 执行率, and 绩效指标 over 一级 | 二级 | 三级指标, the
    other labels merged down both rows; no 类别 headings, no 比较方式 column, targets like ≥95%."""
    book = xlsxwriter.Workbook(str(path))
    center = book.add_format({"align": "center", "valign": "vcenter"})
    budget = _Sheet(book, "预算")
    budget.put(0, 0, "2025年度预算执行情况表")
    for col, label in ((0, "序号"), (1, "支出类别"), (2, "项目名称"), (6, "原因说明")):
        budget.ws.merge_range(1, col, 2, col, label, center)
    budget.ws.merge_range(1, 3, 1, 5, "预算执行情况（元）", center)
    for col, label in ((3, "全年预算数"), (4, "全年执行数"), (5, "执行率")):
        budget.put(2, col, label)
    row = 3
    for i, (cat, name, b, e, reason) in enumerate(EX.BUDGET_LINES):
        for col, value in enumerate((i + 1, cat, name, Decimal(b), Decimal(e), Pct(Decimal(e) / Decimal(b)),
                                     reason or None)):
            budget.put(row, col, value)
        row += 1
    budget.put(row, 2, "合计")
    budget.put(row, 3, Decimal("6929916.47"))
    budget.put(row, 4, Decimal("6809554.10"))
    sheet = _Sheet(book, "指标")
    sheet.ws.merge_range(0, 0, 1, 0, "序号", center)
    sheet.ws.merge_range(0, 1, 0, 3, "绩效指标", center)
    for col, label in ((1, "一级指标"), (2, "二级指标"), (3, "三级指标")):
        sheet.put(1, col, label)
    for col, label in enumerate(("年度指标值", "实际完成值", "计量单位", "分值", "得分", "偏差原因分析及改进措施"),
                                start=4):
        sheet.ws.merge_range(0, col, 1, col, label, center)
    for i, (_, level1, level2, name, nature, op, target, unit, actual, weight, reason) in enumerate(EX.INDICATORS):
        qualitative = nature == "定性"
        values = (i + 1, level1, level2, name, target if qualitative else f"{op}{target}%",
                  actual if qualitative else f"{actual}%", unit or None, weight, Decimal(INDICATOR_SCORES[i]),
                  reason or None)
        for col, value in enumerate(values):
            sheet.put(2 + i, col, value)
    book.close()
