"""Marks placed in a sheet's bytes (write/mark_bytes.py) give the sheet, notes and note drawing that
marking through the parsed tree gives: the tree path is the oracle, taken by forgetting that the fast
reader found the sheet plainly spelled (Package.plain_sheets)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from selfeval_xl.api import evaluate_reading
from selfeval_xl.cellref import coord
from selfeval_xl.model import Finding
from selfeval_xl.read.reader import Reading
from selfeval_xl.write.mark_bytes import can_link_drawing, link_drawing, restyle_cells
from selfeval_xl.write.marks import mark
from selfeval_xl.write.package_edit import PackageEdit
from workbooks import template_copy

SHEET = "绩效指标"


def _canonical(data: bytes) -> bytes:
    """The XML as a tree compares it: attributes in name order, the declaration and spacing ignored."""
    root = etree.fromstring(data)
    for el in root.iter():
        if isinstance(el.tag, str):
            items = sorted(el.attrib.items())
            el.attrib.clear()
            el.attrib.update(items)
    return etree.tostring(root, method="c14n")


PARSED: list[set[str]] = []  # the sheet parts each bytes-path marking parsed into a tree


def _marked_parts(reading: Reading, findings: tuple[Finding, ...], *, in_bytes: bool) -> tuple[dict[str, bytes], list]:
    package = reading.workbook.package
    assert package is not None
    plain = dict(package.plain_sheets)
    if not in_bytes:
        package.plain_sheets.clear()
    try:
        edit = PackageEdit(package)
        marks = mark(edit, findings)
        if in_bytes:
            PARSED.append({part for part in edit.trees if part.startswith("xl/worksheets/sheet")})
        saved = edit.save()
    finally:
        package.plain_sheets.update(plain)
    with zipfile.ZipFile(io.BytesIO(saved)) as z:
        return {n: z.read(n) for n in z.namelist()}, marks


def _same_either_way(reading: Reading, findings: tuple[Finding, ...]) -> list:
    package = reading.workbook.package
    assert package is not None and package.plain_sheets, "the fast reader read the sheets"
    in_bytes, marks = _marked_parts(reading, findings, in_bytes=True)
    in_tree, tree_marks = _marked_parts(reading, findings, in_bytes=False)
    assert marks == tree_marks
    assert sorted(in_bytes) == sorted(in_tree)
    for name in in_bytes:
        if name.endswith((".xml", ".rels")):
            assert _canonical(in_bytes[name]) == _canonical(in_tree[name]), name
        else:
            assert in_bytes[name] == in_tree[name], name
    return marks


def _finding(cell: str, severity: str = "error", sheet: str = SHEET) -> Finding:
    return Finding("VALUE_MISSING", severity, sheet, cell, f"“{cell}”未填写 <&> \r 第二行")  # type: ignore[arg-type]


def test_the_example_marked_in_its_bytes_is_what_the_tree_gives(tmp_path: Path) -> None:
    """A template copy: cells with their own styles and without (helper columns), two sheets, a note
    whose text needs escaping, two findings on one cell."""
    reading, _ = evaluate_reading(template_copy(tmp_path), None)
    findings = (_finding("J4"), _finding("J4", "warning"), _finding("K5", "warning"), _finding("A1"),
                _finding("C5", sheet="预算执行"))
    marks = _same_either_way(reading, findings)
    assert [(m["sheet"], m["cell"]) for m in marks] == [(SHEET, "J4"), (SHEET, "K5"), (SHEET, "A1"), ("预算执行", "C5")]
    assert not any(m["created"] for m in marks)
    assert PARSED[-1] == set()  # both sheets marked in their bytes


def test_a_missing_cell_is_made_in_the_tree(tmp_path: Path) -> None:
    """XlsxWriter writes no element for a blank cell: marking one needs it made, which only the tree does."""
    path = tmp_path / "表.xlsx"
    _sparse_form(path, blanks={(5, 3)}, merges=[])
    reading, _ = evaluate_reading(path, "hebei-dept")
    marks = _same_either_way(reading, (_finding("D6"), _finding("E6")))
    assert [(m["cell"], m["created"]) for m in marks] == [("D6", True), ("E6", False)]
    assert len(PARSED[-1]) == 1


def test_a_user_note_is_kept_and_ours_added_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "表.xlsx"
    _sparse_form(path, blanks=set(), merges=[], note=(4, 2, "用户自己的批注"))
    reading, _ = evaluate_reading(path, "hebei-dept")
    _same_either_way(reading, (_finding("C5"), _finding("D7", "warning")))
    assert PARSED[-1] == set()


def _sparse_form(path: Path, *, blanks: set[tuple[int, int]], merges: list[str],
                 note: tuple[int, int, str] | None = None, styled: set[tuple[int, int]] = frozenset()) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    budget = wb.add_worksheet("预算执行")
    budget.write_row(0, 0, ["名称", "全年预算数", "全年执行数"])
    budget.write_row(1, 0, ["办公经费", 100, 100])
    ws = wb.add_worksheet(SHEET)
    bold = wb.add_format({"bold": True})
    ws.write_row(3, 0, ["一级指标", "三级指标", "年度指标值", "实际完成值", "分值"])
    for r in range(4, 12):
        values = ["产出指标", f"指标{r}", 100, 100, 10]
        for c, value in enumerate(values):
            if (r, c) not in blanks:
                ws.write(r, c, value, bold if (r, c) in styled else None)
    for merge in merges:
        ws.merge_range(merge, "合并", bold)
    ws.conditional_format("C5:C12", {"type": "cell", "criteria": ">", "value": 0, "format": bold})
    ws.add_table("G5:H7", {"columns": [{"header": "甲"}, {"header": "乙"}]})
    if note is not None:
        ws.write_comment(note[0], note[1], note[2])
    wb.close()
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.integers(1, 14), st.integers(1, 8), st.sampled_from(["error", "warning"])),
                      min_size=1, max_size=12),
       blanks=st.sets(st.tuples(st.integers(4, 11), st.integers(0, 4)), max_size=6),
       styled=st.sets(st.tuples(st.integers(4, 11), st.integers(0, 4)), max_size=6),
       merge=st.sampled_from([[], ["B6:B8"], ["C9:D10"]]), with_note=st.booleans())
def test_any_marks_on_any_sheet_are_what_the_tree_gives(tmp_path_factory, cells, blanks, styled, merge,
                                                       with_note) -> None:
    """Cells present or missing, styled or not, hidden in a merge or not, one finding or several on a
    cell, a user's note or none, a table and conditional formats after the cells: either way alike."""
    path = _sparse_form(tmp_path_factory.mktemp("marks") / "表.xlsx", blanks=blanks, merges=merge,
                        note=(4, 2, "用户的批注") if with_note else None, styled=styled)
    reading, _ = evaluate_reading(path, "hebei-dept")
    _same_either_way(reading, tuple(_finding(coord(r, c), sev) for r, c, sev in cells))


