"""One sheet's cells, read from the package: values with their number-format kind, formulas and
whether each formula carries a cached value. Two readers give the same grid: a fast one (values
through python-calamine, formats and formulas by scans of the sheet XML) and a full lxml walk.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable, Sequence, cast

from lxml import etree

from selfeval_xl.cellref import column_index, coord, split_coord
from selfeval_xl.formatting import excel_number
from selfeval_xl.model import CellContent, CellError
from selfeval_xl.read.limits import MAX_CELLS, MAX_DENSE_CELLS, MAX_TEXT
from selfeval_xl.read.package import (
    M,
    Package,
    SheetInfo,
    parse_xml,
    rich_text,
    unescape_xstring,
    well_formed_meanwhile,
)
from selfeval_xl.read.sheet_scans import (
    check_cell_count,
    error_cells,
    formula_finds,
    formula_uncached,
    has_formula,
    place_of_reversed,
    plain_extent,
    sheet_data,
    spelled_plainly,
    styled_cells,
)

_DIGITS = "0123456789"
_SHEET_DATA, _ROW, _C, _V, _F, _IS, _MERGE = (f"{M}{t}" for t in ("sheetData", "row", "c", "v", "f", "is", "mergeCell"))


@dataclass(slots=True)
class RawCell:
    value: CellContent
    style: int = 0
    kind: str = "other"  # number-format kind: percent / date / other
    is_formula: bool = False
    uncached: bool = False
    # The formula as text, or as the XML bytes it is written in until someone asks: a template's hidden
    # helper columns hold hundreds of long formulas no table reads, and decoding them all cost a
    # fifth of reading the sheet.
    formula_source: str | bytes | None = None

    @property
    def formula(self) -> str | None:
        source = self.formula_source
        if isinstance(source, bytes):
            source = self.formula_source = unescape_xstring(_xml_text(source))
        return source


@dataclass
class Grid:
    """One sheet's cells by (row, column), 1-based, plus its merged ranges."""

    name: str
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    max_row: int = 0
    max_col: int = 0
    # Formulas without a cached value that read/tables.py has computed, and the cells it visited
    # doing so: each is computed once, and the visits are bounded (limits.MAX_FORMULA_STEPS).
    computed: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    formula_steps: int = 0
    # The cells read by the formulas held to their stored results (read/tables.py _stale), bounded the same way.
    result_steps: int = 0
    # False where the workbook stores every result rounded as shown (precision as displayed): none is held then
    full_precision: bool = True
    # What a reader works out from the cells and asks for again (the rows holding cells, a header row's
    # labels): kept with the cells, which do not change once read.
    derived: dict[object, object] = field(default_factory=dict, repr=False)

    def get(self, row: int, col: int) -> RawCell | None:
        return self.cells.get((row, col))

    def rows(self, first: int, stop: int | None = None) -> list[int]:
        """The rows from `first` (up to `stop`, excluded) that hold any cell, in order: a table is
        walked over its cells, never over the empty rows up to a far-away last one."""
        rows = cast("list[int] | None", self.derived.get(self._rows_memo()))
        if rows is None:
            rows = self.derived[self._rows_memo()] = sorted({row for row, _ in self.cells})
        last = self.max_row + 1 if stop is None else stop
        return rows[bisect.bisect_left(rows, first):bisect.bisect_left(rows, last)]

    def note_rows(self, rows: Iterable[int]) -> None:
        """The rows holding cells, as the reader that made the grid knows them: rows() then need not pass
        over every cell (a large form's indicator grid has 39,000) to find them."""
        self.derived[self._rows_memo()] = sorted(set(rows))

    def _rows_memo(self) -> tuple[str, int]:
        return ("rows", len(self.cells))  # cells are only ever added: their count tells the list is current

    def value(self, row: int, col: int) -> CellContent:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def merged_origin(self, row: int, col: int) -> tuple[int, int] | None:
        for r1, c1, r2, c2 in self.merges:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return (r1, c1)
        return None



def read_grid(package: Package, sheet: SheetInfo) -> Grid:
    """The sheet's cells: values through python-calamine (Rust) with number formats, formulas and
    error values taken from the XML by targeted scans; the full lxml walk where that cannot be
    trusted (cells without addresses, attributes in an unusual order, calamine failing)."""
    grid = grid_fast(package, sheet) if package.fast else None
    if grid is None:
        grid = grid_full(package, sheet)
    grid.full_precision = package.full_precision
    return grid

