"""Nothing lost (docs/workbook.md §7), proved part by part on RICH workbooks (tests/rich.py).

Every rich workbook is a self-evaluation that also carries a picture, a chart, a text box,
notes, a drop-down, conditional formats, defined names, hyperlinks, a sheet of the user's own,
custom document properties, WPS's cell pictures, a customXml item and (the .xlsm) a VBA
project. Cases: built with XlsxWriter, clean and with problems (so cells are marked), the
macro workbook, and the first two saved again by LibreOffice. For each: every part scoring
does not need to change is byte-identical, the parts that change are exactly the expected
ones, every cell keeps its value and every note, name, validation, format and link is still
there; scoring the scored copy again changes nothing but the summary; the input is never
written; LibreOffice opens the scored copies and computes the same total.

All LibreOffice conversions of the module happen in two soffice calls (module fixture
`lo_corpus`): the second converts copies scored from files the first one saved.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from foreign import write_workbook
from rich import (
    CELLIMAGE_ID,
    CUSTOM_PROPERTIES,
    EXTERNAL_BOOK,
    INDICATOR_SHEET,
    INFO_NOTE,
    MACRO_MAIN_CT,
    OTHER_NOTE,
    PLAIN_MAIN_CT,
    USER_NOTE,
    USER_SHEET,
    VBA_BLOB,
    Rich,
    add_external_link,
    add_wps_parts,
    content_type,
    parts,
    relationships,
    sheet_parts_from,
    sheet_related,
    workbook_part,
    write_rich,
)
from selfeval_xl.api import evaluate, score
from selfeval_xl.errors import OutputError
from selfeval_xl.model import Result
from selfeval_xl.write.record import FINGERPRINT_NAME, RECORD_COLUMN, RECORD_NAME

SUMMARY = "评分汇总"
MARKER = "【selfeval-xl】"
OUR_NAMES = {FINGERPRINT_NAME, RECORD_NAME}
LO = pytest.mark.libreoffice
ALL_CASES = ["clean", "problems", "macro", pytest.param("lo-clean", marks=LO), pytest.param("lo-problems", marks=LO)]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Case:
    kind: str
    source: Path
    output: Path
    result: Result
    rich: Rich
    digest: str  # sha256 of the source before it was scored


def _score(kind: str, source: Path, output: Path | None, rich: Rich) -> Case:
    digest = sha(source)
    scored = score(source, output)
    return Case(kind, source, scored.output, scored.result, rich, digest)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    src = tmp_path_factory.mktemp("rich-src")
    out = tmp_path_factory.mktemp("rich-scored")
    clean = write_rich(src / "自评 rich.xlsx")
    problems = write_rich(src / "问题 rich.xlsx", problems=True)
    macro = write_rich(src / "宏 rich.xlsm", problems=True, vba=VBA_BLOB)
    for rich in (clean, problems, macro):
        add_wps_parts(rich.path)
    return {
        "clean": _score("clean", clean.path, out / "自评 rich.scored.xlsx", clean),
        "problems": _score("problems", problems.path, out / "问题 rich.scored.xlsx", problems),
        "macro": _score("macro", macro.path, None, macro),  # the default name, beside the input
    }


@dataclass
class LoCorpus:
    cases: dict[str, Case]
    reopened: dict[str, tuple[Path, Path]]  # name → (scored copy, the same converted by LibreOffice)


@pytest.fixture(scope="module")
def lo_corpus(corpus: dict[str, Case], lo_convert, tmp_path_factory: pytest.TempPathFactory) -> LoCorpus:
    first = tmp_path_factory.mktemp("lo-saved")
    scored_dir = tmp_path_factory.mktemp("lo-scored")
    second = tmp_path_factory.mktemp("lo-reopened")
    # Call 1: the rich inputs saved by LibreOffice, and the XlsxWriter cases' scored copies opened again.
    saved_clean, saved_problems, back_problems, back_macro = lo_convert(
        [corpus["clean"].source, corpus["problems"].source, corpus["problems"].output, corpus["macro"].output], first)
    cases = {
        "lo-clean": _score("lo-clean", saved_clean, scored_dir / "lo-clean.scored.xlsx", corpus["clean"].rich),
        "lo-problems": _score("lo-problems", saved_problems, scored_dir / "lo-problems.scored.xlsx",
                              corpus["problems"].rich),
    }
    # Call 2: the copies scored from LibreOffice's files, opened again by LibreOffice.
    back_lo_clean, back_lo_problems = lo_convert([cases["lo-clean"].output, cases["lo-problems"].output], second)
    reopened = {"problems": (corpus["problems"].output, back_problems), "macro": (corpus["macro"].output, back_macro),
                "lo-clean": (cases["lo-clean"].output, back_lo_clean),
                "lo-problems": (cases["lo-problems"].output, back_lo_problems)}
    return LoCorpus(cases, reopened)


@pytest.fixture
def case(request: pytest.FixtureRequest, corpus: dict[str, Case]) -> Case:
    kind = request.param
    if kind.startswith("lo-"):
        return request.getfixturevalue("lo_corpus").cases[kind]
    return corpus[kind]


def cases(*kinds):
    chosen = [k for k in ALL_CASES if (k.values[0] if hasattr(k, "values") else k) in kinds] if kinds else ALL_CASES
    return pytest.mark.parametrize("case", chosen, indirect=True)


# --- helpers -------------------------------------------------------------------------------------------

def _rels_name(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels"


def expected_changes(package: dict[str, bytes], result: Result) -> set[str]:
    """The parts scoring has to change: the workbook, its rels, the content types, the styles, the
    sheets with marked cells (and their notes and note shapes; their rels only when those are new),
    and the sheets that were selected (a second selected tab would group the sheets)."""
    wb = workbook_part(package)
    expected = {wb, _rels_name(wb), "[Content_Types].xml"}
    expected |= {target for _, kind, target in relationships(package, wb) if kind.endswith("/styles")}
    sheets = sheet_parts_from(package)
    for name in {f.sheet for f in result.checks if f.sheet and f.cell}:
        part = sheets[name]
        expected.add(part)
        comments, vml = sheet_related(package, part, "comments"), sheet_related(package, part, "vmlDrawing")
        expected |= set(comments) | set(vml)
        if not comments or not vml:
            expected.add(_rels_name(part))
    expected |= {part for part in sheets.values() if re.search(rb'tabSelected="(1|true)"', package[part])}
    return expected & set(package)


# CT_Worksheet's child sequence (ECMA-376 Part 1, §18.3.1.99): Excel refuses a sheet out of this order.
WORKSHEET_ORDER = ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
                   "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
                   "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
                   "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                   "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                   "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                   "tableParts", "extLst"]


def in_schema_order(data: bytes) -> bool:
    children = [etree.QName(el).localname for el in etree.fromstring(data) if isinstance(el.tag, str)]
    ranks = [WORKSHEET_ORDER.index(name) for name in children]
    repeated = {name for name in children if children.count(name) > 1} - {"conditionalFormatting"}
    return ranks == sorted(ranks) and not repeated


def expected_additions(before: dict[str, bytes], after: dict[str, bytes], result: Result) -> set[str]:
    """The new summary sheet with what hangs from it (its chart), and notes and note shapes for
    marked sheets that had none."""
    summary = sheet_parts_from(after)[SUMMARY]
    added, todo = {summary}, [summary]
    while todo:
        part = todo.pop()
        if _rels_name(part) in after:
            added.add(_rels_name(part))
        for _, kind, target in relationships(after, part):
            if target in after and target not in added:
                assert kind.endswith(("/drawing", "/chart")), (part, kind, target)
                added.add(target)
                todo.append(target)
    for name in {f.sheet for f in result.checks if f.sheet and f.cell}:
        part_before, part_after = sheet_parts_from(before)[name], sheet_parts_from(after)[name]
        for kind in ("comments", "vmlDrawing"):
            if not sheet_related(before, part_before, kind):
                new = sheet_related(after, part_after, kind)
                assert len(new) == 1 and new[0] not in before, (name, kind, new)
                added |= set(new)
    return added


def cell_values(path: Path, *, data_only: bool, sheets: list[str] | None = None) -> dict[str, dict[str, object]]:
    wb = openpyxl.load_workbook(path, data_only=data_only)
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets if sheets is None or ws.title in sheets}


def notes(path: Path) -> dict[tuple[str, str], str]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.comment is not None}


def flagged(result: Result) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for f in result.checks:
        if f.sheet and f.cell:
            found.setdefault((f.sheet, f.cell), set()).add(f.code)
    return found


def structure(path: Path) -> dict[str, object]:
    """What openpyxl sees of names, validations, conditional formats, links, pictures and charts."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    out: dict[str, object] = {"names": {n: d.attr_text for n, d in wb.defined_names.items()}}
    for ws in wb.worksheets:
        if ws.title == SUMMARY:
            continue
        out[ws.title] = {
            "local names": {n: d.attr_text for n, d in ws.defined_names.items()},
            "validations": sorted((str(dv.sqref), dv.type, dv.formula1, dv.showDropDown, dv.error)
                                  for dv in ws.data_validations.dataValidation),
            "formats": sorted((str(cf.sqref), r.type, r.operator, tuple(r.formula or ()))
                              for cf in ws.conditional_formatting for r in cf.rules),
            "links": sorted((c.coordinate, c.hyperlink.target, c.hyperlink.location)
                            for row in ws.iter_rows() for c in row if c.hyperlink is not None),
            "charts": len(ws._charts),
            "tables": sorted((table.name, table.ref, tuple(c.name for c in table.tableColumns))
                             for table in ws.tables.values()),
        }
    # Pictures and text boxes from the package (openpyxl reads pictures only with Pillow installed).
    package = parts(path)
    for name, part in sheet_parts_from(package).items():
        if name != SUMMARY:
            drawings = b"".join(package[d] for d in sheet_related(package, part, "drawing"))
            out[name]["pictures"] = drawings.count(b"<xdr:pic>")
            out[name]["text boxes"] = drawings.count(b"<xdr:sp>") + drawings.count(b"<xdr:sp ")
    return out