def test_restyling_refuses_what_only_the_tree_can_do() -> None:
    sheet = b'<worksheet><sheetData><row r="1"><c r="A1" s="2"/><c r="C1"/><c r="B1"/></row></sheetData></worksheet>'
    assert restyle_cells(sheet, ["B1"], lambda ref, s: 9) is not None
    assert restyle_cells(sheet, ["D1"], lambda ref, s: 9) is None  # no such cell
    assert restyle_cells(sheet, ["B1", "C1"], lambda ref, s: 9) is None  # out of order: C1 is written first
    assert restyle_cells(sheet.replace(b's="2"', b's=""'), ["A1"], lambda ref, s: 9) is None
    for odd in (b's=" 2 "', b's="+2"', b"s='2 '"):  # spellings only the tree reads as it should
        assert restyle_cells(sheet.replace(b's="2"', odd), ["A1"], lambda ref, s: 9) is None
    patched, before = restyle_cells(sheet, ["A1", "C1"], lambda ref, s: 7 if s is None else s + 10)
    assert before == {"A1": 2, "C1": None}
    assert b'<c r="A1" s="12"/><c r="C1" s="7"/>' in patched
    quoted = sheet.replace(b'<c r="B1"/>', b'<c r="B1" x:note="a>b" s="4"/>')  # a ">" inside a quoted value
    patched, before = restyle_cells(quoted, ["B1"], lambda ref, s: 5)
    assert before == {"B1": 4} and b'<c r="B1" x:note="a>b" s="5"/>' in patched


def test_the_drawing_link_goes_where_the_schema_puts_it() -> None:
    """Before a table's parts and the closing extLst, after a nested extLst and attribute values with ">"."""
    head = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData></sheetData>')
    nested = (b'<conditionalFormatting sqref="A1"><cfRule type="expression" priority="1"><formula>A1&gt;0</formula>'
              b'<extLst><ext uri="x"/></extLst></cfRule></conditionalFormatting>'
              b'<dataValidations count="1"><dataValidation prompt="a>b" sqref="A1"/></dataValidations>')
    tail = b'<tableParts count="1"><tablePart r:id="rId1"/></tableParts><extLst><ext uri="y"/></extLst></worksheet>'
    linked = link_drawing(head + nested + tail, "rId9")
    assert linked == head + nested + b'<legacyDrawing r:id="rId9"/>' + tail
    assert link_drawing(head + b"<pageMargins/></worksheet>", "rId2").endswith(
        b'<pageMargins/><legacyDrawing r:id="rId2"/></worksheet>')
    assert can_link_drawing(head + nested + tail)
    assert not can_link_drawing(head.replace(b"xmlns:r=", b"xmlns:rel=") + tail)
    # one already there whose drawing part is missing: the tree reuses it rather than add a second
    assert link_drawing(head + b'<legacyDrawing r:id="rId99"/></worksheet>', "rId3") is None


