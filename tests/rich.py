"""RICH workbooks: a valid self-evaluation that also carries everything a real user's file may
hold, so that the scored copy can be checked for losing nothing, part by part
(docs/workbook.md §7).

`write_rich(path, problems=…, vba=…)` writes the worked example with XlsxWriter (the layout of
tests/foreign.py) plus: a picture, a native chart, a signature text box, notes (one on a cell
that will be flagged), a drop-down, conditional formats, defined names (global and sheet-local),
an external and an internal hyperlink, a sheet of the user's own (附表 说明, values, a formula and
an Excel table),
custom document properties and, for an .xlsm, an opaque vbaProject.bin. `add_wps_parts(path)`
then adds what only WPS writes (xl/cellimages.xml with its picture, a DISPIMG cell) and a
customXml item, by post-processing the zip.

The part-level helpers (`parts`, `sheet_parts`, `sheet_related`, `content_type`) read the
package with zipfile + lxml only, independently of the tool's own ooxml module.
"""
from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from lxml import etree

from foreign import BudgetLayout, IndicatorLayout, Pct, Written, _write_budget, _write_indicators, _write_info

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_TYPE = NS_REL + "/"
MACRO_MAIN_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_MAIN_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

USER_SHEET = "附表 说明"
INFO_SHEET, BUDGET_SHEET, INDICATOR_SHEET = "基本信息", "预算执行", "绩效指标"
USER_NOTE = "原始批注：实际完成值待核实（会计）"
OTHER_NOTE = "用户批注：数据来自镇政府台账"
INFO_NOTE = "用户批注：单位名称以公章为准"
POLICY_LINK = "https://czj.example.gov.cn/zcwj/2024-109"
SIGNATURE = "单位负责人签字：__________    财务负责人签字：__________"
CUSTOM_PROPERTIES = {"填报单位": "井陉县南障城镇人民政府", "评价年度": 2025, "已复核": True}
VBA_BLOB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8 + "宏工程（测试用不透明数据）".encode("utf-8")
CELLIMAGE_ID = "ID_5F3C2A1B9E8D4C7BA6F0E1D2C3B4A596"
WPS_CELLIMAGE_REL = "http://www.wps.cn/officeDocument/2020/cellImage"
WPS_CELLIMAGE_CT = "application/vnd.wps-officedocument.cellimage+xml"
CUSTOMXML_REL = REL_TYPE + "customXml"
CUSTOMXML_PROPS_REL = REL_TYPE + "customXmlProps"
CUSTOMXML_PROPS_CT = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
CUSTOMXML_ITEM = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<b:Sources xmlns:b="http://schemas.openxmlformats.org/officeDocument/2006/bibliography" '
                  'SelectedStyle="\\APA.XSL" StyleName="APA"><b:Source><b:Tag>县财政局2025</b:Tag>'
                  '<b:Title>部门整体支出绩效自评（附件）</b:Title></b:Source></b:Sources>').encode("utf-8")
CUSTOMXML_PROPS = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
                   '<ds:datastoreItem ds:itemID="{6E9B1D2C-3A4F-4B5C-9D8E-7F6A5B4C3D2E}" '
                   'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
                   '<ds:schemaRefs><ds:schemaRef ds:uri="http://schemas.openxmlformats.org/officeDocument/2006/bibliography"/>'
                   '</ds:schemaRefs></ds:datastoreItem>').encode("utf-8")


