"""The 评分汇总 sheet as a part of the package: removing a previous run's, rendering the model to
sheet XML with its chart (drawn by XlsxWriter), and placing it first, active and named."""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections import defaultdict
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from selfeval_xl.cellref import column_letter
from selfeval_xl.layout import SHEET_SUMMARY
from selfeval_xl.read.cells import read_grid
from selfeval_xl.read.package import NS_MAIN, NS_PKG_REL, NS_REL, XML_ILLEGAL, M, R, clean, rels_name
from selfeval_xl.write.package_edit import (
    CHART_CT,
    CHART_TYPE,
    DRAWING_CT,
    DRAWING_TYPE,
    WORKBOOK_ORDER,
    WORKSHEET_CT,
    WORKSHEET_TYPE,
    PackageEdit,
    cell_text,
    insert_in_order,
    sort_defined_names,
)
from selfeval_xl.write.record import FINGERPRINT_NAME, RECORD_NAME, record_in
from selfeval_xl.write.stylebook import StyleBook
from selfeval_xl.write.summary import PRINT_AREA, SheetCell, SheetModel, TableRow, record_range


def remove_previous_summary(edit: PackageEdit) -> list[object]:
    info = edit.pkg.sheet(SHEET_SUMMARY)
    if info is None:
        return []
    record = record_in(read_grid(edit.pkg, info))
    if record is None:
        return []  # a sheet of the user's own that happens to share the name: left alone
    wb = edit.tree(edit.pkg.workbook_part)
    sheets = wb.find(f"{M}sheets")
    assert sheets is not None, "the package listed this sheet, so the workbook has <sheets>"
    position = next(i for i, el in enumerate(sheets) if el.get("name") == SHEET_SUMMARY)
    sheets.remove(sheets[position])
    edit.shift_local_ids(wb, position, -1)
    rels = edit.tree(rels_name(edit.pkg.workbook_part))
    for el in list(rels):
        if el.get("Id") == info.rid:
            rels.remove(el)
    edit.remove_part(info.part)
    marks = record.get("marks")
    return marks if isinstance(marks, list) else []



def add_summary(edit: PackageEdit, model: SheetModel, n_chunks: int, fingerprint: str) -> None:
    part = edit.free_name("xl/worksheets/sheet{}.xml")
    drawing_rid = None
    parts = chart_parts(model)
    if parts is not None:
        drawing_xml, chart_xml = parts
        chart_part = edit.free_name("xl/charts/chart{}.xml")
        edit.new_part(chart_part, data=chart_xml)
        edit.override(chart_part, CHART_CT)
        drawing_part = edit.free_name("xl/drawings/drawing{}.xml")
        edit.new_part(drawing_part, data=drawing_xml)
        edit.override(drawing_part, DRAWING_CT)
        rels = edit.rels_tree(drawing_part)
        etree.SubElement(rels, f"{{{NS_PKG_REL}}}Relationship", Id="rId1", Type=CHART_TYPE,
                         Target=posixpath.relpath(chart_part, posixpath.dirname(drawing_part)))
        drawing_rid = edit.add_rel(part, DRAWING_TYPE, drawing_part)
    edit.new_part(part, data=render_sheet(model, edit.styles, drawing_rid))
    edit.summary_part = part
    edit.override(part, WORKSHEET_CT)
    rid = edit.add_rel(edit.pkg.workbook_part, WORKSHEET_TYPE, part)
    wb = edit.tree(edit.pkg.workbook_part)
    sheets = wb.find(f"{M}sheets")
    assert sheets is not None, "the workbook was read, so it has <sheets>"
    ids = [int(el.get("sheetId", "0")) for el in sheets if (el.get("sheetId") or "").isdigit()]
    el = etree.Element(f"{M}sheet", name=SHEET_SUMMARY, sheetId=str(max(ids, default=0) + 1))
    el.set(f"{R}id", rid)
    sheets.insert(0, el)
    edit.shift_local_ids(wb, 0, +1)
    names = wb.find(f"{M}definedNames")
    if names is None:
        # after the sheets and any links to other workbooks: Excel repairs a workbook whose definedNames
        # come before its externalReferences
        names = etree.Element(f"{M}definedNames")
        insert_in_order(wb, names, WORKBOOK_ORDER)
    etree.SubElement(names, f"{M}definedName", name=FINGERPRINT_NAME).text = f'"{fingerprint}"'
    etree.SubElement(names, f"{M}definedName", name=RECORD_NAME).text = record_range(n_chunks, SHEET_SUMMARY)
    etree.SubElement(names, f"{M}definedName", name=PRINT_AREA, localSheetId="0").text = model.print_area()
    sort_defined_names(names)
    views = wb.find(f"{M}bookViews")
    for view in views if views is not None else ():
        view.set("activeTab", "0")
        view.set("firstSheet", "0")
    edit.unselect_tabs()



