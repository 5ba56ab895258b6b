"""Every spelling of valid SpreadsheetML reads the same, whichever reader takes it.

Hypothesis writes one sheet of cells (numbers, percentages, inline and shared strings, booleans,
errors, formulas with a cached value, with an empty one written as <v/> or <v></v>, or without
one) and spells it in the ways valid writers do: the main namespace as default or under a prefix,
attributes in double or single quotes, r first or last, spaces around "=", a line break after
the tag name, a comment holding cell-like text among the rows, entities and character references
in formulas, and attributes other than r in single quotes with spaces around "=" (with spaces
before the end of <v> and </f>), which the fast reader takes. Three readings must agree cell for cell:
the full lxml walk of that spelling, the fast reader of that spelling (where it takes it), and the
full walk of the plain spelling."""
from __future__ import annotations

import io
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfeval_xl.read.cells import grid_fast, grid_full
from selfeval_xl.read.package import Package

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
STYLES = (f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
          '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
          '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="10"/>'
          '<xf numFmtId="164"/></cellXfs></styleSheet>')
# no surrogates or control characters: what a spreadsheet cell can hold as XML text
TEXT = st.text(st.characters(codec="utf-8").filter(lambda c: unicodedata.category(c) not in ("Cs", "Cc")),
               max_size=12)

# (kind, payload): how one cell is written
CELL = st.one_of(
    st.tuples(st.just("n"), st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False)),
    st.tuples(st.just("pct"), st.sampled_from(["0.85", "1", "0.005", "12.5"])),
    st.tuples(st.just("inline"), TEXT),
    st.tuples(st.just("shared"), TEXT),
    st.tuples(st.just("b"), st.sampled_from(["0", "1"])),
    st.tuples(st.just("e"), st.sampled_from(["#DIV/0!", "#N/A", "#REF!"])),
    st.tuples(st.just("f-cached"), st.sampled_from(["1+1|2", "H4*2|7.5", "SUM(A1:A3)|0"])),
    st.tuples(st.just("f-empty-str"), st.sampled_from(["<v/>", "<v></v>"])),
    st.tuples(st.just("f-uncached"), st.sampled_from(["1+2", "A1*3"])),
    # a shared formula's other cell, its <f/> self-closed, with a stored result or none
    st.tuples(st.just("f-shared"), st.sampled_from(['<f t="shared" si="0"/><v>4.5</v>', '<f t="shared" si="0" />',
                                                    "<f/><v></v>", '<f\tt="shared" si="0"/>\n<v>0</v>'])),
    # the formula "a"&"b"<>"" spelled with named entities and with decimal and hex character references
    st.tuples(st.just("f-entities"), st.sampled_from(["&quot;a&quot;&amp;&quot;b&quot;&lt;&gt;&quot;&quot;",
                                                      "&#34;a&#34;&#38;&#x22;b&#x22;&#60;&#x3E;&#34;&#34;"])),
)
SHEET = st.dictionaries(st.tuples(st.integers(1, 30), st.integers(1, 8)), CELL, min_size=1, max_size=25)
SPELLING = st.fixed_dictionaries({"prefix": st.booleans(), "single": st.booleans(), "r_last": st.booleans(),
                                  "spaced": st.booleans(), "newline": st.booleans(), "comment": st.booleans(),
                                  "loose": st.booleans()})
PLAIN = {"prefix": False, "single": False, "r_last": False, "spaced": False, "newline": False, "comment": False,
         "loose": False}


def letters(col: int) -> str:
    return "ABCDEFGH"[col - 1]