def png(width: int = 6, height: int = 4, rgb: tuple[int, int, int] = (192, 0, 0)) -> bytes:
    """A small valid PNG (truecolour, one colour), made with struct and zlib."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@dataclass
class Rich:
    path: Path
    written: Written
    flagged: str = ""  # the cell (绩效指标) that carries the user's note and will be flagged
    flagged_codes: tuple[str, ...] = ()
    problem_cells: dict[str, tuple[str, ...]] = field(default_factory=dict)  # sheet → cells expected to be marked
    noted_cells: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, cell) → the user's note
    hyperlinks: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, cell) → target or location


def write_rich(path: Path, *, problems: bool = False, vba: bytes | None = None) -> Rich:
    """The worked example (scores 98.40) plus every kind of content a user may have added.

    problems: the first indicator's actual is typed 完成 (VALUE_NOT_NUMBER, on a cell with the
    user's note) and the second indicator's weight is left empty (WEIGHT_INVALID, on a cell
    that does not exist in the file), both on 绩效指标, which has notes, a chart, a drop-down and
    a conditional format; and a budget line's rate is typed wrong (EXECUTION_RATE_MISMATCH) on
    预算执行, which has no notes yet but a conditional format and an external link.
    vba: write an .xlsm with this opaque vbaProject.bin (the path must end .xlsm).
    """
    path = Path(path)
    overrides: dict[tuple[int, str], object] = {}
    budget_overrides: dict[tuple[str, str], object] = {}
    if problems:
        overrides = {(0, "actual"): "完成", (1, "weight"): None}
        budget_overrides = {("日常公用经费", "rate"): Pct(Decimal("0.5"))}
    book = xlsxwriter.Workbook(str(path))
    if vba is not None:
        assert path.suffix.lower() == ".xlsm", "XlsxWriter writes a macro workbook only as .xlsm"
        book.add_vba_project(io.BytesIO(vba), is_stream=True)
    written = Written(path)
    _write_info(book, INFO_SHEET)
    _write_budget(book, BudgetLayout(override=budget_overrides), written)
    _write_indicators(book, IndicatorLayout(override=overrides), written)
    rich = Rich(path, written)
    info, budget, indicators = (book.get_worksheet_by_name(n) for n in (INFO_SHEET, BUDGET_SHEET, INDICATOR_SHEET))

    # A picture and the signature text box on 基本信息.
    info.insert_image("D2", "单位印章.png", {"image_data": io.BytesIO(png()), "x_scale": 8, "y_scale": 8,
                                           "description": "单位印章"})
    info.insert_textbox("D16", SIGNATURE, {"width": 420, "height": 60, "font": {"name": "宋体", "size": 12}})

    # Notes: one on the cell that will be flagged, one elsewhere; one on 基本信息 (never flagged).
    actual0 = written.indicator_cells[(0, "actual")]
    rich.flagged = actual0
    indicators.write_comment(actual0, USER_NOTE, {"author": "会计"})
    name0 = written.indicator_cells[(0, "name")]
    indicators.write_comment(name0, OTHER_NOTE, {"author": "会计"})
    info.write_comment("B3", INFO_NOTE)
    rich.noted_cells = {(INDICATOR_SHEET, actual0): USER_NOTE, (INDICATOR_SHEET, name0): OTHER_NOTE,
                        (INFO_SHEET, "B3"): INFO_NOTE}
    if problems:
        rich.flagged_codes = ("VALUE_NOT_NUMBER",)
        rich.problem_cells = {INDICATOR_SHEET: (actual0, written.indicator_cells[(1, "weight")]),
                              BUDGET_SHEET: (written.cells[("日常公用经费", "rate")],)}

    # A drop-down on 指标性质 and a conditional format on 实际完成值 (绩效指标); one on 执行率 (预算执行).
    first, last = written.indicator_rows[0], written.indicator_rows[-1]
    nature_col = written.indicator_cells[(0, "nature")].rstrip("0123456789")
    actual_col = actual0.rstrip("0123456789")
    indicators.data_validation(f"{nature_col}{first}:{nature_col}{last}",
                               {"validate": "list", "source": ["定量", "定性"], "error_title": "指标性质",
                                "error_message": "请从下拉列表中选择"})
    red = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    indicators.conditional_format(f"{actual_col}{first}:{actual_col}{last}",
                                  {"type": "cell", "criteria": "<", "value": 90, "format": red})
    rate_cell = written.cells[("人员经费", "rate")]
    rate_col = rate_cell.rstrip("0123456789")
    budget.conditional_format(f"{rate_col}2:{rate_col}40", {"type": "cell", "criteria": "<", "value": 0.9,
                                                           "format": red})
    budget.write_url("J2", POLICY_LINK, string="冀财教[2024]109号")
    rich.hyperlinks[(BUDGET_SHEET, "J2")] = POLICY_LINK

    # A native chart of the weights on 绩效指标.
    weight_col = written.indicator_cells[(0, "weight")].rstrip("0123456789")
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": "分值", "values": f"='{INDICATOR_SHEET}'!${weight_col}${first}:${weight_col}${last}",
                      "categories": f"='{INDICATOR_SHEET}'!$E${first}:$E${last}"})
    chart.set_title({"name": "各指标分值"})
    indicators.insert_chart(f"O{first}", chart)

    # The user's own sheet: values, a formula (with its cached value), an external and an internal link.
    own = book.add_worksheet(USER_SHEET)
    own.write_string("A1", "附表说明")
    own.write_string("A2", "上年结转")
    own.write_number("B2", 12345.5)
    own.write_string("A3", "本年新增")
    own.write_number("B3", 654.5)
    own.write_string("A4", "合计")
    own.write_formula("B4", "=SUM(B2:B3)", None, 13000)
    own.add_table("A10:C13", {"name": "附表明细", "style": "Table Style Light 9",
                              "columns": [{"header": "事项"}, {"header": "金额"}, {"header": "备注"}],
                              "data": [["差旅", 1200, "已报销"], ["培训", 800, ""], ["印刷", 350.5, "含税"]]})
    own.write_url("A6", "https://czj.example.gov.cn/jxpj/2025", string="县财政局绩效评价通知")
    own.write_url("A7", f"internal:'{INDICATOR_SHEET}'!A1", string="转到绩效指标")
    rich.hyperlinks.update({(USER_SHEET, "A6"): "https://czj.example.gov.cn/jxpj/2025",
                            (USER_SHEET, "A7"): f"'{INDICATOR_SHEET}'!A1"})

    # Defined names: a global one and one local to the user's sheet.
    book.define_name("结转合计", f"='{USER_SHEET}'!$B$4")
    book.define_name(f"'{USER_SHEET}'!本表数据", f"='{USER_SHEET}'!$A$1:$B$4")

    for name, value in CUSTOM_PROPERTIES.items():
        book.set_custom_property(name, value)
    book.set_properties({"title": "2025年度部门整体支出绩效自评", "author": "马智",
                         "company": "井陉县南障城镇人民政府"})
    book.close()
    return rich


# --- WPS-only parts and custom XML, added by post-processing the zip -----------------------------------

def add_wps_parts(path: Path) -> None:
    """Add xl/cellimages.xml (WPS's pictures-in-cells, with its image and rels, a content-type
    override and the workbook relationship), a DISPIMG formula cell on the user's sheet, and a
    customXml item with its properties part and rels."""
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        parts = {info.filename: source.read(info.filename) for info in infos}
    ct = etree.fromstring(parts["[Content_Types].xml"])
    etree.SubElement(ct, f"{{{NS_CT}}}Override", PartName="/xl/cellimages.xml", ContentType=WPS_CELLIMAGE_CT)
    etree.SubElement(ct, f"{{{NS_CT}}}Override", PartName="/customXml/itemProps1.xml", ContentType=CUSTOMXML_PROPS_CT)
    if not any(el.get("Extension") == "png" for el in ct.iter(f"{{{NS_CT}}}Default")):
        ct.insert(0, etree.Element(f"{{{NS_CT}}}Default", Extension="png", ContentType="image/png"))
    parts["[Content_Types].xml"] = etree.tostring(ct, xml_declaration=True, encoding="UTF-8", standalone=True)
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    taken = {el.get("Id") for el in rels}
    n = len(taken) + 1
    while f"rId{n}" in taken:
        n += 1
    etree.SubElement(rels, f"{{{NS_PKG_REL}}}Relationship", Id=f"rId{n}", Type=WPS_CELLIMAGE_REL,
                     Target="cellimages.xml")
    etree.SubElement(rels, f"{{{NS_PKG_REL}}}Relationship", Id=f"rId{n + 1}", Type=CUSTOMXML_REL,
                     Target="../customXml/item1.xml")
    parts["xl/_rels/workbook.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["xl/cellimages.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<etc:cellImages xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:etc="http://www.wps.cn/officeDocument/2017/etCustomData"><etc:cellImage><xdr:pic><xdr:nvPicPr>'
        f'<xdr:cNvPr id="2" name="{CELLIMAGE_ID}" descr="单元格内图片"/><xdr:cNvPicPr><a:picLocks noChangeAspect="1"/>'
        '</xdr:cNvPicPr></xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch>'
        '</xdr:blipFill><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="571500" cy="381000"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic></etc:cellImage></etc:cellImages>'
    ).encode("utf-8")
    parts["xl/_rels/cellimages.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{REL_TYPE}image" '
        'Target="media/wpsimage1.png"/></Relationships>').encode("utf-8")
    parts["xl/media/wpsimage1.png"] = png(5, 5, (0, 112, 192))
    parts["customXml/item1.xml"] = CUSTOMXML_ITEM
    parts["customXml/itemProps1.xml"] = CUSTOMXML_PROPS
    parts["customXml/_rels/item1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{CUSTOMXML_PROPS_REL}" '
        'Target="itemProps1.xml"/></Relationships>').encode("utf-8")
    # The cell that shows WPS's picture: =DISPIMG("ID_…",1) on the user's own sheet, as WPS writes it.
    own = sheet_parts_from(parts)[USER_SHEET]
    cell = (f'<c r="C2" t="str"><f>_xlfn.DISPIMG("{CELLIMAGE_ID}",1)</f>'
            f'<v>=DISPIMG("{CELLIMAGE_ID}",1)</v></c>').encode("utf-8")
    data = parts[own]
    head, sep, tail = data.partition(b'<c r="B2"')
    end = tail.index(b"</c>") + 4 if b"</c>" in tail[:tail.index(b"</row>")] else tail.index(b"/>") + 2
    parts[own] = head + sep + tail[:end] + cell + tail[end:]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


# --- reading packages part by part ------------------------------------------------------------------------

def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def relationships(package: dict[str, bytes], part: str) -> list[tuple[str, str, str]]:
    """(Id, type, absolute target part or external URL) of a part's relationships."""
    name = _rels_name(part)
    if name not in package:
        return []
    folder = posixpath.dirname(part)
    result = []
    for el in etree.fromstring(package[name]):
        target = el.get("Target", "")
        if el.get("TargetMode") != "External":
            target = (target.lstrip("/") if target.startswith("/")
                      else posixpath.normpath(posixpath.join(folder, target)))
        result.append((el.get("Id"), el.get("Type"), target))
    return result


