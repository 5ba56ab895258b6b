"""Marks on the cells a finding points at: a fill added to the cell's own style, and a note
(comment and its legacy VML shape) that keeps any note the user wrote. Marking again first undoes
the previous run's marks, so they never pile up."""

from __future__ import annotations

import bisect
import contextlib
import re
from collections import defaultdict
from typing import Callable
from xml.sax.saxutils import escape

from lxml import etree

from selfeval_xl.cellref import coord, split_coord
from selfeval_xl.model import Finding
from selfeval_xl.read.cells import merged_ranges
from selfeval_xl.read.package import NS_MAIN, M, R
from selfeval_xl.write.appearance import MARK_BORDERS, MARK_FILLS, NOTE_AUTHOR, NOTE_LIMIT, NOTE_MARKER
from selfeval_xl.write.mark_bytes import can_link_drawing, link_drawing, restyle_cells
from selfeval_xl.write.package_edit import (
    COMMENTS_CT,
    COMMENTS_TYPE,
    VML_CT,
    VML_TYPE,
    PackageEdit,
    cell_text,
    insert_in_order,
)


def unmark(edit: PackageEdit, marks: list[object]) -> None:
    """Undo the marks a previous run recorded (JSON read back from the workbook: checked here)."""
    by_sheet: dict[str, list[tuple[str, dict[str, object]]]] = defaultdict(list)
    for mark in marks:
        if (isinstance(mark, dict) and isinstance(sheet := mark.get("sheet"), str)
                and isinstance(ref := mark.get("cell"), str)):
            by_sheet[sheet].append((ref, mark))
    for sheet_name, items in by_sheet.items():
        found = edit.sheet_tree(sheet_name)
        if found is None:
            continue
        part, root = found
        index = CellIndex(root)
        for ref, mark in items:
            cell = index.find(ref)
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
                row_el = cell.getparent()
                if row_el is not None:  # always: the index found the cell in its row
                    row_el.remove(cell)
                    del index.cells[ref]
        _remove_notes(edit, part, root, [ref for ref, _ in items])

def _merge_origins(merges: list[tuple[int, int, int, int]]) -> dict[tuple[int, int], str]:
    """(row, column) of every cell hidden inside one of the merged ranges → the range's top-left cell,
    the only one a reader sees (and can open a note on)."""
    hidden: dict[tuple[int, int], str] = {}
    for r1, c1, r2, c2 in merges:
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 100_000:
            continue  # a whole-column merge: nobody flags a cell that far; keep the look-up small
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    hidden[(r, c)] = coord(r1, c1)
    return hidden