def vml_note_cells(package: dict[str, bytes], part: str) -> set[tuple[int, int]]:
    found = set()
    for vml in sheet_related(package, part, "vmlDrawing"):
        text = package[vml].decode("utf-8", errors="replace")
        for shape in re.findall(r"<v:shape\b.*?</v:shape>", text, re.S):
            if 'ObjectType="Note"' in shape:
                m = re.search(r"<x:Row>\s*(\d+)\s*</x:Row>\s*<x:Column>\s*(\d+)\s*</x:Column>", shape)
                found.add((int(m.group(1)), int(m.group(2))))
    return found


def comment_refs(package: dict[str, bytes], part: str) -> set[tuple[int, int]]:
    refs = set()
    for comments in sheet_related(package, part, "comments"):
        for ref in re.findall(rb'<comment\b[^>]*\bref="([A-Z]+)(\d+)"', package[comments]):
            col = 0
            for ch in ref[0].decode():
                col = col * 26 + ord(ch) - 64
            refs.add((int(ref[1]) - 1, col - 1))
    return refs


# --- the corpus is rich ------------------------------------------------------------------------------------

@cases()
def test_the_corpus_is_rich_and_scores_as_intended(case: Case) -> None:
    package = parts(case.source)
    names = set(package)
    assert any(n.startswith("xl/media/") for n in names) and any(n.startswith("xl/charts/chart") for n in names)
    assert any(n.startswith("xl/drawings/drawing") for n in names) and "docProps/custom.xml" in names
    assert any(n.startswith("customXml/item") for n in names)
    drawings = b"".join(package[n] for n in names if re.match(r"xl/drawings/drawing\d+\.xml$", n))
    assert "单位负责人签字".encode() in drawings and b"<c:chart " in drawings and b"<xdr:pic>" in drawings
    if not case.kind.startswith("lo-"):
        assert {"xl/cellimages.xml", "xl/_rels/cellimages.xml.rels", "customXml/itemProps1.xml"} <= names
    if case.kind == "macro":
        assert package["xl/vbaProject.bin"] == VBA_BLOB
    if case.kind.endswith("clean"):
        assert str(case.result.total) == "98.40" and case.result.checks == ()
    else:
        found = flagged(case.result)
        assert (INDICATOR_SHEET, case.rich.flagged) in found, found
        assert set(case.rich.flagged_codes) <= found[(INDICATOR_SHEET, case.rich.flagged)]
        expected = {(sheet, ref) for sheet, refs in case.rich.problem_cells.items() for ref in refs}
        assert expected <= set(found) and {sheet for sheet, _ in found} == {INDICATOR_SHEET, "预算执行"}
        budget_part = sheet_parts_from(package)["预算执行"]
        assert not sheet_related(package, budget_part, "comments")  # its notes will be new
        assert sheet_related(package, sheet_parts_from(package)[INDICATOR_SHEET], "comments")