def workbook_part(package: dict[str, bytes]) -> str:
    root = etree.fromstring(package["_rels/.rels"])
    return next(el.get("Target").lstrip("/") for el in root if el.get("Type", "").endswith("/officeDocument"))


def sheet_parts_from(package: dict[str, bytes]) -> dict[str, str]:
    """Sheet name → worksheet part, in workbook order."""
    wb_part = workbook_part(package)
    targets = {rid: target for rid, _, target in relationships(package, wb_part)}
    wb = etree.fromstring(package[wb_part])
    return {el.get("name"): targets[el.get(f"{{{NS_REL}}}id")] for el in wb.iter(f"{{{NS_MAIN}}}sheet")}


def sheet_parts(path: Path) -> dict[str, str]:
    return sheet_parts_from(parts(path))


def sheet_related(package: dict[str, bytes], part: str, kind: str) -> list[str]:
    """Parts related to `part` by relationships whose type ends with /kind (comments, vmlDrawing, drawing …)."""
    return [target for _, rel_type, target in relationships(package, part) if rel_type.endswith("/" + kind)]


def content_type(package: dict[str, bytes], part: str) -> str | None:
    root = etree.fromstring(package["[Content_Types].xml"])
    for el in root.iter(f"{{{NS_CT}}}Override"):
        if el.get("PartName") == "/" + part:
            return el.get("ContentType")
    ext = part.rsplit(".", 1)[-1].lower()
    for el in root.iter(f"{{{NS_CT}}}Default"):
        if el.get("Extension", "").lower() == ext:
            return el.get("ContentType")
    return None



