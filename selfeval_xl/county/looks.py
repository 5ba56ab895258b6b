"""How a cell looks to a reader: the number format it is shown through, its font and its fill.

Two sources give the same plain `Look`: the tool's own named summary styles (write/stylebook.py,
rendered into an empty styles part) and whatever styles part a workbook carries now. verify
compares the two for every cell of 评分汇总 (docs/workbook.md §7).

A cell's format can come from its own entry (cellXfs) or from the named cell style behind it
(cellStyleXfs): Excel takes the cell's entry, LibreOffice follows the `apply…="0"` flags back to the
named style. A reader may use either application, so both must show what the tool wrote.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from selfeval_xl.read.package import M, Package
from selfeval_xl.write.stylebook import StyleBook

# Built-in number formats by id (ECMA-376 §18.8.30) that a re-save may use for the tool's codes.
BUILTIN_CODES = {0: "general", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 49: "@"}
# A font colour that is the default text colour in every application: none given, automatic, the
# theme's dark text (theme 1), black, or the indexed system foreground.
_DEFAULT_COLOURS = frozenset({"", "auto", "theme:1", "000000", "indexed:8", "indexed:64"})
# A numFmtId as applications take it: spaces around and a "+" (xsd:unsignedInt), and "2.0" (LibreOffice).
_FORMAT_ID = re.compile(r"[ \t\r\n]*\+?([0-9]+)(?:\.0*)?[ \t\r\n]*")


def format_id(text: str | None) -> int | None:
    """The number format a numFmtId names, or None where it names none: " 2", "+2" and "2.0" name format 2 as
    "2" does, so a format defined under one of them is what format 2 shows."""
    found = _FORMAT_ID.fullmatch(text or "")
    return int(found.group(1)) if found else None


def format_codes(root: etree._Element) -> dict[int, str]:
    """The custom number formats of a styles part by id (lower case); an id defined twice with two codes
    shows one of them, which one depends on the application: it reads as neither."""
    codes: dict[int, str] = {}
    for nf in root.iterfind(f"{M}numFmts/{M}numFmt"):
        fid, code = format_id(nf.get("numFmtId")), (nf.get("formatCode") or "").strip().lower()
        if fid is not None:
            codes[fid] = code if codes.get(fid, code) == code else "#twice"
    return codes


def cell_format(codes: dict[int, str], xf: etree._Element) -> str:
    """The format code a cellXfs entry shows its cells through (lower case); "#…" where its id names none."""
    raw = xf.get("numFmtId")
    fid = 0 if raw is None else format_id(raw)
    if fid is None:
        return f"#{raw}"
    return codes.get(fid, BUILTIN_CODES.get(fid, f"#{fid}"))


@dataclass(frozen=True)
class Look:
    numfmt: str  # format code, lower case ("general" for none)
    bold: bool
    italic: bool
    underline: bool
    strike: bool
    size: float
    colour: str  # "RRGGBB", "auto", "theme:N", "indexed:N" or ""
    fill: str  # the solid fill's "RRGGBB", "" for none, "pattern:NAME" for any other pattern


@dataclass
class _Styles:
    codes: dict[int, str]
    fonts: list[etree._Element]
    fills: list[etree._Element]
    cell_xfs: list[etree._Element]
    style_xfs: list[etree._Element]


def _colour(el: etree._Element | None) -> str:
    if el is None:
        return ""
    if el.get("auto") in ("1", "true"):
        return "auto"
    tint = el.get("tint")  # lightens or darkens the colour: 0.9999 makes the theme's dark text all but white
    shade = "" if tint is None or tint.strip() in ("0", "0.0", "-0", "") else f"~{tint.strip()}"
    rgb = el.get("rgb")
    if rgb:
        return rgb[-6:].upper() + shade
    for kind in ("theme", "indexed"):
        if el.get(kind) is not None:
            return f"{kind}:{el.get(kind)}{shade}"
    return shade


def _on(el: etree._Element | None) -> bool:
    return el is not None and el.get("val", "1") not in ("0", "false", "none")


def _font_look(font: etree._Element | None) -> tuple[bool, bool, bool, bool, float, str]:
    if font is None:
        return False, False, False, False, 11.0, ""
    size_el = font.find(f"{M}sz")
    try:
        size = float(size_el.get("val", "11")) if size_el is not None else 11.0
    except ValueError:
        size = 0.0  # unreadable: treated as a size that cannot be read on paper
    return (_on(font.find(f"{M}b")), _on(font.find(f"{M}i")), _on(font.find(f"{M}u")),
            _on(font.find(f"{M}strike")), size, _colour(font.find(f"{M}color")))


def _fill_look(fill: etree._Element | None) -> str:
    pattern = fill.find(f"{M}patternFill") if fill is not None else None
    if pattern is None or pattern.get("patternType") in (None, "none"):
        return "" if fill is None or fill.find(f"{M}gradientFill") is None else "pattern:gradient"
    if pattern.get("patternType") == "solid":
        return _colour(pattern.find(f"{M}fgColor")) or "pattern:solid"
    return f"pattern:{pattern.get('patternType')}"


def _index(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _parse(root: etree._Element | None) -> _Styles:
    if root is None:
        return _Styles({}, [], [], [], [])
    return _Styles(format_codes(root), list(root.iterfind(f"{M}fonts/{M}font")),
                   list(root.iterfind(f"{M}fills/{M}fill")), list(root.iterfind(f"{M}cellXfs/{M}xf")),
                   list(root.iterfind(f"{M}cellStyleXfs/{M}xf")))


def _look_of(styles: _Styles, xf: etree._Element) -> Look:
    code = cell_format(styles.codes, xf)
    font_id, fill_id = _index(xf.get("fontId")), _index(xf.get("fillId"))
    font = styles.fonts[font_id] if font_id < len(styles.fonts) else None
    fill = styles.fills[fill_id] if fill_id < len(styles.fills) else None
    return Look(code, *_font_look(font), _fill_look(fill))


class WorkbookLooks:
    """The looks a workbook's styles part gives each cell style index."""

    def __init__(self, package: Package) -> None:
        part = next((t for rel_type, t, _ in package.rels(package.workbook_part).values()
                     if rel_type.endswith("/styles")), None)
        self._styles = _parse(package.xml(part) if part is not None and part in package.names else None)
        self._known: dict[int, tuple[Look, ...]] = {}  # a summary's thousands of cells share a few dozen styles

    def looks(self, index: int) -> tuple[Look, ...]:
        """The cell's look as Excel shows it and, where it differs, as LibreOffice does (from its named style)."""
        known = self._known.get(index)
        if known is None:
            known = self._known[index] = self._looks(index)
        return known

    def _looks(self, index: int) -> tuple[Look, ...]:
        xfs = self._styles.cell_xfs
        if not 0 <= index < len(xfs):
            return (Look("general", False, False, False, False, 11.0, "", ""),)
        xf = xfs[index]
        own = _look_of(self._styles, xf)
        parent_id = _index(xf.get("xfId"))
        if parent_id >= len(self._styles.style_xfs):
            return (own,)
        named = _look_of(self._styles, self._styles.style_xfs[parent_id])
        inherited = Look(
            named.numfmt if _off(xf, "applyNumberFormat") else own.numfmt,
            *((named.bold, named.italic, named.underline, named.strike, named.size, named.colour)
              if _off(xf, "applyFont") else
              (own.bold, own.italic, own.underline, own.strike, own.size, own.colour)),
            named.fill if _off(xf, "applyFill") else own.fill)
        return (own,) if inherited == own else (own, inherited)


