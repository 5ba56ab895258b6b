"""Byte scans of sheet XML: whether a sheet is spelled the way the scans read and how far its cells
reach, which cells carry a style, an error value or a formula and its cached value (the fast reader,
cells.grid_fast; the formula check; the scored copy's writer), and whether every row and cell carries
its address (the scored copy's writer). How a sheet is spelled and how far its cells reach are read
before a parser has accepted it, by searches linear whatever the bytes; the fast reader's other scans
run only over XML a parser has accepted, so no tag hides inside an attribute and no scan goes quadratic.
"""
from __future__ import annotations

import functools
import re
from typing import Iterator

from selfeval_xl.cellref import column_index
from selfeval_xl.errors import UnreadableWorkbook
from selfeval_xl.read.limits import MAX_CELLS
from selfeval_xl.read.package import NS_MAIN

_DIGITS = b"0123456789"
_SPACES = b" \t\r\n"
# A "<c" that does not start a cell addressed A1 to Z9999 with r first: where there is none, one pass
# tells what _unusual_spelling and _extent would find (a sheet past Z9999, or an odd one, takes them).
_PLAIN_NEAR_CELL = re.compile(rb'<c(?! r="[A-Z][0-9]{1,4}")')
_CELL_ADDRESS = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
# A cell past column Z or row 9999: only then is the extent worth computing cell by cell.
_BEYOND_Z_OR_9999 = re.compile(rb'<c r="(?:[A-Z]{2}|[A-Z][0-9]{5})')
_CELL_TAGS = (b"<c ", b"<c>", b"<c/>", b"<c\t", b"<c\n", b"<c\r")
# Attributes other than r may be spelled with spaces around "=" or in single quotes, and end tags
# with a space before ">": the scans read them all as the full walk does.
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3}\d+)"([^>]*?\st\s*=\s*["\']e["\'][^>]*)>\s*'
                         rb'(?:<f\b[^>]*?(?:/>|>[^<]*</f\s*>)\s*)?<v(?:\s[^>]*)?>([^<]*)</v\s*>')


_MAIN = NS_MAIN.encode()
_BOM = b"\xef\xbb\xbf"
_DEFAULT_NS = re.compile(rb"xmlns\s*=")
_ROOT_NAME = re.compile(rb"\s*<[A-Za-z_][\w.-]*")
_ATTRIBUTE = re.compile(rb"""\s+([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')""")
_ROOT_END = re.compile(rb"\s*/?>")
# ":c" or ":row" ending a tag's name, as in <x:c …>: one search by the regular expression engine, which passes
# over bytes several times quicker than two bytes.find loops (63 KB: 19 µs against 87)
_PREFIXED_CELL_OR_ROW = re.compile(rb":(?:c|row)[ \t\r\n/>]")


def spelled_plainly(data: bytes) -> bool:
    """Whether a part is written the way spreadsheet applications write it: the main namespace declared once,
    as the default on the root element, never under a prefix (<x:c> would be a cell a scan for <c misses) and
    no other default anywhere; no comments or processing instructions (text that looks like cells to a scan
    but is none); no cell or row tag under any prefix (python-calamine reads those as cells, past the reach
    the scans measure). Read off the bytes, before anything reads the cells, and on the safe side: the main
    namespace's address written twice anywhere, "xmlns=" in a cell's text, a reference in anything that reads
    as a declaration (one could spell the address), UTF-16 or CDATA holding <? all read as not plain (the full
    walk reads those)."""
    start = 3 if data.startswith(_BOM) else 0
    if data.startswith(b"<?xml", start) and data[start + 5:start + 6] in (b" ", b"\t", b"\r", b"\n", b"?"):
        end = data.find(b"?>", start)  # the XML declaration, no processing instruction
        if end < 0:
            return False
        start = end + 2
    if _found(data, b"?", start, before=b"<") or _found(data, b"!", 0, before=b"<") or data.count(_MAIN) != 1:
        return False  # "<!" is a comment here (a DTD is refused before, CDATA read as not plain)
    if _declarations(data) != 1:
        return False
    if _PREFIXED_CELL_OR_ROW.search(data):  # <x:c …>
        return False
    return _declared_on_root(data, start)


