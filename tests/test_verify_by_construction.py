"""verify rebuilds 评分汇总 for the recomputed result and compares what a reader sees, part by part.

Each probe is an edit a unit could make to its scored copy so that the county reads another score or
misses a problem, while the inputs and even the record's copy of what was shown stay consistent.
Each was accepted as 评分后未被改动 before the comparison was built from the recomputed result."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from rich import parts, sheet_parts_from, sheet_related
from selfeval_xl.cli.app import main
from test_trust_verify import items, summary_part, tampered, total_cell, verify
from workbooks import edit, template_copy

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with one problem (J6 is a word, flagged and noted, so the problem list has rows), scored."""
    folder = tmp_path_factory.mktemp("shown")
    source = template_copy(folder, "示例.xlsx")
    edit(source, {"绩效指标": {"J6": "完成"}})
    assert CliRunner().invoke(main, ["score", str(source)]).exit_code == 1
    return folder / "示例.scored.xlsx"


def _grade_cell(package: dict[str, bytes]) -> str:
    """The grade sits two columns right of the total on the same row (C: the word 等级, D: the grade)."""
    ref = total_cell(package)
    return "D" + ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _set_text(package: dict[str, bytes], ref: str, text: str) -> None:
    part = summary_part(package)
    package[part] = re.sub(rf'<c r="{ref}" s="(\d+)"[^>]*?(?:/>|>.*?</c>)'.encode(),
                           lambda m: (f'<c r="{ref}" s="{m.group(1).decode()}" t="inlineStr"><is><t>{text}</t></is>'
                                      "</c>").encode(), package[part], count=1, flags=re.S)


def _set_number(package: dict[str, bytes], ref: str, number: str) -> None:
    part = summary_part(package)
    package[part] = re.sub(rf'(<c r="{ref}" s="\d+"[^>]*>)<v>[^<]*</v>'.encode(),
                           lambda m: m.group(1) + f"<v>{number}</v>".encode(), package[part], count=1)


def _edit_sheet(package: dict[str, bytes], pattern: bytes, replacement: bytes, count: int = 1) -> None:
    part = summary_part(package)
    new = re.sub(pattern, replacement, package[part], count=count)
    assert new != package[part], pattern
    package[part] = new


def _edit_workbook(package: dict[str, bytes], change) -> None:
    package["xl/workbook.xml"] = change(package["xl/workbook.xml"])


def _changed(data: dict) -> dict[str, str | None]:
    assert data["untouched"] is False, data
    return items(data)


def test_total_and_grade_rewritten(scored: Path, tmp_path: Path) -> None:
    """The editor rewrites the total and the grade. The record names the cells that show something, not
    what they show, so there is no copy of the total to rewrite alongside; the recomputed result disagrees."""
    def change(package):
        total, grade = total_cell(package), _grade_cell(package)
        _set_number(package, total, "92.5")
        _set_text(package, grade, "优秀")
        row = re.fullmatch(r"[A-Z]+(\d+)", total).group(1)
        assert re.search(rf'(&quot;|"){row}\1:\1[A-Z,]+\1'.encode(), package[summary_part(package)])
    found = _changed(verify(tampered(scored, tmp_path, change)))
    total = [k for k, v in found.items() if v and "92.5" in v]
    assert total, found


def test_problem_rows_emptied_and_valid_shown(scored: Path, tmp_path: Path) -> None:
    def change(package):
        xml = package[summary_part(package)].decode()
        ref = re.search(r'<c r="([A-Z]+\d+)"[^>]*t="inlineStr"><is><t[^>]*>校验未通过', xml).group(1)
        _set_text(package, ref, "校验通过")
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert any("校验通过" in (v or "") for v in found.values()), found


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_the_summary_hidden(scored: Path, tmp_path: Path, state: str) -> None:
    def change(package):
        _edit_workbook(package, lambda xml: re.sub('(<sheet [^>]*name="评分汇总")'.encode(),
                                                   lambda m: m.group(1) + f' state="{state}"'.encode(), xml, count=1))
    assert _changed(verify(tampered(scored, tmp_path, change)))["评分汇总"] == "评分汇总工作表被隐藏"


