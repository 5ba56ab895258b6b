"""评分汇总 as a reader sees it, compared with the sheet the tool would write for the recomputed result.

The tool owns the summary sheet and everything that shapes how it looks. verify rebuilds the
sheet's model (write/summary.py) from the result it recomputes and compares, part by part, what a
reader sees: each cell's value shown through its number format, font, fill; rows, columns and
merges; links; conditional formats; notes and drawings over the sheet; header, footer and print
area; the sheet's visibility and any other sheet that passes for it; the defined names that carry
the fingerprint. The record kept in the copy is never the reference (docs/workbook.md §7).

What Excel, WPS or LibreOffice change when they merely save the copy again (style numbering,
substituted font names, row heights written out, columns grouped, drawings rewritten) is not a change.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Iterator, NamedTuple

from lxml import etree

from selfeval_xl.cellref import column_letter, split_coord
from selfeval_xl.county.looks import Look, WorkbookLooks, run_looks, same_look, tool_looks
from selfeval_xl.layout import SHEET_SUMMARY
from selfeval_xl.read.package import M, Package, R, rich_text
from selfeval_xl.write.record import FINGERPRINT_NAME, RECORD_COLUMN, RECORD_NAME
from selfeval_xl.write.summary import PRINT_AREA, ChartSpec, SheetModel, shown_text

XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
MIN_ROW_HEIGHT = 9.0  # points: a row lower than this hides its text (the default row is 15)
MIN_WIDTH_SHARE = 0.75  # of the tool's column width: narrower shows ### for numbers and cuts words
# Traditional forms of the sheet name's characters: 評分匯總 passes for 评分汇总 to a reader.
_TRADITIONAL = str.maketrans({"評": "评", "匯": "汇", "總": "总", "彙": "汇", "縂": "总", "緫": "总"})
_NOTE_VERSION = re.compile(r"selfeval-xl \S+")
_HEADER_CODES = re.compile(r'&(?:"[^"]*"|\d+|K[0-9A-Fa-f]{6}|[LCRPNADTFZGBIUESXY&])')


class Problem(NamedTuple):
    item: str
    what: str


def folded_name(name: str) -> str:
    """A sheet name as a reader takes it: width, invisible characters, spaces and traditional forms gone."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Zs", "Cc") and not ch.isspace())
    return text.translate(_TRADITIONAL)


def summary_view_problems(package: Package, model: SheetModel, *, values: bool = True) -> list[Problem]:
    """Every difference between 评分汇总 as it is and as the tool would write it for `model`; with
    `values` false, how the cells look but not what they hold."""
    problems = _sheet_problems(package)
    info = package.sheet(SHEET_SUMMARY)
    if info is None:
        return problems + [Problem(SHEET_SUMMARY, "评分汇总工作表不见了")]
    root = package.xml(info.part)
    problems += _cell_problems(package, root, model, values)
    problems += _row_problems(root, model)
    problems += _column_problems(root, model)
    problems += _sheet_part_problems(root, model)
    problems += _drawing_problems(package, info.part, model)
    problems += _print_name_problems(package, model)
    return problems


def _sheet_problems(package: Package) -> list[Problem]:
    problems = []
    target = folded_name(SHEET_SUMMARY)
    holder = package.workbook.find(f"{M}sheets")
    for el in holder if holder is not None else []:
        name = el.get("name", "")
        if name == SHEET_SUMMARY:
            if el.get("state") in ("hidden", "veryHidden"):
                problems.append(Problem(SHEET_SUMMARY, "评分汇总工作表被隐藏"))
        elif folded_name(name) == target:
            problems.append(Problem(name, f"另有一个工作表“{name}”看起来与“{SHEET_SUMMARY}”同名，可能冒充评分汇总"))
    return problems


def _print_name_problems(package: Package, model: SheetModel) -> list[Problem]:
    """Defined names: the fingerprint and record only workbook-wide; on the summary no print titles and
    no print area but the tool's own (a copy from before the tool set one, printing everything, passes)."""
    problems = []
    index = next((i for i, s in enumerate(_sheet_elements(package)) if s.get("name") == SHEET_SUMMARY), None)
    for el in package.workbook.iterfind(f"{M}definedNames/{M}definedName"):
        name, local = el.get("name", ""), el.get("localSheetId")
        if name in (FINGERPRINT_NAME, RECORD_NAME) and local is not None:
            problems.append(Problem(f"名称 {name}", "出现了只属于某个工作表的同名名称，可能顶替评分时的指纹"))
        elif local is None or index is None or not local.isdigit() or int(local) != index:
            continue
        elif name.lower() == PRINT_AREA.lower() and _same_range(el.text or "", model.print_area()):
            continue
        elif name.lower() in (PRINT_AREA.lower(), "_xlnm.print_titles"):
            problems.append(Problem(f"{SHEET_SUMMARY} 的打印设置", "设置了打印区域或打印标题，打印出来的内容可能不全"))
    return problems


