"""Result → the contents of the 评分汇总 sheet, as plain data (no file format here).

The writer (writeback.py) renders this model into the scored workbook's package.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from selfeval_xl import __version__
from selfeval_xl.cellref import column_letter, split_coord
from selfeval_xl.formatting import (
    CELL_LIMIT,
    excel_number,
    plain,
    score_text,
    shortened,
    with_unit,
    without_surrogates,
    wrapped_height,
    wrapped_lines,
)
from selfeval_xl.layout import FORM_TYPE_LABELS, SHEET_SUMMARY
from selfeval_xl.model import LevelResult, Result
from selfeval_xl.read.package import XML_ILLEGAL, clean
from selfeval_xl.rules.checks import CATALOGUE
from selfeval_xl.rules.profiles import Profile
from selfeval_xl.write.record import RECORD_COLUMN

# Text none of put's cleaning would change (no CR, nothing XML cannot hold, no lone surrogate): most
# cells of a large summary, taken as they are.
_ORDINARY = re.compile(f"[^\r{XML_ILLEGAL}\ud800-\udfff]*\\Z")
GRADE_STYLES = ("grade_0", "grade_1", "grade_2", "grade_3")
PROVISIONAL_GRADE_STYLE = "grade_provisional"  # a grade of a workbook with errors is never shown green
# Excel, WPS and LibreOffice do not grow a row for wrapped or merged text a program wrote: every such
# row of the summary gets its height here (SheetModel.fit), never below the rows' default.
DEFAULT_ROW_POINTS = 15
PRINT_AREA = "_xlnm.Print_Area"
CODE_WIDTH = max(len(code) for code in CATALOGUE) + 2
# A message quotes cell texts shortened already (rules/checks.py); this bounds the list whatever comes.
MESSAGE_LIMIT = 1000
TABLE_TEXT_LIMIT = 100


class SheetCell(NamedTuple):
    """One cell of the summary as it will show. A NamedTuple rather than a frozen dataclass: a large
    form's summary has tens of thousands, and a frozen dataclass takes three times as long to make."""

    row: int
    col: int
    value: object
    style: str = "text"


class TableRow(NamedTuple):
    """One row of the indicator table as it will show, its cells from column 1: kept as a row rather
    than as SheetCells because a large form's table is most of the summary, and the writer renders
    it row by row (SheetModel.all_cells gives its cells one by one)."""

    row: int
    values: tuple[object, ...]
    styles: tuple[str, ...]

    def cells(self) -> Iterator[SheetCell]:
        for col, (value, style) in enumerate(zip(self.values, self.styles, strict=True), start=1):
            yield SheetCell(self.row, col, value, style)


@dataclass(frozen=True)
class ChartSpec:
    """A clustered bar chart of the rows first_row..last_row: categories in column 1, series by column."""

    title: str
    first_row: int
    last_row: int
    series: tuple[tuple[str, int], ...]  # (name, column)
    anchor: str  # top-left cell
    rows_tall: int