# --- a link to another workbook ----------------------------------------------------------------------------

EXTERNAL_LINK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"
EXTERNAL_BOOK = "2025年预算批复.xlsx"


def add_external_link(path: Path) -> None:
    """Make the workbook refer to another workbook, as Excel saves it: an externalLink part (with
    the cached value of 预算批复!B2 and a relationship to the other file), a content-type override,
    the workbook's relationship and <externalReferences> right after <sheets>."""
    with zipfile.ZipFile(path) as source:
        package = {info.filename: source.read(info.filename) for info in source.infolist()}
    ct = etree.fromstring(package["[Content_Types].xml"])
    etree.SubElement(ct, f"{{{NS_CT}}}Override", PartName="/xl/externalLinks/externalLink1.xml",
                     ContentType=EXTERNAL_LINK_CT)
    package["[Content_Types].xml"] = etree.tostring(ct, xml_declaration=True, encoding="UTF-8", standalone=True)
    rels = etree.fromstring(package["xl/_rels/workbook.xml.rels"])
    rid = f"rId{len(rels) + 1}"
    etree.SubElement(rels, f"{{{NS_PKG_REL}}}Relationship", Id=rid, Type=REL_TYPE + "externalLink",
                     Target="externalLinks/externalLink1.xml")
    package["xl/_rels/workbook.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                                           standalone=True)
    wb = etree.fromstring(package["xl/workbook.xml"])
    assert wb.find(f"{{{NS_MAIN}}}definedNames") is None, "the case is a workbook without defined names"
    refs = etree.Element(f"{{{NS_MAIN}}}externalReferences")
    etree.SubElement(refs, f"{{{NS_MAIN}}}externalReference").set(f"{{{NS_REL}}}id", rid)
    wb.find(f"{{{NS_MAIN}}}sheets").addnext(refs)
    package["xl/workbook.xml"] = etree.tostring(wb, xml_declaration=True, encoding="UTF-8", standalone=True)
    package["xl/externalLinks/externalLink1.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<externalLink xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><externalBook r:id="rId1"><sheetNames>'
        '<sheetName val="预算批复"/></sheetNames><sheetDataSet><sheetData sheetId="0"><row r="2"><cell r="B2">'
        '<v>6929916.47</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>').encode("utf-8")
    package["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{REL_TYPE}externalLinkPath" '
        f'Target="{EXTERNAL_BOOK}" TargetMode="External"/></Relationships>').encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in package.items():
            target.writestr(name, data)