def _same_range(written: str, expected: str) -> bool:
    """A print area as an application saves it back: quotes and $ signs are its own business."""
    def key(text: str) -> str:
        return text.replace("$", "").replace("'", "").strip()
    return key(written) == key(expected)


def _sheet_elements(package: Package) -> list[etree._Element]:
    holder = package.workbook.find(f"{M}sheets")
    return list(holder) if holder is not None else []


# --- cells ------------------------------------------------------------------------------------------------

class _ShownCell(NamedTuple):
    value: object  # Decimal, str or None
    style: int
    formula: bool
    runs: tuple[etree._Element, ...]  # the run properties of rich text


def _cells(package: Package, root: etree._Element) -> dict[str, _ShownCell]:
    shared = package.shared_strings()
    runs_shared = _shared_runs(package)
    cells = {}
    for c in root.iterfind(f"{M}sheetData/{M}row/{M}c"):
        ref = c.get("r") or ""
        kind = c.get("t", "n")
        v = c.find(f"{M}v")
        inline = c.find(f"{M}is")
        value: object = None
        runs: tuple[etree._Element, ...] = ()
        if kind == "s" and v is not None and (v.text or "").strip().isdigit():
            i = int((v.text or "").strip())
            value = shared[i] if i < len(shared) else ""
            runs = runs_shared.get(i, ())
        elif kind == "inlineStr" and inline is not None:
            value = rich_text(inline)
            runs = tuple(inline.iterfind(f"{M}r/{M}rPr"))
        elif kind in ("str", "e", "b") and v is not None:
            value = v.text or ""
        elif v is not None and v.text is not None:
            try:
                value = Decimal(v.text.strip())
            except InvalidOperation:
                value = v.text
        style = c.get("s", "0")
        cells[ref] = _ShownCell(value, int(style) if style.isdigit() else 0, c.find(f"{M}f") is not None, runs)
    return cells


def _shared_runs(package: Package) -> dict[int, tuple[etree._Element, ...]]:
    part = next((t for rel_type, t, _ in package.rels(package.workbook_part).values()
                 if rel_type.endswith("/sharedStrings") and t in package.names), None)
    if part is None:
        return {}
    runs = {}
    for i, si in enumerate(package.xml(part).iter(f"{M}si")):
        found = tuple(si.iterfind(f"{M}r/{M}rPr"))
        if found:
            runs[i] = found
    return runs


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return shown_text(value)
    return str(value).strip()


def _expected_note(text: str, actual: str) -> bool:
    """The note row names the tool's version: a copy scored by another release is still the tool's own."""
    return _NOTE_VERSION.sub("selfeval-xl", text) == _NOTE_VERSION.sub("selfeval-xl", actual)


def _cell_problems(package: Package, root: etree._Element, model: SheetModel, values: bool) -> list[Problem]:
    looks = WorkbookLooks(package)
    expected_looks = tool_looks()
    actual = _cells(package, root)
    problems = []
    owned = set()
    record_letter = column_letter(RECORD_COLUMN)
    for cell in model.all_cells():
        if cell.col == RECORD_COLUMN:
            continue
        ref = f"{column_letter(cell.col)}{cell.row}"
        owned.add(ref)
        where = f"{SHEET_SUMMARY}!{ref}"
        shown = actual.get(ref)
        want = _shown(cell.value)
        have = _shown(shown.value) if shown is not None else ""
        if shown is not None and shown.formula:
            problems.append(Problem(where, "单元格被改成了公式"))
        elif not values:
            pass
        elif have != want and not (cell.row == 2 and _expected_note(want, have)):
            problems.append(Problem(where, f"显示为“{have[:40]}”，按现有数据重算应为“{want[:40]}”"))
        elif want and isinstance(cell.value, Decimal) != isinstance(shown.value if shown else None, Decimal):
            problems.append(Problem(where, "数值被改成了文字（或文字被改成了数值）"))
        if want:
            seen = looks.looks(shown.style if shown else 0)
            if shown is not None and shown.runs:
                seen = seen + tuple(run_looks(look, run) for look in seen for run in shown.runs)
            problems += _look_problem(where, expected_looks[cell.style], seen)
    for ref, shown in actual.items():
        if ref in owned or ref.rstrip("0123456789") == record_letter:
            continue
        if _shown(shown.value) or shown.formula:
            problems.append(Problem(f"{SHEET_SUMMARY}!{ref}", "多出了评分时没有的内容"))
    return problems


