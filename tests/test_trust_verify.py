"""verify checks what a reader of the scored copy sees, and a broken record is a change.

Each tampering is made in the test by editing the scored copy's XML the way a unit could: the
values stay as scored, only what the county would read changes."""
from __future__ import annotations

import json
import re
from copy import deepcopy
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from rich import parts, sheet_parts_from, sheet_related
from selfeval_xl.cli.app import main
from test_trust_reader import write_parts
from workbooks import edit, template_copy


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with one problem (J6 is a word, flagged and noted), scored."""
    folder = tmp_path_factory.mktemp("scored")
    source = template_copy(folder, "示例.xlsx")
    edit(source, {"绩效指标": {"J6": "完成"}})
    result = CliRunner().invoke(main, ["score", str(source)])
    assert result.exit_code == 1, result.output
    return folder / "示例.scored.xlsx"


def tampered(scored: Path, tmp_path: Path, change) -> Path:
    package = parts(scored)
    change(package)
    return write_parts(package, tmp_path / "改过.xlsx")


def verify(path: Path) -> dict:
    result = CliRunner().invoke(main, ["verify", str(path), "--json"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert (result.exit_code == 0) is data["untouched"]
    return data


def items(data: dict) -> dict[str, str | None]:
    return {m["item"]: m["current"] for m in data["mismatches"]}


def summary_part(package: dict[str, bytes]) -> str:
    return sheet_parts_from(package)["评分汇总"]


def total_cell(package: dict[str, bytes]) -> str:
    """The first number the summary shows (the total, at the top)."""
    xml = package[summary_part(package)].decode()
    return re.search(r'<c r="([A-Z]+\d+)" s="\d+"><v>[0-9.]+</v>', xml).group(1)


def test_the_untouched_copy_verifies(scored: Path) -> None:
    assert verify(scored)["untouched"] is True


def test_a_number_format_printing_other_text_is_a_change(scored: Path, tmp_path: Path) -> None:
    def change(package):
        styles = "xl/styles.xml"
        xml = package[styles].decode()
        own = '<numFmt numFmtId="300" formatCode="&quot;100.00&quot;"/>'
        if re.search(r"<numFmts[^>]*/>", xml):
            xml = re.sub(r"<numFmts[^>]*/>", f'<numFmts count="1">{own}</numFmts>', xml, count=1)
        elif "<numFmts" in xml:
            xml = re.sub(r"<numFmts([^>]*)>", lambda m: f"<numFmts{m.group(1)}>{own}", xml, count=1)
        else:
            xml = re.sub(r"(<styleSheet[^>]*>)", lambda m: f'{m.group(1)}<numFmts count="1">{own}</numFmts>', xml,
                         count=1)
        count = len(re.findall(r"<xf ", xml.split("<cellXfs", 1)[1].split("</cellXfs>")[0]))
        xml = xml.replace("</cellXfs>", '<xf numFmtId="300" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
                          "</cellXfs>")
        package[styles] = xml.encode()
        part = summary_part(package)
        ref = total_cell(package)
        package[part] = re.sub(rf'<c r="{ref}" s="\d+"'.encode(), f'<c r="{ref}" s="{count}"'.encode(), package[part])
    data = verify(tampered(scored, tmp_path, change))
    total = [m for m in data["mismatches"] if "数字格式" in (m["current"] or "")]
    assert total and total[0]["current"] == "数字格式被改为“\"100.00\"”，显示的内容可能与数值不同"


def test_a_formula_over_the_cached_total_is_a_change(scored: Path, tmp_path: Path) -> None:
    def change(package):
        part = summary_part(package)
        ref = total_cell(package)
        package[part] = re.sub(rf'(<c r="{ref}"[^>]*>)<v>'.encode(), rb"\1<f>100</f><v>", package[part])
    data = verify(tampered(scored, tmp_path, change))
    assert "单元格被改成了公式" in items(data).values()


def test_hidden_problem_rows_are_a_change(scored: Path, tmp_path: Path) -> None:
    def change(package):
        part = summary_part(package)
        package[part] = re.sub(rb'<row r="(\d+)"', lambda m: m.group(0) + (b' hidden="1"' if int(m.group(1)) > 20
                                                                           else b""), package[part])
    data = verify(tampered(scored, tmp_path, change))
    assert any(v == "行被隐藏" for v in items(data).values())


def test_a_text_box_over_the_summary_is_a_change(scored: Path, tmp_path: Path) -> None:
    def change(package):
        drawing = sheet_related(package, summary_part(package), "drawing")[0]
        xdr = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
        box = (f'<xdr:twoCellAnchor xmlns:xdr="{xdr}"><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff>'
               '<xdr:row>3</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>3</xdr:col>'
               '<xdr:colOff>0</xdr:colOff><xdr:row>5</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>'
               '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="99" name="文本框"/><xdr:cNvSpPr txBox="1"/>'
               '</xdr:nvSpPr><xdr:spPr/></xdr:sp><xdr:clientData/></xdr:twoCellAnchor>')
        package[drawing] = package[drawing].replace(b"</xdr:wsDr>", box.encode() + b"</xdr:wsDr>")
    data = verify(tampered(scored, tmp_path, change))
    assert "汇总表上多了 1 个图形或文本框，可能遮住了内容" in items(data).values()


def test_stripped_marks_and_notes_are_a_change(scored: Path, tmp_path: Path) -> None:
    def change(package):
        sheet = sheet_parts_from(package)["绩效指标"]
        package[sheet] = re.sub(rb'<c r="J6" s="\d+"', b'<c r="J6" s="0"', package[sheet])
        comments = sheet_related(package, sheet, "comments")[0]
        package[comments] = re.sub(rb'<comment ref="J6".*?</comment>', b"", package[comments], flags=re.S)
    data = verify(tampered(scored, tmp_path, change))
    assert items(data)["绩效指标!J6"] in ("问题单元格的底色被去掉", "问题单元格的批注被删除")
    found = [m["current"] for m in data["mismatches"] if m["item"] == "绩效指标!J6"]
    assert sorted(found) == sorted(["问题单元格的批注被删除", "问题单元格的底色被去掉"])


def _record_edit(old: str, new: str):
    def change(package):
        part = summary_part(package)
        assert old.encode() in package[part]
        package[part] = package[part].replace(old.encode(), new.encode(), 1)
    return change


@pytest.mark.parametrize(("entry", "named"), [('"坏":"x"', "坏"), ('"9999":"A,1"', "9999"), ('"9999":5', "9999"),
                                              ('"9999":""', "9999")])
def test_a_malformed_record_is_a_change_not_a_crash(scored: Path, tmp_path: Path, entry: str, named: str) -> None:
    """"shown" names a row and its letters ("12": "A,B"), or in an older record a cell and its text: anything
    else is said to be malformed."""
    data = verify(tampered(scored, tmp_path, _record_edit('"shown":{', '"shown":{' + entry + ",")))
    assert data["untouched"] is False
    assert items(data)[f"评分记录中的单元格“{named}”"] == "格式不正确，无法核对"


def test_a_cell_the_record_does_not_name_is_content_added(scored: Path, tmp_path: Path) -> None:
    """A cell given content after scoring, in a row the record names and outside it: both said."""
    def change(package):
        part = summary_part(package)
        xml = package[part].decode()
        row = re.search(r'<row r="(\d+)"[^>]*>(?:(?!</row>).)*校验', xml, flags=re.S).group(1)
        xml = re.sub(rf'(<row r="{row}"[^>]*>)', rf'\1<c r="Z{row}" t="inlineStr"><is><t>加上的</t></is></c>', xml,
                     count=1)
        package[part] = xml.encode()
    data = verify(tampered(scored, tmp_path, change))
    assert data["untouched"] is False
    added = [item for item, value in items(data).items() if value == "多出了评分时没有的内容"]
    assert added and all(item.startswith("评分汇总!Z") for item in added), items(data)


def test_the_scoring_day_is_part_of_the_fingerprint(scored: Path, tmp_path: Path) -> None:
    record_day = re.search(rb'"scored_on":"([0-9-]+)"', parts(scored)[summary_part(parts(scored))]).group(1).decode()
    data = verify(tampered(scored, tmp_path, _record_edit(f'"scored_on":"{record_day}"', '"scored_on":"2020-01-01"')))
    assert "评分记录的指纹" in items(data)


def test_the_fingerprint_name_must_match_the_record(scored: Path, tmp_path: Path) -> None:
    def change(package):
        workbook = "xl/workbook.xml"
        package[workbook] = re.sub(rb'(<definedName name="selfeval_fingerprint">)"[0-9a-f]+"', rb'\1"0000"',
                                   package[workbook])
    data = verify(tampered(scored, tmp_path, change))
    assert items(data)["名称 selfeval_fingerprint"] == "0000"



def _record_of(scored: Path) -> dict:
    """The record as any reader of the sheet finds it: the hidden column's cells joined (openpyxl)."""
    import openpyxl
    sheet = openpyxl.load_workbook(scored)["评分汇总"]
    return json.loads("".join(str(row[0]) for row in sheet.iter_rows(min_col=40, max_col=40, values_only=True)
                              if row[0] is not None))


