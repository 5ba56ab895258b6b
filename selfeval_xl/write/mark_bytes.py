"""Marks placed in a sheet's bytes: each marked cell's style attribute rewritten where it stands, and
the note drawing's link inserted in schema order, without parsing the sheet into a tree.

A flagged cell is found by its address, searching on from the one before in row and column order:
marking n cells of a large sheet is one pass over its bytes, not a tree of every cell built, indexed
and written out again. Only a sheet the fast reader read as plainly spelled (read/cells.py) is marked
so, and only when every marked cell is there in order; otherwise marks.py marks through the tree,
which gives the same result (tests/test_mark_bytes.py holds the two to each other).
"""
from __future__ import annotations

import re
from typing import Callable

from selfeval_xl.cellref import split_coord
from selfeval_xl.read.package import NS_REL
from selfeval_xl.read.sheet_scans import attributes
from selfeval_xl.write.package_edit import SHEET_ORDER

_STYLE = re.compile(rb'\ss\s*=\s*(["\'])([^"\']*)\1')
# A start or end tag of well-formed XML without comments, instructions or CDATA (a plainly spelled
# sheet has none): its attributes' quoted values may hold ">".
_TAG = re.compile(rb"""<(/?)([\w:.-]+)(?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")
_END_OF_TAG = re.compile(rb"\s*>")
_AFTER_LEGACY_DRAWING = frozenset(SHEET_ORDER[SHEET_ORDER.index("legacyDrawing") + 1:])


def restyle_cells(data: bytes, refs: list[str], restyle: Callable[[str, int | None], int]
                  ) -> tuple[bytes, dict[str, int | None]] | None:
    """`data` with each of `refs`' cells given the style `restyle(ref, its style)`, asked in the order of
    `refs` (the order the tree path asks, so both number the new styles alike), and each ref's style
    before (None where it had none); None where a cell is missing, out of order or its style unreadable."""
    start, end = data.find(b"<sheetData"), data.rfind(b"</sheetData>")
    if start < 0 or end < start:
        return None
    found: dict[str, tuple[int, re.Match[bytes] | None]] = {}
    position = start
    for ref in sorted(refs, key=split_coord):
        at = data.find(b'<c r="' + ref.encode("ascii") + b'"', position, end)  # a <c> after the cells is none
        if at < 0:
            return None  # not in the sheet, or not after the cell before it: the tree decides
        tag = _TAG.match(data, at)  # to its closing ">", past any ">" inside a quoted attribute value
        if tag is None or 39 in tag.group(0):  # "'": a value in single quotes may spell s="9"; the tree reads it
            return None
        position = tag.end() - 1
        style = _STYLE.search(data, at, position)
        if style is not None and not style.group(2).isdigit():
            return None  # s="", s=" 1 ", s="+1": what they mean is the tree's call
        found[ref] = (position, style)
    originals = {ref: int(style.group(2)) if style is not None else None for ref, (_, style) in found.items()}
    new_styles = {ref: b' s="%d"' % restyle(ref, originals[ref]) for ref in refs}
    pieces: list[bytes] = []
    last = 0
    for ref, (end, style) in found.items():
        if style is not None:
            pieces += [data[last:style.start()], new_styles[ref]]
            last = style.end()
        elif data[end - 1:end] == b"/":  # last, where lxml's set() puts a new attribute: a copy scored
            pieces += [data[last:end - 1], new_styles[ref]]  # again (marks undone and placed in a tree)
            last = end - 1  # then has the same tree
        else:
            pieces += [data[last:end], new_styles[ref]]
            last = end
    pieces.append(data[last:])
    return b"".join(pieces), {ref: originals[ref] for ref in refs}


def can_link_drawing(data: bytes) -> bool:
    """Whether a legacyDrawing element can be written into these bytes: the root binds the relationships
    namespace to r (an attribute of its start tag, read one by one: the words inside another value bind
    nothing), what follows the cells is plain markup, and the root's end tag is there to insert before."""
    root = _TAG.match(data, max(data.find(b"<worksheet"), 0))  # a plainly spelled root: <worksheet, no prefix
    end = data.rfind(b"</sheetData>")
    if root is None or end < 0 or b"<![CDATA[" in data[end:] or _root_end(data) < 0:
        return False
    binding = next((a for a in attributes(root.group(0), len(b"<worksheet")) if a.group(1) == b"xmlns:r"), None)
    return binding is not None and binding.group(2)[1:-1] == NS_REL.encode()


def _root_end(data: bytes) -> int:
    """Where the root's end tag starts (</worksheet>, </worksheet >), or -1."""
    at = data.rfind(b"</worksheet")
    return at if at >= 0 and _END_OF_TAG.match(data, at + len(b"</worksheet")) else -1


def link_drawing(data: bytes, rid: str) -> bytes | None:
    """`data` with <legacyDrawing r:id=…/> before the first element the schema puts after it, as
    package_edit.insert_in_order places it in a tree (call can_link_drawing first); None where the sheet
    has one already (its drawing part missing or unreadable), which the tree reuses, or a
    legacyDrawingHF, which the search does not tell apart (the tree decides there too)."""
    tail = data.rfind(b"</sheetData>") + len(b"</sheetData>")
    if b"<legacyDrawing" in data[tail:]:
        return None
    depth = 0
    insert_at = _root_end(data)
    for tag in _TAG.finditer(data, tail):
        closing, name, empty = tag.group(1), tag.group(2), tag.group(3)
        if closing:
            if depth == 0:
                break  # </worksheet>
            depth -= 1
            continue
        local = name.rsplit(b":", 1)[-1].decode("ascii", errors="replace")
        if depth == 0 and local in _AFTER_LEGACY_DRAWING:
            insert_at = tag.start()
            break
        if not empty:
            depth += 1
    element = f'<legacyDrawing r:id="{rid}"/>'.encode()
    return data[:insert_at] + element + data[insert_at:]