# --- part by part ------------------------------------------------------------------------------------------

@cases()
def test_untouched_parts_are_byte_identical_and_only_the_expected_ones_change(case: Case) -> None:
    before, after = parts(case.source), parts(case.output)
    assert set(before) <= set(after), f"parts lost: {set(before) - set(after)}"
    changed = {n for n in before if before[n] != after[n]}
    assert changed == expected_changes(before, case.result)
    assert set(after) - set(before) == expected_additions(before, after, case.result)
    for part in sheet_parts_from(after).values():
        assert in_schema_order(after[part]), part
    # Spelled out, the user's things that must come through byte for byte:
    precious = [n for n in before if n.startswith(("xl/media/", "xl/charts/", "xl/theme/", "xl/tables/", "customXml/",
                                                   "docProps/"))
                or re.match(r"xl/drawings/(_rels/)?drawing\d+\.xml", n)
                or n in ("xl/vbaProject.bin", "xl/cellimages.xml", "xl/_rels/cellimages.xml.rels",
                         "xl/sharedStrings.xml")]
    own = sheet_parts_from(before)[USER_SHEET]
    precious += [own, _rels_name(own)] if _rels_name(own) in before else [own]
    assert len(precious) >= 10
    assert [n for n in precious if before[n] != after[n]] == []
    custom = after["docProps/custom.xml"].decode("utf-8")
    assert all(name in custom for name in CUSTOM_PROPERTIES) and CUSTOM_PROPERTIES["填报单位"] in custom


