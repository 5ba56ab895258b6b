"""Safe, fast access to the parts of an .xlsx/.xlsm package (lxml over zipfile).

Shared by the reader (cell values with their number formats, in one pass per sheet) and the
scored-copy writer (which rewrites only the parts it must). Every XML part is parsed with
entities, DTDs and network access off; a part that declares a DTD is refused, since no part
of a real workbook has one and that is how entity-expansion attacks arrive.
"""
from __future__ import annotations

import datetime as dt
import functools
import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from .errors import UnreadableWorkbook
from .model import CellError
from .numbers import excel_number

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
M = f"{{{NS_MAIN}}}"
R = f"{{{NS_REL}}}"

# Limits before anything is inflated (README: "不可信文件的限制").
MAX_TOTAL_UNCOMPRESSED = 512 * 1024 * 1024
MAX_PART_UNCOMPRESSED = 256 * 1024 * 1024
MAX_RATIO = 200
MAX_PARTS = 10_000

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_blank_text=False)
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_DIGITS = "0123456789"
_SHEET_DATA, _ROW, _C, _V, _F, _IS, _MERGE = (f"{M}{t}" for t in ("sheetData", "row", "c", "v", "f", "is", "mergeCell"))

BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
                                  45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58})
BUILTIN_PERCENT_FORMATS = frozenset({9, 10})
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


@functools.lru_cache(maxsize=None)
def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@functools.lru_cache(maxsize=None)
def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def coord(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def split_coord(ref: str) -> tuple[int, int]:
    m = _CELL_REF.match(ref) or _CELL_REF.match(ref.replace("$", "").upper())
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), column_index(m.group(1))


def format_kind(code: str) -> str:
    """'percent', 'date' or 'other' for a number-format code."""
    first = code.split(";")[0]
    bare = _FORMAT_LITERALS.sub("", first)
    if "%" in bare:
        return "percent"
    lowered = bare.lower()
    if lowered in ("general", "@", ""):
        return "other"
    if re.search(r"[ymdhs]", lowered) or re.search(r"[年月日]", first):
        return "date"
    return "other"


@dataclass(slots=True)
class RawCell:
    value: object  # None | str | Decimal | bool | date | datetime | CellError
    style: int = 0
    kind: str = "other"  # number-format kind: percent / date / other
    is_formula: bool = False
    uncached: bool = False
    formula: str | None = None


@dataclass
class Grid:
    """One sheet's cells by (row, column), 1-based, plus its merged ranges."""

    name: str
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    max_row: int = 0
    max_col: int = 0

    def get(self, row: int, col: int) -> RawCell | None:
        return self.cells.get((row, col))

    def value(self, row: int, col: int) -> object:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def merged_origin(self, row: int, col: int) -> tuple[int, int] | None:
        for r1, c1, r2, c2 in self.merges:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return (r1, c1)
        return None


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str  # e.g. xl/worksheets/sheet1.xml
    rid: str
    sheet_id: str
    state: str  # visible / hidden / veryHidden


def parse_xml(data: bytes, *, part: str, origin: str) -> etree._Element:
    if _DTD.search(data[:4096]) or _DTD.search(data):
        raise UnreadableWorkbook(f"文件 {origin} 的部件 {part} 含有 DTD/实体声明，出于安全不予读取："
                                 "请在 Excel 或 WPS 中另存为新的 .xlsx 后再试。")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnreadableWorkbook(f"文件 {origin} 已损坏（{part} 无法解析：{exc.msg}）："
                                 "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试。") from None