def _hashed(record: dict, *, spelling: int) -> str:
    """The fingerprint as docs/workbook.md spells it: SHA-256 of the JSON of inputs, profile label, result
    and day, keys sorted, the inputs' own keys sorted only before spelling 3; compact (no space after
    "," and ":") from spelling 4. Written here with the json module alone."""
    import hashlib

    from selfeval_xl.read.profiles import builtin_profile
    whole = {"inputs": record["inputs"], "profile": builtin_profile(record["profile"]).label,
             "result": record["result"], "scored_on": record["scored_on"]}
    separators = (",", ":") if spelling >= 4 else (", ", ": ")
    if spelling < 3:
        text = json.dumps(whole, ensure_ascii=False, sort_keys=True, separators=separators)
    else:
        whole["result"] = json.loads(json.dumps(whole["result"], sort_keys=True))  # sorted all the way down
        text = json.dumps(whole, ensure_ascii=False, separators=separators)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _flat(inputs: dict) -> dict:
    """Inputs as records before spelling 4 keep them: "sheet!cell" → text."""
    return {f"{sheet}!{cell}": text for sheet, cells in inputs.items() for cell, text in cells.items()}


def test_the_fingerprint_hashes_the_inputs_in_the_records_own_order(scored: Path) -> None:
    record = _record_of(scored)
    assert record["spelling"] == 4
    cells = list(record["inputs"]["绩效指标"])
    assert cells != sorted(cells)  # else the order would not be tested
    assert list(record["inputs"]) == ["基本信息", "预算执行", "绩效指标"] or len(record["inputs"]) >= 2
    assert record["fingerprint"] == _hashed(record, spelling=4)
    assert record["fingerprint"] not in (_hashed(record, spelling=3), _hashed(record, spelling=2))


