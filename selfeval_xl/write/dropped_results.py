"""Which formula results the scored copy stores (docs/workbook.md §7).

A workbook keeps each formula's last result, and a preview shows it; a stored result may not be
what its formula gives (a workbook saved without recalculating, or results edited by hand). The
copy keeps every formula and asks for a full recalculation, so Excel, WPS and LibreOffice compute
each one on opening. The template's live provisional score (the 评分 sheet, the columns right of
the indicator table) stores no result: 评分汇总 replaces it, and computing its hundreds of long
formulas only to compare them was most of the time a small workbook took to score. A result the
reading consulted (read/reader.py Consulted) stays as it is: it is what was scored, and dropping
it would make the copy read otherwise. Every other result stays only if its formula gives it.
"""
from __future__ import annotations

import re
from typing import Callable

from lxml import etree

from selfeval_xl.layout import SHEET_SUMMARY
from selfeval_xl.read.formula_results import check_formula_results
from selfeval_xl.read.package import M, SheetInfo
from selfeval_xl.read.reader import Reading
from selfeval_xl.read.sheet_scans import formula_cells, has_formula, spelled_plainly
from selfeval_xl.write.package_edit import WORKBOOK_ORDER, PackageEdit, insert_in_order

Keep = Callable[[str, str], bool]  # (sheet, cell) → whether its stored result stays

_TYPE = re.compile(rb'\st\s*=\s*"(?:str|n|b|e)"')


def store_results(edit: PackageEdit, reading: Reading) -> None:
    """Drop the stored results of the live provisional score, and any other outside 评分汇总 and what
    the reading consulted that its formula does not give."""
    sheets = _formula_sheets(edit)
    if not sheets:
        return  # a workbook of values: nothing to keep or drop, and no set of consulted cells to build
    consulted = reading.consulted()
    provisional = reading.live_score()
    kept: set[tuple[str, str]] = set()

    def keep(sheet: str, ref: str) -> bool:
        if provisional(sheet, ref):
            return False
        if (sheet, ref) not in consulted:
            kept.add((sheet, ref))
        return True

    dropped = _drop(edit, sheets, keep)
    if kept:  # held to their formulas, as verify holds them; the sheets they do not read stay unparsed
        wrong = {(w.sheet, w.coord) for w in check_formula_results(edit.pkg, consulted, only=kept).wrong}
        dropped += _drop(edit, [i for i in sheets if any(sheet == i.name for sheet, _ in wrong)],
                         lambda sheet, ref: (sheet, ref) not in wrong)
    if dropped:
        _ask_for_full_calculation(edit)


def _formula_sheets(edit: PackageEdit) -> list[SheetInfo]:
    """The sheets outside 评分汇总 that hold a formula."""
    found = []
    for info in edit.pkg.sheets:
        if info.name == SHEET_SUMMARY or not edit.exists(info.part):
            continue
        tree = edit.trees.get(info.part)
        # a sheet the fast reader found plainly spelled binds no prefix to the main namespace
        if (tree.find(f".//{M}f") is not None if tree is not None
                else has_formula(edit.data(info.part), prefixed=info.part not in edit.pkg.plain_sheets)):
            found.append(info)
    return found


def _drop(edit: PackageEdit, sheets: list[SheetInfo], keep: Keep) -> int:
    """Remove the stored results `keep` refuses on these sheets; the number removed. A sheet already
    being edited (marks) changes in its tree, any other in its bytes where the scan sees every formula."""
    dropped = 0
    for info in sheets:

        def keeps(ref: str, sheet: str = info.name) -> bool:
            return keep(sheet, ref)

        data = None if info.part in edit.trees else edit.data(info.part)  # inflated once for both uses
        # bytes only where spelled as the scan reads them: a prefixed sheet could hide a formula from it
        patched = None if data is None or not _plain(edit, info, data) else _drop_in_bytes(data, keeps)
        if patched is None:
            dropped += _drop_in_tree(edit.tree(info.part), keeps)
        elif patched[1]:
            edit.new_part(info.part, data=patched[0])
            dropped += patched[1]
    return dropped


def _plain(edit: PackageEdit, info: SheetInfo, data: bytes) -> bool:
    """Whether a sheet (`data`: its bytes) is spelled as the byte scans read it: read so by the fast reader, or
    checked here (a sheet no table reads, such as 评分)."""
    return info.part in edit.pkg.plain_sheets or spelled_plainly(data)


def _drop_in_bytes(data: bytes, keeps: Callable[[str], bool]) -> tuple[bytes, int] | None:
    cells = formula_cells(data)
    if cells is None:
        return None  # a formula the scan did not see as a cell's: the tree decides
    pieces, at, dropped = [], 0, 0
    for m in cells:
        if m["v"] is None or keeps(m["ref"].decode()):
            continue
        if 39 in m["attrs"]:  # "'": a value in single quotes may spell t="str" inside it; the tree reads attributes
            return None
        pieces += [data[at:m.start()], m["head"], _TYPE.sub(b"", m["attrs"]), b">", m["f"]]
        at = m.end()
        dropped += 1
    pieces.append(data[at:])
    return b"".join(pieces), dropped


def _drop_in_tree(root: etree._Element, keeps: Callable[[str], bool]) -> int:
    dropped = 0
    for cell in root.iter(f"{M}c"):
        value = cell.find(f"{M}v")
        if value is None or cell.find(f"{M}f") is None or keeps(cell.get("r") or ""):
            continue
        cell.remove(value)
        dropped += 1
        if cell.get("t") in ("str", "n", "b", "e"):
            del cell.attrib["t"]
    return dropped


def _ask_for_full_calculation(edit: PackageEdit) -> None:
    # Excel recalculates a workbook saved by the same version only when asked: without this, the
    # cells whose result was removed would show empty until someone pressed F9.
    workbook = edit.tree(edit.pkg.workbook_part)
    calc = workbook.find(f"{M}calcPr")
    if calc is None:
        calc = etree.Element(f"{M}calcPr")
        insert_in_order(workbook, calc, WORKBOOK_ORDER)
    calc.set("fullCalcOnLoad", "1")