def _merged_ranges(edit: PackageEdit, sheet_name: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges: as the fast reader found them (marking does not change them), else
    from its tree."""
    info = edit.pkg.sheet(sheet_name)
    if info is None or info.part in edit.removed:
        return []
    if info.part in edit.pkg.plain_sheets:
        return edit.pkg.plain_sheets[info.part]
    found = edit.sheet_tree(sheet_name)
    return merged_ranges(found[1]) if found is not None else []


def _visible_cells(edit: PackageEdit, findings: tuple[Finding, ...]) -> dict[tuple[str, str], list[Finding]]:
    """Findings by the cell their mark goes on: a cell hidden in a merged range is marked on the range's
    top-left cell (docs/workbook.md §7); the finding itself still names the cell it is about."""
    per_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    hidden: dict[str, dict[tuple[int, int], str]] = {}
    for f in findings:
        if not (f.sheet and f.cell):
            continue
        ref = f.cell
        if f.sheet not in hidden:
            hidden[f.sheet] = _merge_origins(_merged_ranges(edit, f.sheet))
        with contextlib.suppress(ValueError):
            ref = hidden[f.sheet].get(split_coord(ref), ref)
        per_cell[(f.sheet, ref)].append(f)
    return per_cell


def _note_line(f: Finding, ref: str) -> str:
    where = "" if f.cell == ref else f"（{f.cell}）"
    return f"{'错误' if f.severity == 'error' else '警告'} {f.code}{where}：{f.message}"


def mark(edit: PackageEdit, findings: tuple[Finding, ...]) -> list[dict[str, object]]:
    per_cell = _visible_cells(edit, findings)
    fills = {sev: edit.styles.add_fill(color) for sev, color in MARK_FILLS.items()}
    frames = {sev: edit.styles.add_border(*how) for sev, how in MARK_BORDERS.items()}
    severity: dict[tuple[str, str], str] = {}
    by_sheet: dict[str, list[str]] = defaultdict(list)
    for (sheet_name, ref), items in per_cell.items():
        try:
            split_coord(ref)
        except ValueError:
            continue
        severity[(sheet_name, ref)] = "error" if any(f.severity == "error" for f in items) else "warning"
        by_sheet[sheet_name].append(ref)
    placed: dict[tuple[str, str], dict[str, object]] = {}
    for sheet_name, refs in by_sheet.items():

        def restyle(ref: str, original: int | None, sheet: str = sheet_name) -> int:
            sev = severity[(sheet, ref)]
            return edit.styles.with_mark(original or 0, fills[sev], frames[sev])

        for ref, original, mark_style, created in _place_marks(edit, sheet_name, refs, restyle):
            placed[(sheet_name, ref)] = {"sheet": sheet_name, "cell": ref, "style": original, "mark_style": mark_style,
                                         "created": created}
    notes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (sheet_name, ref), items in per_cell.items():
        if (sheet_name, ref) in placed:
            notes[sheet_name].append((ref, "\n".join(_note_line(f, ref) for f in items)))
    for sheet_name, sheet_notes in notes.items():
        info = edit.pkg.sheet(sheet_name)
        if info is not None:  # always: a mark was placed on the sheet
            _add_notes(edit, info.part, sheet_notes)
    return [placed[key] for key in per_cell if key in placed]  # in the findings' order, as the record keeps them


Restyle = Callable[[str, "int | None"], int]


def _place_marks(edit: PackageEdit, sheet_name: str, refs: list[str], restyle: Restyle
                 ) -> list[tuple[str, int | None, int, bool]]:
    """(ref, its style before, its mark style, whether the cell was made) of each cell marked: in the
    sheet's bytes where mark_bytes can place them all, else in its tree."""
    plain = edit.plain_bytes(sheet_name)
    if plain is not None:
        part, data = plain
        styles: dict[str, int] = {}

        def styled(ref: str, original: int | None) -> int:
            styles[ref] = restyle(ref, original)
            return styles[ref]

        patched = restyle_cells(data, refs, styled) if can_link_drawing(data) else None
        if patched is not None:
            edit.new_part(part, data=patched[0])
            return [(ref, original, styles[ref], False) for ref, original in patched[1].items()]
    found = edit.sheet_tree(sheet_name)
    if found is None:
        return []
    index = CellIndex(found[1])
    placed = []
    for ref in refs:
        existed = index.find(ref) is not None
        cell = index.find_or_create(ref)
        if cell is None:
            continue
        before = _style_index(cell.get("s"))
        mark_style = restyle(ref, before)
        cell.set("s", str(mark_style))
        placed.append((ref, before, mark_style, not existed))
    return placed


def _style_index(attribute: str | None) -> int | None:
    """A cell's style as its mark records it: None without an s attribute; one no number can be read
    from (s="") as the default style, 0, which is how the applications show such a cell."""
    if attribute is None:
        return None
    try:
        return int(attribute)
    except ValueError:
        return 0

# -- notes (comments + their legacy VML shapes) ----------------------------------------------------
def _comment_parts(edit: PackageEdit, part: str) -> tuple[str | None, str | None]:
    comments = vml = None
    for rel_type, target in edit.sheet_rels(part).values():
        if rel_type == COMMENTS_TYPE:
            comments = target
        elif rel_type == VML_TYPE:
            vml = target
    return comments, vml

def _add_notes(edit: PackageEdit, part: str, items: list[tuple[str, str]]) -> None:
    comments_part, vml_part = _comment_parts(edit, part)
    if comments_part is None or not edit.exists(comments_part):
        comments_part = edit.free_name("xl/comments{}.xml")
        edit.new_part(comments_part, data=fresh_comments(items))
        edit.add_rel(part, COMMENTS_TYPE, comments_part)
        edit.override(comments_part, COMMENTS_CT)
        _add_vml_shapes(edit, part, vml_part, [ref for ref, _ in items])
        return
    comments = edit.tree(comments_part)
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
        body = _note_body(text)
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
        _add_vml_shapes(edit, part, vml_part, new_shapes)

def fresh_comments(items: list[tuple[str, str]]) -> bytes:
    """A sheet's first comments part, holding only our notes: written as text, the same XML _append_run
    builds in a tree (a note per flagged cell made thousands of elements)."""
    notes = "".join(f'<comment ref="{ref}" authorId="0"><text>{_run(_note_body(text))}</text></comment>'
                    for ref, text in items)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="{NS_MAIN}"><authors>'
            f"<author>{NOTE_AUTHOR}</author></authors><commentList>{notes}</commentList></comments>").encode("utf-8")


def _note_body(text: str) -> str:
    return cell_text(f"{NOTE_MARKER}\n{text}")[:NOTE_LIMIT]


def _run(text: str) -> str:
    # a CR written as it is would be read back as a line feed: as a character reference it stays
    return (f'<r><rPr><sz val="{_RUN_SIZE}"/><color rgb="{_RUN_COLOR}"/></rPr>'
            f'<t xml:space="preserve">{escape(text).replace(chr(13), "&#13;")}</t></r>')