def grid_fast(package: Package, sheet: SheetInfo) -> Grid | None:
    """The fast reading, or None where only the full walk can be trusted to read the XML as written."""
    if package.data is None:
        return None
    data = package.read(sheet.part)
    # The scans below are regular expressions: they run only over XML a parser has accepted (a tag
    # cannot then hide inside an attribute, so no scan goes quadratic), and only over the spelling
    # every spreadsheet application writes: default namespace, every cell's r first in double quotes.
    # python-calamine reads the values while the parser checks a large part on the other core.
    checked = well_formed_meanwhile(data, part=sheet.part, origin=package.origin)
    try:
        # how the part is spelled decides before calamine reads a cell: calamine takes <x:c> for a cell too,
        # beyond the reach plain_extent measures
        typed = _calamine_grid(package, sheet, data) if spelled_plainly(data) else None
    finally:
        checked()  # a part that is no XML is refused as such, whatever else went wrong with it
    if typed is None:
        return None
    grid, cells_xml, filled, merges = typed
    if has_formula(cells_xml, prefixed=False):
        formulas = _formula_cells(grid, cells_xml)
        if formulas is None:
            return None
        filled += formulas
    cells = grid.cells
    for place, error in error_cells(cells_xml) if b"#" in cells_xml else ():  # every error value starts with #
        cell = cells.get(place) or RawCell(None)
        cells[place] = RawCell(CellError(error), cell.style, cell.kind, cell.is_formula, cell.uncached,
                               cell.formula_source)
        grid.max_row, grid.max_col = max(grid.max_row, place[0]), max(grid.max_col, place[1])
        filled.append(place[0])
    percent_ids = package.percent_styles()
    for kind, ids in (("percent", percent_ids), ("hides", package.styles_of("hides"))):
        for place in styled_cells(cells_xml, ids) if ids else ():  # an error's style too, as in the walk
            styled = cells.get(place)
            if styled is not None:
                cells[place] = RawCell(styled.value, styled.style, kind, styled.is_formula, styled.uncached,
                                       styled.formula_source)
    grid.note_rows(filled)
    for (r1, c1), (r2, c2) in merges:
        grid.merges.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
    package.plain_sheets[sheet.part] = grid.merges
    package.keep(sheet.part, data)
    return grid


def _calamine_grid(package: Package, sheet: SheetInfo, data: bytes) -> tuple[Grid, bytes, list[int], list] | None:
    """The sheet's values through python-calamine, with the rows they fill, its cells' XML and its merges;
    None where the full walk reads the sheet. Nothing here relies on the part being well-formed: a byte search
    for the cells' reach, linear whatever the bytes, comes before calamine allocates a cell."""
    cells_xml = sheet_data(data)
    if cells_xml is None:
        return None
    extent = plain_extent(cells_xml, package.origin, sheet.name)
    if extent is None or extent[0] * extent[1] > MAX_DENSE_CELLS:
        return None  # python-calamine would allocate every cell up to the farthest one; the walk is sparse
    if cells_xml.count(b"<") != cells_xml.count(b">"):
        return None  # a ">" in an attribute's value (valid XML) would end a scan's start tag early: a formula missed
    try:
        values = package.calamine().get_sheet_by_name(sheet.name)
        rows = values.to_python(skip_empty_area=False)
        merges = values.merged_cell_ranges or []
    except Exception:  # calamine's own error types; the full walk decides
        return None
    grid = Grid(sheet.name)
    return grid, cells_xml, _typed_cells(grid, rows), merges


def _typed_cells(grid: Grid, rows: Sequence[Sequence[object]]) -> list[int]:
    """python-calamine's values into the grid.

    A sheet repeats its texts and numbers (level names, units, weights, 100): each distinct one is
    converted once and its typed cells share one RawCell, which nothing changes once the grid is made
    (the passes after this one put a new RawCell in place of one they add to). A text never equals a float."""
    cells = grid.cells
    typed: dict[str | float, RawCell] = {}
    max_row = max_col = 0
    filled = []  # the rows given a cell
    for r, row_values in enumerate(rows, start=1):
        before = len(cells)
        for c, value in enumerate(row_values, start=1):
            if type(value) is str:
                if not value:
                    continue  # most of a dense grid: no call for them
                cell = typed.get(value)
                if cell is None:
                    cell = typed[value] = RawCell(value[:MAX_TEXT])
            elif type(value) is float:
                cell = typed.get(value)
                if cell is None:
                    cell = typed[value] = RawCell(calamine_value(value))
            elif value is None:
                continue
            else:
                cell = RawCell(calamine_value(value))
            cells[(r, c)] = cell
            if c > max_col:
                max_col = c
            max_row = r
        if len(cells) != before:
            filled.append(r)
    grid.max_row, grid.max_col = max_row, max_col
    return filled