@dataclass
class SheetModel:
    cells: list[SheetCell] = field(default_factory=list)  # every cell but the indicator table's (all_cells: both)
    table: list[TableRow] = field(default_factory=list)  # the indicator table, below every other part
    merges: list[str] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    hidden_columns: set[int] = field(default_factory=set)
    print_rows: int = 0  # rows of the one-page summary (the list of problems prints after it)
    chart: ChartSpec | None = None
    # each distinct number as stored, worked out once: a large form's table repeats its weights and scores
    stored_numbers: dict[Decimal, Decimal] = field(default_factory=dict, repr=False)

    def fit(self, row: int, text: object, width: float) -> None:
        """Make `row` tall enough for `text` wrapped in `width` characters (estimated on the wide side:
        a Chinese character counts two, so the text shows whole in any of the three applications)."""
        if wrapped_lines(str(text), width) > 1:
            self.heights[row] = max(self.heights.get(row, DEFAULT_ROW_POINTS), wrapped_height(str(text), width))

    @property
    def table_width(self) -> int:
        """The indicator table's columns, from column 1."""
        return max((len(line.values) for line in self.table), default=0)

    def all_cells(self) -> Iterator[SheetCell]:
        """Every cell of the sheet: the parts' cells, then the indicator table's."""
        yield from self.cells
        for line in self.table:
            yield from line.cells()

    def print_area(self) -> str:
        """The printed range: every shown column, never the hidden record's far to the right (whose empty
        columns between would otherwise print and shrink the page to unreadable type)."""
        hidden = self.hidden_columns
        shown = [(c.row, c.col) for c in self.cells if c.col not in hidden]
        # a table row's shown extent depends only on its width: worked out once per width, not per cell
        widths = {len(line.values) for line in self.table}
        last_shown = {w: max((col for col in range(1, w + 1) if col not in hidden), default=0) for w in widths}
        shown += [(line.row, last_shown[len(line.values)]) for line in self.table if last_shown[len(line.values)]]
        last_col = max((col for _, col in shown), default=1)
        last_row = max((row for row, _ in shown), default=1)
        return f"{location(SHEET_SUMMARY, '')}$A$1:${column_letter(last_col)}${last_row}"

    def put(self, row: int, col: int, value: object, style: str = "text") -> None:
        self.cells.append(SheetCell(row, col, self.shown(value), style))

    def shown(self, value: object) -> object:
        """A value as the sheet will hold it: text without what XML cannot hold and no longer than a cell
        holds, numbers to the 15 significant digits a spreadsheet keeps (so what verify reads back is
        what was recorded)."""
        if isinstance(value, str) and not (len(value) <= CELL_LIMIT and _ORDINARY.match(value)):
            # XML reads a raw CR in text back as LF: a message quoting a cell's "0\r0" would then read
            # differently from what the record holds (verify: changed), so line ends are LF here.
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            return shortened(clean(without_surrogates(value)), CELL_LIMIT)
        if isinstance(value, Decimal):
            stored = self.stored_numbers.get(value)  # equal numbers store alike: excel_number normalizes
            if stored is None:
                stored = self.stored_numbers[value] = excel_number(str(value))
            return stored
        return value


def location(sheet: str, cell: str) -> str:
    return "'" + sheet.replace("'", "''") + "'!" + cell


def build_summary(result: Result, profile: Profile) -> SheetModel:
    """The sheet, part by part from the top: each part writes from `row` and returns the row after it."""
    m = SheetModel()
    m.widths = {1: 20, 2: max(17, CODE_WIDTH), 3: 17, 4: 12, 5: 11, 6: 48}
    row = _heading(m, result, profile)
    row = _verdict(m, result, profile, row + 1)
    row = _execution_table(m, result, row + 2)
    row = _level_table(m, result, row + 2)
    m.print_rows = row
    row = _problem_list(m, result, row + 2)
    _indicator_table(m, result, row + 2)
    return m


def _heading(m: SheetModel, result: Result, profile: Profile) -> int:
    m.put(1, 1, "预算绩效自评评分汇总", "title")
    m.merges.append("A1:F1")
    m.heights[1] = 30
    m.put(2, 1, f"由 selfeval-xl {__version__} 依据所填数据重新计算全部合计、执行率和得分"
                "（不采用表内公式缓存值和自评得分）。", "note")
    m.merges.append("A2:F2")
    info = [("单位名称", result.unit or "（未填写）"), ("评价年度", str(result.year) if result.year else "（未填写）"),
            ("评价类型", FORM_TYPE_LABELS[result.form]), ("评价口径", f"{profile.label}：{profile.title}")]
    row = 4
    for label, value in info:
        m.put(row, 1, label, "label")
        m.put(row, 2, value, "wrap")
        m.merges.append(f"B{row}:F{row}")
        m.fit(row, value, sum(m.widths[c] for c in range(2, 7)))
        row += 1
    return row


