"""Original workbook + Result → the scored copy (workbook-contract.md §3). Owns the package surgery.

The scored copy is the user's own package with only these parts changed: the workbook part
(one more sheet, defined names), its relationships, the content types, the styles (appended
entries only), the sheets that get marks (a style on the marked cells), their comments and
VML drawings, and the new 评分汇总 sheet. Every other part (pictures, charts, text boxes,
macros, custom XML, parts only WPS writes) is copied byte for byte.
"""
from __future__ import annotations

import copy
import io
import posixpath
import re
import struct
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from .atomic import write_atomically
from .errors import OutputError
from .layout import SHEET_SUMMARY
from .model import Finding, Result
from .ooxml import (
    NS_CT,
    NS_MAIN,
    NS_PKG_REL,
    NS_REL,
    M,
    Package,
    R,
    clean,
    column_letter,
    fill_implied_refs,
    resolve_target,
    split_coord,
)
from .record import FINGERPRINT_NAME, RECORD_NAME, build_record, record_chunks, record_in
from .summary import SheetModel, add_record, build_summary, record_range, shown_values

NOTE_MARKER = "【selfeval-xl】"
NOTE_AUTHOR = "selfeval-xl"
MARK_FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}
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


def write_scored(reading, result: Result, target: Path) -> None:
    """Write the scored copy of `reading`'s workbook to `target` (atomically)."""
    source = reading.workbook.path
    try:
        same = target.resolve() == source.resolve()
    except OSError:
        same = False
    if same:
        raise OutputError(f"输出文件不能与输入文件相同（{source.name}）："
                          "评分副本总是另存为新文件，请换一个输出路径（-o）。")
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise OutputError(f"评分副本应保存为 .xlsx（含宏的工作簿为 .xlsm）文件：{target.name}")
    package = reading.workbook.package
    if package is None:
        from .legacy import write_scored_from_values
        write_scored_from_values(reading, result, target)
        return
    surgery = Surgery(package)
    surgery.match_extension(target)
    old_marks = surgery.remove_previous_summary()
    surgery.unmark(old_marks)
    marks = surgery.mark(result.checks)
    model = build_summary(result, reading.profile)
    record = build_record(reading.input_cells, result, reading.profile, marks, shown_values(model))
    chunks = record_chunks(record)
    add_record(model, chunks)
    surgery.add_summary(model, len(chunks), record["fingerprint"])
    write_atomically(target, surgery.save())


