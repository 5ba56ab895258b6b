"""Appending the tool's styles to a workbook's own styles part without disturbing any it has."""
from __future__ import annotations

import copy

from lxml import etree

from selfeval_xl.read.package import (
    M,
)
from selfeval_xl.write.appearance import (
    FAIR_FILL,
    FAIR_FONT,
    GOOD_FILL,
    GOOD_FONT,
    MARK_FILLS,
    MARK_FONTS,
    PROVISIONAL_FILL,
    PROVISIONAL_FONT,
)


class StyleBook:
    """Appends fonts, fills, borders, number formats and cell formats to an existing styles part."""

    def __init__(self, root: etree._Element, part_name: str) -> None:
        self.root = root
        self.part_name = part_name
        self._fill_cache: dict[str, int] = {}
        self._index: dict[str, dict[tuple, int]] = {}
        self._with_mark: dict[tuple[int, int, int], int] = {}
        self._named: dict[str, int] = {}

    def finish(self) -> None:
        for tag in ("numFmts", "fonts", "fills", "borders", "cellXfs"):
            el = self.root.find(f"{M}{tag}")
            if el is not None:
                el.set("count", str(len(el)))

    def _section(self, tag: str) -> etree._Element:
        el = self.root.find(f"{M}{tag}")
        if el is None:
            el = etree.Element(f"{M}{tag}")
            order = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs"]
            later = order[order.index(tag) + 1:]
            for i, child in enumerate(self.root):
                if isinstance(child.tag, str) and etree.QName(child).localname in later:
                    self.root.insert(i, el)
                    break
            else:
                self.root.append(el)
        return el

    def _add(self, tag: str, element: etree._Element) -> int:
        """Index of an entry equal to `element` in section `tag`, appending it only when there is none.
        So a workbook scored again (or one that already has such an entry) does not grow a second set."""
        section = self._section(tag)
        index = self._index.get(tag)
        if index is None:
            index = {}
            for i, child in enumerate(section):
                index.setdefault(_xml_key(child), i)
            self._index[tag] = index
        key = _xml_key(element)
        if key not in index:
            section.append(element)
            index[key] = len(section) - 1
        return index[key]

    def add_fill(self, argb: str) -> int:
        if argb not in self._fill_cache:
            fill = etree.Element(f"{M}fill")
            pattern = etree.SubElement(fill, f"{M}patternFill", patternType="solid")
            etree.SubElement(pattern, f"{M}fgColor", rgb=argb)
            etree.SubElement(pattern, f"{M}bgColor", indexed="64")
            self._fill_cache[argb] = self._add("fills", fill)
        return self._fill_cache[argb]

    def add_font(self, *, bold: bool = False, size: float = 10, color: str | None = None, underline: bool = False,
                 italic: bool = False, name: str = "宋体") -> int:
        font = etree.Element(f"{M}font")
        if bold:
            etree.SubElement(font, f"{M}b")
        if italic:
            etree.SubElement(font, f"{M}i")
        if underline:
            etree.SubElement(font, f"{M}u")
        etree.SubElement(font, f"{M}sz", val=str(size))
        if color:
            etree.SubElement(font, f"{M}color", rgb=color)
        etree.SubElement(font, f"{M}name", val=name)
        etree.SubElement(font, f"{M}charset", val="134")
        return self._add("fonts", font)

    def add_border(self, style: str = "thin", color: str = "FFA6A6A6") -> int:
        border = etree.Element(f"{M}border")
        for side in ("left", "right", "top", "bottom"):
            el = etree.SubElement(border, f"{M}{side}", style=style)
            etree.SubElement(el, f"{M}color", rgb=color)
        etree.SubElement(border, f"{M}diagonal")
        return self._add("borders", border)

    def add_numfmt(self, code: str) -> int:
        builtin = {"General": 0, "0.00": 2, "#,##0.00": 4, "0.00%": 10, "0%": 9}
        if code in builtin:
            return builtin[code]
        numfmts = self._section("numFmts")
        ids = [int(el.get("numFmtId", "0")) for el in numfmts if (el.get("numFmtId") or "").isdigit()]
        for el in numfmts:
            if el.get("formatCode") == code:
                # a numFmt without its (required) numFmtId fails here with int(None)'s TypeError
                return int(el.get("numFmtId"))  # type: ignore[arg-type]
        new_id = max([163, *ids]) + 1
        etree.SubElement(numfmts, f"{M}numFmt", numFmtId=str(new_id), formatCode=code)
        return new_id

    def add_xf(self, *, font: int = 0, fill: int = 0, border: int = 0, numfmt: int = 0, wrap: bool = False,
               horizontal: str | None = None, vertical: str = "center") -> int:
        xf = etree.Element(f"{M}xf", numFmtId=str(numfmt), fontId=str(font), fillId=str(fill),
                              borderId=str(border), xfId="0", applyNumberFormat="1", applyFont="1", applyFill="1",
                              applyBorder="1", applyAlignment="1")
        align = etree.SubElement(xf, f"{M}alignment", vertical=vertical)
        if wrap:
            align.set("wrapText", "1")
        if horizontal:
            align.set("horizontal", horizontal)
        return self._add("cellXfs", xf)

    def with_mark(self, original: int, fill: int, border: int) -> int:
        """The cell format `original` with a mark's fill and frame, everything else (number format, font,
        alignment, protection) as it was."""
        key = (original, fill, border)
        if key not in self._with_mark:
            xfs = self._section("cellXfs")
            base = xfs[original] if 0 <= original < len(xfs) else None
            xf = copy.deepcopy(base) if base is not None else etree.Element(
                f"{M}xf", numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")
            xf.set("fillId", str(fill))
            xf.set("applyFill", "1")
            xf.set("borderId", str(border))
            xf.set("applyBorder", "1")
            self._with_mark[key] = self._add("cellXfs", xf)
        return self._with_mark[key]

    def summary_styles(self) -> dict[str, int]:
        if self._named:
            return self._named
        border = self.add_border()
        header_fill = self.add_fill("FFD9E1F2")
        body = self.add_font()
        bold = self.add_font(bold=True)
        money, rate, score = self.add_numfmt("#,##0.00"), self.add_numfmt("0.00%"), self.add_numfmt("0.00")
        grade_colors = [(GOOD_FILL, GOOD_FONT), (FAIR_FILL, FAIR_FONT), (MARK_FILLS["warning"], MARK_FONTS["warning"]),
                        (MARK_FILLS["error"], MARK_FONTS["error"])]
        marked_font = {sev: self.add_font(bold=True, color=color) for sev, color in MARK_FONTS.items()}
        marked_fill = {sev: self.add_fill(color) for sev, color in MARK_FILLS.items()}
        self._named = {
            "title": self.add_xf(font=self.add_font(bold=True, size=16, name="黑体")),
            "note": self.add_xf(font=self.add_font(italic=True, size=9, color="FF595959"), wrap=True),
            "section": self.add_xf(font=self.add_font(bold=True, size=12, name="黑体")),
            "label": self.add_xf(font=bold, fill=header_fill, border=border),
            "label_big": self.add_xf(font=self.add_font(bold=True, size=14), fill=header_fill, border=border),
            "header": self.add_xf(font=bold, fill=header_fill, border=border, wrap=True, horizontal="center"),
            "text": self.add_xf(font=body, border=border),
            "wrap": self.add_xf(font=body, border=border, wrap=True),
            "money": self.add_xf(font=body, border=border, numfmt=money),
            "rate": self.add_xf(font=body, border=border, numfmt=rate),
            "score": self.add_xf(font=body, border=border, numfmt=score),
            "big_score": self.add_xf(font=self.add_font(bold=True, size=20), border=border, numfmt=score,
                                     horizontal="center"),
            "ok": self.add_xf(font=self.add_font(bold=True, color=GOOD_FONT), fill=self.add_fill(GOOD_FILL),
                              border=border, wrap=True),
            "bad": self.add_xf(font=marked_font["error"], fill=marked_fill["error"], border=border, wrap=True),
            "error": self.add_xf(font=marked_font["error"], fill=marked_fill["error"], border=border),
            "warning": self.add_xf(font=marked_font["warning"], fill=marked_fill["warning"], border=border),
            "link": self.add_xf(font=self.add_font(underline=True, color="FF0563C1"), border=border),
            "wrap_link": self.add_xf(font=self.add_font(underline=True, color="FF0563C1"), border=border, wrap=True),
            "record": self.add_xf(font=self.add_font(size=8, color="FF808080")),
        }
        for i, (fill_color, font_color) in enumerate(grade_colors):
            self._named[f"grade_{i}"] = self.add_xf(font=self.add_font(bold=True, size=20, color=font_color),
                                                    fill=self.add_fill(fill_color), border=border, horizontal="center")
        self._named["grade_provisional"] = self.add_xf(
            font=self.add_font(bold=True, size=20, color=PROVISIONAL_FONT), fill=self.add_fill(PROVISIONAL_FILL),
            border=border, horizontal="center")
        return self._named


def _xml_key(el: etree._Element) -> tuple:
    """What an element says (name, attributes, text, children), for finding an equal style entry."""
    if not isinstance(el.tag, str):
        return ("#", str(el.tag), el.text or "")
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(_xml_key(child) for child in el))