def chart_parts(model: SheetModel, *, whole_workbook: bool = False) -> tuple[bytes, bytes] | None:
    """(drawing XML, chart XML) for the model's chart, written by XlsxWriter with cached values so
    the chart shows without recalculation; the drawing refers to its chart as rId1."""
    spec = model.chart
    if spec is None:
        return None
    import xlsxwriter
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet(SHEET_SUMMARY)
    for cell in model.cells:
        if spec.first_row <= cell.row <= spec.last_row and cell.col in (1, *(c for _, c in spec.series)):
            value = cell.value
            if isinstance(value, Decimal):
                ws.write_number(cell.row - 1, cell.col - 1, float(value))
            elif value is not None:
                ws.write_string(cell.row - 1, cell.col - 1, str(value))
    chart = wb.add_chart({"type": "bar"})
    colors = ("#BDD7EE", "#2F5597")
    for (name, col), color in zip(spec.series, colors, strict=True):
        chart.add_series({"name": name, "categories": [SHEET_SUMMARY, spec.first_row - 1, 0, spec.last_row - 1, 0],
                          "values": [SHEET_SUMMARY, spec.first_row - 1, col - 1, spec.last_row - 1, col - 1],
                          "fill": {"color": color}})
    chart.set_title({"name": spec.title, "name_font": {"size": 12, "bold": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 600, "height": 20 * spec.rows_tall})
    ws.insert_chart(spec.anchor, chart)
    if not whole_workbook:
        try:
            # The steps Workbook.close takes before packaging (XlsxWriter 3.1.7 to now), then the two parts
            # written alone: packaging and deflating a whole workbook for them was two thirds of the cost
            # (1.5 ms a scored copy). Private API, so a version that renamed it gets the whole workbook.
            wb._prepare_sst_string_data()
            wb._prepare_drawings()
            wb._add_chart_data()
            written = []
            for part in (ws.drawing, chart):
                text = io.StringIO()
                part._set_filehandle(text)
                part._assemble_xml_file()
                written.append(text.getvalue().encode("utf-8"))
            return written[0], written[1]
        except AttributeError:
            return chart_parts(model, whole_workbook=True)
    wb.close()
    with zipfile.ZipFile(buffer) as z:
        return z.read("xl/drawings/drawing1.xml"), z.read("xl/charts/chart1.xml")


# --- rendering the summary sheet --------------------------------------------------------------------------

# Text that cleaning, the _xHHHH_ guard and XML escaping would all leave as it is: most of a large
# summary's cells, written without the three passes.
_PLAIN_TEXT = re.compile(f"[^&<>_{XML_ILLEGAL}]*\\Z")


# An attribute value that cleaning and quoting would leave as it is, between double quotes.
_PLAIN_ATTRIBUTE = re.compile(f"[^&<>\"\n\r\t{XML_ILLEGAL}]*\\Z")


def _attribute(text: str) -> str:
    return _quoted(text) if _PLAIN_ATTRIBUTE.match(text) else quoteattr(clean(text))


def hyperlinks(links: list[tuple[str, str, str]]) -> list[str]:
    """The <hyperlink> elements of (cell, location, tooltip) links. A large summary links each of its thousands
    of indicator names: when no text of any link needs quoting (whether one does is a property of each
    character), none is tested on its own."""
    plain = _PLAIN_ATTRIBUTE.match("".join(text for link in links for text in link))
    quote = _quoted if plain else _attribute
    return [f"<hyperlink ref={quote(ref)} location={quote(loc)} display={quote(ref)} tooltip={quote(tip)}/>"
            for ref, loc, tip in links]


def _quoted(text: str) -> str:
    return f'"{text}"'


def _column(cell: SheetCell) -> int:
    return cell.col


def _cell_body(style: int, value: object) -> str:
    """A summary cell's XML after its address: style, type and value."""
    if value is None:
        return f' s="{style}"/>'
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        number = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return f' s="{style}"><v>{number}</v></c>'
    text = str(value)
    return _inline(style, text if _PLAIN_TEXT.match(text) else escape(cell_text(text)))


def _inline(style: int, text: str) -> str:
    """An inline-string cell's XML after its address, for text already fit to stand in XML."""
    return f' s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _record_body(style: int, value: object) -> str:
    """A chunk of the record's JSON. JSON writes every character below U+0020 escaped (\\u0001), so none of
    the controls XML cannot hold is in it, and a search of its 30,000 characters for them (2 ms on a large
    form's record) is left out: only what XML escapes, the _xHHHH_ guard's "_" and the two noncharacters are
    looked for."""
    text = str(value)
    if "&" in text or "<" in text or ">" in text or "_" in text or "\ufffe" in text or "\uffff" in text:
        return _cell_body(style, text)
    return _inline(style, text)


def render_sheet(model: SheetModel, styles: StyleBook, drawing_rid: str | None = None) -> bytes:
    named = styles.summary_styles()
    rows: dict[int, list[SheetCell]] = defaultdict(list)
    max_col = max(model.table_width, 1)
    for cell in model.cells:
        rows[cell.row].append(cell)
        if cell.col > max_col and cell.col not in model.hidden_columns:
            max_col = cell.col
    table: dict[int, TableRow] = {}
    for line in model.table:
        if line.row in rows:  # a row the table shares with other cells (the record's): rendered cell by cell
            rows[line.row] += line.cells()
        else:
            table[line.row] = line
    max_row = max((*rows, *table), default=1)
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">',
           '<sheetPr><tabColor rgb="FF2F5597"/><pageSetUpPr fitToPage="1"/></sheetPr>',
           f'<dimension ref="A1:{column_letter(max_col)}{max_row}"/>',
           '<sheetViews><sheetView tabSelected="1" workbookViewId="0" zoomScale="100"/></sheetViews>',
           '<sheetFormatPr defaultRowHeight="15"/>', "<cols>"]
    widths = dict(model.widths)
    for col in model.hidden_columns:
        widths[col] = 0
    for col in sorted(widths):
        hidden = ' hidden="1"' if col in model.hidden_columns else ""
        out.append(f'<col min="{col}" max="{col}" width="{widths[col] or 9}" customWidth="1"{hidden}/>')
    out.append("</cols><sheetData>")
    # A large summary repeats its cells' contents (weights, scores, —, 不计分, level names): each distinct
    # (style, value) is rendered once, and only the address is written per cell. Equal Decimals of another
    # spelling (1 and 1.0) would share a key: safe, since SheetModel.shown stores each number in one spelling.
    rendered: dict[tuple[str, type, object], str] = {}

    def body(style: str, value: object) -> str:
        key = (style, type(value), value)
        found = rendered.get(key)
        if found is None:
            number = named.get(style, named["text"])
            found = rendered[key] = _record_body(number, value) if style == "record" else _cell_body(number, value)
        return found

    letters = [column_letter(col) for col in range(1, max_col + 1)]
    for r in sorted((*rows, *table)):
        height = model.heights.get(r)
        attrs = f' ht="{height}" customHeight="1"' if height else ""
        out.append(f'<row r="{r}"{attrs}>')
        number = str(r)
        row_line = table.get(r)
        if row_line is not None:
            out += [f'<c r="{letter}{number}"{body(style, value)}'
                    for letter, value, style in zip(letters, row_line.values, row_line.styles, strict=False)]
        else:
            cells = rows[r]
            cells.sort(key=_column)
            out += [f'<c r="{column_letter(cell.col)}{number}"{body(cell.style, cell.value)}' for cell in cells]
        out.append("</row>")
    out.append("</sheetData>")
    if model.merges:
        out.append(f'<mergeCells count="{len(model.merges)}">')
        out.extend(f'<mergeCell ref="{ref}"/>' for ref in model.merges)
        out.append("</mergeCells>")
    if model.links:
        out.append("<hyperlinks>")
        out += hyperlinks(model.links)
        out.append("</hyperlinks>")
    out.append('<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>')
    out.append('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>')
    out.append('<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>')
    if model.print_rows:
        out.append(f'<rowBreaks count="1" manualBreakCount="1"><brk id="{model.print_rows}" max="16383" man="1"/>'
                   '</rowBreaks>')
    if drawing_rid:
        out.append(f'<drawing r:id="{drawing_rid}"/>')
    out.append("</worksheet>")
    return "".join(out).encode("utf-8")