def _verdict(m: SheetModel, result: Result, profile: Profile, row: int) -> int:
    """Total, grade and whether it stands: a grade with errors is provisional, grey and never green."""
    m.put(row, 1, "总分", "label_big")
    m.put(row, 2, result.total, "big_score")
    m.put(row, 3, "等级", "label_big")
    band = next((i for i, g in enumerate(profile.grades) if g.name == result.grade), len(profile.grades) - 1)
    grade_style = GRADE_STYLES[min(band, 3)] if band < len(profile.grades) - 1 else GRADE_STYLES[3]
    m.put(row, 4, result.grade, grade_style if result.valid else PROVISIONAL_GRADE_STYLE)
    verdict = "校验通过" if result.valid else "校验未通过：等级为暂评，请先更正下列错误"
    m.put(row, 5, verdict, "ok" if result.valid else "bad")
    m.merges.append(f"E{row}:F{row}")
    m.heights[row] = 36
    row += 1
    m.put(row, 1, "问题", "label")
    m.put(row, 2, f"错误 {len(result.errors)} 个，警告 {len(result.warnings)} 个", "text")
    m.merges.append(f"B{row}:F{row}")
    return row


def _execution_table(m: SheetModel, result: Result, row: int) -> int:
    ex = result.execution
    for col, label in enumerate(("预算执行（合计）", f"全年预算数（{result.money_unit}）",
                                 f"全年执行数（{result.money_unit}）", "执行率", "分值", "得分"), start=1):
        m.put(row, col, label, "header")
    row += 1
    m.put(row, 1, "预算执行率", "label")
    m.put(row, 2, ex.budget, "money")
    m.put(row, 3, ex.executed, "money")
    m.put(row, 4, ex.rate if ex.rate is not None else "—", "rate")
    m.put(row, 5, ex.weight, "score")
    m.put(row, 6, ex.score, "score")
    return row


def _level_table(m: SheetModel, result: Result, row: int) -> int:
    """Each level's weights, score and how it counted, the rate's row and the total; the chart below."""
    ex = result.execution
    for col, label in enumerate(("一级指标", "口径分值", "指标分值合计", "得分", "得分率", "怎样计入"), start=1):
        m.put(row, col, label, "header")
    level_first = row + 1
    for lv in result.levels:
        row += 1
        counted_weight = lv.weight if lv.weight is not None else lv.indicator_weight
        m.put(row, 1, lv.name, "label")
        m.put(row, 2, lv.weight if lv.weight is not None else "自由分配", "score")
        m.put(row, 3, lv.indicator_weight, "score")
        m.put(row, 4, lv.score, "score")
        m.put(row, 5, (lv.score / counted_weight) if counted_weight else "—", "rate")
        how = _how_counted(lv, result.digits)
        m.put(row, 6, how, "wrap")
        m.fit(row, how, m.widths[6])
    row += 1
    m.put(row, 1, "预算执行率", "label")
    m.put(row, 2, ex.weight, "score")
    m.put(row, 3, ex.weight, "score")
    m.put(row, 4, ex.score, "score")
    m.put(row, 5, (ex.score / ex.weight) if ex.weight else "—", "rate")
    row += 1
    weight_sum = sum((lv.indicator_weight for lv in result.levels), Decimal(0)) + ex.weight
    m.put(row, 1, "合计", "label")
    m.put(row, 2, Decimal(100), "score")
    m.put(row, 3, weight_sum, "score")
    m.put(row, 4, result.total, "score")
    chart_top = row + 2
    m.chart = ChartSpec("各一级指标得分与分值", level_first, level_first + len(result.levels),
                        (("分值", 3), ("得分", 4)), f"A{chart_top}", 15)
    return chart_top + m.chart.rows_tall