@pytest.mark.parametrize("lookalike", ["评分汇总\u200b", "评分汇总 ", "評分匯總", "评分汇总\u3000"])
def test_a_lookalike_sheet_placed_first(scored: Path, tmp_path: Path, lookalike: str) -> None:
    def change(package):
        wb = package["xl/workbook.xml"].decode()
        summary = re.search(r'<sheet [^>]*name="评分汇总"[^>]*/>', wb).group(0)
        rid = re.search(r'r:id="(rId\d+)"', summary).group(1)
        copy = f'<sheet xmlns:r="{NS_REL}" name="{lookalike}" sheetId="99" r:id="{rid}"/>'
        package["xl/workbook.xml"] = wb.replace(summary, copy + summary).encode()
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert lookalike in found and "冒充评分汇总" in (found[lookalike] or "")


def test_conditional_formatting_on_the_summary(scored: Path, tmp_path: Path) -> None:
    rule = (b'</sheetData><conditionalFormatting sqref="A1:F200"><cfRule type="expression" dxfId="0" priority="1">'
            b"<formula>TRUE</formula></cfRule></conditionalFormatting>")
    found = _changed(verify(tampered(scored, tmp_path, lambda p: _edit_sheet(p, rb"</sheetData>", rule))))
    assert found["评分汇总"] == "设置了条件格式，显示的颜色或内容可能与数值不同"


def _restyle(package: dict[str, bytes], ref: str, xf: str, *, font: str = "", numfmt: str = "",
             style_xf: str = "") -> None:
    styles = package["xl/styles.xml"].decode()
    if font:
        fonts = re.search(r"<fonts[^>]*>", styles)
        count = len(re.findall(r"<font>|<font ", styles.split("</fonts>")[0]))
        styles = styles.replace("</fonts>", font + "</fonts>", 1)
        xf = xf.replace("FONT", str(count))
        assert fonts
    if numfmt:
        if re.search(r"<numFmts[^>]*/>", styles):
            styles = re.sub(r"<numFmts[^>]*/>", f"<numFmts>{numfmt}</numFmts>", styles, count=1)
        elif "<numFmts" in styles:
            styles = re.sub(r"(<numFmts[^>]*>)", lambda m: m.group(1) + numfmt, styles, count=1)
        else:
            styles = re.sub(r"(<styleSheet[^>]*>)", lambda m: m.group(1) + f"<numFmts>{numfmt}</numFmts>", styles,
                            count=1)
    if style_xf:
        styles = styles.replace("</cellStyleXfs>", style_xf + "</cellStyleXfs>", 1)
        parent = len(re.findall(r"<xf ", styles.split("<cellStyleXfs", 1)[1].split("</cellStyleXfs>")[0])) - 1
        xf = xf.replace("PARENT", str(parent))
    index = len(re.findall(r"<xf ", styles.split("<cellXfs", 1)[1].split("</cellXfs>")[0]))
    package["xl/styles.xml"] = styles.replace("</cellXfs>", xf + "</cellXfs>", 1).encode()
    _edit_sheet(package, rf'<c r="{ref}" s="\d+"'.encode(), f'<c r="{ref}" s="{index}"'.encode())


def test_white_text_on_the_grade(scored: Path, tmp_path: Path) -> None:
    def change(package):
        _restyle(package, _grade_cell(package), '<xf numFmtId="0" fontId="FONT" fillId="0" borderId="0"/>',
                 font='<font><sz val="20"/><color rgb="FFFFFFFF"/><name val="宋体"/></font>')
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert "文字颜色被改动" in found.values() or "单元格底色被改动" in found.values(), found


def test_one_point_type_on_the_total(scored: Path, tmp_path: Path) -> None:
    def change(package):
        _restyle(package, total_cell(package), '<xf numFmtId="2" fontId="FONT" fillId="0" borderId="0"/>',
                 font='<font><b/><sz val="1"/><name val="宋体"/></font>')
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert any((v or "").startswith("字号被改为 1") for v in found.values()), found


def _total_style(package: dict[str, bytes]) -> tuple[str, str]:
    """The total's cell and its own cellXfs entry."""
    ref = total_cell(package)
    index = int(re.search(rf'<c r="{ref}" s="(\d+)"', package[summary_part(package)].decode()).group(1))
    styles = package["xl/styles.xml"].decode()
    return ref, re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", styles.split("<cellXfs", 1)[1], flags=re.S)[index]