def _add_vml_shapes(edit: PackageEdit, part: str, vml_part: str | None, refs: list[str]) -> None:
    shapes = "".join(_vml_shape(ref, i) for i, ref in enumerate(refs))
    if vml_part is not None and edit.exists(vml_part):
        data = edit.data(vml_part)
        text = data.decode("utf-8", errors="replace")
        if "_x0000_t202" not in text:
            shapes = _VML_SHAPETYPE + shapes
        index = text.rfind("</xml>")
        text = text[:index] + shapes + text[index:] if index >= 0 else text + shapes
        edit.new_part(vml_part, data=text.encode("utf-8"))
        return
    vml_part = edit.free_name("xl/drawings/vmlDrawing{}.vml")
    edit.new_part(vml_part, data=(_VML_HEAD + _VML_SHAPETYPE + shapes + "</xml>").encode("utf-8"))
    edit.ensure_default("vml", VML_CT)
    rid = edit.add_rel(part, VML_TYPE, vml_part)
    if part not in edit.trees:  # marked in its bytes (mark_bytes): linked there too, where it can be
        linked = link_drawing(edit.data(part), rid)
        if linked is not None:
            edit.new_part(part, data=linked)
            return
    root = edit.tree(part)
    legacy = root.find(f"{M}legacyDrawing")
    if legacy is None:
        legacy = etree.Element(f"{M}legacyDrawing")
        insert_in_order(root, legacy)
    legacy.set(f"{R}id", rid)

def _remove_notes(edit: PackageEdit, part: str, root: etree._Element, refs: list[str]) -> None:
    comments_part, vml_part = _comment_parts(edit, part)
    if comments_part is None or not edit.exists(comments_part):
        return
    comments = edit.tree(comments_part)
    comment_list = comments.find(f"{M}commentList")
    if comment_list is None:
        return  # no comments, so no note of ours to drop
    wanted = set(refs)
    dropped: list[str] = []
    for comment in list(comment_list):
        ref = comment.get("ref")
        if ref not in wanted:
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
            dropped.append(ref)
    if dropped and vml_part is not None and edit.exists(vml_part):
        data = edit.data(vml_part)
        text = data.decode("utf-8", errors="replace")
        places = {split_coord(ref) for ref in dropped}
        # One pass over the shapes (not one search per note): each dropped note's shape goes once.
        kept_text, last = [], 0
        for m in _VML_SHAPE.finditer(text):
            anchor = _VML_ANCHOR.search(m.group(0))
            place = (int(anchor.group(1)) + 1, int(anchor.group(2)) + 1) if anchor else None
            if place in places:
                places.discard(place)
                kept_text.append(text[last:m.start()])
                last = m.end()
        kept_text.append(text[last:])
        edit.new_part(vml_part, data="".join(kept_text).encode("utf-8"))



_VML_SHAPE = re.compile(r"<v:shape\b.*?</v:shape>", re.S)
_VML_ANCHOR = re.compile(r"<x:Row>\s*(\d+)\s*</x:Row>\s*<x:Column>\s*(\d+)\s*</x:Column>")


class CellIndex:
    """A sheet's rows and cells by address, built once: marking n cells costs n look-ups, not n
    scans of the sheet (a form with 12,000 flagged cells is marked as fast as it is read)."""

    def __init__(self, root: etree._Element) -> None:
        self.data = root.find(f"{M}sheetData")
        self.rows: dict[int, etree._Element] = {}
        self.cells: dict[str, etree._Element] = {}
        for row_el in self.data.iterfind(f"{M}row") if self.data is not None else ():
            r = row_el.get("r")
            if r is None or not r.isdigit():
                continue
            self.rows.setdefault(int(r), row_el)
            for c in row_el.iterfind(f"{M}c"):
                ref = c.get("r")
                if ref is not None:
                    self.cells.setdefault(ref, c)
        self.row_numbers = sorted(self.rows)

    def find(self, ref: str) -> etree._Element | None:
        return self.cells.get(ref)

    def find_or_create(self, ref: str) -> etree._Element | None:
        """The cell at ref, made in row and column order when the sheet has none there."""
        cell = self.cells.get(ref)
        if cell is not None or self.data is None:
            return cell
        row_no, col_no = split_coord(ref)
        row_el = self.rows.get(row_no)
        if row_el is None:
            row_el = etree.Element(f"{M}row", r=str(row_no))
            at = bisect.bisect_left(self.row_numbers, row_no)
            if at < len(self.row_numbers):
                self.rows[self.row_numbers[at]].addprevious(row_el)
            else:
                self.data.append(row_el)
            self.row_numbers.insert(at, row_no)
            self.rows[row_no] = row_el
        new = etree.Element(f"{M}c", r=ref)
        for c in row_el.iterfind(f"{M}c"):
            r = c.get("r")
            try:
                if r is not None and split_coord(r)[1] > col_no:
                    c.addprevious(new)
                    break
            except ValueError:
                continue
        else:
            row_el.append(new)
        self.cells[ref] = new
        return new


_RUN_SIZE, _RUN_COLOR = "9", "FFC00000"  # our notes' text: small and dark red


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
    etree.SubElement(rpr, f"{M}sz", val=_RUN_SIZE)
    etree.SubElement(rpr, f"{M}color", rgb=_RUN_COLOR)
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