class Package:
    """An opened .xlsx/.xlsm zip with its workbook structure; parts are read on demand."""

    def __init__(self, path: Path, data: bytes | None = None, *, fast: bool = True) -> None:
        self.path = path
        self.origin = path.name
        self.data = data
        self.fast = fast
        self._calamine_book = None
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data) if data is not None else path)
        except zipfile.BadZipFile:
            raise UnreadableWorkbook(f"文件 {self.origin} 不是有效的 .xlsx 工作簿（文件已损坏或被截断）："
                                     "请重新导出或另存为 .xlsx。") from None
        infos = self.zip.infolist()
        if len(infos) > MAX_PARTS:
            raise UnreadableWorkbook(f"文件 {self.origin} 含有 {len(infos)} 个部件，超过上限 {MAX_PARTS}，不予读取。")
        total = 0
        for info in infos:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if (info.file_size > MAX_PART_UNCOMPRESSED or total > MAX_TOTAL_UNCOMPRESSED
                    or (ratio > MAX_RATIO and info.file_size > 16 * 1024 * 1024)):
                raise UnreadableWorkbook(
                    f"文件 {self.origin} 解压后过大（部件 {info.filename} 声明 {info.file_size // (1024 * 1024)} MB，"
                    f"上限为单个部件 {MAX_PART_UNCOMPRESSED // (1024 * 1024)} MB、"
                    f"合计 {MAX_TOTAL_UNCOMPRESSED // (1024 * 1024)} MB），"
                    "疑似压缩炸弹，不予读取。")
        self.names = {info.filename for info in infos}
        if "xl/workbook.xml" not in self.names and not self._workbook_part_from_rels():
            raise UnreadableWorkbook(f"文件 {self.origin} 是压缩包，但其中没有 Excel 工作簿"
                                     "（可能是 Word 文档或其他文件改了扩展名）：请提供 .xlsx 工作簿。")
        self.workbook_part = self._workbook_part_from_rels() or "xl/workbook.xml"
        self._xml_cache: dict[str, etree._Element] = {}
        self._shared: list[str] | None = None
        self._styles: list[tuple[int, str]] | None = None
        self.workbook = self.xml(self.workbook_part)
        if self.workbook.tag != f"{M}workbook":
            if any(n.startswith("word/") for n in self.names):
                raise UnreadableWorkbook(f"文件 {self.origin} 是压缩包，但其中没有 Excel 工作簿"
                                         "（是 Word 文档改了扩展名）：请提供 .xlsx 工作簿。")
            raise UnreadableWorkbook(f"文件 {self.origin} 的工作簿部件无法识别（可能是 Strict Open XML 格式）："
                                     "请在 Excel 或 WPS 中另存为普通 .xlsx 后再试。")
        self.date1904 = False
        pr = self.workbook.find(f"{M}workbookPr")
        if pr is not None and pr.get("date1904") in ("1", "true"):
            self.date1904 = True
        self.sheets = self._sheets()

    # -- parts -------------------------------------------------------------------------------
    def read(self, name: str) -> bytes:
        try:
            with self.zip.open(name) as handle:
                return handle.read(MAX_PART_UNCOMPRESSED + 1)
        except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile) as exc:
            raise UnreadableWorkbook(f"文件 {self.origin} 已损坏（读取 {name} 失败：{exc}）："
                                     "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试。") from None
        except KeyError:
            raise UnreadableWorkbook(f"文件 {self.origin} 缺少部件 {name}：文件已损坏。") from None

    def xml(self, name: str) -> etree._Element:
        if name not in self._xml_cache:
            self._xml_cache[name] = parse_xml(self.read(name), part=name, origin=self.origin)
        return self._xml_cache[name]

    def rels(self, part: str) -> dict[str, tuple[str, str, str]]:
        """rId → (type, absolute target part, target mode) for a part's relationships."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.names:
            return {}
        result = {}
        for rel in self.xml(rels_name):
            target = rel.get("Target", "")
            mode = rel.get("TargetMode", "Internal")
            if mode != "External":
                target = resolve_target(folder, target)
            result[rel.get("Id", "")] = (rel.get("Type", ""), target, mode)
        return result

    def _workbook_part_from_rels(self) -> str | None:
        if "_rels/.rels" not in self.names:
            return None
        root = parse_xml(self.read("_rels/.rels"), part="_rels/.rels", origin=self.origin)
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                target = rel.get("Target", "").lstrip("/")
                if target in self.names:
                    return target
        return None

    def _sheets(self) -> list[SheetInfo]:
        rels = self.rels(self.workbook_part)
        sheets = []
        holder = self.workbook.find(f"{M}sheets")
        for el in holder if holder is not None else []:
            rid = el.get(f"{R}id", "")
            rel = rels.get(rid)
            if rel is None or not rel[0].endswith("/worksheet"):
                continue  # chart sheets and dialog sheets hold no cells to read
            sheets.append(SheetInfo(el.get("name", ""), rel[1], rid, el.get("sheetId", ""), el.get("state", "visible")))
        return sheets

    def sheet(self, name: str) -> SheetInfo | None:
        return next((s for s in self.sheets if s.name == name), None)

    # -- shared strings and styles -------------------------------------------------------------
    def shared_strings(self) -> list[str]:
        if self._shared is None:
            part = self._related_part("/sharedStrings")
            strings: list[str] = []
            if part:
                for si in self.xml(part).iter(f"{M}si"):
                    strings.append(rich_text(si))
            self._shared = strings
        return self._shared

    def styles(self) -> list[tuple[int, str]]:
        """Per cellXfs index: (numFmtId, number-format kind)."""
        if self._styles is None:
            part = self._related_part("/styles")
            result: list[tuple[int, str]] = []
            if part:
                root = self.xml(part)
                custom = {}
                numfmts = root.find(f"{M}numFmts")
                for nf in numfmts if numfmts is not None else []:
                    try:
                        custom[int(nf.get("numFmtId", "0"))] = nf.get("formatCode", "")
                    except ValueError:
                        continue
                xfs = root.find(f"{M}cellXfs")
                for xf in xfs if xfs is not None else []:
                    try:
                        fmt_id = int(xf.get("numFmtId", "0"))
                    except ValueError:
                        fmt_id = 0
                    if fmt_id in custom:
                        kind = format_kind(custom[fmt_id])
                    elif fmt_id in BUILTIN_PERCENT_FORMATS:
                        kind = "percent"
                    elif fmt_id in BUILTIN_DATE_FORMATS:
                        kind = "date"
                    else:
                        kind = "other"
                    result.append((fmt_id, kind))
            self._styles = result
        return self._styles

    def _related_part(self, suffix: str) -> str | None:
        for rel_type, target, _ in self.rels(self.workbook_part).values():
            if rel_type.endswith(suffix) and target in self.names:
                return target
        return None

    # -- cells ---------------------------------------------------------------------------------
    def grid(self, sheet: SheetInfo) -> Grid:
        """The sheet's cells: values through python-calamine (Rust) with number formats, formulas and
        error values taken from the XML by targeted scans; the full lxml walk where that cannot be
        trusted (cells without addresses, attributes in an unusual order, calamine failing)."""
        if self.fast:
            grid = self._grid_fast(sheet)
            if grid is not None:
                return grid
        return self.grid_full(sheet)

    def _calamine(self):
        if self._calamine_book is None:
            from python_calamine import CalamineWorkbook
            self._calamine_book = CalamineWorkbook.from_filelike(io.BytesIO(self.data))
        return self._calamine_book

    def _grid_fast(self, sheet: SheetInfo) -> Grid | None:
        if self.data is None:
            return None
        data = self.read(sheet.part)
        if _DTD.search(data):
            parse_xml(data, part=sheet.part, origin=self.origin)
        if _CELL_NOT_ADDRESSED.search(data):
            return None
        try:
            values = self._calamine().get_sheet_by_name(sheet.name)
            rows = values.to_python(skip_empty_area=False)
            merges = values.merged_cell_ranges or []
        except Exception:  # noqa: BLE001 - calamine's own error types; the full walk decides
            return None
        grid = Grid(sheet.name)
        cells = grid.cells
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value == "" or value is None:
                    continue
                cells[(r, c)] = RawCell(_calamine_value(value))
                if r > grid.max_row:
                    grid.max_row = r
                if c > grid.max_col:
                    grid.max_col = c
        for m in _FORMULA_CELL.finditer(data):
            row, col = split_coord(m.group(1).decode())
            cell = cells.get((row, col))
            if cell is None:
                cell = cells[(row, col)] = RawCell(None)
                grid.max_row, grid.max_col = max(grid.max_row, row), max(grid.max_col, col)
            cell.is_formula = True
            cell.formula = unescape_xstring(_xml_text(m.group(3))) if m.group(3) is not None else None
            cached = b"" if m.group(5) is not None else m.group(4)  # <v/> and <v></v> are one empty value
            cell.uncached = formula_uncached(cached, m.group(2))
        percent_ids = [str(i) for i, (_, kind) in enumerate(self.styles()) if kind == "percent"]
        if percent_ids:
            pattern = re.compile(rb'<c r="([A-Z]{1,3}\d+)"[^>]*?\ss="(?:' + "|".join(percent_ids).encode()
                                 + rb')"[\s/>]')
            for m in pattern.finditer(data):
                cell = cells.get(split_coord(m.group(1).decode()))
                if cell is not None:
                    cell.kind = "percent"
        for m in _ERROR_CELL.finditer(data):
            row, col = split_coord(m.group(1).decode())
            cell = cells.setdefault((row, col), RawCell(None))
            cell.value = CellError(m.group(2).decode().strip())
            grid.max_row, grid.max_col = max(grid.max_row, row), max(grid.max_col, col)
        for (r1, c1), (r2, c2) in merges:
            grid.merges.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
        return grid

    def grid_full(self, sheet: SheetInfo) -> Grid:
        shared = self.shared_strings()
        styles = self.styles()
        grid = Grid(sheet.name)
        # One C-speed parse of the whole part, then a walk over rows and cells: several times faster
        # than iterparse on the sheets people send, and small next to the memory budget.
        root = parse_xml(self.read(sheet.part), part=sheet.part, origin=self.origin)
        data = root.find(_SHEET_DATA)
        # <row r> and <c r> are optional (ECMA-376 §18.3.1.73, §18.3.1.4): writers that stream rows
        # often leave them out, and a cell without r is the one after its left neighbour.
        current_row = 0
        cells = grid.cells
        for row_el in data if data is not None else ():
            if row_el.tag != _ROW:
                continue
            r = row_el.get("r")
            current_row = int(r) if r is not None and r.isdigit() else current_row + 1
            current_col = 0
            for el in row_el:
                if el.tag != _C:
                    continue
                ref = el.get("r")
                letters = ref.rstrip(_DIGITS) if ref is not None else ""
                if (letters and letters.isupper() and letters.isalpha() and len(letters) <= 3
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
                cell = self._cell(el, shared, styles)
                if cell is None:
                    continue
                cells[(row, col)] = cell
                if row > grid.max_row:
                    grid.max_row = row
                if col > grid.max_col:
                    grid.max_col = col
        for el in root.iter(_MERGE):
            ref = el.get("ref", "")
            if ":" in ref:
                try:
                    (r1, c1), (r2, c2) = (split_coord(p) for p in ref.split(":", 1))
                    grid.merges.append((r1, c1, r2, c2))
                except ValueError:
                    pass
        return grid

    def _cell(self, el: etree._Element, shared: list[str], styles: list[tuple[int, str]]) -> RawCell | None:
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
        value: object = None
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
                value = self._serial_to_date(number) if kind == "date" else number
        if value is None and not is_formula:
            return None
        return RawCell(value, style, kind, is_formula,
                       is_formula and formula_uncached(None if v is None else (v.text or "").encode(),
                                                       f' t="{t}"'.encode()),
                       f.text if f is not None else None)

    def _serial_to_date(self, serial: Decimal) -> object:
        try:
            days = float(serial)
            if self.date1904:
                base = dt.datetime(1904, 1, 1)
            else:
                base = dt.datetime(1899, 12, 31) if days < 60 else dt.datetime(1899, 12, 30)
            moment = base + dt.timedelta(days=days)
        except (OverflowError, ValueError):
            return serial
        return moment.date() if moment.time() == dt.time() else moment


def _iso_date(text: str) -> object:
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


_CELL_NOT_ADDRESSED = re.compile(rb"<c(?:>| (?!r=))")
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}\d+)"([^>]*)>\s*<f\b[^>]*?(?:/>|>([^<]*)</f>)\s*'
                           rb'(?:<v>([^<]*)</v>|(<v\s*/>))?')
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3}\d+)"[^>]*?\st="e"[^>]*>\s*(?:<f\b[^>]*?(?:/>|>[^<]*</f>)\s*)?'
                         rb'<v>([^<]*)</v>')


def formula_uncached(cached: bytes | None, attributes: bytes) -> bool:
    """A formula carries no value: no <v>, or an empty one that is not a cached empty string.

    openpyxl and other writers put an empty <v/> after every formula; Excel and XlsxWriter mark
    an empty-string result with t="str"."""
    if b't="inlineStr"' in attributes:
        return False
    if cached is None:
        return True
    return cached == b"" and b't="str"' not in attributes


def _xml_text(raw: bytes) -> str:
    """Element text as lxml would give it: the five XML entities and numeric character references."""
    text = raw.decode("utf-8", errors="replace")
    return html.unescape(text) if "&" in text else text


def _calamine_value(value: object) -> object:
    if isinstance(value, str):
        return value  # calamine has already undone the _xHHHH_ escapes
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


def resolve_target(folder: str, target: str) -> str:
    """A relationship target as a part name: absolute ("/xl/x.xml") or relative to the source's folder."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold."""
    return _ILLEGAL_XML.sub("", text)


_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_xstring(text: str) -> str:
    """ST_Xstring escapes: Excel stores a carriage return as _x000D_ and a literal "_x" as _x005F_x."""
    if "_x" not in text:
        return text
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def rich_text(el: etree._Element) -> str:
    """Text of an <si>/<is>: its <t> and run <t>s, without phonetic (<rPh>) runs."""
    parts = []
    for node in el.iter(f"{M}t"):
        parent = node.getparent()
        if parent is not None and parent.tag == f"{M}rPh":
            continue
        parts.append(node.text or "")
    return unescape_xstring("".join(parts))