def _formula_cells(grid: Grid, cells_xml: bytes) -> list[int] | None:
    """The sheet's formula cells into the grid (formula_finds), with the rows given a cell; None where the
    scan cannot read them all."""
    found = formula_finds(cells_xml)
    if found is None:
        return None
    cells = grid.cells
    added = []
    # a shared formula's other cells carry no text: over one typed cell (shared, see _typed_cells) they are
    # alike, as are the empty ones, so each kind is made once. By uncached: a typed cell's id → (it, its twin).
    twins: tuple[dict[int, tuple[RawCell | None, RawCell]], ...] = ({}, {})
    for (attrs, ref), (slash, text, closed, v, value, ended) in found:
        if not ((slash or closed) and ended):
            return None  # <foo>, <f> holding an element, or more in the cell than <f> and <v>: the walk decides
        place = place_of_reversed(ref)
        # a stored result is one whatever the cell's type; <v/> and <v></v> are one empty value, and without a
        # t attribute an empty one is no value either (116: "t", a byte test several times quicker than b"t")
        uncached = not value and (formula_uncached(value if v else None, attrs[::-1]) if 116 in attrs else True)
        cell = cells.get(place)
        if slash:
            made = twins[uncached].get(id(cell))
            if made is None:  # the typed cell is kept beside its id, so that no other object takes the id
                made = twins[uncached][id(cell)] = (cell, _formula_twin(cell, uncached, None))
            cells[place] = made[1]
        else:
            cells[place] = _formula_twin(cell, uncached, text or None)  # <f></f> holds no formula, as in the walk
        if cell is None:
            added.append(place)
    if added:
        grid.max_row = max(grid.max_row, max(row for row, _ in added))
        grid.max_col = max(grid.max_col, max(col for _, col in added))
    return [row for row, _ in added]  # the rows given a cell


def _formula_twin(cell: RawCell | None, uncached: bool, source: bytes | None) -> RawCell:
    if cell is None:
        return RawCell(None, 0, "other", True, uncached, source)
    return RawCell(cell.value, cell.style, cell.kind, True, uncached, source)


def grid_full(package: Package, sheet: SheetInfo) -> Grid:
    shared = package.shared_strings()
    styles = package.styles()
    grid = Grid(sheet.name)
    # One C-speed parse of the whole part, then a walk over rows and cells: several times faster
    # than iterparse on the sheets people send, and small next to the memory budget.
    root = parse_xml(package.read(sheet.part), part=sheet.part, origin=package.origin)
    data = root.find(_SHEET_DATA)
    # <row r> and <c r> are optional (ECMA-376 §18.3.1.73, §18.3.1.4): writers that stream rows
    # often leave them out, and a cell without r is the one after its left neighbour.
    current_row = 0
    cells = grid.cells
    seen = 0
    for row_el in data if data is not None else ():
        if row_el.tag != _ROW:
            continue
        r = row_el.get("r")
        current_row = int(r) if r is not None and r.isdigit() else current_row + 1
        current_col = 0
        for el in row_el:
            if el.tag != _C:
                continue
            seen += 1
            if seen > MAX_CELLS:
                check_cell_count(len(root.findall(f"{_SHEET_DATA}/{_ROW}/{_C}")), package.origin, sheet.name)
            ref = el.get("r")
            letters = ref.rstrip(_DIGITS) if ref is not None else ""
            if (ref is not None and letters and letters.isupper() and letters.isalpha() and len(letters) <= 3
                    and len(letters) < len(ref)):
                row, col = int(ref[len(letters):]), column_index(letters)
            else:
                try:
                    row, col = split_coord(ref) if ref is not None else (current_row, current_col + 1)
                except ValueError:
                    row, col = current_row, current_col + 1
            current_col = col
            if row < 1:
                continue
            cell = _cell(package, el, shared, styles)
            if cell is None:
                continue
            cells[(row, col)] = cell
            if row > grid.max_row:
                grid.max_row = row
            if col > grid.max_col:
                grid.max_col = col
    grid.merges.extend(merged_ranges(root))
    return grid


def merged_ranges(worksheet: etree._Element) -> list[tuple[int, int, int, int]]:
    """A parsed worksheet's merged ranges: (first row, first column, last row, last column)."""
    ranges = []
    for el in worksheet.iter(_MERGE):
        ref = el.get("ref", "")
        if ":" in ref:
            try:
                (r1, c1), (r2, c2) = (split_coord(p) for p in ref.split(":", 1))
                ranges.append((r1, c1, r2, c2))
            except ValueError:
                pass
    return ranges