class Surgery:
    def __init__(self, package: Package) -> None:
        self.pkg = package
        self.trees: dict[str, etree._Element] = {}
        self.raw: dict[str, bytes] = {}
        self.removed: set[str] = set()
        self.added: list[str] = []
        self._addressed: set[str] = set()
        self.summary_part: str | None = None
        self.styles = StyleBook(self._tree(self._styles_part()))

    # -- parts ----------------------------------------------------------------------------------
    def _tree(self, name: str) -> etree._Element:
        if name not in self.trees:
            self.trees[name] = copy.deepcopy(self.pkg.xml(name)) if name in self.pkg.names else None
        return self.trees[name]

    def _view(self, name: str) -> etree._Element:
        """A part's XML for reading only: the edited tree when there is one, else the original."""
        tree = self.trees.get(name)
        return tree if tree is not None else self.pkg.xml(name)

    def _exists(self, name: str) -> bool:
        return (name in self.pkg.names or name in self.trees or name in self.raw) and name not in self.removed

    def _new(self, name: str, root: etree._Element | None = None, data: bytes | None = None) -> None:
        if root is not None:
            self.trees[name] = root
        if data is not None:
            self.raw[name] = data
        self.removed.discard(name)
        if name not in self.pkg.names and name not in self.added:
            self.added.append(name)

    def _styles_part(self) -> str:
        for rel_type, target, _ in self.pkg.rels(self.pkg.workbook_part).values():
            if rel_type.endswith("/styles"):
                return target
        raise OutputError(f"文件 {self.pkg.origin} 没有样式部件（styles.xml），无法写入评分副本："
                          "请在 Excel 或 WPS 中另存后再试。")

    def _rels_name(self, part: str) -> str:
        folder, base = posixpath.split(part)
        return posixpath.join(folder, "_rels", base + ".rels")

    def _rels_tree(self, part: str) -> etree._Element:
        name = self._rels_name(part)
        if not self._exists(name):
            self._new(name, etree.Element(f"{{{NS_PKG_REL}}}Relationships", nsmap={None: NS_PKG_REL}))
        return self._tree(name)

    def _add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        rels = self._rels_tree(part)
        ids = {el.get("Id") for el in rels}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        folder = posixpath.dirname(part)
        etree.SubElement(rels, f"{{{NS_PKG_REL}}}Relationship", Id=f"rId{n}", Type=rel_type,
                         Target=posixpath.relpath(target_part, folder))
        return f"rId{n}"

    def _content_types(self) -> etree._Element:
        return self._tree("[Content_Types].xml")

    def _override(self, part: str, content_type: str) -> None:
        ct = self._content_types()
        for el in ct.findall(f"{{{NS_CT}}}Override"):
            if el.get("PartName") == "/" + part:
                el.set("ContentType", content_type)
                return
        etree.SubElement(ct, f"{{{NS_CT}}}Override", PartName="/" + part, ContentType=content_type)

    def _drop_override(self, part: str) -> None:
        ct = self._content_types()
        for el in ct.findall(f"{{{NS_CT}}}Override"):
            if el.get("PartName") == "/" + part:
                ct.remove(el)

    def _ensure_default(self, extension: str, content_type: str) -> None:
        ct = self._content_types()
        if not any(el.get("Extension", "").lower() == extension for el in ct.findall(f"{{{NS_CT}}}Default")):
            el = etree.Element(f"{{{NS_CT}}}Default", Extension=extension, ContentType=content_type)
            ct.insert(0, el)

    def _sheet_rels(self, sheet_part: str) -> dict[str, tuple[str, str]]:
        name = self._rels_name(sheet_part)
        if not self._exists(name):
            return {}
        folder = posixpath.dirname(sheet_part)
        return {el.get("Id"): (el.get("Type", ""), resolve_target(folder, el.get("Target", "")))
                for el in self._view(name) if el.get("TargetMode") != "External"}

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
        for el in self._view("[Content_Types].xml").findall(f"{{{NS_CT}}}Override"):
            if el.get("PartName") == part:
                current = el.get("ContentType")
        if current != wanted:
            self._override(self.pkg.workbook_part, wanted)

    # -- the previous summary ----------------------------------------------------------------------
    def remove_previous_summary(self) -> list[dict[str, object]]:
        info = self.pkg.sheet(SHEET_SUMMARY)
        if info is None:
            return []
        record = record_in(self.pkg.grid(info))
        if record is None:
            return []  # a sheet of the user's own that happens to share the name: left alone
        wb = self._tree(self.pkg.workbook_part)
        sheets = wb.find(f"{M}sheets")
        position = next(i for i, el in enumerate(sheets) if el.get("name") == SHEET_SUMMARY)
        sheets.remove(sheets[position])
        self._shift_local_ids(wb, position, -1)
        rels = self._tree(self._rels_name(self.pkg.workbook_part))
        for el in list(rels):
            if el.get("Id") == info.rid:
                rels.remove(el)
        self._remove_part(info.part)
        marks = record.get("marks")
        return marks if isinstance(marks, list) else []

    def _remove_part(self, part: str, depth: int = 0) -> None:
        """Remove one of our parts with what hangs from it (the summary's drawing and chart)."""
        for rel_type, target in self._sheet_rels(part).values():
            if depth < 2 and (rel_type == DRAWING_TYPE or rel_type == CHART_TYPE) and target in self.pkg.names:
                self._remove_part(target, depth + 1)
        self.removed.add(part)
        if self._rels_name(part) in self.pkg.names:
            self.removed.add(self._rels_name(part))
        self._drop_override(part)

    def _shift_local_ids(self, wb: etree._Element, position: int, delta: int) -> None:
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
    def _sheet_tree(self, sheet_name: str) -> tuple[str, etree._Element] | None:
        info = self.pkg.sheet(sheet_name)
        if info is None or info.part in self.removed:
            return None
        root = self._tree(info.part)
        if info.part not in self._addressed:
            fill_implied_refs(root)  # cells are found by address; streamed files may leave it out
            self._addressed.add(info.part)
        return info.part, root

    def unmark(self, marks: list[dict[str, object]]) -> None:
        by_sheet: dict[str, list[dict[str, object]]] = defaultdict(list)
        for mark in marks:
            if isinstance(mark, dict) and isinstance(mark.get("sheet"), str) and isinstance(mark.get("cell"), str):
                by_sheet[mark["sheet"]].append(mark)
        for sheet_name, items in by_sheet.items():
            found = self._sheet_tree(sheet_name)
            if found is None:
                continue
            part, root = found
            for mark in items:
                cell = _find_cell(root, mark["cell"], create=False)
                if cell is None:
                    continue
                if str(cell.get("s", "0")) == str(mark.get("mark_style")):
                    original = mark.get("style")
                    if original is None:
                        cell.attrib.pop("s", None)
                    else:
                        cell.set("s", str(original))
                if mark.get("created") and cell.find(f"{M}v") is None and cell.find(f"{M}f") is None \
                        and cell.find(f"{M}is") is None and "s" not in cell.attrib:
                    cell.getparent().remove(cell)
            self._remove_notes(part, root, [m["cell"] for m in items])

    def mark(self, findings: tuple[Finding, ...]) -> list[dict[str, object]]:
        per_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for f in findings:
            if f.sheet and f.cell:
                per_cell[(f.sheet, f.cell)].append(f)
        marks: list[dict[str, object]] = []
        notes: dict[str, list[tuple[str, str]]] = defaultdict(list)
        fills = {sev: self.styles.add_fill(color) for sev, color in MARK_FILLS.items()}
        for (sheet_name, ref), items in per_cell.items():
            found = self._sheet_tree(sheet_name)
            if found is None:
                continue
            _, root = found
            try:
                split_coord(ref)
            except ValueError:
                continue
            existed = _find_cell(root, ref, create=False) is not None
            cell = _find_cell(root, ref, create=True)
            if cell is None:
                continue
            severity = "error" if any(f.severity == "error" for f in items) else "warning"
            original = cell.get("s")
            mark_style = self.styles.with_fill(int(original or 0), fills[severity])
            cell.set("s", str(mark_style))
            marks.append({"sheet": sheet_name, "cell": ref, "style": int(original) if original is not None else None,
                          "mark_style": mark_style, "created": not existed})
            text = "\n".join(f"{'错误' if f.severity == 'error' else '警告'} {f.code}：{f.message}" for f in items)
            notes[sheet_name].append((ref, text))
        for sheet_name, items in notes.items():
            part, root = self._sheet_tree(sheet_name)  # type: ignore[misc]
            self._add_notes(part, root, items)
        return marks

    # -- notes (comments + their legacy VML shapes) ----------------------------------------------------
    def _comment_parts(self, part: str) -> tuple[str | None, str | None]:
        comments = vml = None
        for rel_type, target in self._sheet_rels(part).values():
            if rel_type == COMMENTS_TYPE:
                comments = target
            elif rel_type == VML_TYPE:
                vml = target
        return comments, vml

    def _add_notes(self, part: str, root: etree._Element, items: list[tuple[str, str]]) -> None:
        comments_part, vml_part = self._comment_parts(part)
        if comments_part is None or not self._exists(comments_part):
            comments_part = self._free_name("xl/comments{}.xml")
            self._new(comments_part, etree.fromstring(
                f'<comments xmlns="{NS_MAIN}"><authors/><commentList/></comments>'.encode()))
            self._add_rel(part, COMMENTS_TYPE, comments_part)
            self._override(comments_part, COMMENTS_CT)
        comments = self._tree(comments_part)
        authors = comments.find(f"{M}authors")
        if authors is None:
            authors = etree.Element(f"{M}authors")
            comments.insert(0, authors)
        names = [a.text for a in authors]
        if NOTE_AUTHOR in names:
            author_id = names.index(NOTE_AUTHOR)
        else:
            etree.SubElement(authors, f"{M}author").text = NOTE_AUTHOR
            author_id = len(names)
        comment_list = comments.find(f"{M}commentList")
        if comment_list is None:
            comment_list = etree.SubElement(comments, f"{M}commentList")
        existing = {c.get("ref"): c for c in comment_list}
        new_shapes = []
        for ref, text in items:
            body = cell_text(f"{NOTE_MARKER}\n{text}")[:30000]
            if ref in existing:
                # The user's own note stays; our text is appended as a separate run we can strip later.
                text_el = existing[ref].find(f"{M}text")
                if text_el is None:
                    text_el = etree.SubElement(existing[ref], f"{M}text")
                _append_run(text_el, "\n" + body)
                continue
            comment = etree.SubElement(comment_list, f"{M}comment", ref=ref, authorId=str(author_id))
            text_el = etree.SubElement(comment, f"{M}text")
            _append_run(text_el, body)
            new_shapes.append(ref)
        if new_shapes:
            self._add_vml_shapes(part, root, vml_part, new_shapes)

    def _add_vml_shapes(self, part: str, root: etree._Element, vml_part: str | None, refs: list[str]) -> None:
        shapes = "".join(_vml_shape(ref, i) for i, ref in enumerate(refs))
        if vml_part is not None and self._exists(vml_part):
            data = self.raw.get(vml_part) or self.pkg.read(vml_part)
            text = data.decode("utf-8", errors="replace")
            if "_x0000_t202" not in text:
                shapes = _VML_SHAPETYPE + shapes
            index = text.rfind("</xml>")
            text = text[:index] + shapes + text[index:] if index >= 0 else text + shapes
            self._new(vml_part, data=text.encode("utf-8"))
            return
        vml_part = self._free_name("xl/drawings/vmlDrawing{}.vml")
        self._new(vml_part, data=(_VML_HEAD + _VML_SHAPETYPE + shapes + "</xml>").encode("utf-8"))
        self._ensure_default("vml", VML_CT)
        rid = self._add_rel(part, VML_TYPE, vml_part)
        legacy = root.find(f"{M}legacyDrawing")
        if legacy is None:
            legacy = etree.Element(f"{M}legacyDrawing")
            _insert_in_order(root, legacy)
        legacy.set(f"{R}id", rid)

    def _remove_notes(self, part: str, root: etree._Element, refs: list[str]) -> None:
        comments_part, vml_part = self._comment_parts(part)
        if comments_part is None or not self._exists(comments_part):
            return
        comments = self._tree(comments_part)
        comment_list = comments.find(f"{M}commentList")
        dropped = []
        for comment in list(comment_list if comment_list is not None else []):
            if comment.get("ref") not in refs:
                continue
            text_el = comment.find(f"{M}text")
            if text_el is None:
                continue
            full = "".join(t.text or "" for t in text_el.iter(f"{M}t"))
            if NOTE_MARKER not in full:
                continue
            kept = full.split(NOTE_MARKER, 1)[0].rstrip("\n")
            if kept.strip():
                _strip_marker(text_el)
            else:
                comment_list.remove(comment)
                dropped.append(comment.get("ref"))
        if dropped and vml_part is not None and self._exists(vml_part):
            data = self.raw.get(vml_part) or self.pkg.read(vml_part)
            text = data.decode("utf-8", errors="replace")
            for ref in dropped:
                row, col = split_coord(ref)
                pattern = re.compile(r"<v:shape\b(?:(?!<v:shape\b).)*?<x:Row>\s*%d\s*</x:Row>"
                                     r"\s*<x:Column>\s*%d\s*</x:Column>.*?</v:shape>"
                                     % (row - 1, col - 1), re.S)
                text = pattern.sub("", text, count=1)
            self._new(vml_part, data=text.encode("utf-8"))

    def _free_name(self, pattern: str) -> str:
        # A part removed in this run (the previous summary) may give its name to the new one, so
        # scoring again keeps the package's part names.
        n = 1
        while self._exists(pattern.format(n)):
            n += 1
        return pattern.format(n)

    # -- the summary sheet ------------------------------------------------------------------------------
    def add_summary(self, model: SheetModel, n_chunks: int, fingerprint: str) -> None:
        part = self._free_name("xl/worksheets/sheet{}.xml")
        drawing_rid = None
        parts = chart_parts(model)
        if parts is not None:
            drawing_xml, chart_xml = parts
            chart_part = self._free_name("xl/charts/chart{}.xml")
            self._new(chart_part, data=chart_xml)
            self._override(chart_part, CHART_CT)
            drawing_part = self._free_name("xl/drawings/drawing{}.xml")
            self._new(drawing_part, data=drawing_xml)
            self._override(drawing_part, DRAWING_CT)
            rels = self._rels_tree(drawing_part)
            etree.SubElement(rels, f"{{{NS_PKG_REL}}}Relationship", Id="rId1", Type=CHART_TYPE,
                             Target=posixpath.relpath(chart_part, posixpath.dirname(drawing_part)))
            drawing_rid = self._add_rel(part, DRAWING_TYPE, drawing_part)
        self._new(part, data=render_sheet(model, self.styles, drawing_rid))
        self.summary_part = part
        self._override(part, WORKSHEET_CT)
        rid = self._add_rel(self.pkg.workbook_part, WORKSHEET_TYPE, part)
        wb = self._tree(self.pkg.workbook_part)
        sheets = wb.find(f"{M}sheets")
        ids = [int(el.get("sheetId", "0")) for el in sheets if (el.get("sheetId") or "").isdigit()]
        el = etree.Element(f"{M}sheet", name=SHEET_SUMMARY, sheetId=str(max(ids, default=0) + 1))
        el.set(f"{R}id", rid)
        sheets.insert(0, el)
        self._shift_local_ids(wb, 0, +1)
        names = wb.find(f"{M}definedNames")
        if names is None:
            names = etree.Element(f"{M}definedNames")
            # CT_Workbook: sheets, functionGroups?, externalReferences?, definedNames? — Excel repairs
            # a workbook whose definedNames come before its links to other workbooks.
            before = sheets
            for tag in ("functionGroups", "externalReferences"):
                found = wb.find(f"{M}{tag}")
                if found is not None:
                    before = found
            before.addnext(names)
        etree.SubElement(names, f"{M}definedName", name=FINGERPRINT_NAME).text = f'"{fingerprint}"'
        etree.SubElement(names, f"{M}definedName", name=RECORD_NAME).text = record_range(n_chunks, SHEET_SUMMARY)
        _sort_defined_names(names)
        views = wb.find(f"{M}bookViews")
        for view in views if views is not None else ():
            view.set("activeTab", "0")
            view.set("firstSheet", "0")
        self._unselect_tabs()

    def _unselect_tabs(self) -> None:
        # Two selected tabs would group the sheets, and an edit would land on both.
        for info in self.pkg.sheets:
            if info.part in self.removed or info.part == self.summary_part:
                continue  # (the new summary may reuse the old one's part name)
            if info.part in self.trees:
                for view in self.trees[info.part].iter(f"{M}sheetView"):
                    view.attrib.pop("tabSelected", None)
                continue
            if info.part in self.raw:
                head = self.raw[info.part][:8192]
            else:
                with self.pkg.zip.open(info.part) as handle:  # the sheet view sits near the top: no full inflate
                    head = handle.read(8192)
            if b"tabSelected" not in head:
                continue
            data = self.raw.get(info.part) or self.pkg.read(info.part)
            head = data[:8192]
            new_head = re.sub(rb'\stabSelected="(?:1|true)"', b"", head)
            self._new(info.part, data=new_head + data[8192:])

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
                zout.writestr(zinfo, self._bytes(name), compresslevel=6)
            for name in self.added:
                if name in names_written or name in self.removed:
                    continue
                zinfo = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
                zinfo.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(zinfo, self._bytes(name), compresslevel=6)
        return out.getvalue()

    def _unchanged(self, name: str) -> bool:
        if name in self.raw or name == self.styles.part_name(self):
            return False
        tree = self.trees.get(name)
        return tree is None or _same_xml(tree, self.pkg.xml(name))

    def _bytes(self, name: str) -> bytes:
        if name == self.styles.part_name(self):
            self.styles.finish()
        if name in self.raw:
            return self.raw[name]
        tree = self.trees.get(name)
        if tree is not None:
            if name in self.pkg.names and _same_xml(tree, self.pkg.xml(name)):
                return self.pkg.read(name)  # looked at, not changed: the user's bytes, as they were
            return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
        return self.pkg.read(name)