def _record_cell(package: dict[str, bytes], change) -> None:
    """The example's record (one cell, AN1) read, changed by `change` and written back, spaced as json.dumps
    spells it (the spelling of the records before 4)."""
    from html import unescape
    from xml.sax.saxutils import escape
    part = summary_part(package)
    xml = package[part].decode()
    found = re.search(r'(<c r="AN1"[^>]*><is><t[^>]*>)(.*?)(</t>)', xml, flags=re.S)
    assert found and not re.search(r'<c r="AN2"', xml), "the example's record is one cell"
    record = json.loads(unescape(found.group(2)))
    change(record)
    text = escape(json.dumps(record, ensure_ascii=False))
    package[part] = (xml[:found.start(2)] + text + xml[found.end(2):]).encode()


@pytest.mark.parametrize(("claimed", "hashed_as"), [(2, 2), (2, 3), (3, 3), (3, 4), (4, 3), (4, 4)])
def test_an_older_copy_is_verified_by_its_own_spelling(scored: Path, tmp_path: Path, claimed: int,
                                                       hashed_as: int) -> None:
    """A record of spelling 2 hashed its inputs sorted, one of spelling 3 in their own order, both spaced as
    json.dumps spells them and keyed sheet!cell: such copies still verify, and one whose hash follows
    another spelling than the one it claims does not."""
    record = _record_of(scored)
    if claimed < 4:
        record["inputs"] = _flat(record["inputs"])
    older = _hashed(record, spelling=hashed_as)

    def change(package):
        def respell(kept: dict) -> None:
            kept.update(inputs=record["inputs"], spelling=claimed, fingerprint=older)
        _record_cell(package, respell)
        for part, data in package.items():
            package[part] = data.replace(record["fingerprint"].encode(), older.encode())
    data = verify(tampered(scored, tmp_path, change))
    if claimed == hashed_as:
        assert data["untouched"] is True and data["mismatches"] == [], data
    else:
        assert data["untouched"] is False
        assert items(data)["评分记录的指纹"] == _hashed(record, spelling=claimed)