def sheet_xml(cells: dict, shared: list[str], spelling: dict) -> str:
    p = "x:" if spelling["prefix"] else ""

    def attrs(pairs: list[tuple[str, str]]) -> str:
        if spelling["r_last"] and len(pairs) > 1:
            pairs = pairs[1:] + pairs[:1]
        out = []
        for key, value in pairs:
            quoted = quoteattr(value)
            if spelling["single"]:
                quoted = "'" + quoted[1:-1].replace("'", "&apos;") + "'" if quoted.startswith('"') else quoted
            if spelling["loose"] and key != "r":  # r stays plain: the fast reader can take these
                out.append(f" {key} = '{value}'")
                continue
            out.append(f"{chr(10) if spelling['newline'] else ' '}{key}{' = ' if spelling['spaced'] else '='}{quoted}")
        return "".join(out)

    rows: dict[int, list[str]] = {}
    for (row, col), (kind, payload) in sorted(cells.items()):
        pairs = [("r", f"{letters(col)}{row}")]
        inner = ""
        if kind == "n":
            inner = f"<{p}v>{payload}</{p}v>"
        elif kind == "pct":
            pairs.append(("s", "2"))
            inner = f"<{p}v>{payload}</{p}v>"
        elif kind == "inline":
            pairs.append(("t", "inlineStr"))
            inner = f'<{p}is><{p}t xml:space="preserve">{escape(payload)}</{p}t></{p}is>'
        elif kind == "shared":
            pairs.append(("t", "s"))
            shared.append(payload)
            inner = f"<{p}v>{len(shared) - 1}</{p}v>"
        elif kind in ("b", "e"):
            pairs.append(("t", kind))
            inner = f"<{p}v>{payload}</{p}v>"
        elif kind == "f-cached":
            formula, value = payload.split("|")
            inner = f"<{p}f>{formula}</{p}f><{p}v>{value}</{p}v>"
        elif kind == "f-empty-str":
            pairs.append(("t", "str"))
            inner = f"<{p}f>A1&amp;\"\"</{p}f>" + payload.replace("<v", f"<{p}v").replace("</v", f"</{p}v")
        elif kind == "f-entities":
            pairs.append(("t", "b"))
            inner = f"<{p}f>{payload}</{p}f><{p}v>1</{p}v>"
        elif kind == "f-shared":
            inner = payload.replace("<f", f"<{p}f").replace("<v", f"<{p}v").replace("</v", f"</{p}v")
        else:
            inner = f"<{p}f>{payload}</{p}f>"
        if spelling["loose"]:
            inner = (inner.replace(f"</{p}v>", f"</{p}v >").replace(f"<{p}v>", f"<{p}v >")
                     .replace(f"</{p}f>", f"</{p}f\n>"))
        rows.setdefault(row, []).append(f"<{p}c{attrs(pairs)}>{inner}</{p}c>")
    body = "".join(f"<{p}row{attrs([('r', str(r))])}>{''.join(cs)}</{p}row>" for r, cs in sorted(rows.items()))
    if spelling["comment"]:
        body = '<!-- <c r="A1"><f>9</f><v>9</v></c> <c r="B2" t="e"><v>#N/A</v></c> -->' + body
    ns = f'xmlns:x="{MAIN}"' if spelling["prefix"] else f'xmlns="{MAIN}"'
    return (f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}><{p}sheetData>{body}</{p}sheetData>'
            f"</{p}worksheet>")