@cases()
def test_every_original_cell_keeps_its_value_and_cached_value(case: Case) -> None:
    original = openpyxl.load_workbook(case.source, read_only=True).sheetnames
    assert openpyxl.load_workbook(case.output, read_only=True).sheetnames == [SUMMARY, *original]
    for data_only in (False, True):
        assert cell_values(case.output, data_only=data_only, sheets=original) == cell_values(case.source,
                                                                                             data_only=data_only)
    own = cell_values(case.output, data_only=False, sheets=[USER_SHEET])[USER_SHEET]
    assert own["B4"] == "=SUM(B2:B3)" and cell_values(case.output, data_only=True)[USER_SHEET]["B4"] == 13000
    if not case.kind.startswith("lo-"):
        assert CELLIMAGE_ID in own["C2"]
    assert evaluate(case.output).total == case.result.total


@cases()
def test_notes_are_kept_and_the_tools_text_is_appended(case: Case) -> None:
    before, after = notes(case.source), notes(case.output)
    marked = flagged(case.result)
    assert before[(INDICATOR_SHEET, case.rich.flagged)].startswith(USER_NOTE)
    for key, text in before.items():
        if key in marked:
            assert after[key].startswith(text) and after[key].count(MARKER) == 1
            assert all(code in after[key] for code in marked[key])
        else:
            assert after[key] == text, key
    assert set(after) - set(before) <= set(marked)
    for key in set(marked) - set(before):
        assert after[key].startswith(MARKER) and all(code in after[key] for code in marked[key])
    texts = set(after.values())
    assert any(t.startswith(OTHER_NOTE) for t in texts) and any(t.startswith(INFO_NOTE) for t in texts)
    # Every note has its legacy shape (Excel shows a note only through one), and no shape is left over.
    package = parts(case.output)
    for part in sheet_parts_from(package).values():
        assert vml_note_cells(package, part) == comment_refs(package, part), part


