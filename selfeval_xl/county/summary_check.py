"""What a reader of the scored copy sees on 评分汇总, checked: the sheet belongs to the tool.

verify compares values; a unit could leave every value alone and still change what the county
reads: a number format that prints "100.00" over 98.40, a grade hidden by ;;;"优秀", a formula
over a cached value, hidden rows of problems, a text box drawn over the total, marks and notes
stripped from the cells they flag. Each is a change, named where it is. LibreOffice and Excel
saving the copy again (renumbered styles, rewritten drawings) are not.
"""
from __future__ import annotations

import re
from typing import Collection, NamedTuple

from lxml import etree

from selfeval_xl.cellref import column_letter, split_coord
from selfeval_xl.county.looks import cell_format, format_codes
from selfeval_xl.layout import SHEET_SUMMARY
from selfeval_xl.read.package import M, Package
from selfeval_xl.write.appearance import NOTE_MARKER
from selfeval_xl.write.record import RECORD_COLUMN

# The number formats the tool writes; an application saving the copy again may refer to them by
# their built-in ids, which looks.cell_format turns back into codes.
OWN_FORMATS = {"general", "0", "0.00", "#,##0.00", "0%", "0.00%", "@"}
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
DRAWING_TYPE = "/drawing"
COMMENTS_TYPE = "/comments"


class Problem(NamedTuple):
    item: str
    what: str


def _true(value: str | None) -> bool:
    return value in ("1", "true")


def _styles(package: Package) -> tuple[list[str], list[bool]]:
    """Per cellXfs index: the number-format code (lower case) and whether the cell is filled."""
    codes: list[str] = []
    filled: list[bool] = []
    part = next((t for rel_type, t, _ in package.rels(package.workbook_part).values() if rel_type.endswith("/styles")),
                None)
    if part is None or part not in package.names:
        return codes, filled
    root = package.xml(part)
    custom = format_codes(root)
    fills = [f.find(f"{M}patternFill") for f in root.iterfind(f"{M}fills/{M}fill")]
    solid = [p is not None and p.get("patternType") not in (None, "none", "gray125") for p in fills]
    for xf in root.iterfind(f"{M}cellXfs/{M}xf"):
        codes.append(cell_format(custom, xf))
        fill = xf.get("fillId", "0")
        filled.append(fill.isdigit() and int(fill) < len(solid) and solid[int(fill)])
    return codes, filled


def _style(cell: etree._Element) -> int:
    s = cell.get("s", "0")
    return int(s) if s.isdigit() else 0


def summary_problems(package: Package, shown: Collection[str], marks: list[object]) -> list[Problem]:
    info = package.sheet(SHEET_SUMMARY)
    if info is None:
        return [Problem(SHEET_SUMMARY, "评分汇总工作表不见了")]
    root = package.xml(info.part)
    codes, filled = _styles(package)
    problems: list[Problem] = []
    record_letter = column_letter(RECORD_COLUMN)
    for row in root.iterfind(f"{M}sheetData/{M}row"):
        if _true(row.get("hidden")) or row.get("ht") in ("0", "0.0"):
            problems.append(Problem(f"{SHEET_SUMMARY}!{row.get('r')}行", "行被隐藏"))
        for cell in row.iterfind(f"{M}c"):
            ref = cell.get("r") or ""
            where = f"{SHEET_SUMMARY}!{ref}"
            if cell.find(f"{M}f") is not None:
                problems.append(Problem(where, "单元格被改成了公式"))
            has_value = cell.find(f"{M}v") is not None or cell.find(f"{M}is") is not None
            letters = ref.rstrip("0123456789")
            # the record column, and the note rows (A2, and A3 on a legacy copy), are not in "shown"
            if has_value and ref not in shown and letters != record_letter and ref not in ("A2", "A3"):
                problems.append(Problem(where, "多出了评分时没有的内容"))
            index = _style(cell)
            code = codes[index] if index < len(codes) else "general"
            if has_value and code not in OWN_FORMATS:
                problems.append(Problem(where, f"数字格式被改为“{code[:40]}”，显示的内容可能与数值不同"))
    for col in root.iterfind(f"{M}cols/{M}col"):
        low, high = int(col.get("min", "0") or 0), int(col.get("max", "0") or 0)
        if _true(col.get("hidden")) and low <= 6 and high >= 1:
            problems.append(Problem(f"{SHEET_SUMMARY}!{column_letter(max(low, 1))}列", "列被隐藏"))
    problems += _drawing_problems(package, info.part)
    problems += _mark_problems(package, marks, filled)
    return problems


def _drawing_problems(package: Package, part: str) -> list[Problem]:
    problems = []
    for rel_type, target, mode in package.rels(part).values():
        if not rel_type.endswith(DRAWING_TYPE) or mode == "External" or target not in package.names:
            continue
        drawing = package.xml(target)
        shapes = [el for el in drawing.iter(f"{XDR}sp", f"{XDR}pic", f"{XDR}cxnSp", f"{XDR}grpSp")]
        if shapes:
            problems.append(Problem(SHEET_SUMMARY, f"汇总表上多了 {len(shapes)} 个图形或文本框，可能遮住了内容"))
    return problems


def _mark_problems(package: Package, marks: list[object], filled: list[bool]) -> list[Problem]:
    by_sheet: dict[str, list[str]] = {}
    for mark in marks:
        if isinstance(mark, dict) and isinstance(mark.get("sheet"), str) and isinstance(mark.get("cell"), str):
            by_sheet.setdefault(mark["sheet"], []).append(mark["cell"])
    problems = []
    for sheet_name, refs in by_sheet.items():
        info = package.sheet(sheet_name)
        if info is None:
            problems += [Problem(f"{sheet_name}!{ref}", "标注所在的工作表不见了") for ref in refs]
            continue
        root = package.xml(info.part)
        styles = {c.get("r"): _style(c) for c in root.iterfind(f"{M}sheetData/{M}row/{M}c")}
        noted = _noted_cells(package, info.part)
        for ref in refs:
            try:
                split_coord(ref)
            except ValueError:
                continue
            index = styles.get(ref)
            if index is None or not (index < len(filled) and filled[index]):
                problems.append(Problem(f"{sheet_name}!{ref}", "问题单元格的底色被去掉"))
            if ref not in noted:
                problems.append(Problem(f"{sheet_name}!{ref}", "问题单元格的批注被删除"))
    return problems


def _noted_cells(package: Package, sheet_part: str) -> set[str]:
    """Cells whose note still carries the tool's text."""
    cells = set()
    for rel_type, target, mode in package.rels(sheet_part).values():
        if rel_type.endswith(COMMENTS_TYPE) and mode != "External" and target in package.names:
            comments = package.xml(target)
            for comment in comments.iterfind(f"{M}commentList/{M}comment"):
                text = "".join(t.text or "" for t in comment.iter(f"{M}t"))
                if NOTE_MARKER in text:
                    cells.add(comment.get("ref") or "")
    return cells


def defined_fingerprint(package: Package) -> str | None:
    """The fingerprint the workbook's defined name shows (Excel's Name Manager), quotes removed."""
    for el in package.workbook.iterfind(f"{M}definedNames/{M}definedName"):
        if el.get("name") == "selfeval_fingerprint":
            return re.sub(r'^"|"$', "", (el.text or "").strip())
    return None