def _off(xf: etree._Element, flag: str) -> bool:
    return xf.get(flag) in ("0", "false")


def tool_looks() -> dict[str, Look]:
    """The look of each of the tool's named summary styles, as the tool writes them."""
    # Every styles part starts with a default font, no fill and the gray125 pattern (fill 1), which
    # the tool's entries come after.
    root = etree.fromstring(
        f'<styleSheet xmlns="{M[1:-1]}"><fonts><font><sz val="11"/><name val="宋体"/></font></fonts>'
        '<fills><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
        '</fills><borders><border/></borders><cellXfs><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellXfs></styleSheet>')
    book = StyleBook(root, "xl/styles.xml")
    named = book.summary_styles()
    styles = _parse(root)
    return {name: _look_of(styles, styles.cell_xfs[index]) for name, index in named.items()}


def run_looks(base: Look, run_properties: etree._Element) -> Look:
    """A run of rich text: what its own properties set over the cell's look (LibreOffice writes runs
    for text that mixes scripts; only what a reader can see is compared)."""
    size_el = run_properties.find(f"{M}sz")
    colour_el = run_properties.find(f"{M}color")
    try:
        size = float(size_el.get("val", "0")) if size_el is not None else base.size
    except ValueError:
        size = 0.0

    def flag(tag: str, default: bool) -> bool:
        el = run_properties.find(f"{M}{tag}")
        return default if el is None else _on(el)

    return Look(base.numfmt, flag("b", base.bold), flag("i", base.italic), flag("u", base.underline),
                flag("strike", base.strike), size, _colour(colour_el) if colour_el is not None else base.colour,
                base.fill)


def same_look(expected: Look, actual: Look) -> str | None:
    """None when a reader sees the same; else what differs, in Chinese."""
    if _code(actual.numfmt) != _code(expected.numfmt):
        return f"数字格式被改为“{actual.numfmt[:40]}”，显示的内容可能与数值不同"
    if actual.size < expected.size - 0.5 or actual.size > expected.size + 0.5:
        return f"字号被改为 {actual.size:g}"
    if expected.colour and actual.colour != expected.colour:
        return "文字颜色被改动"
    if not expected.colour and actual.colour not in _DEFAULT_COLOURS:
        return "文字颜色被改动"
    if (actual.bold, actual.italic, actual.strike) != (expected.bold, expected.italic, expected.strike):
        return "文字样式（加粗、倾斜或删除线）被改动"
    if actual.fill != expected.fill:
        return "单元格底色被改动"
    return None


def _code(code: str) -> str:
    return "general" if code in ("general", "@") else code