@cases()
def test_names_validations_formats_links_pictures_and_charts_are_kept(case: Case) -> None:
    before, after = structure(case.source), structure(case.output)
    names_before, names_after = before.pop("names"), after.pop("names")
    assert {n: v for n, v in names_after.items() if n not in OUR_NAMES} == names_before
    assert OUR_NAMES <= set(names_after) and "结转合计" in names_before
    assert after == before
    assert before[USER_SHEET]["local names"] and before[INDICATOR_SHEET]["validations"]
    assert before[INDICATOR_SHEET]["formats"] and before["预算执行"]["formats"]
    links = dict((c, t or loc) for c, t, loc in before[USER_SHEET]["links"])
    assert links["A6"] == case.rich.hyperlinks[(USER_SHEET, "A6")]
    assert before["预算执行"]["links"][0][:2] == ("J2", case.rich.hyperlinks[("预算执行", "J2")])
    assert links["A7"].replace("'", "") == case.rich.hyperlinks[(USER_SHEET, "A7")].replace("'", "")
    assert before["基本信息"]["pictures"] == 1 and before["基本信息"]["text boxes"] == 1
    assert before[INDICATOR_SHEET]["charts"] == 1 and before[USER_SHEET]["tables"][0][0] == "附表明细"


@cases()
def test_the_scored_copy_opens_in_openpyxl_without_warnings(case: Case) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        openpyxl.load_workbook(case.output, keep_vba=True)
        openpyxl.load_workbook(case.output, data_only=True)
    assert [str(w.message) for w in caught] == []


@cases()
def test_the_input_file_is_never_modified(case: Case) -> None:
    assert sha(case.source) == case.digest


# --- macros and file types -------------------------------------------------------------------------------------

def test_macro_workbook_stays_a_macro_workbook(corpus: dict[str, Case], tmp_path: Path) -> None:
    case = corpus["macro"]
    assert case.output.name == "宏 rich.scored.xlsm"
    after = parts(case.output)
    wb = workbook_part(after)
    assert content_type(after, wb) == MACRO_MAIN_CT
    assert after["xl/vbaProject.bin"] == VBA_BLOB
    assert any(kind.endswith("/vbaProject") and target == "xl/vbaProject.bin"
               for _, kind, target in relationships(after, wb))
    assert b'codeName="ThisWorkbook"' in after[wb]
    kept = openpyxl.load_workbook(case.output, keep_vba=True)
    assert kept.vba_archive is not None and kept.vba_archive.read("xl/vbaProject.bin") == VBA_BLOB
    # Under an .xlsx name Excel would refuse the file and the macros would be lost: a clear error, nothing written.
    target = tmp_path / "宏.xlsx"
    with pytest.raises(OutputError) as info:
        score(case.source, target)
    assert ".xlsm" in info.value.message and not target.exists() and not list(tmp_path.glob(".selfeval-*"))
    assert sha(case.source) == case.digest


def test_an_xlsx_scored_under_an_xlsm_name_says_it_is_one(corpus: dict[str, Case], tmp_path: Path) -> None:
    source = corpus["clean"].source
    assert content_type(parts(corpus["clean"].output), "xl/workbook.xml") == PLAIN_MAIN_CT
    out = score(source, tmp_path / "另存.xlsm").output
    package = parts(out)
    assert content_type(package, workbook_part(package)) == MACRO_MAIN_CT
    assert openpyxl.load_workbook(out, keep_vba=True).sheetnames[0] == SUMMARY