# A prefix is read to 64 bytes at most: "xmlnsxmlns…" in a text then costs one step a find, not the rest of the
# text (a longer prefix binding the main namespace would still put a prefix on its cells, which reads as not plain)
_DECLARED_VALUE = re.compile(rb"""xmlns(?::[^\s=/>]{1,64})?\s*=\s*("[^"]*"|'[^']*')""")


def _declarations(data: bytes) -> int:
    """How many defaults ("xmlns=") the part seems to declare, read from each "xmlns" where it stands (so one
    another attribute's value seems to swallow is read on its own too); -1 where anything that reads as a
    declaration holds a reference (xmlns:x="http&#58;//…" could spell the main namespace)."""
    defaults = 0
    at = data.find(b"xmlns")
    while at >= 0:
        declared = _DECLARED_VALUE.match(data, at)
        if declared is not None and b"&" in declared.group(1):
            return -1
        defaults += _DEFAULT_NS.match(data, at) is not None
        at = data.find(b"xmlns", at + 5)
    return defaults


def _declared_on_root(data: bytes, start: int) -> bool:
    """Whether the root element's start tag, read attribute by attribute, declares the main namespace as its
    default (found in a value or a text, the declaration would be none)."""
    found = _ROOT_NAME.match(data, start)
    if found is None:
        return False
    at, default = found.end(), False
    for attribute in attributes(data, at):
        if attribute.group(1) == b"xmlns":
            default = attribute.group(2)[1:-1] == _MAIN
        at = attribute.end()
    return default and _ROOT_END.match(data, at) is not None


def attributes(data: bytes, at: int) -> Iterator[re.Match[bytes]]:
    """A start tag's attributes read one after another from `at` (just after its name): name in group 1, quoted
    value in group 2. What a value holds, even text spelling another attribute, is never read as one."""
    while (attribute := _ATTRIBUTE.match(data, at)) is not None:
        yield attribute
        at = attribute.end()


def _found(data: bytes, needle: bytes, start: int, *, before: bytes) -> bool:
    """Whether `needle` occurs from `start` just after a byte of `before`. Searched by the needle, a rarer byte
    than the "<" that starts every tag."""
    at = data.find(needle, start)
    while at >= 0:
        if at > start and data[at - 1:at] in before:
            return True
        at = data.find(needle, at + 1)
    return False


def sheet_data(data: bytes) -> bytes | None:
    """The part of sheet XML that holds the cells, from <sheetData up to its end tag (to the end of the
    part where the end tag is missing; empty where it is self-closed); None for a sheet without one, or
    with a second (the full walk reads the first only: what is after it is no cell)."""
    start = data.find(b"<sheetData")
    if start < 0:
        return None
    opened = data.find(b">", start)
    if opened > 0 and data[opened - 1] == 47:  # <sheetData/>: "/"
        end = start
    else:
        end = data.find(b"</sheetData>", start)
        end = len(data) if end < 0 else end
    if data.find(b"<sheetData", end) >= 0:
        return None
    return data[start:end]


def plain_extent(cells_xml: bytes, origin: str, sheet_name: str) -> tuple[int, int] | None:
    """(last row, last column) the sheetData's cells may reach, or None when a cell is written without r
    first in double quotes or CDATA hides a value (the full walk reads those); after the cell-count
    limit. Namespaces, comments and instructions the parse has already looked at."""
    if len(cells_xml) <= 4 * MAX_CELLS and b"<![CDATA[" not in cells_xml and not _PLAIN_NEAR_CELL.search(cells_xml):
        return (9999, 26) if b'<c r="' in cells_xml else None  # no cell past Z9999: dense is fine
    if _unusual_spelling(cells_xml):
        return None
    return _extent(cells_xml, origin, sheet_name)


def _unusual_spelling(cells_xml: bytes) -> bool:
    """Whether a cell is written without r first in double quotes, or CDATA hides a value from the
    scans. Byte counts and searches for needles ending in a rare byte: a fraction of a regular
    expression's pass."""
    if b"<![CDATA[" in cells_xml:
        return True
    # every tag starting <c is a cell, unless rich text brings <color>, <charset> or <condense>
    tags = sum(cells_xml.count(tag) for tag in _CELL_TAGS) if b"<rPr" in cells_xml else cells_xml.count(b"<c")
    return tags != cells_xml.count(b'<c r="')