def test_inputs_not_kept_as_sheets_of_cells_are_malformed(scored: Path, tmp_path: Path) -> None:
    def change(package):
        _record_cell(package, lambda kept: kept.update(inputs={"绩效指标": "J5"}))
    data = verify(tampered(scored, tmp_path, change))
    assert data["untouched"] is False and items(data)["评分记录的 inputs"] == "格式不正确，无法核对"


def test_a_flagged_cell_with_an_empty_style_is_marked(tmp_path: Path) -> None:
    """J6 holds a word (an error) and is written s="": the mark takes it as the default style (worked by
    hand: the applications show s="" as style 0), the copy is written and verifies as untouched."""
    source = template_copy(tmp_path, "空样式.xlsx")
    edit(source, {"绩效指标": {"J6": "完成"}})
    package = parts(source)
    sheet = sheet_parts_from(package)["绩效指标"]
    package[sheet], count = re.subn(rb'<c r="J6" s="\d+"', b'<c r="J6" s=""', package[sheet])
    assert count == 1
    odd = write_parts(package, tmp_path / "空样式2.xlsx")
    result = CliRunner().invoke(main, ["score", str(odd)])
    assert result.exit_code == 1, result.output  # errors found, no crash
    scored = tmp_path / "空样式2.scored.xlsx"
    marked = re.search(rb'<c r="J6" s="(\d+)"', parts(scored)[sheet])
    assert marked is not None and marked.group(1) != b"0"
    assert CliRunner().invoke(main, ["verify", str(scored)]).exit_code == 0


def test_an_older_records_shown_cells_name_each_cell(scored: Path, tmp_path: Path) -> None:
    """Before spelling 4, "shown" held each cell's reference and its text ("A12": "…"): a copy scored then
    still verifies, cell for cell the same as the rows and letters of today's record."""
    def change(package):
        part = summary_part(package)
        xml = package[part].decode()
        found = re.search(r'"shown":(\{[^{}]*\})', xml)
        assert found, "the example's record is one cell"
        rows = json.loads(found.group(1))
        older = {f"{letter}{row}": "旧的写法" for row, letters in rows.items() for letter in letters.split(",")}
        assert len(older) > 40
        package[part] = xml.replace(found.group(0), '"shown":' + json.dumps(older, ensure_ascii=False)).encode()
    data = verify(tampered(scored, tmp_path, change))
    assert data["untouched"] is True and data["mismatches"] == [], data


@pytest.mark.parametrize(("old", "new", "item"), [
    ('"spelling":4', '"spelling":"4"', "评分记录的写法"), ('"spelling":4', '"spelling":true', "评分记录的写法"),
    ('"spelling":4', '"spelling":1000000000000000000000000000000', "评分记录的写法"),
    ('"spelling":4', '"spelling":2', None),  # inputs kept by sheet in a record claiming an older spelling
    ('"levels":[', '"levels":[{"name":["产出指标"]},', None),
])
def test_a_record_edited_into_odd_types_is_a_change_not_an_internal_error(scored: Path, tmp_path: Path, old: str,
                                                                          new: str, item: str | None) -> None:
    """Each is said to be changed in Chinese (exit 1), never an internal error: a spelling that is no whole number
    this tool writes, a nested record under an older spelling, a level named by a list."""
    data = verify(tampered(scored, tmp_path, _record_edit(old, new)))
    assert data["untouched"] is False
    if item is not None:
        assert "不是本工具的写法" in items(data)[item]


def test_a_record_nested_thousands_deep_is_no_record(scored: Path, tmp_path: Path) -> None:
    """json refuses it by recursion: the copy is read as having no record (exit 1), not as an internal error."""
    deep = '"deep":' + "[" * 20000 + "]" * 20000 + ","
    data = verify(tampered(scored, tmp_path, _record_edit('"tool":', deep + '"tool":')))
    assert data["untouched"] is False


