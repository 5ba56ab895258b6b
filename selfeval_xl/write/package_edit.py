"""Editing a workbook package in place of rewriting it: parts, relationships, content types and
defined names change; every part not touched is copied as its original compressed bytes."""
from __future__ import annotations

import copy
import io
import posixpath
import re
import struct
import zipfile
from pathlib import Path
from typing import cast

from lxml import etree

from selfeval_xl.errors import OutputError
from selfeval_xl.read.cells import fill_implied_refs
from selfeval_xl.read.package import NS_CT, NS_PKG_REL, M, Package, clean, parse_xml, relationships, rels_name
from selfeval_xl.read.sheet_scans import every_ref_written
from selfeval_xl.write.deflate import deflate
from selfeval_xl.write.record import FINGERPRINT_NAME, RECORD_NAME
from selfeval_xl.write.stylebook import StyleBook

WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
COMMENTS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
VML_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
DRAWING_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
CHART_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
DRAWING_CT = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
# The workbook part's content type must agree with the file name's extension, or Excel refuses to
# open the file ("the file format or file extension is not valid").
MAIN_CT = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
           ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml"}
VBA_TYPE_SUFFIX = "/vbaProject"

_LITERAL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def cell_text(text: str) -> str:
    """Text for a cell or note: without what XML cannot hold, and with a literal "_x0007_" kept
    literal (Excel and every reader turn _xHHHH_ into a character unless its "_" is escaped)."""
    return _LITERAL_ESCAPE.sub(r"_x005F_\1", clean(text))


# Parts this tool writes are deflated at level 1: packing the large form's copy took 34 ms at level 6
# and 12 at level 1, for a copy 12 % larger (530 → 596 KB). Parts not changed keep their own bytes.
_LEVEL = 1