def chart_parts(model: SheetModel) -> tuple[bytes, bytes] | None:
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
    wb.close()
    with zipfile.ZipFile(buffer) as z:
        return z.read("xl/drawings/drawing1.xml"), z.read("xl/charts/chart1.xml")


def _copy_compressed(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Copy one entry's compressed bytes as they are: no inflate and deflate of parts we do not change.

    zipfile has no public call for this; it writes the local header itself and registers the
    entry the way ZipFile.writestr does. Entries it cannot copy plainly are left to writestr."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) \
            or info.file_size >= zipfile.ZIP64_LIMIT or info.compress_size >= zipfile.ZIP64_LIMIT:
        return False
    fp = zin.fp
    if fp is None:
        return False
    fp.seek(info.header_offset)
    local = fp.read(zipfile.sizeFileHeader)
    if len(local) != zipfile.sizeFileHeader or local[:4] != zipfile.stringFileHeader:
        return False
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fp.seek(info.header_offset + zipfile.sizeFileHeader + name_len + extra_len)
    data = fp.read(info.compress_size)
    if len(data) != info.compress_size:
        return False
    entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    entry.compress_type = info.compress_type
    entry.external_attr = info.external_attr
    entry.flag_bits = info.flag_bits & 0x800  # keep only the UTF-8 name flag: sizes go in the header
    entry.CRC, entry.compress_size, entry.file_size = info.CRC, info.compress_size, info.file_size
    entry.header_offset = zout.fp.tell()
    zout.fp.write(entry.FileHeader(False))
    zout.fp.write(data)
    zout.filelist.append(entry)
    zout.NameToInfo[entry.filename] = entry
    zout.start_dir = zout.fp.tell()
    zout._didModify = True
    return True


def _same_xml(a: etree._Element, b: etree._Element) -> bool:
    return a is b or etree.tostring(a) == etree.tostring(b)


# --- cells in sheet XML ------------------------------------------------------------------------------

def _find_cell(root: etree._Element, ref: str, *, create: bool) -> etree._Element | None:
    row_no, col_no = split_coord(ref)
    data = root.find(f"{M}sheetData")
    if data is None:
        return None
    row_el = None
    for el in data.iterfind(f"{M}row"):
        r = el.get("r")
        if r is None or not r.isdigit():
            continue
        if int(r) == row_no:
            row_el = el
            break
        if int(r) > row_no:
            if not create:
                return None
            row_el = etree.Element(f"{M}row", r=str(row_no))
            el.addprevious(row_el)
            break
    if row_el is None:
        if not create:
            return None
        row_el = etree.SubElement(data, f"{M}row", r=str(row_no))
    for c in row_el.iterfind(f"{M}c"):
        r = c.get("r")
        if r is None:
            continue
        if r == ref:
            return c
        try:
            if split_coord(r)[1] > col_no:
                if not create:
                    return None
                new = etree.Element(f"{M}c", r=ref)
                c.addprevious(new)
                return new
        except ValueError:
            continue
    if not create:
        return None
    return etree.SubElement(row_el, f"{M}c", r=ref)


_SHEET_ORDER = ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
                "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
                "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
                "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
                "extLst"]