def test_an_input_turned_into_a_formula_showing_another_number_is_a_change(scored: Path, tmp_path: Path) -> None:
    # J7 keeps its stored 100, so every value read is the one scored; but the copy is recalculated on opening,
    # and Excel and WPS then show 90, the formula's number (FORMULA_RESULT_STALE, docs/rules.md §11)
    def change(package: dict[str, bytes]) -> None:
        part = sheet_parts_from(package)["绩效指标"]
        xml = package[part].decode()
        old = re.search(r'<c r="J7"[^>]*><v>100</v></c>', xml).group(0)
        package[part] = xml.replace(old, old.replace("<v>", "<f>90</f><v>")).encode()

    data = verify(tampered(scored, tmp_path, change))
    assert data["untouched"] is False and data["changes"] == []  # no input reads otherwise
    errors = next(m for m in data["mismatches"] if m["item"] == "错误数")
    assert (errors["recorded"], errors["current"]) == ("1", "2")  # J6's word as scored; now J7 too


def _hiding_format(package: dict[str, bytes], cell: str, code: str) -> None:
    """Give `cell` of 绩效指标 a copy of its own style with the custom number format `code` (as a unit could)."""
    styles = etree.fromstring(package["xl/styles.xml"])
    main = styles.nsmap[None]
    numfmts = styles.find(f"{{{main}}}numFmts")
    if numfmts is None:
        numfmts = etree.Element(f"{{{main}}}numFmts")
        styles.insert(0, numfmts)
    etree.SubElement(numfmts, f"{{{main}}}numFmt", numFmtId="300", formatCode=code)
    numfmts.set("count", str(len(numfmts)))
    part = sheet_parts_from(package)["绩效指标"]
    xml = package[part].decode()
    found = re.search(rf'<c r="{cell}"(?: s="(\d+)")?', xml)
    xfs = styles.find(f"{{{main}}}cellXfs")
    copy = deepcopy(xfs[int(found.group(1) or 0)])
    copy.set("numFmtId", "300")
    copy.set("applyNumberFormat", "1")
    xfs.append(copy)
    xfs.set("count", str(len(xfs)))
    package["xl/styles.xml"] = etree.tostring(styles, xml_declaration=True, encoding="UTF-8", standalone=True)
    package[part] = xml.replace(found.group(0), f'<c r="{cell}" s="{len(xfs) - 1}"', 1).encode()


def test_a_number_format_showing_another_number_on_an_input_is_a_change(scored: Path, tmp_path: Path) -> None:
    # J7 holds 100 as scored, and stays so; the format shows 90 for anything above 95 (FORMAT_HIDES_VALUE): what a
    # reader of the sheet sees is no longer what was scored
    data = verify(tampered(scored, tmp_path, lambda package: _hiding_format(package, "J7", '[>95]"90";General')))
    assert data["untouched"] is False and data["changes"] == []
    errors = next(m for m in data["mismatches"] if m["item"] == "错误数")
    assert (errors["recorded"], errors["current"]) == ("1", "2")


def test_an_input_made_the_filled_down_cell_of_another_formula_is_a_change(scored: Path, tmp_path: Path) -> None:
    # J8 becomes =H8 (100, as stored) filled down to J9 as Excel writes it: J9 keeps its stored 90 but points at
    # J8's formula, =H9, which gives 100 once the copy is recalculated
    def change(package: dict[str, bytes]) -> None:
        part = sheet_parts_from(package)["绩效指标"]
        xml = package[part].decode()
        xml = re.sub(r'(<c r="J8"[^>]*>)<v>100</v>', r'\1<f t="shared" ref="J8:J9" si="90">H8</f><v>100</v>', xml)
        xml = re.sub(r'(<c r="J9"[^>]*>)<v>90</v>', r'\1<f t="shared" si="90"/><v>90</v>', xml)
        package[part] = xml.encode()

    data = verify(tampered(scored, tmp_path, change))
    assert data["untouched"] is False and data["changes"] == []
    errors = next(m for m in data["mismatches"] if m["item"] == "错误数")
    assert (errors["recorded"], errors["current"]) == ("1", "2")