def test_a_number_format_carried_by_a_named_cell_style(scored: Path, tmp_path: Path) -> None:
    """The cell's own entry keeps 0.00 but defers to its named style, whose format prints other text:
    LibreOffice shows the named style's."""
    def change(package):
        ref, own = _total_style(package)
        font, fill = re.search(r'fontId="(\d+)"', own).group(1), re.search(r'fillId="(\d+)"', own).group(1)
        deferring = re.sub(r'xfId="\d+"', 'xfId="PARENT"', own).replace('applyNumberFormat="1"',
                                                                         'applyNumberFormat="0"')
        _restyle(package, ref, deferring, numfmt='<numFmt numFmtId="301" formatCode="&quot;92.50&quot;"/>',
                 style_xf=f'<xf numFmtId="301" fontId="{font}" fillId="{fill}" borderId="0"/>')
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert any("92.50" in (v or "") for v in found.values()), found


def test_a_column_at_width_zero(scored: Path, tmp_path: Path) -> None:
    change = lambda p: _edit_sheet(p, rb'<col min="2" max="2" width="[0-9.]+"', b'<col min="2" max="2" width="0"')  # noqa: E731
    assert _changed(verify(tampered(scored, tmp_path, change)))["评分汇总!B列"].startswith("列宽被改为 0")


def test_a_row_at_height_a_tenth(scored: Path, tmp_path: Path) -> None:
    def change(package):
        row = total_cell(package).lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        _edit_sheet(package, rf'<row r="{row}"[^>]*>'.encode(), f'<row r="{row}" ht="0.1" customHeight="1">'.encode())
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert any(v == "行高被改为 0.1，内容显示不全" for v in found.values()), found


def test_zero_height_rows_by_default(scored: Path, tmp_path: Path) -> None:
    change = lambda p: _edit_sheet(p, rb"<sheetFormatPr ", b'<sheetFormatPr zeroHeight="1" ')  # noqa: E731
    assert _changed(verify(tampered(scored, tmp_path, change)))["评分汇总"] == "未填写高度的行被设为隐藏（zeroHeight）"


def test_a_merge_over_the_total(scored: Path, tmp_path: Path) -> None:
    def change(package):
        total = total_cell(package)
        row = total.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        _edit_sheet(package, rb'<mergeCells count="(\d+)">', f'<mergeCells><mergeCell ref="A{row}:B{row}"/>'.encode())
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert any(v == "新增了合并单元格，可能遮住内容" for v in found.values()), found


def test_the_chart_retitled_and_moved_over_the_table(scored: Path, tmp_path: Path) -> None:
    def change(package):
        drawing = sheet_related(package, summary_part(package), "drawing")[0]
        package[drawing] = re.sub(rb"<xdr:from><xdr:col>\d+</xdr:col>(.*?)<xdr:row>\d+</xdr:row>",
                                  rb"<xdr:from><xdr:col>0</xdr:col>\1<xdr:row>3</xdr:row>", package[drawing],
                                  count=1, flags=re.S)
        chart = [n for n in package if n.startswith("xl/charts/chart")][-1]
        package[chart] = package[chart].replace("各一级指标得分与分值".encode(), "总分 92.50 优秀".encode())
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert "图表被移动，可能遮住了表格" in found.values() or "评分汇总 的图表" in found, found
    chart_items = [m["current"] for m in verify(tampered(scored, tmp_path, change))["mismatches"]
                   if m["item"] == "评分汇总 的图表"]
    assert "图表被移动，可能遮住了表格" in chart_items
    assert "图表标题被改为“总分 92.50 优秀”" in chart_items


def test_an_always_visible_note_on_the_summary(scored: Path, tmp_path: Path) -> None:
    def change(package):
        part = summary_part(package)
        rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        package["xl/comments99.xml"] = (f'<comments xmlns="{NS_MAIN}"><authors><author>x</author></authors>'
                                        '<commentList><comment ref="B9" authorId="0"><text><t>总分 92.5</t></text>'
                                        "</comment></commentList></comments>").encode()
        package[rels] = package[rels].replace(
            b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
                                 b'2006/relationships/comments" Target="../comments99.xml"/></Relationships>')
    assert _changed(verify(tampered(scored, tmp_path, change)))["评分汇总"] == "汇总表上加了批注，可能遮住内容"