def _extent(cells_xml: bytes, origin: str, sheet_name: str) -> tuple[int, int] | None:
    """(last row, last column) of the addressed cells, after the cell-count limit."""
    if len(cells_xml) > 4 * MAX_CELLS:  # a cell takes at least four bytes (<c/>): only then count them
        count = cells_xml.count(b"<c ") + cells_xml.count(b"<c>") + cells_xml.count(b"<c/>")
        check_cell_count(count, origin, sheet_name)
    if not _BEYOND_Z_OR_9999.search(cells_xml):
        return (9999, 26) if b'<c r="' in cells_xml else None  # at most 259,974 cells: dense is fine
    addresses = _CELL_ADDRESS.findall(cells_xml)
    if not addresses:
        return None
    last_row = max(int(row) for _, row in addresses)
    last_letters = max({letters for letters, _ in addresses}, key=lambda letters: (len(letters), letters))
    return last_row, column_index(last_letters.decode())


def check_cell_count(count: int, origin: str, sheet_name: str) -> None:
    if count > MAX_CELLS:
        raise UnreadableWorkbook(f"文件 {origin} 的工作表“{sheet_name}”有 {count:,} 个单元格，超过上限 {MAX_CELLS:,}，"
                                 "不是一张自评表：请只保留自评表的工作表后另存再试。", code="TOO_LARGE")


# A county's inbox holds one template filled many times: its formula cells stand at the same addresses in
# every file, each worked out once (bounded, so the addresses of one huge sheet cannot grow it past this).
@functools.lru_cache(maxsize=1 << 14)  # a few megabytes at most
def place_of(ref: bytes) -> tuple[int, int]:
    """(row, column) of an address the scans matched ([A-Z]{1,3} then digits)."""
    letters = ref.rstrip(_DIGITS)
    return int(ref[len(letters):]), column_index(letters.decode())


@functools.lru_cache(maxsize=1 << 14)
def place_of_reversed(ref: bytes) -> tuple[int, int]:
    """place_of an address read off reversed bytes (formula_finds)."""
    return place_of(ref[::-1])


# Up to this many percent styles, each quoted value is searched for on its own; past it, one pass over every s.
_FEW_STYLES = 4
_ANY_STYLE = re.compile(rb"""\ss\s*=\s*(["'])([0-9]+)\1[\s/>]""")


def styled_cells(cells_xml: bytes, style_ids: list[str]) -> Iterator[tuple[int, int]]:
    """The place of every cell whose s attribute is one of `style_ids` (s="010" is style 10, as in the walk).

    The search is for each quoted value ("10" and '10'), a literal the regular expression engine skips to
    (a pattern starting with the attribute's name tried every "s" of the part, four times slower), and each
    find is then read backwards to "s =" and traced to the tag it is in; a styles part listing many percent
    styles gets one pass over every s attribute instead. A find counts only inside a cell's start tag (a
    row's s, or text in a value, is not a cell's style), with r first as the fast reader requires. Where the
    part holds a ', a value in one kind of quotes may hold the other kind: each find must then also be an
    attribute of its tag read attribute by attribute. Linear: the finds come in order, and the tag before
    each is sought only since the one before."""
    careful = b"'" in cells_xml  # a one-byte search: most parts hold no ' at all
    if len(style_ids) <= _FEW_STYLES:
        patterns = _quoted_styles(tuple(style_ids), "\"'" if careful else "\"")
        finds = sorted(at for pattern in patterns for at in _style_values(cells_xml, pattern))
    else:
        wanted = frozenset(int(style) for style in style_ids)
        finds = [_attribute_start(cells_xml, m.start(1)) for m in _ANY_STYLE.finditer(cells_xml)
                 if int(m.group(2)) in wanted]
    tag = closed = -1
    since = 0
    walked, attributes = -1, frozenset[int]()
    for at in finds:
        if at < 0:
            continue
        tag, closed = max(tag, cells_xml.rfind(b"<", since, at)), max(closed, cells_xml.rfind(b">", since, at))
        since = at
        if tag < 0 or closed > tag:
            continue  # in no start tag
        cell = _CELL_ADDRESS.match(cells_xml, tag)
        if cell is None:
            continue
        if careful:
            if walked != tag:
                walked, attributes = tag, _attribute_starts(cells_xml, cell.end())
            if at not in attributes:
                continue
        yield place_of(cells_xml[cell.start(1):cell.end(2)])


