"""Files that must cost bounded work and read one way, whatever spelling valid XML takes.

Each file is made in the test from the tool's own example (nothing binary is checked in); each
must answer within seconds on CI's two cores.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rich import parts, sheet_parts_from
from selfeval_xl.cli.app import main
from workbooks import edit, template_copy

INDICATORS = "绩效指标"


def write_parts(package: dict[str, bytes], target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in package.items():
            z.writestr(name, data)
    return target


def with_sheet(source: Path, target: Path, sheet: str, change) -> Path:
    package = parts(source)
    part = sheet_parts_from(package)[sheet]
    package[part] = change(package[part])
    return write_parts(package, target)


def check_json(path: Path, *extra: str):
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["check", str(path), "--json", *extra])
    return result, time.perf_counter() - started


ROOT = Path(__file__).resolve().parents[1]
GIB = 1024 ** 3


def check_in_a_gigabyte(path: Path) -> subprocess.CompletedProcess:
    """`check --json` in a child process that may not use more than 1 GB of memory (POSIX)."""
    def limit() -> None:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(path), "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, preexec_fn=limit if os.name == "posix" else None)


def add_rows(xml: bytes, rows: str) -> bytes:
    return xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>")


# --- bounded work ---------------------------------------------------------------------------------

def test_one_far_away_cell_is_read_sparsely(tmp_path: Path) -> None:
    # python-calamine would allocate 16,384 × 1,048,576 cells for it (549 GB): the walk reads one.
    path = with_sheet(template_copy(tmp_path, "src.xlsx"), tmp_path / "远处.xlsx", INDICATORS,
                      lambda xml: add_rows(xml, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    result, seconds = check_json(path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total"] == "98.40"
    assert seconds < 30
    limited = check_in_a_gigabyte(path)
    assert limited.returncode == 0, limited.stderr
    assert json.loads(limited.stdout)["total"] == "98.40"


def test_a_formula_chain_is_computed_once_per_cell(tmp_path: Path) -> None:
    # Z1..Z20 each =Z(n+1)+1 three times over: 3^20 evaluations without memory, 20 with it.
    rows = "".join(f'<row r="{200 + n}"><c r="Z{200 + n}"><f>Z{201 + n}+1+Z{201 + n}+1+Z{201 + n}+1</f></c></row>'
                   for n in range(20))
    rows += '<row r="220"><c r="Z220"><v>1</v></c></row>'

    def change(xml: bytes) -> bytes:
        xml = add_rows(xml, rows)
        # the actual of the first indicator (J4) becomes a formula over the chain, with no cached value
        return re.sub(rb'<c r="J4"([^>]*?)(?:/>|>.*?</c>)', rb'<c r="J4"\1><f>Z200</f></c>', xml, count=1, flags=re.S)

    path = with_sheet(template_copy(tmp_path, "src.xlsx"), tmp_path / "公式链.xlsx", INDICATORS, change)
    result, seconds = check_json(path)
    assert result.exit_code in (0, 1), result.output
    assert seconds < 30
    assert check_in_a_gigabyte(path).returncode in (0, 1)


def test_nested_sums_over_ranges_are_bounded(tmp_path: Path) -> None:
    # five levels, each a SUM over 100 cells of the level below: 10^10 visits without a budget
    rows = []
    for level in range(5):
        first = 300 + level * 100
        below = f"SUM(AA{first + 100}:AA{first + 199})" if level < 4 else "1"
        rows += [f'<row r="{first + i}"><c r="AA{first + i}"><f>{below}</f></c></row>' for i in range(100)]

    def change(xml: bytes) -> bytes:
        xml = add_rows(xml, "".join(rows))
        return re.sub(rb'<c r="J4"([^>]*?)(?:/>|>.*?</c>)', rb'<c r="J4"\1><f>SUM(AA300:AA399)</f></c>', xml, count=1,
                      flags=re.S)

    path = with_sheet(template_copy(tmp_path, "src.xlsx"), tmp_path / "求和.xlsx", INDICATORS, change)
    result, seconds = check_json(path)
    assert result.exit_code in (0, 1), result.output
    assert seconds < 30


@pytest.mark.parametrize("repeat", [20_000, 50_000], ids=["checked-in-place", "checked-on-a-second-thread"])
def test_tags_hidden_in_an_attribute_are_refused_quickly(tmp_path: Path, repeat: int) -> None:
    # A '<' inside an attribute value is not XML: the parser refuses it before any scan runs (a part past
    # 256 KB is checked on a second thread while calamine reads it; the refusal is the same).
    attack = '<c r="Z1" ' * repeat
    path = with_sheet(template_copy(tmp_path, "src.xlsx"), tmp_path / "属性.xlsx", INDICATORS,
                      lambda xml: xml.replace(b"<sheetData>", f'<sheetData><row r="1" x="{attack}"/>'.encode(), 1))
    result, seconds = check_json(path)
    assert result.exit_code == 2
    assert "已损坏" in result.stderr and "属性.xlsx" in result.stderr
    assert seconds < 30


def test_too_many_cells_is_a_clear_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from selfeval_xl.read import cells, sheet_scans
    for module in (cells, sheet_scans):  # the real limit is 3,000,000; the logic is the same
        monkeypatch.setattr(module, "MAX_CELLS", 100)
    result, _ = check_json(template_copy(tmp_path, "大.xlsx"))
    assert result.exit_code == 2
    assert "个单元格，超过上限 100" in result.stderr and "绩效指标" in result.stderr


def test_duplicate_part_names_are_refused(tmp_path: Path) -> None:
    source = template_copy(tmp_path, "src.xlsx")
    path = tmp_path / "重复.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        sheet = sheet_parts_from(parts(source))[INDICATORS]
        with pytest.warns(UserWarning):  # zipfile itself notices
            zout.writestr(sheet, zin.read(sheet).replace(b">40<", b">4<"))
    result, _ = check_json(path)
    assert result.exit_code == 2
    assert result.stderr == (f"错误：文件 重复.xlsx 的压缩包中部件 {sheet} 出现了两次，无法确定以哪一个为准："
                             "请在 Excel 或 WPS 中另存为 .xlsx 后再试。\n")


# --- one reading of a valid file ----------------------------------------------------------------------

def prefixed(xml: bytes) -> bytes:
    """The same sheet with the main namespace under the prefix x: (valid, and what some writers emit)."""
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    xml = xml.replace(main, main.replace(b"xmlns=", b"xmlns:x="), 1)
    return re.sub(rb"<(/?)([A-Za-z][A-Za-z0-9]*)(?=[\s/>])", rb"<\1x:\2", xml)


def single_quoted(xml: bytes) -> bytes:
    return re.sub(rb'(\s[\w:.-]+)="([^"\']*)"', rb"\1='\2'", xml)


@pytest.mark.parametrize("respell", [prefixed, single_quoted], ids=["x-prefix", "single-quotes"])
def test_every_spelling_of_a_sheet_reads_alike(tmp_path: Path, respell) -> None:
    source = template_copy(tmp_path, "src.xlsx")
    # one actual as a percentage cell (0.85 shown as 85%), where a lost number format changes the score
    edit(source, {INDICATORS: {"J4": 0.85}})
    import openpyxl
    wb = openpyxl.load_workbook(source)
    wb[INDICATORS]["J4"].number_format = "0%"
    wb.save(source)
    plain, _ = check_json(source)
    respelled = with_sheet(source, tmp_path / "改写.xlsx", INDICATORS, respell)
    again, _ = check_json(respelled)
    assert again.exit_code == plain.exit_code
    first, second = json.loads(plain.stdout), json.loads(again.stdout)
    assert first["total"] == second["total"] and first["checks"] == second["checks"]
    assert not [c for c in second["checks"] if c["code"] == "UNIT_MISMATCH"]


# --- formulas that bring outside data -----------------------------------------------------------------

@pytest.mark.parametrize("formula", ["[1]Sheet1!A1", "RAND()*100", "cmd|'/c calc'!A0", 'WEBSERVICE("http://x/y")',
                                     "NOW()-NOW()+100", "INDIRECT(\"J5\")"])
def test_a_formula_bringing_outside_data_is_flagged_on_its_cell(tmp_path: Path, formula: str) -> None:
    escaped = formula.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    path = with_sheet(template_copy(tmp_path, "src.xlsx"), tmp_path / "外部.xlsx", INDICATORS,
                      lambda xml: re.sub(rb'<c r="J4"([^>]*?)(?:/>|>.*?</c>)',
                                         f'<c r="J4"\\1><f>{escaped}</f><v>100</v></c>'.encode(), xml, count=1,
                                         flags=re.S))
    result, _ = check_json(path)
    data = json.loads(result.stdout)
    flagged = [(c["sheet"], c["cell"], c["severity"]) for c in data["checks"] if c["code"] == "FORMULA_EXTERNAL"]
    assert flagged == [(INDICATORS, "J4", "warning")]
    assert data["total"] == "98.40"  # scored from the cached value, as the filler last saw it


@pytest.mark.parametrize("formula, outside", [
    ("SUM(H4:H9)", False), ('"a|b"&"[1]"', False), ("ROUND(J4/3,2)", False), ("RANDBETWEEN(1,9)", True),
    ("'[预算.xlsx]表1'!C3", True), ("[2]Sheet1!A1+1", True), ("today()", True),
])
def test_which_formulas_bring_outside_data(formula: str, outside: bool) -> None:
    from selfeval_xl.vocabulary import brings_outside_data
    assert brings_outside_data(formula) is outside


def test_a_tab_selected_in_single_quotes_is_unselected_in_the_scored_copy(tmp_path: Path) -> None:
    # valid XML: tabSelected='1' on the indicator sheet; the copy must show one selected tab, the summary
    path = with_sheet(template_copy(tmp_path, "src.xlsx"), tmp_path / "选中.xlsx", INDICATORS,
                      lambda xml: re.sub(rb'<sheetView ', b"<sheetView tabSelected='1' ", xml, count=1))
    result = CliRunner().invoke(main, ["score", str(path)])
    assert result.exit_code == 0, result.output
    package = parts(tmp_path / "选中.scored.xlsx")
    selected = [name for name, part in sheet_parts_from(package).items()
                if re.search(rb"tabSelected\s*=\s*[\"'](?:1|true)[\"']", package[part])]
    assert selected == ["评分汇总"]


# --- error values --------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell_xml", [b'<c r="H4" t="e"><v>#N/A</v></c>', b'<c r="H4" t="e"><f>NA()</f><v>#N/A</v></c>',
                                      b'<c r="H4" t="e"><v> #N/A </v></c>'])
def test_an_error_value_is_read_as_one_typed_or_computed(tmp_path: Path, cell_xml: bytes) -> None:
    """A target holding #N/A, typed or a formula's result: VALUE_NOT_NUMBER on the target, saying 错误值,
    never read as words (which would make the row 定性 and its actual's number a label nobody knows)."""
    def respell(xml: bytes) -> bytes:
        xml = re.sub(rb'<c r="F4"([^>]*?)(?:/>|>.*?</c>)', rb'<c r="F4"\1/>', xml, count=1, flags=re.S)  # no 指标性质
        return re.sub(rb'<c r="H4"([^>]*?)(?:/>|>.*?</c>)', cell_xml, xml, count=1, flags=re.S)

    path = with_sheet(template_copy(tmp_path, "src.xlsx"), tmp_path / "错误值.xlsx", INDICATORS, respell)
    result, _ = check_json(path)
    checks = json.loads(result.stdout)["checks"]
    on_row = [(c["code"], c["cell"]) for c in checks if c["cell"] in ("H4", "J4", "L4")]
    assert on_row == [("VALUE_NOT_NUMBER", "H4")]
    assert "“#N/A”" in next(c["message"] for c in checks if c["cell"] == "H4")


# --- how a sheet is spelled, read off its bytes: never plain where the parser's own events say otherwise ----

class _NamespaceEvents:
    """The oracle: what lxml itself reports of the namespace declarations, comments and instructions (the
    parser target the reader used before it read them off the bytes)."""

    def __init__(self) -> None:
        self.plain, self.defaults = True, 0

    def start_ns(self, prefix, uri) -> None:
        if prefix:
            self.plain = self.plain and uri != MAIN
        else:
            self.defaults += 1
            self.plain = self.plain and uri == MAIN and self.defaults == 1

    def comment(self, text) -> None:
        self.plain = False

    def pi(self, target, data=None) -> None:
        self.plain = False

    def close(self) -> bool:
        return self.plain and self.defaults == 1


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_URIS = st.sampled_from([MAIN, "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac", "urn:x",
                         "http&#58;//schemas.openxmlformats.org/spreadsheetml/2006/main", MAIN + "/"])
_DECLARATION = st.tuples(st.sampled_from(["", "x", "x14ac", "mc"]), _URIS, st.sampled_from(['"', "'"]),
                         st.sampled_from(["=", " = "]))
_INSIDE = st.sampled_from(["", "<c r=\"A1\"><v>1</v></c>", "<!-- c -->", "<?pi x?>", "<t>xmlns=\"urn:y\"</t>",
                           "<t>xmlns:x=\"" + MAIN + "\"</t>", "<![CDATA[<?x?>]]>", "<t>a &amp; b</t>",
                           "<t>xmlns:q=\"</t>", "<t>\"</t>", f"<x:c xmlns:x=\"{MAIN}\" r=\"B2\"/>",
                           "<y:row xmlns:y=\"urn:y\"/>", "<t>&#104;</t>", "<c xmlns=\"urn:z\" r=\"A2\"/>"])
_ROOT_ATTRIBUTES = st.sampled_from(["", " a=\"xmlns:q='\"", " b=\"'\"", f" c='xmlns=\"{MAIN}\"'", " d=\"&#104;\""])


def _declared(declarations) -> str:
    seen, out = set(), []
    for prefix, uri, quote, equals in declarations:
        if prefix in seen:
            continue  # a prefix declared twice on one element is no XML
        seen.add(prefix)
        out.append(f" xmlns{':' + prefix if prefix else ''}{equals}{quote}{uri}{quote}")
    return "".join(out)


_EXCEL_ROOT = st.lists(_DECLARATION, max_size=2).map(lambda extra: [("", MAIN, '"', "="), *extra])


@settings(max_examples=400)
@given(st.booleans(), st.sampled_from(["", "<?xml version=\"1.0\"?>", "<?xml-stylesheet href=\"a\"?>"]),
       st.one_of(_EXCEL_ROOT, st.lists(_DECLARATION, max_size=3)), st.lists(_ROOT_ATTRIBUTES, max_size=2),
       st.lists(_DECLARATION, max_size=2), st.lists(_INSIDE, max_size=3))
def test_a_sheet_is_plain_by_its_bytes_only_where_the_parser_says_so(bom, head, root, attributes, nested,
                                                                    inside) -> None:
    """Sound against lxml's own events (the oracle): whatever namespaces, comments, instructions or text a
    part holds, it reads as plain only where the parser reports it plain. A sheet as Excel writes it (main
    as the default on the root, others on the root and on an extension) reads as plain both ways."""
    from lxml import etree

    from selfeval_xl.read.sheet_scans import spelled_plainly
    text = (("\ufeff" if bom else "") + head + f"<worksheet{''.join(attributes)}{_declared(root)}>"
            + f"<sheetData>{''.join(inside)}</sheetData>"
            + f"<extLst><ext{_declared(nested)} uri=\"u\"/></extLst></worksheet>")
    data = text.encode("utf-8")
    try:
        oracle = etree.fromstring(data, etree.XMLParser(target=_NamespaceEvents(), resolve_entities=False))
    except etree.XMLSyntaxError:
        return  # not well-formed: refused before anyone asks how it is spelled
    if spelled_plainly(data):
        assert oracle, text
        assert not re.search(r"<\w+:(c|row)[\s/>]", text), text  # calamine would read a prefixed cell
    excel = (f'<?xml version="1.0"?><worksheet xmlns="{MAIN}" xmlns:r="urn:r" xmlns:mc="urn:mc"><sheetData>'
             f'<c r="A1"><v>1</v></c></sheetData><extLst><ext xmlns:x14="urn:x14" uri="u"/></extLst></worksheet>')
    assert spelled_plainly(excel.encode())
    assert etree.fromstring(excel.encode(), etree.XMLParser(target=_NamespaceEvents()))
    # a row or cell under another namespace's prefix is plain to the parser, but calamine reads it as a cell
    other = excel.replace("<sheetData>", '<sheetData><y:row xmlns:y="urn:y"><y:c r="XFD1048576"/></y:row>')
    assert etree.fromstring(other.encode(), etree.XMLParser(target=_NamespaceEvents()))
    assert not spelled_plainly(other.encode())


def test_a_large_sheet_declaring_entities_is_refused_before_any_parse(tmp_path: Path) -> None:
    """The DTD refusal stands first for a part checked on the second thread too."""
    filler = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"填" * 40}</t></is></c></row>'
                     for r in range(200, 2_600))
    path = with_sheet(template_copy(tmp_path, "src.xlsx"), tmp_path / "实体.xlsx", INDICATORS,
                      lambda xml: xml.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1).replace(
                          b"</sheetData>", filler.encode() + b"</sheetData>"))
    assert len(sheet_parts_from_file(path)) > 256 * 1024
    result, _ = check_json(path)
    assert result.exit_code == 2
    assert "含有 DTD/实体声明" in result.stderr and "实体.xlsx" in result.stderr


def sheet_parts_from_file(path: Path) -> bytes:
    package = parts(path)
    return package[sheet_parts_from(package)[INDICATORS]]


def test_the_well_formedness_check_refuses_after_a_refusal_and_accepts_after_it() -> None:
    """The check keeps one parser per thread: a part refused before does not change what the next is told."""
    from selfeval_xl.errors import UnreadableWorkbook
    from selfeval_xl.read.package import well_formed
    for data, good in ((b"<a><b></a>", False), (b"<a><b/></a>", True), (b"<a>", False), (b"<a/>", True),
                       (b"<a x='1' x='2'/>", False)):
        try:
            well_formed(data, part="xl/worksheets/sheet1.xml", origin="单位.xlsx")
        except UnreadableWorkbook as exc:
            assert not good and "单位.xlsx" in exc.message and "已损坏" in exc.message
        else:
            assert good, data