def _look_problem(where: str, expected: Look, actual: tuple[Look, ...]) -> Iterator[Problem]:
    for look in actual:
        what = same_look(expected, look)
        if what is not None:
            yield Problem(where, what)
            return


# --- rows, columns, merges, links, formats --------------------------------------------------------------

def _row_problems(root: etree._Element, model: SheetModel) -> list[Problem]:
    problems = []
    fmt = root.find(f"{M}sheetFormatPr")
    default_height = 15.0
    if fmt is not None:
        if fmt.get("zeroHeight") in ("1", "true"):
            problems.append(Problem(SHEET_SUMMARY, "未填写高度的行被设为隐藏（zeroHeight）"))
        default_height = _float(fmt.get("defaultRowHeight"), 15.0)
    rows = {_int(r.get("r")): r for r in root.iterfind(f"{M}sheetData/{M}row")}
    used = {c.row for c in model.all_cells() if c.col != RECORD_COLUMN and c.value is not None}
    for number in sorted(used):
        row = rows.get(number)
        height = _float(row.get("ht"), default_height) if row is not None else default_height
        wanted = model.heights.get(number, 0.0)
        if row is not None and row.get("hidden") in ("1", "true"):
            problems.append(Problem(f"{SHEET_SUMMARY}!{number}行", "行被隐藏"))
        elif height < max(MIN_ROW_HEIGHT, wanted - 1):
            problems.append(Problem(f"{SHEET_SUMMARY}!{number}行", f"行高被改为 {height:g}，内容显示不全"))
    return problems


def _column_problems(root: etree._Element, model: SheetModel) -> list[Problem]:
    problems = []
    cols = [(_int(c.get("min")), _int(c.get("max")), c) for c in root.iterfind(f"{M}cols/{M}col")]
    for col, width in sorted(model.widths.items()):
        if col in model.hidden_columns:
            continue
        el = next((c for low, high, c in cols if low <= col <= high), None)
        where = f"{SHEET_SUMMARY}!{column_letter(col)}列"
        if el is None:
            continue  # the sheet's default width: an application's own, never narrower than a number needs
        if el.get("hidden") in ("1", "true"):
            problems.append(Problem(where, "列被隐藏"))
        elif _float(el.get("width"), width) < width * MIN_WIDTH_SHARE:
            problems.append(Problem(where, f"列宽被改为 {_float(el.get('width'), 0):g}，内容显示不全"))
    return problems


def _sheet_part_problems(root: etree._Element, model: SheetModel) -> list[Problem]:
    problems = []
    merges = {el.get("ref", "") for el in root.iterfind(f"{M}mergeCells/{M}mergeCell")}
    for ref in sorted(merges ^ set(model.merges)):
        what = "合并单元格被取消" if ref in model.merges else "新增了合并单元格，可能遮住内容"
        problems.append(Problem(f"{SHEET_SUMMARY}!{ref}", what))
    links = {}
    for el in root.iterfind(f"{M}hyperlinks/{M}hyperlink"):
        target = "外部链接" if el.get(f"{R}id") else (el.get("location") or "").lstrip("#")
        links[el.get("ref", "")] = target
    wanted = {ref: location for ref, location, _ in model.links}
    for ref in sorted(set(links) | set(wanted)):
        if links.get(ref) != wanted.get(ref):
            problems.append(Problem(f"{SHEET_SUMMARY}!{ref}", f"链接指向“{str(links.get(ref) or '无')[:60]}”，"
                                                                f"应为“{str(wanted.get(ref) or '无')[:60]}”"))
    if root.find(f"{M}conditionalFormatting") is not None or any(
            el.tag.endswith("}conditionalFormattings") for el in root.iter() if isinstance(el.tag, str)):
        problems.append(Problem(SHEET_SUMMARY, "设置了条件格式，显示的颜色或内容可能与数值不同"))
    problems += _header_footer_problems(root)
    return problems


def _header_footer_problems(root: etree._Element) -> list[Problem]:
    """The tool prints only page numbers in the footer: any other text in a header or footer is not its own."""
    problems = []
    holder = root.find(f"{M}headerFooter")
    for el in holder if holder is not None else []:
        if not isinstance(el.tag, str):
            continue
        literal = _HEADER_CODES.sub("", el.text or "")
        extra = re.sub(r"[\s第页，共,]", "", literal)
        if extra:
            part = etree.QName(el).localname
            problems.append(Problem(f"{SHEET_SUMMARY} 的页眉页脚（{part}）", f"打印时会多出文字“{extra[:40]}”"))
    return problems