def package(cells: dict, spelling: dict) -> bytes:
    shared: list[str] = []
    sheet = sheet_xml(cells, shared, spelling)
    sst = (f'<sst xmlns="{MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">'
           + "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in shared) + "</sst>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                                  'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                                      '<sheet name="表" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
        z.writestr("xl/styles.xml", STYLES)
        z.writestr("xl/sharedStrings.xml", sst)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def cells_of(grid) -> dict:
    return {key: (c.value, c.kind == "percent", c.is_formula, c.uncached) for key, c in grid.cells.items()}


def readings(data: bytes) -> tuple[dict, dict | None]:

    pkg = Package(Path("拼写.xlsx"), data)
    sheet = pkg.sheets[0]
    fast = grid_fast(pkg, sheet)
    full = grid_full(pkg, sheet)
    if fast is not None:
        assert fast.rows(1) == full.rows(1)  # the rows the fast reader noted as it read are every row it holds
    return cells_of(full), None if fast is None else cells_of(fast)


@settings(max_examples=150, deadline=None)
@given(cells=SHEET, spelling=SPELLING)
def test_every_spelling_reads_alike(cells: dict, spelling: dict) -> None:
    plain_full, plain_fast = readings(package(cells, PLAIN))
    full, fast = readings(package(cells, spelling))
    assert full == plain_full
    if plain_fast is not None:
        assert plain_fast == plain_full
    if fast is not None:
        assert fast == plain_full


def test_formula_entities_read_as_the_formula() -> None:
    """Worked by hand: both spellings of the f-entities payload are the formula "a"&"b"<>""."""
    for payload in ("&quot;a&quot;&amp;&quot;b&quot;&lt;&gt;&quot;&quot;",
                    "&#34;a&#34;&#38;&#x22;b&#x22;&#60;&#x3E;&#34;&#34;"):
        full, fast = readings(package({(1, 1): ("f-entities", payload)}, PLAIN))
        assert fast is not None
        pkg = Package(Path("拼写.xlsx"), package({(1, 1): ("f-entities", payload)}, PLAIN))
        grid = grid_fast(pkg, pkg.sheets[0])
        assert grid is not None and grid.cells[(1, 1)].formula == '"a"&"b"<>""'
        assert fast == full


def test_unusual_spellings_take_the_full_walk() -> None:
    """The fast reader declines each spelling its scans do not know (the full walk reads it)."""
    cells = {(1, 1): ("f-cached", "1+1|2"), (1, 2): ("pct", "0.85")}
    assert readings(package(cells, PLAIN))[1] is not None
    for option in ("prefix", "single", "r_last", "spaced", "newline", "comment"):
        assert readings(package(cells, {**PLAIN, option: True}))[1] is None, option


def test_loose_attributes_stay_on_the_fast_path() -> None:
    """s = '2' (a percent style), t = 'e' and t = 'str' in single quotes with spaces, and <v >: the
    fast reader takes them and reads them as the full walk does (worked by hand below)."""
    cells = {(1, 1): ("pct", "0.85"), (1, 2): ("e", "#N/A"), (2, 1): ("f-empty-str", "<v></v>"),
             (2, 2): ("f-cached", "1+1|2")}
    full, fast = readings(package(cells, {**PLAIN, "loose": True}))
    assert fast is not None and fast == full
    assert fast[(1, 1)] == (Decimal("0.85"), True, False, False)
    assert fast[(1, 2)][0] == "#N/A" and fast[(2, 1)][2:] == (True, False) and fast[(2, 2)][2:] == (True, False)


@pytest.mark.parametrize("cell", [
    '<c r="A1" cm="1>0"><f>1+1</f><v>2</v></c>',  # ">" is valid in an attribute's value
    '<c r="A1" cm="1>0" s="2"><v>2</v></c>',  # … before a percent style
    '<c r="A1" cm="1>0" t="e"><v>#N/A</v></c>',  # … before an error's type
    '<c r="A1"><v>2</v><f>1+1</f></c>',  # the formula after the result
    '<c r="A1"><fx/><v>2</v></c>',  # a tag starting "<f" that is no formula
    '<c r="A1"><f><x/>1+1</f><v>2</v></c>',  # a formula element holding an element
])
def test_a_cell_the_scans_cannot_read_plainly_is_read_by_the_walk(cell: str) -> None:
    """Each of these well-formed spellings puts A1's formula, percent style or error where a byte scan
    would pass it over: the fast reader declines the sheet (or reads it alike), never reading the stored 2
    as typed, 2 as 2 rather than 200 %, or #N/A as text, where the full walk reads otherwise."""
    sheet = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{cell}<c r="B1"><v>3</v></c></row></sheetData>'
             '</worksheet>')
    full, fast = readings(_with_sheet(package({(1, 1): ("n", "1")}, PLAIN), sheet))
    assert fast is None or fast == full
    if "<f>" in cell:
        assert full[(1, 1)][2] is True  # the walk reads a formula, which the fast reader must not miss
    if 's="2"' in cell:
        assert full[(1, 1)][1] is True


def _detailed(grid) -> dict:
    return {key: (c.value, c.kind, c.is_formula, c.uncached, c.formula) for key, c in grid.cells.items()}