def test_a_print_header_with_other_text(scored: Path, tmp_path: Path) -> None:
    header = "<headerFooter><oddHeader>&amp;C总分 92.50 优秀</oddHeader>".encode()
    change = lambda p: _edit_sheet(p, rb"<headerFooter>", header)  # noqa: E731
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert found["评分汇总 的页眉页脚（oddHeader）"] == "打印时会多出文字“总分92.50优秀”"


def test_a_print_area_that_drops_the_total(scored: Path, tmp_path: Path) -> None:
    def change(package):
        _edit_workbook(package, lambda xml: xml.replace(
            b"<definedNames>", "<definedNames><definedName name=\"_xlnm.Print_Area\" localSheetId=\"0\">"
                               "'评分汇总'!$A$20:$F$60</definedName>".encode(), 1))
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert found["评分汇总 的打印设置"] == "设置了打印区域或打印标题，打印出来的内容可能不全"


def test_a_retargeted_indicator_link(scored: Path, tmp_path: Path) -> None:
    def change(package):
        _edit_sheet(package, "location=\"'绩效指标'!E4\"".encode(), "location=\"'绩效指标'!E9\"".encode())
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert any("链接指向“'绩效指标'!E9”" in (v or "") for v in found.values()), found


def test_a_sheet_scoped_fingerprint_before_the_global_one(scored: Path, tmp_path: Path) -> None:
    def change(package):
        wb = package["xl/workbook.xml"].decode()
        global_name = re.search(r'<definedName name="selfeval_fingerprint">[^<]*</definedName>', wb).group(0)
        local = global_name.replace('name="selfeval_fingerprint"', 'name="selfeval_fingerprint" localSheetId="0"')
        package["xl/workbook.xml"] = wb.replace(global_name, local + global_name).encode()
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert found["名称 selfeval_fingerprint"] == "出现了只属于某个工作表的同名名称，可能顶替评分时的指纹"


def test_the_untouched_copy_still_verifies_with_a_tab_reselected(scored: Path, tmp_path: Path) -> None:
    """Which tab is active is the reader's own business."""
    def change(package):
        _edit_workbook(package, lambda xml: re.sub(rb'activeTab="\d+"', b'activeTab="3"', xml))
        for part in sheet_parts_from(package).values():
            package[part] = package[part].replace(b'tabSelected="1"', b'tabSelected="0"')
    assert verify(tampered(scored, tmp_path, change))["untouched"] is True


@pytest.mark.libreoffice
def test_a_copy_with_problems_resaved_by_libreoffice_still_verifies(scored: Path, tmp_path: Path, lo_convert) -> None:
    """LibreOffice renumbers styles, substitutes fonts, writes every row's height and rich-text runs
    for mixed scripts, groups columns and rewrites the chart: none of it is an edit."""
    (resaved,) = lo_convert([scored], tmp_path / "lo")
    data = verify(resaved)
    assert data["untouched"] is True, data["mismatches"]
    # and an edit made there is still found
    package = parts(resaved)
    part = sheet_parts_from(package)["评分汇总"]
    package[part] = re.sub(rb'(<row r="9"[^>]*?) hidden="(?:false|0)"', rb'\1 hidden="true"', package[part])
    from test_trust_reader import write_parts
    data = verify(write_parts(package, tmp_path / "lo-hidden.xlsx"))
    assert data["untouched"] is False and "行被隐藏" in items(data).values()


@pytest.mark.parametrize("spelled", [" 2", "+2", "2 ", "2.0"])
def test_a_builtin_format_redefined_under_another_spelling_of_its_id(scored: Path, tmp_path: Path,
                                                                     spelled: str) -> None:
    """numFmtId=" 2" (or "+2", "2 ", "2.0") names format 2 for LibreOffice as "2" does: a code defined under it
    prints 100.00 for the total through every cell of format 2. verify reads the id as applications do."""
    def change(package):
        numfmt = f'<numFmt numFmtId="{spelled}" formatCode="[&gt;98]&quot;100.00&quot;;0.00"/>'
        styles = package["xl/styles.xml"].decode()
        if "<numFmts" in styles and not re.search(r"<numFmts[^>]*/>", styles):
            styles = re.sub(r"(<numFmts[^>]*>)", lambda m: m.group(1) + numfmt, styles, count=1)
        else:
            styles = re.sub(r"<numFmts[^>]*/>", "", styles)
            styles = re.sub(r"(<styleSheet[^>]*>)", lambda m: m.group(1) + f"<numFmts>{numfmt}</numFmts>", styles,
                            count=1)
        package["xl/styles.xml"] = styles.encode()
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert any("100.00" in (v or "") for v in found.values()), found