class PackageEdit:
    """Edits of one package, kept apart from its original parts until saved: trees that were changed,
    parts added or removed; everything untouched is copied as it was."""


    def __init__(self, package: Package) -> None:
        self.pkg = package
        self.trees: dict[str, etree._Element | None] = {}  # None: asked for a part the package lacks
        self.raw: dict[str, bytes] = {}
        self.removed: set[str] = set()
        self.added: list[str] = []
        self._addressed: set[str] = set()
        self.summary_part: str | None = None
        styles_part = self.styles_part()
        self.styles = StyleBook(self.tree(styles_part), styles_part)

    # -- parts ----------------------------------------------------------------------------------
    def tree(self, name: str) -> etree._Element:
        """A part's tree for editing: the bytes written for it in this run where there are some (they
        are edited as a tree from then on), else the stored part. Callers ask only for parts that exist
        (the cast); for one the package lacks this gives None, and the caller's first use of it fails."""
        if name not in self.trees:
            if name in self.raw:
                self.trees[name] = parse_xml(self.raw.pop(name), part=name, origin=self.pkg.origin)
            else:
                self.trees[name] = copy.deepcopy(self.pkg.xml(name)) if name in self.pkg.names else None
        return cast(etree._Element, self.trees[name])

    def plain_bytes(self, sheet_name: str) -> tuple[str, bytes] | None:
        """(part, current bytes) of a sheet the fast reader found plainly spelled and not edited as a
        tree in this run: bytes that can be patched in place."""
        info = self.pkg.sheet(sheet_name)
        if info is None or info.part in self.removed or info.part in self.trees:
            return None
        if info.part not in self.pkg.plain_sheets:
            return None
        return info.part, self.data(info.part)

    def data(self, name: str) -> bytes:
        """A part's bytes as they stand in this run, for a part not being edited as a tree."""
        return self.raw[name] if name in self.raw else self.pkg.read(name)

    def view(self, name: str) -> etree._Element:
        """A part's XML for reading only: the edited tree when there is one, else the original."""
        tree = self.trees.get(name)
        return tree if tree is not None else self.pkg.xml(name)

    def exists(self, name: str) -> bool:
        return (name in self.pkg.names or name in self.trees or name in self.raw) and name not in self.removed

    def new_part(self, name: str, root: etree._Element | None = None, data: bytes | None = None) -> None:
        """A part's new content, as a tree or as bytes: whichever is given replaces the other."""
        if root is not None:
            self.trees[name] = root
            self.raw.pop(name, None)
        if data is not None:
            self.raw[name] = data
            self.trees.pop(name, None)
        self.removed.discard(name)
        if name not in self.pkg.names and name not in self.added:
            self.added.append(name)

    def styles_part(self) -> str:
        for rel_type, target, _ in self.pkg.rels(self.pkg.workbook_part).values():
            if rel_type.endswith("/styles"):
                return target
        raise OutputError(f"文件 {self.pkg.origin} 没有样式部件（styles.xml），无法写入评分副本："
                          "请在 Excel 或 WPS 中另存后再试。")

    def rels_tree(self, part: str) -> etree._Element:
        name = rels_name(part)
        if not self.exists(name):
            self.new_part(name, etree.Element(f"{{{NS_PKG_REL}}}Relationships", nsmap={None: NS_PKG_REL}))
        return self.tree(name)

    def add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        rels = self.rels_tree(part)
        ids = {el.get("Id") for el in rels}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        folder = posixpath.dirname(part)
        etree.SubElement(rels, f"{{{NS_PKG_REL}}}Relationship", Id=f"rId{n}", Type=rel_type,
                         Target=posixpath.relpath(target_part, folder))
        return f"rId{n}"

    def content_types(self) -> etree._Element:
        return self.tree("[Content_Types].xml")

    def override(self, part: str, content_type: str) -> None:
        ct = self.content_types()
        for el in ct.findall(f"{{{NS_CT}}}Override"):
            if el.get("PartName") == "/" + part:
                el.set("ContentType", content_type)
                return
        etree.SubElement(ct, f"{{{NS_CT}}}Override", PartName="/" + part, ContentType=content_type)

    def drop_override(self, part: str) -> None:
        ct = self.content_types()
        for el in ct.findall(f"{{{NS_CT}}}Override"):
            if el.get("PartName") == "/" + part:
                ct.remove(el)

    def ensure_default(self, extension: str, content_type: str) -> None:
        ct = self.content_types()
        if not any(el.get("Extension", "").lower() == extension for el in ct.findall(f"{{{NS_CT}}}Default")):
            el = etree.Element(f"{{{NS_CT}}}Default", Extension=extension, ContentType=content_type)
            ct.insert(0, el)

    def sheet_rels(self, sheet_part: str) -> dict[str, tuple[str, str]]:
        """rId → (type, target part) of a part's internal relationships, as edited so far."""
        name = rels_name(sheet_part)
        if not self.exists(name):
            return {}
        rels = relationships(self.view(name), sheet_part)
        return {rid: (rel_type, target) for rid, (rel_type, target, mode) in rels.items() if mode != "External"}

    # -- the file type -----------------------------------------------------------------------------
    def match_extension(self, target: Path) -> None:
        """Give the workbook part the content type the output's extension needs: a macro workbook
        keeps its macros only as .xlsm, and an .xlsx saved under an .xlsm name must say so."""
        suffix = target.suffix.lower()
        wanted = MAIN_CT.get(suffix)
        if wanted is None:
            return
        has_macros = any(rel_type.endswith(VBA_TYPE_SUFFIX)
                         for rel_type, _, _ in self.pkg.rels(self.pkg.workbook_part).values())
        if has_macros and suffix == ".xlsx":
            raise OutputError(f"{self.pkg.origin} 是启用宏的工作簿（含 VBA 宏），"
                              "评分副本不能存为 .xlsx（Excel 会拒绝打开，宏也会丢失）："
                              f"请把输出文件名改为 .xlsm（如 {target.stem}.xlsm）。")
        part = "/" + self.pkg.workbook_part
        current = None
        for el in self.view("[Content_Types].xml").findall(f"{{{NS_CT}}}Override"):
            if el.get("PartName") == part:
                current = el.get("ContentType")
        if current != wanted:
            self.override(self.pkg.workbook_part, wanted)

    # -- the previous summary ----------------------------------------------------------------------
    def remove_part(self, part: str, depth: int = 0) -> None:
        """Remove one of our parts with what hangs from it (the summary's drawing and chart)."""
        for rel_type, target in self.sheet_rels(part).values():
            if depth < 2 and (rel_type == DRAWING_TYPE or rel_type == CHART_TYPE) and target in self.pkg.names:
                self.remove_part(target, depth + 1)
        self.removed.add(part)
        if rels_name(part) in self.pkg.names:
            self.removed.add(rels_name(part))
        self.drop_override(part)

    def shift_local_ids(self, wb: etree._Element, position: int, delta: int) -> None:
        names = wb.find(f"{M}definedNames")
        if names is None:
            return
        for el in list(names):
            local = el.get("localSheetId")
            if el.get("name") in (RECORD_NAME, FINGERPRINT_NAME):
                names.remove(el)
                continue
            if local is None or not local.isdigit():
                continue
            index = int(local)
            if delta < 0 and index == position:
                names.remove(el)
            elif index >= position:
                el.set("localSheetId", str(index + delta))

    # -- marks -----------------------------------------------------------------------------------------
    def sheet_tree(self, sheet_name: str) -> tuple[str, etree._Element] | None:
        info = self.pkg.sheet(sheet_name)
        if info is None or info.part in self.removed:
            return None
        fresh = info.part not in self.trees and info.part not in self.raw  # the tree is the part as stored
        root = self.tree(info.part)
        if info.part not in self._addressed:
            if not (fresh and every_ref_written(self.pkg.read(info.part))):
                fill_implied_refs(root)  # cells are found by address; streamed files may leave it out
            self._addressed.add(info.part)
        return info.part, root

    def free_name(self, pattern: str) -> str:
        # A part removed in this run (the previous summary) may give its name to the new one, so
        # scoring again keeps the package's part names.
        n = 1
        while self.exists(pattern.format(n)):
            n += 1
        return pattern.format(n)

    # -- the summary sheet ------------------------------------------------------------------------------
    def unselect_tabs(self) -> None:
        # Two selected tabs would group the sheets, and an edit would land on both.
        for info in self.pkg.sheets:
            if info.part in self.removed or info.part == self.summary_part:
                continue  # (the new summary may reuse the old one's part name)
            head = b"" if info.part in self.trees else self._before_cells(info.part)
            if info.part in self.trees or (b"tabSelected" in head and 39 in head):  # "'": a value in single
                for view in self.tree(info.part).iter(f"{M}sheetView"):  # quotes may spell the attribute
                    if view.get("tabSelected") in ("1", "true"):  # as in the bytes below: a "false" stays
                        del view.attrib["tabSelected"]
                continue
            if b"tabSelected" not in head:
                continue
            data = self.data(info.part)
            new_head = re.sub(rb"\stabSelected\s*=\s*\"(?:1|true)\"", b"", head)
            self.new_part(info.part, data=new_head + data[len(head):])

    def _before_cells(self, part: str) -> bytes:
        """A sheet's bytes before its cells (<sheetData), where its sheet views stand: a stored part is inflated
        only that far."""
        if part in self.raw or part in self.pkg.plain_sheets:  # at hand (the reader keeps plain sheets' bytes)
            data = self.data(part)
            cut = data.find(b"<sheetData")
            return data if cut < 0 else data[:cut]
        head = bytearray()
        with self.pkg.zip.open(part) as handle:
            while chunk := handle.read(16384):
                head += chunk
                cut = head.find(b"<sheetData", max(0, len(head) - len(chunk) - 10))
                if cut >= 0:
                    return bytes(head[:cut])
        return bytes(head)

    # -- saving ----------------------------------------------------------------------------------------
    def save(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            names_written = set()
            for info in self.pkg.zip.infolist():
                name = info.filename
                if name in self.removed or name in names_written:
                    continue
                names_written.add(name)
                if self._unchanged(name) and _copy_compressed(self.pkg.zip, zout, info):
                    continue
                zinfo = zipfile.ZipInfo(name, date_time=info.date_time)
                zinfo.compress_type = zipfile.ZIP_DEFLATED
                zinfo.external_attr = info.external_attr
                _write(zout, zinfo, self._bytes(name))
            for name in self.added:
                if name in names_written or name in self.removed:
                    continue
                zinfo = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
                zinfo.compress_type = zipfile.ZIP_DEFLATED
                _write(zout, zinfo, self._bytes(name))
        return out.getvalue()

    def _unchanged(self, name: str) -> bool:
        if name in self.raw or name == self.styles.part_name:
            return False
        tree = self.trees.get(name)
        return tree is None or _same_xml(tree, self.pkg.xml(name))

    def _bytes(self, name: str) -> bytes:
        if name == self.styles.part_name:
            self.styles.finish()
        if name in self.raw:
            return self.raw[name]
        tree = self.trees.get(name)
        if tree is not None:
            if name in self.pkg.names and _same_xml(tree, self.pkg.xml(name)):
                return self.pkg.read(name)  # looked at, not changed: the user's bytes, as they were
            return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
        return self.pkg.read(name)




# A zip local file header: its fixed size and signature (zipfile's private sizeFileHeader and
# stringFileHeader, which typeshed does not declare).
_LOCAL_HEADER_SIZE = 30
_LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"
# What a raw copy touches of ZipFile beyond its public API (present from Python 3.6 to 3.13).
_ZIPFILE_MEMBERS = ("fp", "filelist", "NameToInfo", "start_dir", "_didModify")


def _copy_compressed(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Copy one entry's compressed bytes as they are: no inflate and deflate of parts we do not change.

    zipfile has no public call for this; it writes the local header itself and registers the
    entry the way ZipFile.writestr does. Entries it cannot copy plainly are left to writestr, and so is
    every entry on a Python whose ZipFile lacks the members used here. Measured on the 3,000-indicator
    form: 852 ms without the copy, 796 ms with it (median of five scores each)."""
    if not all(hasattr(zout, member) for member in _ZIPFILE_MEMBERS):
        return False
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) \
            or info.file_size >= zipfile.ZIP64_LIMIT or info.compress_size >= zipfile.ZIP64_LIMIT:
        return False
    fp, out = zin.fp, zout.fp
    if fp is None or out is None:
        return False
    fp.seek(info.header_offset)
    local = fp.read(_LOCAL_HEADER_SIZE)
    if len(local) != _LOCAL_HEADER_SIZE or local[:4] != _LOCAL_HEADER_SIGNATURE:
        return False
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fp.seek(info.header_offset + _LOCAL_HEADER_SIZE + name_len + extra_len)
    data = fp.read(info.compress_size)
    if len(data) != info.compress_size:
        return False
    entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    entry.compress_type = info.compress_type
    entry.external_attr = info.external_attr
    entry.flag_bits = info.flag_bits & 0x800  # keep only the UTF-8 name flag: sizes go in the header
    entry.CRC, entry.compress_size, entry.file_size = info.CRC, info.compress_size, info.file_size
    _append_entry(zout, entry, data)
    return True


# From this size a part is deflated on both cores (write/deflate.py): the large form's 3.5 MB summary in
# 6.5 ms rather than 9.4, a LibreOffice-saved indicator sheet of 545 KB in 0.9 ms rather than 1.4, one of
# 300 KB in 0.5 rather than 0.75; below it, starting the thread costs about what it saves.
_BOTH_CORES = 256 * 1024


def _write(zout: zipfile.ZipFile, entry: zipfile.ZipInfo, data: bytes) -> None:
    """A part's bytes deflated into its entry: a large one on both cores, where ZipFile's members allow."""
    if len(data) < _BOTH_CORES or len(data) >= zipfile.ZIP64_LIMIT or zout.fp is None \
            or not all(hasattr(zout, member) for member in _ZIPFILE_MEMBERS):
        zout.writestr(entry, data, compresslevel=_LEVEL)
        return
    deflated, entry.CRC = deflate(data, _LEVEL)
    entry.compress_type, entry.compress_size, entry.file_size = zipfile.ZIP_DEFLATED, len(deflated), len(data)
    _append_entry(zout, entry, deflated)


def _append_entry(zout: zipfile.ZipFile, entry: zipfile.ZipInfo, data: bytes) -> None:
    """An entry and its compressed bytes written and registered the way ZipFile.writestr does."""
    out = zout.fp
    assert out is not None, "checked by the callers"
    entry.header_offset = out.tell()
    out.write(entry.FileHeader(False))
    out.write(data)
    zout.filelist.append(entry)
    zout.NameToInfo[entry.filename] = entry
    zout.start_dir = out.tell()
    zout._didModify = True  # type: ignore[attr-defined]  # zipfile's private flag (typeshed omits it), as writestr sets it


def _same_xml(a: etree._Element, b: etree._Element) -> bool:
    return a is b or etree.tostring(a) == etree.tostring(b)



SHEET_ORDER = ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
                "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
                "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
                "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
                "extLst"]


# CT_Workbook's children in schema order.
WORKBOOK_ORDER = ["fileVersion", "fileSharing", "workbookPr", "AlternateContent", "workbookProtection", "bookViews",
                  "sheets", "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
                  "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                  "fileRecoveryPr", "webPublishObjects", "extLst"]


def insert_in_order(root: etree._Element, element: etree._Element, order: list[str] = SHEET_ORDER) -> None:
    """Insert `element` before the first child that the schema's `order` puts after it (a worksheet's
    by default); children the order does not name are passed over."""
    name = etree.QName(element).localname
    rank = order.index(name)
    for i, child in enumerate(root):
        local = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if local in order and order.index(local) > rank:
            root.insert(i, element)
            return
    root.append(element)



def sort_defined_names(names: etree._Element) -> None:
    # Excel expects defined names sorted; it repairs the file otherwise.
    items = sorted(list(names), key=lambda el: (el.get("name", "").lower(), el.get("localSheetId", "")))
    for el in items:
        names.remove(el)
        names.append(el)