def _drawing_problems(package: Package, part: str, model: SheetModel) -> list[Problem]:
    problems = []
    charts = 0
    for rel_type, target, mode in package.rels(part).values():
        if rel_type.endswith(("/comments", "/vmlDrawing")):
            problems.append(Problem(SHEET_SUMMARY, "汇总表上加了批注，可能遮住内容"))
            continue
        if not rel_type.endswith("/drawing") or mode == "External" or target not in package.names:
            continue
        drawing = package.xml(target)
        shapes = [el for el in drawing.iter(f"{XDR}sp", f"{XDR}pic", f"{XDR}cxnSp", f"{XDR}grpSp")]
        if shapes:
            problems.append(Problem(SHEET_SUMMARY, f"汇总表上多了 {len(shapes)} 个图形或文本框，可能遮住了内容"))
        for anchor in drawing:
            if not isinstance(anchor.tag, str) or anchor.find(f".//{XDR}graphicFrame") is None:
                continue
            charts += 1
            problems += _chart_problems(package, target, anchor, model)
    if charts != (1 if model.chart is not None else 0):
        problems.append(Problem(SHEET_SUMMARY, f"汇总表上的图表数为 {charts}，评分时为 {1 if model.chart else 0}"))
    return problems


def _chart_problems(package: Package, drawing_part: str, anchor: etree._Element, model: SheetModel) -> list[Problem]:
    spec = model.chart
    if spec is None:
        return []
    row, col = split_coord(spec.anchor)
    start = anchor.find(f"{XDR}from")
    end = anchor.find(f"{XDR}to")
    problems = []
    # a negative offset slides the chart up or left, over the table
    if start is None or (_int(start.findtext(f"{XDR}row")) + 1, _int(start.findtext(f"{XDR}col")) + 1) != (row, col) \
            or any(_signed(start.findtext(f"{XDR}{offset}")) < 0 for offset in ("rowOff", "colOff")):
        problems.append(Problem(f"{SHEET_SUMMARY} 的图表", "图表被移动，可能遮住了表格"))
    elif end is not None and _int(end.findtext(f"{XDR}row")) + 1 > model.print_rows + 1:
        problems.append(Problem(f"{SHEET_SUMMARY} 的图表", "图表被放大，可能遮住了问题清单"))
    rels = package.rels(drawing_part)
    for frame in anchor.iter(f"{C}chart"):
        rel = rels.get(frame.get(f"{R}id", ""))
        if rel is None or rel[1] not in package.names:
            continue
        chart = package.xml(rel[1])
        titles = ["".join(t.text or "" for t in title.iter(f"{A}t")).strip() for title in chart.iter(f"{C}title")]
        if titles != [spec.title]:  # an axis title is a second line of text on the chart
            shown = "、".join(t[:40] for t in titles if t != spec.title) or "（无）"
            problems.append(Problem(f"{SHEET_SUMMARY} 的图表", f"图表标题被改为“{shown}”"))
        if _series(chart) != _expected_series(spec):
            problems.append(Problem(f"{SHEET_SUMMARY} 的图表", "图表的数据不再取自汇总表的一级指标得分"))
    return problems


def _series(chart: etree._Element) -> list[tuple[str, str, str]]:
    """Each bar series as (name, categories' range, values' range), ranges written without quotes or "$"; a
    series given its values as literals has no range ("")."""
    found = []
    for series in chart.iter(f"{C}ser"):
        name_el = series.find(f"{C}tx")
        name = "".join(t.text or "" for t in name_el.iter(f"{C}v", f"{A}t")) if name_el is not None else ""
        found.append((name.strip(), _range(series.find(f"{C}cat")), _range(series.find(f"{C}val"))))
    return found


def _range(el: etree._Element | None) -> str:
    ref = el.findtext(f"{C}numRef/{C}f") or el.findtext(f"{C}strRef/{C}f") if el is not None else None
    return re.sub(r"['$\s]", "", ref or "")


def _expected_series(spec: ChartSpec) -> list[tuple[str, str, str]]:
    def cells(letter: str) -> str:
        return f"{SHEET_SUMMARY}!{letter}{spec.first_row}:{letter}{spec.last_row}"
    return [(name, cells("A"), cells(column_letter(col))) for name, col in spec.series]


def _signed(text: str | None) -> int:
    try:
        return int(text) if text is not None else 0
    except ValueError:
        return -1  # unreadable: not where the tool put it


def _int(text: str | None) -> int:
    return int(text) if text and text.strip().isdigit() else 0


def _float(text: str | None, default: float) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default