def _insert_in_order(root: etree._Element, element: etree._Element) -> None:
    name = etree.QName(element).localname
    rank = _SHEET_ORDER.index(name)
    for i, child in enumerate(root):
        local = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if local in _SHEET_ORDER and _SHEET_ORDER.index(local) > rank:
            root.insert(i, element)
            return
    root.append(element)


def _append_run(text_el: etree._Element, text: str) -> None:
    plain = text_el.find(f"{M}t")
    if plain is not None and text_el.find(f"{M}r") is None:
        # A plain-text note becomes runs so our part can be told apart from the user's.
        run = etree.Element(f"{M}r")
        t = etree.SubElement(run, f"{M}t")
        t.text = plain.text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        text_el.replace(plain, run)
    run = etree.SubElement(text_el, f"{M}r")
    rpr = etree.SubElement(run, f"{M}rPr")
    etree.SubElement(rpr, f"{M}sz", val="9")
    etree.SubElement(rpr, f"{M}color", rgb="FFC00000")
    t = etree.SubElement(run, f"{M}t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _strip_marker(text_el: etree._Element) -> None:
    found = False
    for child in list(text_el):
        t = child.find(f"{M}t") if child.tag == f"{M}r" else child if child.tag == f"{M}t" else None
        if t is None:
            if found:
                text_el.remove(child)
            continue
        if found:
            text_el.remove(child)
            continue
        if t.text and NOTE_MARKER in t.text:
            found = True
            before = t.text.split(NOTE_MARKER, 1)[0].rstrip("\n")
            if before:
                t.text = before
            else:
                text_el.remove(child)


_VML_HEAD = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
             'xmlns:x="urn:schemas-microsoft-com:office:excel">'
             '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>')
