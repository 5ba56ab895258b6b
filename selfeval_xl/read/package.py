"""Safe, fast access to the parts of an .xlsx/.xlsm package (lxml over zipfile).

Shared by the reader (cell values with their number formats, in one pass per sheet) and the
scored-copy writer (which rewrites only the parts it must). Every XML part is parsed with
entities, DTDs and network access off; a part that declares a DTD is refused, since no part
of a real workbook has one and that is how entity-expansion attacks arrive.
"""
from __future__ import annotations

import io
import posixpath
import re
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from python_calamine import CalamineWorkbook

from selfeval_xl.errors import UnreadableWorkbook
from selfeval_xl.read.limits import MAX_PART_UNCOMPRESSED, MAX_PARTS, MAX_RATIO, MAX_TOTAL_UNCOMPRESSED
from selfeval_xl.read.number_formats import hides_value

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
M = f"{{{NS_MAIN}}}"
R = f"{{{NS_REL}}}"

# Limits before anything is inflated (docs/security.md).

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_blank_text=False)
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)

BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
                                  45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58})
BUILTIN_PERCENT_FORMATS = frozenset({9, 10})
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


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


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str  # e.g. xl/worksheets/sheet1.xml
    rid: str
    sheet_id: str
    state: str  # visible / hidden / veryHidden


def parse_xml(data: bytes, *, part: str, origin: str) -> etree._Element:
    _refuse_dtd(data, part, origin)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _damaged(exc, part, origin) from None


class _Accepts:
    """A parser target that builds nothing and asks for no event: lxml then checks the XML at C speed
    without holding the interpreter's lock (a target asking for namespace events held it, and took a third
    longer)."""

    def close(self) -> None:
        return None


_CHECKERS = threading.local()  # a parser serves one thread at a time; made once per thread, not per part


def well_formed(data: bytes, *, part: str, origin: str) -> None:
    """Refuse a part that is not well-formed XML, without building its tree (a fifth of the cost)."""
    _refuse_dtd(data, part, origin)
    parser = getattr(_CHECKERS, "parser", None)
    if parser is None:
        # (ParserTarget exists only in the type stubs: the target is handed over untyped)
        target: Any = _Accepts()
        parser = _CHECKERS.parser = etree.XMLParser(target=target, resolve_entities=False, no_network=True,
                                                    load_dtd=False, huge_tree=False)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _damaged(exc, part, origin) from None


# From this size a part is checked on a second thread while the reader goes on (well_formed_meanwhile): below
# it, starting the thread costs more than the check.
_ALONGSIDE = 256 * 1024