def test_the_total_in_a_colour_tinted_almost_white(scored: Path, tmp_path: Path) -> None:
    """The theme's dark text with tint 0.9999 is all but white: the total cannot be read; said as a colour change."""
    def change(package):
        ref, own = _total_style(package)
        styles = package["xl/styles.xml"].decode()
        font_id = int(re.search(r'fontId="(\d+)"', own).group(1))
        fonts = re.findall(r"<font>.*?</font>|<font/>", styles.split("<fonts", 1)[1].split("</fonts>")[0], flags=re.S)
        tinted = re.sub(r"<color [^>]*/>", "", fonts[font_id]).replace("</font>",
                                                                        '<color theme="1" tint="0.9999"/></font>')
        _restyle(package, ref, re.sub(r'fontId="\d+"', 'fontId="FONT"', own), font=tinted)
    found = _changed(verify(tampered(scored, tmp_path, change)))
    assert any("颜色" in (v or "") for v in found.values()), found


def _chart_items(scored: Path, tmp_path: Path, change) -> list[str]:
    data = verify(tampered(scored, tmp_path, change))
    assert data["untouched"] is False
    return [m["current"] for m in data["mismatches"] if m["item"] == "评分汇总 的图表"]


def _edit_chart(package: dict[str, bytes], old: bytes, new: bytes) -> None:
    chart = [n for n in package if n.startswith("xl/charts/chart")][-1]
    assert old in package[chart]
    package[chart] = package[chart].replace(old, new, 1)


def test_the_chart_fed_from_other_cells(scored: Path, tmp_path: Path) -> None:
    """The 得分 bars pointed at the 口径分值 column (every level at full marks), or given literal values."""
    def other_cells(package):
        chart = [n for n in package if n.startswith("xl/charts/chart")][-1]
        refs = re.findall(rb"<c:val><c:numRef><c:f>([^<]*)</c:f>", package[chart])
        _edit_chart(package, b"<c:val><c:numRef><c:f>" + refs[-1], b"<c:val><c:numRef><c:f>" + refs[0])
    assert "图表的数据不再取自汇总表的一级指标得分" in _chart_items(scored, tmp_path, other_cells)

    def literal(package):
        chart = [n for n in package if n.startswith("xl/charts/chart")][-1]
        package[chart] = re.sub(rb"<c:val><c:numRef>.*?</c:numRef></c:val>",
                                b'<c:val><c:numLit><c:ptCount val="1"/><c:pt idx="0"><c:v>40</c:v></c:pt></c:numLit>'
                                b"</c:val>", package[chart], count=1, flags=re.S)
    assert "图表的数据不再取自汇总表的一级指标得分" in _chart_items(scored, tmp_path, literal)


def test_a_second_title_or_a_negative_offset_on_the_chart(scored: Path, tmp_path: Path) -> None:
    """An axis title is text on the chart beside its title; a negative rowOff slides the chart over the table."""
    title = ('<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>总分 100.00 优秀</a:t></a:r></a:p></c:rich></c:tx>'
             "</c:title>").encode()
    items = _chart_items(scored, tmp_path, lambda p: _edit_chart(p, b"<c:valAx>", b"<c:valAx>" + title))
    assert "图表标题被改为“总分 100.00 优秀”" in items

    def slid(package):
        drawing = sheet_related(package, summary_part(package), "drawing")[0]
        package[drawing] = re.sub(rb"(<xdr:from>.*?<xdr:rowOff>)\d+", rb"\g<1>-3000000", package[drawing], count=1,
                                  flags=re.S)
    assert "图表被移动，可能遮住了表格" in _chart_items(scored, tmp_path, slid)