_VML_SHAPETYPE = ('<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
                  '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def _vml_shape(ref: str, index: int) -> str:
    row, col = split_coord(ref)
    r0, c0 = row - 1, col - 1
    anchor = f"{c0 + 1}, 15, {max(r0 - 1, 0)}, 10, {c0 + 4}, 15, {max(r0 - 1, 0) + 5}, 4"
    return (f'<v:shape id="_x0000_s{61440 + index}" alt="selfeval-xl" type="#_x0000_t202" '
            'style="position:absolute;margin-left:80pt;margin-top:2pt;width:240pt;height:90pt;'
            'z-index:1;visibility:hidden" '
            'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f'<x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill>'
            f'<x:Row>{r0}</x:Row><x:Column>{c0}</x:Column></x:ClientData></v:shape>')


def _sort_defined_names(names: etree._Element) -> None:
    # Excel expects defined names sorted; it repairs the file otherwise.
    items = sorted(list(names), key=lambda el: (el.get("name", "").lower(), el.get("localSheetId", "")))
    for el in items:
        names.remove(el)
        names.append(el)


# --- styles -------------------------------------------------------------------------------------------

class StyleBook:
    """Appends fonts, fills, borders, number formats and cell formats to an existing styles part."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._fill_cache: dict[str, int] = {}
        self._index: dict[str, dict[tuple, int]] = {}
        self._with_fill: dict[tuple[int, int], int] = {}
        self._named: dict[str, int] = {}
        self._part_name: str | None = None

    def part_name(self, surgery: "Surgery") -> str:
        if self._part_name is None:
            self._part_name = surgery._styles_part()
        return self._part_name

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

    def add_border(self) -> int:
        border = etree.Element(f"{M}border")
        for side in ("left", "right", "top", "bottom"):
            el = etree.SubElement(border, f"{M}{side}", style="thin")
            etree.SubElement(el, f"{M}color", rgb="FFA6A6A6")
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
                return int(el.get("numFmtId"))
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

    def with_fill(self, original: int, fill: int) -> int:
        key = (original, fill)
        if key not in self._with_fill:
            xfs = self._section("cellXfs")
            base = xfs[original] if 0 <= original < len(xfs) else None
            xf = copy.deepcopy(base) if base is not None else etree.Element(
                f"{M}xf", numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")
            xf.set("fillId", str(fill))
            xf.set("applyFill", "1")
            self._with_fill[key] = self._add("cellXfs", xf)
        return self._with_fill[key]

    def summary_styles(self) -> dict[str, int]:
        if self._named:
            return self._named
        border = self.add_border()
        header_fill = self.add_fill("FFD9E1F2")
        body = self.add_font()
        bold = self.add_font(bold=True)
        money, rate, score = self.add_numfmt("#,##0.00"), self.add_numfmt("0.00%"), self.add_numfmt("0.00")
        grade_colors = [("FFC6EFCE", "FF006100"), ("FFDDEBF7", "FF1F4E78"), ("FFFFEB9C", "FF9C5700"),
                        ("FFFFC7CE", "FF9C0006")]
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
            "ok": self.add_xf(font=self.add_font(bold=True, color="FF006100"), fill=self.add_fill("FFC6EFCE"),
                              border=border, wrap=True),
            "bad": self.add_xf(font=self.add_font(bold=True, color="FF9C0006"), fill=self.add_fill("FFFFC7CE"),
                               border=border, wrap=True),
            "error": self.add_xf(font=self.add_font(bold=True, color="FF9C0006"), fill=self.add_fill("FFFFC7CE"),
                                 border=border),
            "warning": self.add_xf(font=self.add_font(bold=True, color="FF9C5700"), fill=self.add_fill("FFFFEB9C"),
                                   border=border),
            "link": self.add_xf(font=self.add_font(underline=True, color="FF0563C1"), border=border),
            "record": self.add_xf(font=self.add_font(size=8, color="FF808080")),
        }
        for i, (fill_color, font_color) in enumerate(grade_colors):
            self._named[f"grade_{i}"] = self.add_xf(font=self.add_font(bold=True, size=20, color=font_color),
                                                    fill=self.add_fill(fill_color), border=border, horizontal="center")
        return self._named


def _xml_key(el: etree._Element) -> tuple:
    """What an element says (name, attributes, text, children), for finding an equal style entry."""
    if not isinstance(el.tag, str):
        return ("#", str(el.tag), el.text or "")
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(_xml_key(child) for child in el))


# --- rendering the summary sheet --------------------------------------------------------------------------

def render_sheet(model: SheetModel, styles: StyleBook, drawing_rid: str | None = None) -> bytes:
    named = styles.summary_styles()
    rows: dict[int, list] = defaultdict(list)
    for cell in model.cells:
        rows[cell.row].append(cell)
    max_row = max(rows, default=1)
    max_col = max((c.col for c in model.cells if c.col not in model.hidden_columns), default=1)
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
    for r in sorted(rows):
        height = model.heights.get(r)
        attrs = f' ht="{height}" customHeight="1"' if height else ""
        out.append(f'<row r="{r}"{attrs}>')
        for cell in sorted(rows[r], key=lambda c: c.col):
            ref = f"{column_letter(cell.col)}{r}"
            s = named.get(cell.style, named["text"])
            value = cell.value
            if value is None:
                out.append(f'<c r="{ref}" s="{s}"/>')
            elif isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
                number = format(value, "f") if isinstance(value, Decimal) else repr(value)
                out.append(f'<c r="{ref}" s="{s}"><v>{number}</v></c>')
            else:
                text = escape(cell_text(str(value)))
                out.append(f'<c r="{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData>")
    if model.merges:
        out.append(f'<mergeCells count="{len(model.merges)}">')
        out.extend(f'<mergeCell ref="{ref}"/>' for ref in model.merges)
        out.append("</mergeCells>")
    if model.links:
        out.append("<hyperlinks>")
        for ref, loc, tip in model.links:
            out.append(f"<hyperlink ref={quoteattr(ref)} location={quoteattr(clean(loc))} display={quoteattr(ref)} "
                       f"tooltip={quoteattr(clean(tip))}/>")
        out.append("</hyperlinks>")
    out.append('<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>')
    out.append('<pageSetup paperSize="9" orientation="portrait" fitToWidth="1" fitToHeight="0"/>')
    out.append('<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>')
    if model.print_rows:
        out.append(f'<rowBreaks count="1" manualBreakCount="1"><brk id="{model.print_rows}" max="16383" man="1"/>'
                   '</rowBreaks>')
    if drawing_rid:
        out.append(f'<drawing r:id="{drawing_rid}"/>')
    out.append("</worksheet>")
    return "".join(out).encode("utf-8")