def well_formed_meanwhile(data: bytes, *, part: str, origin: str) -> Callable[[], None]:
    """well_formed, on another thread for a large part: lxml checks without the interpreter's lock, so the
    reader's own work on the part goes on meanwhile on the other core. The call returned waits for the check
    and raises what it found; nothing read from the part may be trusted before it returns."""
    _refuse_dtd(data, part, origin)  # before anything parses the part, as always
    if len(data) < _ALONGSIDE:
        well_formed(data, part=part, origin=origin)
        return _checked
    found: list[BaseException] = []

    def check() -> None:
        try:
            well_formed(data, part=part, origin=origin)
        except BaseException as exc:  # raised again on the reader's thread by wait()
            found.append(exc)

    thread = threading.Thread(target=check, name="selfeval-well-formed", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if found:
            raise found[0]
    return wait


def _checked() -> None:
    return None


def _refuse_dtd(data: bytes, part: str, origin: str) -> None:
    # every declaration starts "<!": a search for the rare "!" passes over a part without any (most of them)
    # in a few microseconds, where the case-blind pattern, and a search for "<!", stop at each "<"
    if b"!" in data and b"<!" in data and (_DTD.search(data[:4096]) or _DTD.search(data)):
        raise UnreadableWorkbook(f"文件 {origin} 的部件 {part} 含有 DTD/实体声明，出于安全不予读取："
                                 "请在 Excel 或 WPS 中另存为新的 .xlsx 后再试。")


def _damaged(exc: etree.XMLSyntaxError, part: str, origin: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(f"文件 {origin} 已损坏（{part} 无法解析：{exc.msg}）："
                              "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试。")


_KEPT_PART_BYTES = 32 << 20  # a sheet past it (none a form needs) is inflated again rather than held
_STYLE_KINDS: dict[bytes, tuple[tuple[int, str], ...]] = {}  # styles part → its kinds, a few kept
_KEPT_STYLES_BYTES = 1 << 20  # a hostile styles part of many megabytes is read, never kept


def _style_kinds(root: etree._Element) -> tuple[tuple[int, str], ...]:
    custom = {}
    numfmts = root.find(f"{M}numFmts")
    for nf in numfmts if numfmts is not None else []:
        try:
            custom[int(nf.get("numFmtId", "0"))] = nf.get("formatCode", "")
        except ValueError:
            continue
    result: list[tuple[int, str]] = []
    xfs = root.find(f"{M}cellXfs")
    for xf in xfs if xfs is not None else []:
        try:
            fmt_id = int(xf.get("numFmtId", "0"))
        except ValueError:
            fmt_id = 0
        if fmt_id in custom:
            # a format that shows other text than the number ([<100]"100") is its own kind: whatever else it is,
            # the cell is refused (FORMAT_HIDES_VALUE)
            kind = "hides" if hides_value(custom[fmt_id]) else format_kind(custom[fmt_id])
        elif fmt_id in BUILTIN_PERCENT_FORMATS:
            kind = "percent"
        elif fmt_id in BUILTIN_DATE_FORMATS:
            kind = "date"
        else:
            kind = "other"
        result.append((fmt_id, kind))
    return tuple(result)


class Package:
    """An opened .xlsx/.xlsm zip with its workbook structure; parts are read on demand."""

    def __init__(self, path: Path, data: bytes | None = None, *, fast: bool = True) -> None:
        self.path = path
        self.origin = path.name
        self.data = data
        self.fast = fast
        self._calamine_book: CalamineWorkbook | None = None
        # Sheets the fast reader found written as every application writes them (read/cells.py), with
        # their merged ranges (first row, first column, last row, last column): their bytes can be
        # scanned and patched in place (write/mark_bytes.py).
        self.plain_sheets: dict[str, list[tuple[int, int, int, int]]] = {}
        # Their bytes, up to a size: the scored copy's writer scans and patches the same bytes (each sheet was
        # inflated three or four times a run, 3 ms of a LibreOffice-saved example's 31).
        self._kept: dict[str, bytes] = {}
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data) if data is not None else path)
        except zipfile.BadZipFile:
            raise UnreadableWorkbook(f"文件 {self.origin} 不是有效的 .xlsx 工作簿（文件已损坏或被截断）："
                                     "请重新导出或另存为 .xlsx。") from None
        infos = self.zip.infolist()
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            # Readers disagree on which of two parts with one name counts (the last, the first):
            # a unit could show one to the tool and another to Excel.
            twice = sorted({n for n in names if names.count(n) > 1})[0]
            raise UnreadableWorkbook(f"文件 {self.origin} 的压缩包中部件 {twice} 出现了两次，"
                                     "无法确定以哪一个为准：请在 Excel 或 WPS 中另存为 .xlsx 后再试。")
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
        self._styles_of: dict[str, list[str]] = {}
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
        calc = self.workbook.find(f"{M}calcPr")
        # 以显示精度为准 (Excel's "precision as displayed"): every result is stored rounded as its cell shows it
        self.full_precision = calc is None or calc.get("fullPrecision") not in ("0", "false")
        self.sheets = self._sheets()

    # -- parts -------------------------------------------------------------------------------
    def read(self, name: str) -> bytes:
        kept = self._kept.get(name)
        if kept is not None:
            return kept
        try:
            with self.zip.open(name) as handle:
                return handle.read(MAX_PART_UNCOMPRESSED + 1)
        except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile) as exc:
            raise UnreadableWorkbook(f"文件 {self.origin} 已损坏（读取 {name} 失败：{exc}）："
                                     "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试。") from None
        except KeyError:
            raise UnreadableWorkbook(f"文件 {self.origin} 缺少部件 {name}：文件已损坏。") from None

    def keep(self, name: str, data: bytes) -> None:
        """Keep a part's bytes for the rest of the run (read gives them again), unless past _KEPT_PART_BYTES."""
        if len(data) <= _KEPT_PART_BYTES:
            self._kept[name] = data

    def xml(self, name: str, data: bytes | None = None) -> etree._Element:
        """The part parsed, once (`data`: its bytes, where the caller has read them already)."""
        if name not in self._xml_cache:
            self._xml_cache[name] = parse_xml(self.read(name) if data is None else data, part=name,
                                              origin=self.origin)
        return self._xml_cache[name]

    def rels(self, part: str) -> dict[str, tuple[str, str, str]]:
        """rId → (type, absolute target part, target mode) for a part's relationships."""
        name = rels_name(part)
        return relationships(self.xml(name), part) if name in self.names else {}

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
            data = self.read(part) if part else b""
            # a county's units share their template's styles part: each distinct one is read once
            known = _STYLE_KINDS.get(data)
            if known is None:  # parsed into the part cache, from which a scored copy's style book copies it
                known = _style_kinds(self.xml(part, data)) if part else ()
                if len(_STYLE_KINDS) >= 8:
                    _STYLE_KINDS.clear()
                if len(data) <= _KEPT_STYLES_BYTES:
                    _STYLE_KINDS[data] = known
            self._styles = list(known)
        return self._styles

    def percent_styles(self) -> list[str]:
        """The cellXfs indices (as written in a cell's s) whose number format shows a percentage."""
        return self.styles_of("percent")

    def styles_of(self, kind: str) -> list[str]:
        """The cellXfs indices (as written in a cell's s) whose number format is of this kind (worked out once)."""
        found = self._styles_of.get(kind)
        if found is None:
            found = self._styles_of[kind] = [str(i) for i, (_, its) in enumerate(self.styles()) if its == kind]
        return found

    def _related_part(self, suffix: str) -> str | None:
        for rel_type, target, _ in self.rels(self.workbook_part).values():
            if rel_type.endswith(suffix) and target in self.names:
                return target
        return None

    def calamine(self) -> CalamineWorkbook:
        """The whole file opened once by python-calamine, for the fast cell reader (which asks only
        when the package was opened from bytes)."""
        if self._calamine_book is None:
            self._calamine_book = CalamineWorkbook.from_filelike(io.BytesIO(self.data or b""))
        return self._calamine_book


