"""verify checks each formula's stored result against its formula: what a viewer shows must follow
from the inputs, one formula at a time.

The evaluator is held to Excel's own results worked out by hand, and to LibreOffice, which computes
the template's formulas itself when it re-saves a copy (an independent oracle for every formula)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from rich import parts, sheet_parts_from
from selfeval_xl.cli.app import main
from selfeval_xl.read.formula_eval import UNKNOWN, VALUE_ERROR, Evaluator, Sheets, XlError, evaluate, parse
from selfeval_xl.read.formula_results import check_formula_results
from selfeval_xl.read.package import Package
from selfeval_xl.read.reader import read
from selfeval_xl.read.sheet_scans import has_formula
from test_trust_reader import write_parts
from test_trust_verify import items, verify
from workbooks import edit, template_copy

EXAMPLE = Path(__file__).resolve().parent.parent / "workbook_templates" / "示例-南障城镇2025部门整体支出.xlsx"


def _sheets(**cells: object) -> Sheets:
    """One sheet "S" from {"A1": value}; numbers as floats, as a workbook stores them."""
    columns: dict[int, dict[int, object]] = {}
    for ref, value in cells.items():
        col = ord(ref[0]) - 64
        columns.setdefault(col, {})[int(ref[1:])] = float(value) if isinstance(value, int) else value
    return Sheets({"S": columns})  # type: ignore[arg-type]


@pytest.mark.parametrize(("formula", "expected"), [
    # Excel's results, worked by hand
    ('IF(N(A1)=0,"",N(B1)/A1)', 0.5),               # 2/4
    ('IF(N(C1)=0,"",N(B1)/C1)', ""),                 # C1 holds text: N() is 0
    ("ROUND(2.675,2)", 2.68),                        # on 15 digits, not the binary 2.67499…
    ("ROUND(-2.5,0)", -3.0),                         # halves away from zero
    ("SUM(A1:C1)", 6.0),                             # 4 + 2, the text in C1 skipped
    ('A1&"|"', "4|"),
    ('C1="ABC"', True),                              # text compared without case
    ("C1>A1", True),                                 # any text sorts after any number
    ('D1=""', True), ("D1=0", True),                 # a blank is "" and 0 alike
    ('VALUE("95%")', 0.95), ('VALUE(" 12 ")', 12.0), ('VALUE("达成")', VALUE_ERROR),
    ('VALUE("2025年12月")', UNKNOWN),                 # a date or not by the reader's locale: not claimed
    ('SEARCH("率|",TRIM("  完成  率 ")&"|")', 4.0),  # TRIM gives "完成 率": 完,成,space,率
    ('LEFT(A1*25,2)', "10"),                         # 100 spelled as text
    ('SUBSTITUTE(SUBSTITUTE("≥95%","≥",""),"%","")', "95"),
    ('MAX(C1,0)', 0.0), ('MIN(MAX(B1,0),A1)', 2.0),
    ('SUMIF(C1:C3,"abc",A1:A3)', 4.0 + 1.0),         # C1 and C3 match, A1 + A3
    ("1/0", XlError("#DIV/0!")),
    ("ISERROR(1/0)", True), ('OR(C1="x",A1>3)', True), ("AND(A1>3,B1>3)", False),
    ("FOO(A1)", UNKNOWN), ('SEARCH("*",C1)', UNKNOWN),
])
def test_excel_results_worked_by_hand(formula: str, expected: object) -> None:
    sheets = _sheets(A1=4, B1=2, C1="abc", A3=1, C3="ABC")
    assert evaluate(formula, sheets, "S", 5, 5) == expected


def test_relative_references_move_with_the_cell() -> None:
    """A formula written for row 1 (a shared formula's first cell) read at row 2 reads row 2."""
    sheets = _sheets(A1=1, A2=10, B1=100)
    node = parse("A1*2+$B$1", 1, 3)
    assert node is not None
    assert Evaluator(sheets, "S", 2, 3).run(node) == 10 * 2 + 100


def _example_scored(tmp_path: Path) -> Path:
    source = tmp_path / "示例.xlsx"
    source.write_bytes(EXAMPLE.read_bytes())
    assert CliRunner().invoke(main, ["score", str(source)]).exit_code == 0
    return tmp_path / "示例.scored.xlsx"


def _set_stored(package: dict[str, bytes], sheet: str, ref: str, value: str) -> None:
    part = sheet_parts_from(package)[sheet]
    new = re.sub(rf'(<c r="{ref}"[^>]*>(?:<f[^>]*>[^<]*</f>|<f[^>]*/>))(?:<v>[^<]*</v>)?'.encode(),
                 lambda m: m.group(1) + f"<v>{value}</v>".encode(), package[part], count=1)
    assert new != package[part], ref
    package[part] = new


def test_the_live_total_rewritten_is_named(tmp_path: Path) -> None:
    """The example scores 98.40 (docs/rules.md); its 评分 sheet's live total B17 rewritten to show 92.5."""
    package = parts(_example_scored(tmp_path))
    _set_stored(package, "评分", "B17", "92.5")
    data = verify(write_parts(package, tmp_path / "改过.xlsx"))
    assert data["untouched"] is False
    assert items(data)["评分!B17 的公式结果"] == "显示 92.5，按公式应为 98.4"


def test_a_rewritten_step_is_found_even_when_the_total_agrees_with_it(tmp_path: Path) -> None:
    """The first indicator's live score N4 (weight 4, met: 4) shown as 8, and the total raised by the
    same 4 points to 102.4: each formula is checked against its own inputs, so N4 is named."""
    package = parts(_example_scored(tmp_path))
    _set_stored(package, "绩效指标", "N4", "8")
    _set_stored(package, "评分", "B17", "102.4")
    found = items(verify(write_parts(package, tmp_path / "改过.xlsx")))
    assert found["绩效指标!N4 的公式结果"] == "显示 8，按公式应为 4"


def test_the_untouched_example_checks_its_results() -> None:
    """Not vacuous: the shipped example's stored results are computed and compared (its 72 budget and
    14 score formulas and the indicator formulas whose result is not an empty text)."""
    check = check_formula_results(Package(EXAMPLE))
    assert check.wrong == ()
    assert check.checked >= 86


def test_the_scored_copy_stores_no_result_of_the_live_score(tmp_path: Path) -> None:
    """Every formula stays. The live score (评分, and the score and helper columns N–R right of the
    indicator table) stores no result: Excel, WPS and LibreOffice compute it on opening, as the copy
    asks. The budget table's formulas keep theirs (each given by its formula)."""
    copy = parts(_example_scored(tmp_path))
    sheets = sheet_parts_from(copy)
    formulas = {name: re.findall(rb'<c r="([A-Z]+)(\d+)"[^>]*>(<f[^>]*/>|<f[^>]*>[^<]*</f>)(<v>[^<]*</v>)?', copy[part])
                for name, part in sheets.items() if name != "评分汇总"}
    assert len(formulas["绩效指标"]) == 500 and len(formulas["评分"]) >= 14  # 100 rows × score and 4 helpers
    assert not any(value for _, _, _, value in formulas["绩效指标"] + formulas["评分"])
    assert {col for col, _, _, _ in formulas["绩效指标"]} == {b"N", b"O", b"P", b"Q", b"R"}
    assert formulas["预算执行"] and all(value for _, _, _, value in formulas["预算执行"])
    assert re.search(rb'<calcPr[^>]*fullCalcOnLoad="1"', copy["xl/workbook.xml"])
    assert verify(tmp_path / "示例.scored.xlsx")["untouched"] is True


def test_a_result_the_reading_consulted_stays_as_it_was_scored(tmp_path: Path) -> None:
    """预算执行 F41, the rate of an empty budget line, stored as 0.5 where its formula gives an empty text:
    the reading looked at it (a column of the budget table), so the copy keeps it and reads as the
    workbook did, and verify compares it by scoring again, not by its formula."""
    source = tmp_path / "示例.xlsx"
    package = parts(EXAMPLE)
    _set_stored(package, "预算执行", "F41", "0.5")
    write_parts(package, source)
    checked = CliRunner().invoke(main, ["check", str(source), "--json"])
    assert CliRunner().invoke(main, ["score", str(source)]).exit_code == checked.exit_code
    copy = tmp_path / "示例.scored.xlsx"
    sheet = parts(copy)[sheet_parts_from(parts(copy))["预算执行"]]
    assert re.search(rb'<c r="F41"[^>]*><f>[^<]*</f><v>0.5</v>', sheet)
    assert CliRunner().invoke(main, ["check", str(copy), "--json"]).stdout == checked.stdout.replace(
        "示例.xlsx", "示例.scored.xlsx")
    assert verify(copy)["untouched"] is True


def test_a_stale_result_nothing_read_is_held_to_its_formula(tmp_path: Path) -> None:
    """Two formulas right of the budget table, where nothing is read: Z5 =1+1 stored as 5 loses its
    result in the copy (Excel, WPS and LibreOffice compute it on opening), Z6 =1+1 stored as 2 keeps it."""
    source = tmp_path / "示例.xlsx"
    package = parts(EXAMPLE)
    part = sheet_parts_from(package)["预算执行"]
    for row, stored in ((5, 5), (6, 2)):
        new = re.sub(rf'(<row r="{row}"[^>]*>.*?)</row>'.encode(),
                     lambda m, row=row, stored=stored: m.group(1)
                     + f'<c r="Z{row}"><f>1+1</f><v>{stored}</v></c></row>'.encode(),
                     package[part], count=1, flags=re.S)
        assert new != package[part]
        package[part] = new
    write_parts(package, source)
    assert CliRunner().invoke(main, ["score", str(source)]).exit_code == 0
    copy = tmp_path / "示例.scored.xlsx"
    sheet = parts(copy)[sheet_parts_from(parts(copy))["预算执行"]]
    cells = dict(re.findall(rb'<c r="(Z[56])"[^>]*>(.*?)</c>', sheet, flags=re.S))
    assert cells == {b"Z5": b"<f>1+1</f>", b"Z6": b"<f>1+1</f><v>2</v>"}
    assert verify(copy)["untouched"] is True


def test_an_input_written_as_a_formula_keeps_its_result(tmp_path: Path) -> None:
    """A budget amount typed as =1000+234 is an input: its stored 1234 is what was scored, and stays."""
    source = template_copy(tmp_path, "公式输入.xlsx")
    package = parts(source)
    part = sheet_parts_from(package)["预算执行"]
    new = re.sub(rb'<c r="D4"([^>]*?)(?:/>|>.*?</c>)', rb'<c r="D4"\1><f>1000+234</f><v>1234</v></c>',
                 package[part], count=1, flags=re.S)
    assert new != package[part]
    package[part] = new
    write_parts(package, source)
    assert CliRunner().invoke(main, ["score", str(source)]).exit_code == 1  # a blank form: its problems listed
    scored = parts(tmp_path / "公式输入.scored.xlsx")
    assert re.search(rb'<c r="D4"[^>]*><f>1000\+234</f><v>1234</v></c>',
                     scored[sheet_parts_from(scored)["预算执行"]])


# Ways a filler types targets, actuals, weights and signs: each goes through the template's helper
# formulas (VALUE, SUBSTITUTE, SEARCH, LEFT) on a path of its own.
TYPED = {
    "G4": "≤", "H4": "≤30天", "J4": "28天",
    "H5": "≥95%", "J5": " 96 %",
    "H6": "达成", "J6": "部分达成",
    "H7": "2025年12月31日", "J7": "2025年12月",
    "H8": "1,234", "J8": "1,300",
    "H9": "＝1", "J9": 1,
    "K10": "4分", "J10": "达成年度指标",
    "H11": 0, "J11": -5,
    "F12": "定性", "J12": "未达成", "L12": 2,
    "E13": "投诉率", "H13": "5%", "J13": "7%",
}


@pytest.mark.libreoffice
def test_libreoffice_computes_what_the_evaluator_computes(tmp_path: Path, lo_convert) -> None:
    """LibreOffice recalculates every formula on load (tests/lo.py) and stores its own results: the
    evaluator agrees with each one it computes, and it computes nearly all of them."""
    source = template_copy(tmp_path, "各种写法.xlsx")
    edit(source, {"绩效指标": TYPED})
    (resaved,) = lo_convert([source], tmp_path / "lo")
    check = check_formula_results(Package(resaved))
    assert check.wrong == ()
    assert check.checked >= 550  # of 586: the rest read a date or a thousands separator through VALUE


def test_a_result_stale_before_scoring_is_dropped_from_the_copy_and_the_copy_verifies(tmp_path: Path) -> None:
    """A workbook saved without recalculating shows 92.5 at 评分!B17 where its formula gives 98.4: the
    scored copy keeps the formula, stores no result there (every application computes it on opening),
    and verifies untouched; the filled workbook itself is not changed."""
    source = tmp_path / "示例.xlsx"
    package = parts(EXAMPLE)
    _set_stored(package, "评分", "B17", "92.5")
    write_parts(package, source)
    before = source.read_bytes()
    assert CliRunner().invoke(main, ["score", str(source)]).exit_code == 0
    copy = tmp_path / "示例.scored.xlsx"
    scored_sheet = parts(copy)[sheet_parts_from(parts(copy))["评分"]]
    cell = re.search(rb'<c r="B17"[^>]*>.*?</c>', scored_sheet, flags=re.S)
    assert cell is not None and b"<f>" in cell.group(0) and b"<v>" not in cell.group(0)
    assert verify(copy)["untouched"] is True
    assert source.read_bytes() == before


def test_a_formula_copied_elsewhere_is_tokenized_by_its_shape_exactly_as_it_would_be_alone(tmp_path: Path) -> None:
    """The shape cache may serve a formula's tokens only when they are the tokens it has: every formula
    of the example, and the same formula moved by openpyxl's own translator (an independent oracle)."""
    import openpyxl
    from openpyxl.formula.translate import Translator

    from selfeval_xl.cellref import split_coord
    from selfeval_xl.read import formula_parse as fp
    wb = openpyxl.load_workbook(template_copy(tmp_path))
    checked = 0
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                r, c = split_coord(cell.coordinate)
                moved_to = f"{openpyxl.utils.get_column_letter(c + 1)}{r + 7}"
                moved = Translator(cell.value, origin=cell.coordinate).translate_formula(moved_to)
                fp._TOKENS.clear()
                assert fp.shaped_tokens(cell.value[1:], r, c) == fp.tokens(cell.value[1:], r, c)
                assert fp.shaped_tokens(moved[1:], r + 7, c + 1) == fp.tokens(moved[1:], r + 7, c + 1), moved
                checked += 1
    assert checked > 400


@pytest.mark.parametrize("first, second", [
    ('IF(A1="A1",1,0)', 'IF(A2="A1",1,0)'),           # a reference inside a string stays text
    ('IF(A1="A1",1,0)', 'IF(A2="A2",1,0)'),           # … so these two differ
    ("LOG10(A1)", "LOG10(A2)"),                       # a function whose name ends in digits
    ("'Sheet 1'!A1+$B$2", "'Sheet 1'!A2+$B$2"),       # sheet-qualified, and fixed
    ("a1+b1", "A2+B2"),                               # lower case reads as upper case
    ("'Q1 data'!A1", "'Q2 data'!A2"),                 # digits in a quoted sheet name are its name
    ("Q1.data!A1", "Q2.data!A2"),                     # … and in an unquoted one
    ("A4+1", "A5+2"),                                 # a constant is no row number
])
def test_shapes_of_tricky_formulas(first: str, second: str) -> None:
    from selfeval_xl.read import formula_parse as fp
    fp._TOKENS.clear()
    assert fp.shaped_tokens(first, 1, 1) == fp.tokens(first, 1, 1)
    assert fp.shaped_tokens(second, 2, 1) == fp.tokens(second, 2, 1)


_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")  # the oracle: what has_formula finds without a regex


@given(st.lists(st.sampled_from([b"<", b"f", b":", b" ", b">", b"/", b"x", b"ab", b"1", b'"', b"<f>", b"<x:f", b"\n",
                                  b"\t", b"\r"]), max_size=14).map(b"".join))
def test_has_formula_finds_what_the_pattern_finds(data: bytes) -> None:
    assert has_formula(data) == bool(_FORMULA_ELEMENT.search(data))


@pytest.mark.parametrize("data, expected", [
    (b'<c r="A1"><f>1+1</f><v>2</v></c>', True), (b'<x:c r="A1"><x:f>1</x:f></x:c>', True),
    (b'<c r="B2"><f t="shared" si="0"/></c>', True), (b"<cfRule><formula>A1&gt;1</formula></cfRule>", False),
    (b'<c r="A1" t="s"><v>3</v></c>', False), (b'<a b="x:f ">', False),
    (b'<c r="D5"><f\n>C5*1</f></c>', True), (b'<c r="D5"><x:f\t>C5</x:f></c>', True),
])
def test_has_formula_by_hand(data: bytes, expected: bool) -> None:
    assert has_formula(data) is expected


def test_the_byte_scan_picks_the_same_formulas_to_check_as_the_parse(tmp_path: Path, monkeypatch) -> None:
    """check_formula_results finds the formulas with a stored result by scanning the bytes, and parses
    only the sheets they are on: its findings are those of parsing every sheet (the oracle, forced by a
    scan that gives up), on the shipped example and on one with two results rewritten."""
    import selfeval_xl.read.formula_results as formula_results
    package = parts(EXAMPLE)
    _set_stored(package, "评分", "B17", "92.5")
    _set_stored(package, "绩效指标", "N5", "1")
    tampered = write_parts(package, tmp_path / "改过.xlsx")
    for path in (EXAMPLE, tampered):
        inputs = read(path, None).input.read_cells()
        scanned = check_formula_results(Package(path), inputs)
        with monkeypatch.context() as patch:
            patch.setattr(formula_results, "stored_results", lambda data: None)
            parsed = check_formula_results(Package(path), inputs)
        assert scanned == parsed and scanned.checked >= 86
    # N5 shown as 1 (its formula gives 4), the 产出指标 points D11 that add it up, and the total B17
    assert {(w.sheet, w.coord) for w in scanned.wrong} == {("评分", "B17"), ("绩效指标", "N5"), ("评分", "D11")}


def test_a_workbook_without_calculation_settings_gets_them_in_schema_order(tmp_path: Path) -> None:
    """A workbook part with no calcPr (a program that leaves it out) and an extLst after its names: the
    copy asks for a full recalculation in a calcPr placed after definedNames and before extLst."""
    source = tmp_path / "无计算设置.xlsx"
    package = parts(EXAMPLE)
    workbook = re.sub(rb"<calcPr[^>]*/>", b"", package["xl/workbook.xml"])
    package["xl/workbook.xml"] = workbook.replace(b"</workbook>", b"<extLst/></workbook>")
    write_parts(package, source)
    assert CliRunner().invoke(main, ["score", str(source)]).exit_code == 0
    written = parts(tmp_path / "无计算设置.scored.xlsx")["xl/workbook.xml"]
    order = re.findall(rb"<(definedNames|calcPr|extLst)\b", written)
    assert order == [b"definedNames", b"calcPr", b"extLst"]
    assert re.search(rb'<calcPr fullCalcOnLoad="1"/>', written)


@pytest.mark.parametrize("cell, stored", [
    (b'<c r="F6"><f>C6+D6</f><v>999</v></c>', ["F6"]),
    (b'<c r="F6"><f>C6+D6</f><v xml:space="preserve">999</v></c>', ["F6"]),  # a stored result with an attribute
    (b'<c r="F6"><f>C6+D6</f></c>', []),
])
def test_stored_results_are_found_whatever_their_value_element_carries(cell: bytes, stored: list[str]) -> None:
    """Worked by hand: the stored result of F6 counts with or without attributes on its <v>."""
    from selfeval_xl.read.formula_results import stored_results
    sheet = b'<worksheet><sheetData><row r="6">' + cell + b"</row></sheetData></worksheet>"
    assert stored_results(sheet) == stored


def test_results_are_dropped_in_the_bytes_only_where_the_scan_reads_them_as_the_tree() -> None:
    """The byte path removes F6's stored result as the tree does, and leaves to the tree what it could misread:
    a type in single quotes (t='str' must go with the result) and a self-closed cell before an <f> in an
    extension (that <v> is no stored result of D2's)."""
    from selfeval_xl.write.dropped_results import _drop_in_bytes
    plain = b'<worksheet><sheetData><row r="6"><c r="F6" t="str"><f>C6</f><v>x</v></c></row></sheetData></worksheet>'
    dropped = _drop_in_bytes(plain, lambda ref: False)
    assert dropped == (plain.replace(b' t="str"', b"").replace(b"<v>x</v>", b""), 1)
    assert _drop_in_bytes(plain.replace(b't="str"', b"t='str'"), lambda ref: False) is None
    sibling = (b'<worksheet><sheetData/><extLst><ext uri="x"><c r="D2"/><f>1</f><v>5</v></ext></extLst>'
               b"</worksheet>")
    assert _drop_in_bytes(sibling, lambda ref: False) is None  # the scan finds no cell for the <f>: the tree reads it