# Valid XML a writer (or a unit hoping to be read otherwise than Excel shows) may produce, each once misread by
# the fast reader: it must now read as the full walk does, or leave the sheet to it.
UNUSUAL_CELLS = {
    "self-closed cell, then an <f> in the row": '<row r="1"><c r="A1"/><f>1+1</f><v>2</v><c r="B1"><v>3</v></c></row>',
    "self-closed styled cell, then <f/>": '<row r="1"><c r="A1" s="0"/><f t="shared" si="0"/><c r="B1"><v>3</v></c>'
                                          '</row>',
    "t spelled inside another value": '<row r="1"><c r="A1" cm=" t=\'str\'"><f>A2</f><v></v></c></row>',
    "t=inlineStr inside another value": '<row r="1"><c r="A1" cm=" t=\'inlineStr\'"><f>A2</f></c></row>',
    "s spelled inside another value": '<row r="1"><c r="A1" cm=\' s="2" \'><v>0.5</v></c></row>',
    "a style with a leading zero": '<row r="1"><c r="A1" s="02"><v>0.5</v></c><c r="B1" s="012"><v>1</v></c></row>',
    "a stored result with an attribute": '<row r="1"><c r="A1"><f>1+1</f><v xml:space="preserve">2</v></c></row>',
    "two stored results": '<row r="1"><c r="A1"><f>1+1</f><v></v><v>2</v></c></row>',
    "a text between formula and result": '<row r="1"><c r="A1"><f>1+1</f><is><t>x</t></is><v>2</v></c></row>',
    "an empty formula": '<row r="1"><c r="A1"><f></f><v>2</v></c></row>',
    "an error with a percent style": '<row r="1"><c r="A1" s="2" t="e"><v>#N/A</v></c></row>',
    "an empty error": '<row r="1"><c r="A1" t="e"><v></v></c><c r="B1" t="e"><v>#REF!</v></c></row>',
    "t=e inside another value": '<row r="1"><c r="A1" cm=" t=\'e\'"><v>#N/A</v></c></row>',
}