def rels_name(part: str) -> str:
    """The relationships part of a part: xl/worksheets/_rels/sheet1.xml.rels for xl/worksheets/sheet1.xml."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def relationships(root: etree._Element, part: str) -> dict[str, tuple[str, str, str]]:
    """A parsed .rels part of `part` → rId → (type, absolute target part, target mode)."""
    folder = posixpath.dirname(part)
    result = {}
    for rel in root:
        target = rel.get("Target", "")
        mode = rel.get("TargetMode", "Internal")
        if mode != "External":
            target = resolve_target(folder, target)
        result[rel.get("Id", "")] = (rel.get("Type", ""), target, mode)
    return result


def resolve_target(folder: str, target: str) -> str:
    """A relationship target as a part name: absolute ("/xl/x.xml") or relative to the source's folder."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


# The characters XML 1.0 cannot hold, as a character-class body other patterns are built from.
XML_ILLEGAL = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
_ILLEGAL_XML = re.compile(f"[{XML_ILLEGAL}]")


def clean(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold."""
    return _ILLEGAL_XML.sub("", text)


_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_xstring(text: str) -> str:
    """ST_Xstring escapes: Excel stores a carriage return as _x000D_ and a literal "_x" as _x005F_x."""
    if "_x" not in text:
        return text
    return _XSTRING_ESCAPE.sub(_xstring_char, text)


def _xstring_char(m: re.Match[str]) -> str:
    code = int(m.group(1), 16)
    # A lone surrogate (_xD800_) is no character: text with one cannot be written, printed or hashed.
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


def rich_text(el: etree._Element) -> str:
    """Text of an <si>/<is>: its <t> and run <t>s, without phonetic (<rPh>) runs."""
    parts = []
    for node in el.iter(f"{M}t"):
        parent = node.getparent()
        if parent is not None and parent.tag == f"{M}rPh":
            continue
        parts.append(node.text or "")
    return unescape_xstring("".join(parts))
