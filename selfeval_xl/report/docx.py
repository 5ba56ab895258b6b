"""The 自评报告 outline laid out as a .docx in the GB/T 9704 conventions for government documents:
方正小标宋简体 二号 title, 仿宋_GB2312 三号 body, 黑体 / 楷体_GB2312 headings, A4 with the standard
margins and page numbers "— 1 —"."""
from __future__ import annotations

import copy
import datetime as dt
import io
from pathlib import Path
from typing import Sequence, cast

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.run import Run
from lxml import etree

from selfeval_xl.formatting import CELL_LIMIT, shortened, without_surrogates
from selfeval_xl.read.package import clean
from selfeval_xl.report.outline import Block, TableContent
from selfeval_xl.write.atomic import write_atomically

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
TITLE_PROPERTY_LIMIT = 255  # python-docx refuses a longer core property


def document_text(value: object, limit: int = CELL_LIMIT) -> str:
    """A workbook's text as the document can hold it: without what XML cannot hold (control
    characters, lone surrogates as U+FFFD), and no longer than a cell's text could be."""
    return shortened(clean(without_surrogates(str(value))), limit)


def write_docx(blocks: list[Block], target: Path) -> None:
    draft = _Draft()
    for kind, content in blocks:
        draft.block(kind, content)
    draft.page_number_footer()
    doc = draft.doc
    doc.core_properties.author = "selfeval-xl"
    doc.core_properties.title = document_text(blocks[0][1], TITLE_PROPERTY_LIMIT)
    doc.core_properties.created = doc.core_properties.modified = dt.datetime(2025, 1, 1)
    buffer = io.BytesIO()
    doc.save(buffer)
    write_atomically(target, buffer.getvalue())


class _Draft:
    """The document being written: A4 with the margins of GB/T 9704, and its runs' fonts."""

    def __init__(self) -> None:
        self.doc = Document()
        section = self.section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        self.made: dict[tuple[str, float, bool], etree._Element] = {}
        self.paragraphs: dict[tuple, etree._Element] = {}

    def font(self, run: Run, name: str, size: float, bold: bool = False) -> None:
        # one set of run properties per font, copied: building them through python-docx for each of
        # tens of thousands of table cells took most of a large report's time
        key = (name, size, bold)
        element: etree._Element = run._element  # as a plain element: the run properties go in first
        if key in self.made and run._element.rPr is None:
            element.insert(0, copy.deepcopy(self.made[key]))
            return
        run.font.name = name
        run.font.size = Pt(size)
        run.font.bold = bold
        rpr: etree._Element = run._element.get_or_add_rPr()  # as a plain element: rFonts is a plain one
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), name)
        self.made.setdefault(key, copy.deepcopy(rpr))

    def paragraph(self, text: str, name: str, size: float, *, bold: bool = False, indent: bool = True,
                  align: WD_PARAGRAPH_ALIGNMENT | None = None, color: RGBColor | None = None) -> None:
        # the first paragraph of each look is built through python-docx; the others are copies of it
        # with their own text: building each anew took most of a 3,000-indicator report's time
        key = (name, size, bold, indent, align, color)
        prototype = self.paragraphs.get(key)
        if prototype is not None:
            element = copy.deepcopy(prototype)
            _set_texts(element, [text])
            self.doc.element.body.insert(len(self.doc.element.body) - 1, element)  # before the sectPr
            return
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28)
        fmt.space_before = fmt.space_after = Pt(0)
        if indent:
            fmt.first_line_indent = Pt(size * 2)
        if align is not None:
            p.alignment = align
        run = p.add_run(document_text(text) or " ")
        self.font(run, name, size, bold)
        if color is not None:
            run.font.color.rgb = color
        self.paragraphs[key] = copy.deepcopy(p._p)
        _set_texts(p._p, [text])

    def block(self, kind: str, content: object) -> None:
        if kind == "title":
            self.paragraph(str(content), TITLE_FONT, 22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
            self.paragraph("", BODY_FONT, 16, indent=False)
        elif kind == "h1":
            self.paragraph(str(content), H1_FONT, 16)
        elif kind == "h2":
            self.paragraph(str(content), H2_FONT, 16)
        elif kind == "note":
            self.paragraph(str(content), BODY_FONT, 16, bold=True, color=RGBColor(0xC0, 0x00, 0x00))
        elif kind == "p":
            self.paragraph(str(content), BODY_FONT, 16)
        elif kind == "table":
            self.table(*cast(TableContent, content))  # kind "table" carries (header, rows)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        table = self.doc.add_table(rows=0, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, values in enumerate([header, *rows[:1]]):
            for tc, value in zip(table.add_row()._tr.tc_lst, values, strict=False):
                run = _Cell(tc, table).paragraphs[0].add_run(document_text(value) or " ")
                self.font(run, H1_FONT if r == 0 else BODY_FONT, 12, False)
        if not rows:
            return
        # the first body row, built through python-docx, is the pattern of the others: copies with their
        # own texts (python-docx's add_row and add_run per cell took seconds for 3,000 indicators)
        first = table._tbl.tr_lst[-1]
        pattern = copy.deepcopy(first)
        _set_texts(first, rows[0])
        for values in rows[1:]:
            row = copy.deepcopy(pattern)
            _set_texts(row, values)
            table._tbl.append(row)

    def page_number_footer(self) -> None:
        """— 1 —, centred, the page number a field each application fills in."""
        footer = self.section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for text, field in (("— ", None), (None, "PAGE"), (" —", None)):
            run = footer.add_run(text or "")
            self.font(run, "宋体", 14)
            if field:
                begin, instr, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
                begin.set(qn("w:fldCharType"), "begin")
                instr.set(qn("xml:space"), "preserve")
                instr.text = field
                end.set(qn("w:fldCharType"), "end")
                run._element.append(begin)
                run._element.append(instr)
                run._element.append(end)


def _set_texts(element: etree._Element, values: Sequence[object]) -> None:
    """Each w:t of `element` (one per cell or paragraph, in order) holds the next value's text."""
    for t, value in zip(element.iter(qn("w:t")), values, strict=False):
        t.text = document_text(value)
        t.set(qn("xml:space"), "preserve")