@functools.lru_cache(maxsize=32)
def _quoted_styles(style_ids: tuple[str, ...], quotes: str) -> tuple[tuple[re.Pattern[bytes], int], ...]:
    return tuple((re.compile(re.escape(f"{style}{quote}".encode()) + rb"[\s/>]"), ord(quote))
                 for style in style_ids for quote in quotes)


def _style_values(data: bytes, pattern: tuple[re.Pattern[bytes], int]) -> Iterator[int]:
    """Where each s attribute starts whose value is the pattern's style, leading zeros allowed."""
    found, quote = pattern
    for m in found.finditer(data):
        at = m.start() - 1
        while at > 0 and data[at] == 48:  # "0"
            at -= 1
        if data[at] == quote:
            yield _attribute_start(data, at)


def _attribute_start(data: bytes, quote: int) -> int:
    """Where the attribute named s whose value opens at `quote` starts (s = "…", spaces allowed around "=";
    a space before s), or -1 where the value is not an s attribute's."""
    if data[quote - 3:quote] == b' s=':  # as applications write it
        return quote - 2
    at = quote - 1
    while at > 0 and data[at] in _SPACES:
        at -= 1
    if data[at] != 61:  # "="
        return -1
    at -= 1
    while at > 0 and data[at] in _SPACES:
        at -= 1
    return at if data[at] == 115 and data[at - 1] in _SPACES else -1  # "s", after a space


def _attribute_starts(data: bytes, at: int) -> frozenset[int]:
    """Where each attribute's name starts, read one attribute after another from `at` in a start tag."""
    return frozenset(attribute.start(1) for attribute in attributes(data, at))


_DOUBLE_QUOTED_TYPE = re.compile(rb'\st\s*=\s*"([A-Za-z]*)"')


def _cell_type(tag: bytes) -> bytes:
    """A cell start tag's t (`tag`: its attributes), read attribute by attribute (" t='str'" inside another
    attribute's value is none). Without a ' every value is in double quotes and holds none: one search finds it."""
    if 39 not in tag:  # "'"
        found = _DOUBLE_QUOTED_TYPE.search(tag)
        return found.group(1) if found else b""
    return next((found.group(2)[1:-1] for found in attributes(tag, 0) if found.group(1) == b"t"), b"")


def error_cells(cells_xml: bytes) -> Iterator[tuple[tuple[int, int], str]]:
    """(place, error value) of every cell typed t="e" whose value is not empty (an empty one is no cell)."""
    for m in _ERROR_CELL.finditer(cells_xml):
        error = m.group(3).decode().strip()
        if error and _cell_type(m.group(2)) == b"e":
            yield place_of(m.group(1)), error


def formula_uncached(cached: bytes | None, attributes: bytes) -> bool:
    """A formula carries no value: no <v>, or an empty one that is not a cached empty string.

    openpyxl and other writers put an empty <v/> after every formula; Excel and XlsxWriter mark
    an empty-string result with t="str"."""
    cell_type = _cell_type(attributes) if b"t" in attributes else b""
    if cell_type == b"inlineStr":
        return False
    if cached is None:
        return True
    return cached == b"" and cell_type != b"str"


# A formula cell as spreadsheet applications write it (r first, in double quotes): its start tag, the
# formula element, and the stored result after it when there is one. The reader, the formula check and
# the scored copy's writer scan with this one pattern.
FORMULA_CELL = re.compile(rb'(?P<head><c r="(?P<ref>[A-Z]{1,3}\d+)")(?P<attrs>[^>]*)(?<!/)>'
                          rb'(?P<f>\s*<f\b[^>]*?(?:/>|>(?P<text>[^<]*)</f\s*>))'
                          rb'(?P<v>\s*(?:<v(?:\s[^>]*)?(?<!/)>(?P<value>[^<]*)</v\s*>|(?P<empty><v(?:\s[^>]*)?/>)))?')