def _problem_list(m: SheetModel, result: Result, row: int) -> int:
    """Every finding in full, printable (notes do not print), its cell a link to the place."""
    m.put(row, 1, "问题清单（点击单元格可跳转；表内有问题的单元格，错误为红底粗实线框，警告为黄底粗虚线框）", "section")
    m.merges.append(f"A{row}:F{row}")
    row += 1
    for col, label in enumerate(("严重程度", "代码", "工作表", "单元格", "说明"), start=1):
        m.put(row, col, label, "header")
    m.merges.append(f"E{row}:F{row}")
    if not result.checks:
        row += 1
        m.put(row, 1, "未发现问题。", "ok")
        m.merges.append(f"A{row}:F{row}")
    for label, items, style in (("错误", result.errors, "error"), ("警告", result.warnings, "warning")):
        if not items:
            continue
        row += 1
        m.put(row, 1, f"{label}（{len(items)} 个）", style)
        m.merges.append(f"A{row}:F{row}")
        for finding in items:
            row += 1
            m.put(row, 1, label, style)
            m.put(row, 2, finding.code, "text")
            m.put(row, 3, finding.sheet or "（整个工作簿）", "text")
            m.put(row, 4, finding.cell or "—", "link" if finding.cell else "text")
            message = shortened(finding.message, MESSAGE_LIMIT)
            m.put(row, 5, message, "wrap")
            m.merges.append(f"E{row}:F{row}")
            m.fit(row, message, m.widths[5] + m.widths[6])
            if finding.sheet and finding.cell:
                m.links.append((f"D{row}", location(finding.sheet, finding.cell),
                                f"跳转到 {finding.sheet}!{finding.cell}"))
    return row


def _indicator_table(m: SheetModel, result: Result, row: int) -> None:
    """Each indicator's recomputed score beside its weight and the filler's own score, the row's
    name linked to its place: what the accountant compares without reading the JSON."""
    if not result.indicators:
        return
    m.put(row, 1, "指标得分（点击三级指标可跳转到所在行）", "section")
    m.merges.append(f"A{row}:F{row}")
    row += 1
    for col, label in enumerate(("工作分项", "三级指标", "分值", "年度指标值", "实际完成值", "得分", "自评得分",
                                 "差异（自评−重算）"), start=1):
        m.put(row, col, label, "header")
    m.widths.setdefault(7, 11)
    m.widths.setdefault(8, 19)
    shown = m.shown
    # Whether a text holds what put's cleaning changes is a property of each character: when none of the texts
    # the table is made of holds one, no text of the table needs it (18,000 checks one by one on a large form).
    made_of = "".join(f"{i.area}{i.level}{i.name}{i.target}{i.actual}{i.unit}" for i in result.indicators)
    shown_text = _as_is if _ORDINARY.match(made_of) else shown
    for ind in result.indicators:
        row += 1
        # a name is shown, not archived: a 32,767-character cell would make the sheet megabytes long
        unit = "" if ind.qualitative else ind.unit
        texts = (shortened(ind.area or ind.level, TABLE_TEXT_LIMIT),
                 shortened(ind.name, TABLE_TEXT_LIMIT) or f"第{ind.row}行",
                 shortened(with_unit(ind.target, unit), TABLE_TEXT_LIMIT),
                 shortened(with_unit(ind.actual, unit), TABLE_TEXT_LIMIT))
        for col, text in zip((1, 2, 4, 5), texts, strict=True):
            m.fit(row, text, m.widths[col])
        if ind.cell:
            m.links.append((f"B{row}", location(ind.sheet, ind.cell), f"跳转到 {ind.sheet}!{ind.cell}"))
        compared = ind.self_score is not None and ind.score is not None
        m.table.append(TableRow(row, (
            shown_text(texts[0]), shown_text(texts[1]), shown(ind.weight) if ind.weight is not None else "—",
            shown_text(texts[2]), shown_text(texts[3]), shown(ind.score) if ind.score is not None else "不计分",
            shown(ind.self_score) if ind.self_score is not None else "—",
            shown(ind.self_score - ind.score) if compared else "—",  # type: ignore[operator]
        ), _TABLE_STYLES[bool(ind.cell), compared]))


def _as_is(text: object) -> object:
    return text