def _cell(package: Package, el: etree._Element, shared: list[str], styles: list[tuple[int, str]]) -> RawCell | None:
    f = v = is_el = None
    for child in el:
        tag = child.tag
        if tag == _V:
            v = child
        elif tag == _F:
            f = child
        elif tag == _IS:
            is_el = child
    t = el.get("t", "n")
    if v is None and f is None and is_el is None:
        return None  # a formatted blank: nothing to read
    s = el.get("s")
    style = int(s) if s is not None and s.isdigit() else 0
    kind = styles[style][1] if style < len(styles) else "other"
    text = v.text if v is not None else None
    is_formula = f is not None
    value: CellContent = None
    if t == "inlineStr":
        value = rich_text(is_el) if is_el is not None else None
    elif text is None:
        value = None
    elif t == "s":
        try:
            value = shared[int(text)]
        except (ValueError, IndexError):
            value = None
    elif t == "str":
        value = unescape_xstring(text)
    elif t == "b":
        value = text.strip() in ("1", "true")
    elif t == "e":
        value = CellError(text.strip())
    elif t == "d":
        value = _iso_date(text)
    else:
        try:
            number = excel_number(text.strip())
        except (InvalidOperation, ValueError):
            value = text
        else:
            value = _serial_to_date(package, number) if kind == "date" else number
    if value == "":
        value = None  # an empty string is an empty cell, as every reader and calamine have it
    if value is None and not is_formula:
        return None
    if isinstance(value, str) and len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    return RawCell(value, style, kind, is_formula,
                   is_formula and formula_uncached(None if v is None else (v.text or "").encode(),
                                                   f' t="{t}"'.encode()),
                   f.text if f is not None else None)

def _serial_to_date(package: Package, serial: Decimal) -> Decimal | dt.date:
    try:
        days = float(serial)
        if package.date1904:
            base = dt.datetime(1904, 1, 1)
        else:
            base = dt.datetime(1899, 12, 31) if days < 60 else dt.datetime(1899, 12, 30)
        moment = base + dt.timedelta(days=days)
    except (OverflowError, ValueError):
        return serial
    return moment.date() if moment.time() == dt.time() else moment


def _iso_date(text: str) -> str | dt.date:
    try:
        moment = dt.datetime.fromisoformat(text.strip().rstrip("Z"))
    except ValueError:
        return text
    return moment.date() if moment.time() == dt.time() else moment


def fill_implied_refs(worksheet: etree._Element) -> int:
    """Give every <row> and <c> of a parsed worksheet the r attribute it may leave out, at the
    position the reader gives it (the row after the previous one, the cell after its left
    neighbour). An editor that finds cells by r (the scored-copy writer) calls this first, so that
    it edits the cell that is there instead of adding a second row or cell with the same address.
    Returns how many attributes were added."""
    added = 0
    current_row = 0
    for row_el in worksheet.iter(f"{M}row"):
        try:
            current_row = int(row_el.get("r", ""))
        except ValueError:
            current_row += 1
            row_el.set("r", str(current_row))
            added += 1
        current_col = 0
        for cell in row_el.iterchildren(f"{M}c"):
            ref = cell.get("r")
            try:
                row, col = split_coord(ref) if ref is not None else (current_row, current_col + 1)
            except ValueError:
                row, col = current_row, current_col + 1
                ref = None
            if ref is None:
                cell.set("r", coord(row, col))
                added += 1
            current_col = col
    return added


def _xml_text(raw: bytes) -> str:
    """Element text as lxml would give it: the five XML entities and numeric character references
    (a part that declares other entities is refused before this is reached)."""
    text = raw.decode("utf-8", errors="replace")
    if "&" not in text:
        return text
    if "&#" in text:
        return _XML_REFERENCE.sub(_referenced, text)
    return (text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&amp;", "&"))


_XML_REFERENCE = re.compile(r"&(?:#x([0-9A-Fa-f]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _referenced(m: re.Match[str]) -> str:
    try:
        return _NAMED[m.group(3)] if m.group(3) else chr(int(m.group(1), 16) if m.group(1) else int(m.group(2)))
    except (ValueError, OverflowError):
        return m.group(0)


_ERROR_TEXTS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


def calamine_value(value: object, *, errors_as_text: bool = True) -> CellContent:
    """A value python-calamine gives → the reader's value: Decimal, bool, date/datetime, str or
    CellError; None for an empty cell. A .xlsx marks error cells itself (t="e"); a .xls or .ods
    only through calamine, which gives them as their text (errors_as_text=False turns it back)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if not errors_as_text and value.upper() in _ERROR_TEXTS:
            return CellError(value.upper())
        return value[:MAX_TEXT]  # calamine has already undone the _xHHHH_ escapes
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return CellError("#NUM!")
        try:
            return excel_number(repr(value))
        except (InvalidOperation, ValueError):
            return CellError("#NUM!")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return value if isinstance(value, dt.date) else str(value)
    return str(value)  # calamine has already undone the _xHHHH_ escapes