# The fast reader finds formula cells from their rare "<f" rather than at each of a sheet's cells (a template's
# hundreds of helper formulas among a few thousand cells: a third of the time). A regular expression only runs
# forwards, so the cell's start tag before each "<f" is matched in the reversed bytes: its attributes (reversed)
# and its address (reversed), the tag not self-closed (<c r="A1"/><f> is no formula of A1's). The formula
# element and the stored result after it (attributes allowed, <v xml:space="preserve">) are matched forwards,
# then whether the cell ends there; the empty branch matches any other tag starting "<f" (<foo>), so that
# every "<f" is counted.
_CELL_BEFORE_FORMULA = re.compile(rb'f<\s*>(?!/)([^>]*?)"(\d+[A-Z]{1,3})"=r c<')
_FORMULA_AND_RESULT = re.compile(rb'<f(?:(?=[\s>/])[^>/]*(?:(/)>|>([^<]*)(</)f\s*>)|)'
                                 rb'(\s*<v(?:>|[\s/][^>]*>)(?:([^<]*)</v\s*>)?)?\s*(</c)?')


def formula_finds(cells_xml: bytes) -> Iterator[tuple[tuple[bytes, bytes], tuple[bytes, ...]]] | None:
    """Each formula cell of a plainly spelled sheetData (in a part with no ">" but at the end of a tag): the
    start tag's (attributes, address), both reversed, paired with the formula element's (slash of <f/>, text,
    "</" of </f>, stored result element, its text, "</c" where the cell ends after them); findall's b"" where a
    group did not take part. None where a tag starting "<f" is not the first thing in a cell addressed r first:
    the full walk reads that sheet. A pair neither self-closed nor closed is no formula element as written
    (<foo>, <f> holding an element); one whose cell does not end after it holds more than a formula and its
    result (a second <v>, an <is> between): the walk reads those too."""
    before = _CELL_BEFORE_FORMULA.findall(cells_xml[::-1])
    after = _FORMULA_AND_RESULT.findall(cells_xml)
    if len(before) != len(after):  # then some "<f" has no cell start tag just before it
        return None
    before.reverse()
    return zip(before, after, strict=True)


# What may follow "<f" or "<x:f" in a formula element's tag: the two tests for one below keep to it.
_AFTER_F = b" \t\n\r>/"
FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[" + re.escape(_AFTER_F) + rb"]")


def formula_cells(data: bytes) -> list[re.Match[bytes]] | None:
    """Every formula cell of sheet XML, or None where some formula element is not seen as a cell's (a
    spelling the scan does not read: the parsed tree decides there)."""
    found = list(FORMULA_CELL.finditer(data))
    return found if len(found) == len(FORMULA_ELEMENT.findall(data)) else None


def has_formula(data: bytes, *, prefixed: bool = True) -> bool:
    """Whether sheet XML holds a formula element (<f>, or <x:f> with a prefix unless `prefixed` is False:
    a plainly spelled part binds no prefix to the main namespace). Finds of "<f" and ":f" rather than a
    regular expression: a 3.7 MB sheet without formulas is passed over in a tenth of the time."""
    for needle in (b"<f", b":f") if prefixed else (b"<f",):
        at = data.find(needle)
        while at >= 0:
            if at + 2 < len(data) and data[at + 2] in _AFTER_F and (needle == b"<f" or _after_tag_prefix(data, at)):
                return True
            at = data.find(needle, at + 2)
    return False


def _after_tag_prefix(data: bytes, at: int) -> bool:
    """Whether `at` follows "<" and a prefix (<\\w+), read back over the prefix's letters only: a text of many
    ":f " is then passed over in one step a find (a search back to the last "<" went over the whole text)."""
    start = at
    while start > 0 and (data[start - 1] == 95 or data[start - 1:start].isalnum()):  # \w: letters, digits, _
        start -= 1
    return start < at and start > 0 and data[start - 1] == 60  # "<"


_ANY_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_ANY_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")
_ADDRESSED_ROW = re.compile(rb'<row r="[0-9]+"')


def every_ref_written(data: bytes) -> bool:
    """Whether every <row> and <c> of this sheet XML carries its r, first and spelled plainly: then
    cells.fill_implied_refs would add nothing, and its walk over a large sheet (a third of marking 3,000
    cells) can be left out. Tags are counted in the bytes, with or without a prefix; comments and
    CDATA, which could hold text that looks like a tag, always send the sheet to the walk."""
    cells = sheet_data(data)
    if cells is None:
        cells = data
    if b"<![CDATA[" in cells or b"<!--" in cells:
        return False
    return (len(_ANY_CELL_TAG.findall(cells)) == len(_CELL_ADDRESS.findall(cells))
            and len(_ANY_ROW_TAG.findall(cells)) == len(_ADDRESSED_ROW.findall(cells)))