# The table's styles by (its name is a link, the difference is a number).
_TABLE_STYLES = {(link, number): ("wrap", "wrap_link" if link else "wrap", "score", "wrap", "wrap", "score", "score",
                                  "score" if number else "text")
                 for link in (False, True) for number in (False, True)}


def add_record(model: SheetModel, chunks: list[str]) -> None:
    for i, chunk in enumerate(chunks, start=1):
        if _kept_as_is(chunk):
            model.cells.append(SheetCell(i, RECORD_COLUMN, chunk, "record"))
        else:
            model.put(i, RECORD_COLUMN, chunk, "record")
    model.hidden_columns.add(RECORD_COLUMN)


def _kept_as_is(chunk: str) -> bool:
    """Whether put would store a chunk of the record's JSON as it is, found without put's search of every
    character: JSON writes each character below U+0020 escaped (CR too), a chunk is shorter than a cell holds,
    so only a noncharacter or a lone surrogate (which UTF-8 cannot encode) would be cleaned."""
    if "\ufffe" in chunk or "\uffff" in chunk:
        return False
    try:
        chunk.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return len(chunk) <= CELL_LIMIT


def shown_cells(model: SheetModel) -> dict[str, str]:
    """Which cells of the summary show something, row by row ("12": "A,B,C"), as verify looks for content added
    after scoring (the note row and the record's column left out). Only where: what the cells show is
    compared with the sheet the tool would write for the recomputed result, never with the record."""
    by_row: dict[int, list[str]] = {}
    for cell in model.cells:
        if cell.col != RECORD_COLUMN and cell.row != 2 and cell.value is not None:
            by_row.setdefault(cell.row, []).append(column_letter(cell.col))
    letters = [column_letter(col) for col in range(1, model.table_width + 1)]
    full: dict[int, str] = {}  # a table row showing every one of its cells, by its width
    for line in model.table:
        values = line.values
        if None in values:
            shown = [letter for letter, value in zip(letters, values, strict=False) if value is not None]
        else:
            width = len(values)
            shown = [full.get(width) or full.setdefault(width, ",".join(letters[:width]))]
        by_row.setdefault(line.row, []).extend(shown)
    return {str(row): ",".join(cols) for row, cols in sorted(by_row.items())}


def shown_refs(shown: Mapping[str, object]) -> tuple[set[str], list[str]]:
    """A record's "shown" read back: the references of the cells that showed something, and the entries that
    say none (a record edited by hand). Since spelling 4 a row and its letters ("12": "A,B"); before, a
    reference and its text ("A12": "…"), whose text is not needed."""
    refs: set[str] = set()
    malformed = []
    for key, cols in shown.items():
        if key.isascii() and key.isdigit():
            letters = cols.split(",") if isinstance(cols, str) else []
            if letters and all(_LETTERS.fullmatch(col) for col in letters):
                refs.update(letter + key for letter in letters)
            else:
                malformed.append(key)
            continue
        try:
            split_coord(key)
        except ValueError:
            malformed.append(key)
        else:
            refs.add(key)
    return refs, malformed


_LETTERS = re.compile("[A-Z]{1,3}")


def shown_text(value: object) -> str:
    """Numbers to 15 significant digits (what any application stores back), text stripped."""
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        number = excel_number(str(value))
        return format(number, "f")
    return str(value).strip()

def record_range(n_chunks: int, sheet_name: str) -> str:
    letter = column_letter(RECORD_COLUMN)
    return f"{location(sheet_name, '')}${letter}$1:${letter}${max(n_chunks, 1)}"


def _how_counted(lv: LevelResult, digits: int) -> str:
    """What the level's points are (docs/rules.md §14): its rows' sum, or that sum rescaled, said so."""
    if lv.rows_score is None or lv.weight is None:
        return "各指标得分之和"
    rows = score_text(lv.rows_score, digits)
    return (f"各指标得分之和 {rows}（分值合计 {plain(lv.indicator_weight)}）"
            f"按口径分值 {plain(lv.weight)} 折算")