@pytest.mark.parametrize("few", [4, 0], ids=["few-percent-styles", "many-percent-styles"])
@pytest.mark.parametrize("rows", list(UNUSUAL_CELLS.values()), ids=list(UNUSUAL_CELLS))
def test_unusual_cells_read_as_the_walk_reads_them(rows: str, few: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each is read cell for cell as the full walk reads it (value, format kind, formula, stored or not, its
    text), or the sheet is left to the walk; with few percent styles (each searched for) and with many (one
    pass over every s)."""
    from selfeval_xl.read import sheet_scans
    monkeypatch.setattr(sheet_scans, "_FEW_STYLES", few)
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    pkg = Package(Path("拼写.xlsx"), _with_sheet(package({(1, 1): ("n", "1")}, PLAIN), sheet))
    fast, full = grid_fast(pkg, pkg.sheets[0]), grid_full(pkg, pkg.sheets[0])
    assert fast is None or _detailed(fast) == _detailed(full)


def test_cells_after_the_sheet_data_are_no_cells() -> None:
    """Worked by hand: a self-closed <sheetData/> holds no cell, whatever an extension after it spells."""
    ext = '<extLst><ext uri="{x}"><c r="A1" t="e"><v>#N/A</v></c><c r="B1"><f>1</f><v>1</v></c></ext></extLst>'
    for sheet in (f'<worksheet xmlns="{MAIN}"><sheetData/>{ext}</worksheet>',
                  f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="C1"><v>1</v></c></row></sheetData>{ext}'
                  '</worksheet>'):
        pkg = Package(Path("拼写.xlsx"), _with_sheet(package({(1, 1): ("n", "1")}, PLAIN), sheet))
        fast, full = grid_fast(pkg, pkg.sheets[0]), grid_full(pkg, pkg.sheets[0])
        assert (1, 1) not in full.cells and (1, 2) not in full.cells
        assert fast is None or _detailed(fast) == _detailed(full)


def test_a_style_read_with_leading_zeros_and_among_many_percent_styles() -> None:
    """Worked by hand: s="02" is style 2, a percentage, and 0.5 there reads as a fraction shown as 50 %."""
    sheet = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" s="02"><v>0.5</v></c>'
             '<c r="B1" s="12"><v>0.5</v></c></row></sheetData></worksheet>')
    full, fast = readings(_with_sheet(package({(1, 1): ("n", "1")}, PLAIN), sheet))
    assert fast is not None and fast == full
    assert fast[(1, 1)][1] is True and fast[(1, 2)][1] is False


def test_shared_formula_cells_over_one_stored_value_read_alike() -> None:
    """A shared formula's other cells (<f t="shared" si="0"/>), worked by hand: A2 and A3 store 4.5 and
    share their reading; A4 stores nothing and is uncached; B2 stores the same 4.5 as a typed number and
    stays no formula."""
    sheet = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><f t="shared" ref="A1:A4" si="0">1+3.5</f>'
             '<v>4.5</v></c></row><row r="2"><c r="A2"><f t="shared" si="0"/><v>4.5</v></c><c r="B2"><v>4.5</v></c>'
             '</row><row r="3"><c r="A3"><f t="shared" si="0"/><v>4.5</v></c></row>'
             '<row r="4"><c r="A4"><f t="shared" si="0"/></c></row></sheetData></worksheet>')
    full, fast = readings(_with_sheet(package({(1, 1): ("n", "1")}, PLAIN), sheet))
    assert fast is not None and fast == full
    assert fast[(2, 1)] == fast[(3, 1)] == (Decimal("4.5"), False, True, False)
    assert fast[(4, 1)] == (None, False, True, True)
    assert fast[(2, 2)] == (Decimal("4.5"), False, False, False)


def _with_sheet(data: bytes, sheet: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as z:
        for name in source.namelist():
            z.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else source.read(name))
    return out.getvalue()


def test_a_percent_style_counts_only_on_a_cell() -> None:
    """Style 2 is a percentage. A row styled 2, and text reading s="2" (worked by hand): only the cells
    whose own s is 2 are percentages, as in the full walk."""
    sheet = (f'<worksheet xmlns="{MAIN}"><sheetData>'
             '<row r="1" s="2" customFormat="1"><c r="A1"><v>0.5</v></c>'
             '<c r="B1" t="inlineStr"><is><t>x s="2"</t></is></c><c r="C1" s="2"><v>0.25</v></c></row>'
             '<row r="2"><c r="A2" t="n" s="2"><v>1</v></c><c r="B2" s="0" t="n"><v>3</v></c></row>'
             '</sheetData></worksheet>')
    full, fast = readings(_with_sheet(package({(1, 1): ("n", "1")}, PLAIN), sheet))
    assert fast is not None and fast == full
    assert {key for key, cell in fast.items() if cell[1]} == {(1, 3), (2, 1)}


@pytest.mark.parametrize("rows", ['<row r="1"><c r="A1"><v>2</v></c><c r="AA1"><v>1</v></c></row>',
                                  '<row r="1"><c r="A1"><v>2</v></c></row>'
                                  '<row r="10000"><c r="A10000"><v>1</v></c></row>',
                                  '<row r="1"><c r="A1"><v>2</v></c><c r="B1" t="inlineStr"><is><r><rPr>'
                                  '<color rgb="FFFF0000"/></rPr><t>红</t></r></is></c></row>'])
def test_a_cell_past_z9999_or_rich_text_takes_the_long_scans_and_reads_alike(rows: str) -> None:
    """One scan tells a sheet addressed within A1:Z9999 and plainly spelled; any other cell (worked by
    hand: AA1, A10000, a run coloured inside a text) goes through the scans that look closer, and the
    fast reader still reads what the full walk reads."""
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    full, fast = readings(_with_sheet(package({(1, 1): ("n", "1")}, PLAIN), sheet))
    assert fast is not None and fast == full and len(fast) == 2


def test_a_label_written_as_an_error_value_still_tells_a_total_row(tmp_path: Path) -> None:
    """A file may write any text as an error value (t="e"): a 序号 cell holding 合计 so written marks the
    row as a 合计 row, as the text 合计 does, and the row is not scored. In the example, A5 holds 2, the
    序号 of row 5 (文化工作完成率, weight 4): with 合计 there, 15 of its 16 indicators are read."""
    from selfeval_xl.api import evaluate
    example = Path(__file__).resolve().parents[1] / "workbook_templates" / "示例-南障城镇2025部门整体支出.xlsx"
    out = tmp_path / "合计为错误值.xlsx"
    with zipfile.ZipFile(example) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet4.xml":
                before = b'<c r="A5" s="6"><v>2</v></c>'
                assert before in data
                data = data.replace(before, '<c r="A5" s="6" t="e"><v>合计</v></c>'.encode())
            zout.writestr(info, data)
    assert len(evaluate(example).indicators) == 16
    read = evaluate(out)
    assert len(read.indicators) == 15 and 5 not in [i.row for i in read.indicators]