def test_a_sheet_whose_note_drawing_is_missing_gets_one_link(tmp_path: Path) -> None:
    """A user's note whose drawing part was lost (the sheet still links it): the new drawing takes the
    sheet's one legacyDrawing, in bytes as in the tree."""
    path = _sparse_form(tmp_path / "表.xlsx", blanks=set(), merges=[], note=(4, 2, "用户的批注"))
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist() if not n.endswith(".vml")}
    damaged = tmp_path / "缺绘图.xlsx"
    with zipfile.ZipFile(damaged, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    reading, _ = evaluate_reading(damaged, "hebei-dept")
    _same_either_way(reading, (_finding("D7"),))
    in_bytes, _ = _marked_parts(reading, (_finding("D7"),), in_bytes=True)
    sheet = next(data for name, data in in_bytes.items() if name.startswith("xl/worksheets/sheet") and b"D7" in data)
    assert sheet.count(b"<legacyDrawing") == 1


def test_a_merge_written_with_its_ref_second_still_moves_the_mark(tmp_path: Path) -> None:
    path = _sparse_form(tmp_path / "表.xlsx", blanks=set(), merges=["B6:B8"])
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    respelled = tmp_path / "合并.xlsx"
    with zipfile.ZipFile(respelled, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data.replace(b'<mergeCell ref="B6:B8"/>', b'<mergeCell extra="1" ref="B6:B8"/>'))
    reading, _ = evaluate_reading(respelled, "hebei-dept")
    marks = _same_either_way(reading, (_finding("B7"),))
    assert [m["cell"] for m in marks] == ["B6"]


def test_the_byte_paths_leave_to_the_tree_what_they_could_misread() -> None:
    """Valid XML a review found marked or linked otherwise than the tree would (worked by hand): a style spelled
    inside another attribute's single-quoted value, a cell written again after the cells, a root whose
    relationships binding sits only inside another value, and a root end tag with a space."""
    sheet = (b'<worksheet><sheetData><row r="6"><c r="C6"/><c r="D6" xml:lang=\'x s="9" y\' s="0"/></row></sheetData>'
             b'</worksheet>')
    assert restyle_cells(sheet, ["D6"], lambda ref, s: 1) is None  # the tree reads D6's own s="0"
    decoy = (b'<worksheet><sheetData><row r="6"><c r="C6"/></row></sheetData><extLst><ext uri="x"><c r="D6"/></ext>'
             b'</extLst></worksheet>')
    assert restyle_cells(decoy, ["D6"], lambda ref, s: 1) is None  # D6 is missing from the cells: the tree makes it
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    assert not can_link_drawing(b"<worksheet " + main + b" xml:lang='" + rel + b"'><sheetData></sheetData></worksheet>")
    assert can_link_drawing(b"<worksheet " + main + b" " + rel + b"><sheetData></sheetData></worksheet>")
    spaced = b"<worksheet " + main + b" " + rel + b"><sheetData></sheetData><pageMargins/></worksheet >"
    assert can_link_drawing(spaced)
    linked = link_drawing(spaced, "rId2")
    assert linked is not None and linked.endswith(b'<pageMargins/><legacyDrawing r:id="rId2"/></worksheet >')
    etree.fromstring(linked)  # well-formed: the element went before the end tag, not into it


def test_a_selected_tab_past_a_long_view_attribute_is_unselected(tmp_path: Path) -> None:
    """The scored copy opens on its summary alone: a sheet view whose tabSelected follows a 9,000-character
    attribute value is unselected too (the bytes before the cells are read, not a fixed first 8 KB)."""
    import re

    from rich import sheet_parts_from
    from selfeval_xl.api import score
    from test_trust_reader import with_sheet
    long_view = b'<sheetView xml:lang="' + b"a" * 9000 + b'" tabSelected="1" workbookViewId="0">'
    path = with_sheet(template_copy(tmp_path, "源.xlsx"), tmp_path / "长视图.xlsx", "预算执行",
                      lambda xml: xml.replace(b'<sheetView workbookViewId="0">', long_view, 1))
    out = score(path, tmp_path / "评分.xlsx").output
    with zipfile.ZipFile(out) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheets = sheet_parts_from(parts)
    selected = [name for name, part in sheets.items() if re.search(rb'tabSelected="(?:1|true)"', parts[part])]
    assert selected == ["评分汇总"]