# CT_Workbook's child sequence (ECMA-376 Part 1, §18.2.27).
WORKBOOK_ORDER = ["fileVersion", "fileSharing", "workbookPr", "AlternateContent", "workbookProtection", "bookViews",
                  "sheets", "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
                  "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                  "fileRecoveryPr", "webPublishObjects", "extLst"]


def test_a_link_to_another_workbook_is_kept_and_the_names_go_after_it(tmp_path: Path) -> None:
    source = tmp_path / "外部链接.xlsx"
    write_workbook(source)
    add_external_link(source)
    digest = sha(source)
    out = score(source, tmp_path / "外部链接.scored.xlsx").output
    assert sha(source) == digest
    before, after = parts(source), parts(out)
    for name in ("xl/externalLinks/externalLink1.xml", "xl/externalLinks/_rels/externalLink1.xml.rels"):
        assert after[name] == before[name]
    wb = etree.fromstring(after[workbook_part(after)])
    children = [etree.QName(el).localname for el in wb if isinstance(el.tag, str)]
    assert "externalReferences" in children and "definedNames" in children
    assert [WORKBOOK_ORDER.index(c) for c in children] == sorted(WORKBOOK_ORDER.index(c) for c in children), children
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kept = openpyxl.load_workbook(out)
    assert [str(w.message) for w in caught] == []
    assert len(kept._external_links) == 1 and kept._external_links[0].file_link.Target == EXTERNAL_BOOK
    assert OUR_NAMES <= set(kept.defined_names)


# --- scoring again --------------------------------------------------------------------------------------------

@cases("clean", "problems", "macro", "lo-problems")
def test_rescoring_a_scored_rich_workbook_changes_nothing_but_the_summary(case: Case, tmp_path: Path) -> None:
    first = tmp_path / f"first{case.output.suffix}"
    shutil.copyfile(case.output, first)
    digest = sha(first)
    again = score(first, tmp_path / f"again{case.output.suffix}")
    assert sha(first) == digest
    assert again.result.checks == case.result.checks and again.result.total == case.result.total
    once, twice = parts(first), parts(again.output)
    assert list(twice) == list(once)  # the same parts, in the same order: no second summary, no new notes part
    summary = sheet_parts_from(twice)[SUMMARY]
    assert summary == sheet_parts_from(once)[SUMMARY]
    assert [n for n in once if n != summary and once[n] != twice[n]] == []
    record = openpyxl.utils.get_column_letter(RECORD_COLUMN)
    strip = lambda values: {k: v for k, v in values[SUMMARY].items() if not k.startswith(record)}  # noqa: E731
    assert strip(cell_values(again.output, data_only=False)) == strip(cell_values(first, data_only=False))
    wb = openpyxl.load_workbook(again.output)
    assert wb.sheetnames.count(SUMMARY) == 1 and wb.sheetnames[0] == SUMMARY
    assert sum(1 for n in wb.defined_names if n in OUR_NAMES) == 2
    for text in notes(again.output).values():
        assert text.count(MARKER) <= 1
    # …and what the user had is still what it was before the first scoring.
    original = parts(case.source)
    untouched = set(original) - expected_changes(original, case.result)
    assert [n for n in untouched if twice[n] != original[n]] == []


# --- LibreOffice opens the scored copies ------------------------------------------------------------------------

@LO
def test_libreoffice_opens_every_scored_copy_and_computes_the_same_total(lo_corpus: LoCorpus) -> None:
    assert set(lo_corpus.reopened) == {"problems", "macro", "lo-clean", "lo-problems"}
    for name, (scored, reopened) in lo_corpus.reopened.items():
        assert reopened.is_file() and reopened.stat().st_size > 0, name
        assert evaluate(reopened).total == evaluate(scored).total, name
        wb = openpyxl.load_workbook(reopened)
        assert wb.sheetnames[0] == SUMMARY and USER_SHEET in wb.sheetnames, name
        if name != "lo-clean":
            note = wb[INDICATOR_SHEET][lo_corpus.cases["lo-problems"].rich.flagged].comment
            assert note is not None and note.text.startswith(USER_NOTE) and MARKER in note.text, name
