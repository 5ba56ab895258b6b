"""Fuzz: whatever a person or a program puts in the template's input cells, `check` and `score` answer.

The example template is filled with openpyxl (numbers, booleans, dates, strings, errors, formulas
without a cached value) and then, for what openpyxl cannot write, its sheet XML is patched
directly: cached formula results (#DIV/0!, #N/A …), numbers stored as NaN / INF / 1E+400,
control characters in strings (escaped as _xHHHH_, as Excel stores them), shared and rich-text
strings, booleans and dates stored oddly, shared-string indexes that point nowhere.

For every example: `check --json` exits 0 or 1 (2 only for a legitimately refused 评价口径),
prints one JSON document, every finding points at an existing sheet and a cell inside its used
range, the total is a 2-decimal string in [0, 100] that adds up, and `score` agrees with `check`
and writes a workbook that openpyxl opens, with the summary first and every finding marked.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
import traceback
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl.utils import column_index_from_string, coordinate_to_tuple

from selfeval_xl.cli.app import main
from selfeval_xl.write.template_formulas import HELPERS
from workbooks import template_copy

M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
SST_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"

CODES = {
    "WEIGHT_TOTAL", "WEIGHT_LEVEL", "WEIGHT_INVALID", "LEVEL_UNKNOWN", "LEVEL2_MISMATCH", "BUDGET_TOTAL_MISMATCH",
    "EXECUTION_OVER_BUDGET", "LINE_OVER_BUDGET", "EXECUTION_RATE_MISMATCH", "EXECUTION_UNEXPLAINED",
    "BUDGET_ADJUSTED_UNEXPLAINED", "VALUE_MISSING", "VALUE_NOT_NUMBER", "OPERATOR_UNKNOWN", "OPERATOR_ASSUMED",
    "UNIT_MISMATCH", "QUAL_LABEL_UNKNOWN", "QUAL_SCORE_MISSING", "QUAL_SCORE_OUT_OF_BAND", "SCORE_OVER_WEIGHT",
    "SCORE_MISMATCH", "TOTAL_MISMATCH", "DEVIATION_UNEXPLAINED", "OVERSHOOT_UNEXPLAINED", "NEGATIVE_VALUE",
    "FORMULA_NOT_CACHED", "FORMULA_EXTERNAL", "FORMULA_RESULT_STALE", "FORMAT_HIDES_VALUE",
    "QUAL_FREE_TEXT", "UNIT_INCOMPATIBLE",  # docs/rules.md §12.5, §12.7
    "UNIT_UNNAMED", "YEAR_UNKNOWN",  # docs/rules.md §13: a fuzzed 单位名称 or 评价年度 may be blank or a dash
}
# Exit 2 is legitimate only for a 评价口径 (基本信息!B7) that names no usable profile.
PROFILE_CELL = ("基本信息", "B7")
PROFILE_REFUSALS = {"PROFILE_UNKNOWN", "PROFILE_INVALID", "PROFILE_FORM_MISMATCH"}
A1 = re.compile(r"^([A-Z]{1,3})([1-9][0-9]*)$")
TOTAL = re.compile(r"^-?[0-9]+\.[0-9]{2}$")

# --- which cells are inputs ----------------------------------------------------------------------

INDICATOR_CELLS = [("绩效指标", f"{c}{r}") for r in range(4, 24) for c in "CDEFGHIJKLM"]  # 16 example rows + 4 empty
BUDGET_CELLS = [("预算执行", f"{c}{r}") for r in range(4, 28) for c in "ABCDEG"]  # 21 example lines + 3 empty
INFO_CELLS = [("基本信息", f"B{r}") for r in range(3, 21)]
ALL_CELLS = INDICATOR_CELLS + BUDGET_CELLS + INFO_CELLS


# --- a raw cell: what openpyxl cannot write -------------------------------------------------------

@dataclass(frozen=True)
class Raw:
    """A cell written straight into the sheet XML: <c t=…><f>…</f><v>…</v> or <is> / a shared string."""

    t: str | None = None
    f: str | None = None
    v: str | None = None
    text: str | None = None  # the string of an inlineStr or (with t="s") of a new shared string
    runs: int = 1  # rich-text runs the string is split into
    phonetic: bool = False  # add an <rPh> run the reader must ignore


@dataclass(frozen=True)
class Error:
    """An error value set through openpyxl (data_type "e", no formula)."""

    code: str


def xml_escape_chars(text: str) -> str:
    """What XML cannot hold, written the way Excel does: _xHHHH_."""
    out = []
    for ch in text:
        o = ord(ch)
        if (o < 0x20 and ch not in "\t\n\r") or o in (0xFFFE, 0xFFFF) or 0xD800 <= o <= 0xDFFF:
            out.append(f"_x{o:04X}_")
        else:
            out.append(ch)
    return "".join(out)


def xml_safe(text: str) -> bool:
    return xml_escape_chars(text) == text


# --- strategies ------------------------------------------------------------------------------------

CHARS = st.one_of(
    st.characters(codec="utf-8"),
    st.characters(min_codepoint=0, max_codepoint=0x1F),  # control characters
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),  # full-width ASCII
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),  # CJK
    st.sampled_from("０１２３４５６７８９％．，、。：；≥≤＝=<>%.,-+ \u3000\u00a0\u200b\t\n\r_x元个万分月年底前"),
)
SHORT_TEXT = st.text(CHARS, max_size=24)
LONG_TEXT = st.builds(lambda s, n: (s * n)[:32767], st.text(CHARS, min_size=1, max_size=12), st.integers(300, 4000))
TRICKY_TEXT = st.sampled_from([
    "", " ", "\u3000", "\n", "完成", "基本完成", "１２３", "９５％", "95 %", "≥95%", "≥ ９５ ％", "1,234.50元",
    "1,234.50万元",
    "1e400", "-1e400", "1E-400", "NaN", "nan", "sNaN", "Infinity", "-inf", "1_000", "١٢٣", "½", "²", "0x10", "--5",
    "+-5", "5-", "80-90", "≥5个以下", "12月底前", "6月前完成", "2025年13月", "2025-02-30", "2025/6/30", "年底", "年内",
    "百分之九十", "百分之95", "达成年度指标", " 部分达成年度指标并具有一定效果 ", "未达成年度指标且效果较差。",
    "达成预期指标", "无", "/", "—", "－", "=1+1", "'=1+1", "+5", "-0", "-5", "0.0000000000000000000000001",
    "9" * 400, "1" + "0" * 30, "-" + "9" * 60, "0." + "0" * 60 + "1", "#DIV/0!", "#N/A", "#REF!", "TRUE", "FALSE",
    "_x0041_", "完成_x000D_", "合计", "总计", "小计", "基本支出小计", "项目支出", "基本支出", "其中：人员经费",
    "一、基本支出", "年度资金总额", "hebei-dept", "mof-project", "sichuan-project", "x.toml", ".", "/",
    "部门整体支出", "项目支出", "2025年度", "二〇二五", "万元", "元", "%", "百分比", "个", "≥", "≤", "＝", "=",
    "<=", ">=", "大于等于", "≥（大于等于）", "正向", "反向", "≥≤", "?", "定量", "定性", "定 量", "定性指标",
    "产出指标", "效益指标", "满意度指标", "成本指标", "数量指标", "质量指标", "时效指标", "社会效益指标",
    "服务对象满意度指标", "经济成本指标", "产出指标（50分）",
])
TEXT = st.one_of(SHORT_TEXT, TRICKY_TEXT, LONG_TEXT)

NUMBER = st.one_of(
    st.integers(-10**40, 10**40),
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.sampled_from([0, -0.0, 0.1, 0.95, 0.999999999999999, 1.5, 5e-324, 1.7976931348623157e308, -1e308,
                     2**53 + 1, 10**15, 10**16 + 1, 4, 8, 15, 100, 6929916.47]),
)
DATE = st.one_of(
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.times(),
    st.sampled_from([dt.date(2025, 6, 30), dt.date(2025, 12, 31), dt.date(1900, 3, 1)]),
)
ERRORS = ["#DIV/0!", "#N/A", "#REF!", "#NAME?", "#NULL!", "#NUM!", "#VALUE!"]
ERROR = st.builds(Error, st.sampled_from(ERRORS))

FORMULA_BODIES = [
    "1/0", "J4", "J5", "J6+1", "H4*2", "K4", "-H4", "SUM(H4:H19)", "SUM(K4:K19)", "SUM(D4:D24)", "XLOOKUP(1,A:A,B:B)",
    "基本信息!B3", "'评分'!A1", "1E+308*10", "10^400", "#REF!", "INDIRECT(\"A1\")", "\"完成\"", "\"达成年度指标\"",
    "1+", "((((", "A1:A1048576", "99999999999999999999*99999999999999999999", "-(-(-1))", "1/3", "0.1+0.2",
    "DATE(2025,6,30)", "TODAY()", "NA()", "\"" + "长" * 300 + "\"", "ZZZ99999", "XFD1048576+1", "J4/0", "E4",
    "ROUND(2.345,2)", "IF(1,2,3)", "$J$4*1", "J4%", "1,2", "", " ",
]
FORMULA = st.one_of(
    st.sampled_from(FORMULA_BODIES).map(lambda body: "=" + body),
    SHORT_TEXT.filter(xml_safe).map(lambda body: "=" + body),
)

CACHED = st.sampled_from([
    ("1/0", "e", "#DIV/0!"), ("NA()", "e", "#N/A"), ("#REF!+1", "e", "#REF!"), ("SQRT(-1)", "e", "#NUM!"),
    ("FOO()", "e", "#NAME?"), ("1+\"a\"", "e", "#VALUE!"), ("A1 B1", "e", "#NULL!"), ("X()", "e", "#SPILL!"),
    ("X()", "e", "#GETTING_DATA"), ("\"完成\"", "str", "完成"), ("\"95%\"", "str", "95%"), ("1+1", "n", "2"),
    ("H4*0.96", "n", "96"), ("1E+308*10", "e", "#NUM!"), ("TRUE()", "b", "1"), ("FALSE()", "b", "0"),
    ("TODAY()", "n", "46000"), ("J4", None, "NaN"), ("J4", None, "INF"), ("J4", "str", ""), ("J4", None, ""),
    ("SUM(D4:D24)", "n", "6929916.47"), ("J4", "n", "1E+400"),
])
RAW = st.one_of(
    # numbers stored as text a program may write (xsd:double admits NaN, INF, -INF)
    st.builds(Raw, t=st.sampled_from([None, "n"]), v=st.sampled_from(
        ["NaN", "INF", "-INF", "1E+400", "-1E+400", "1e-400", "4.9E-324", "1.7976931348623157E+308", "-0", " 12 ", "",
         "abc", "0x1A", "1,5", "１２", "9" * 400, "1E+15", "0.1E1", "+5"])),
    st.builds(Raw, t=st.just("b"), v=st.sampled_from(["0", "1", "true", "false", "2", "", "yes"])),
    st.builds(Raw, t=st.just("e"), v=st.sampled_from(ERRORS + ["#GETTING_DATA", "#SPILL!", "#CALC!", "garbage", ""])),
    st.builds(Raw, t=st.just("d"), v=st.sampled_from(["2025-06-30", "2025-06-30T12:00:00", "2025-13-45", "garbage",
                                                      "-0001-01-01", "9999-12-31T23:59:59.999", ""])),
    st.builds(Raw, t=st.just("s"), v=st.sampled_from(["99999", "-1", "x", "", "1.5"])),  # index to nowhere
    CACHED.map(lambda c: Raw(t=c[1], f=c[0], v=c[2])),
    st.builds(lambda f, v: Raw(t="str", f=f, v=xml_escape_chars(v)), st.sampled_from(FORMULA_BODIES), TEXT),
    # strings, control characters included, inline or shared, in one or several rich-text runs
    st.builds(Raw, t=st.sampled_from(["inlineStr", "s"]), text=TEXT, runs=st.integers(1, 3), phonetic=st.booleans()),
    st.builds(Raw, t=st.just("s"), text=st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1,
                                                max_size=5)),
)


def text_value(text: str) -> object:
    """A string typed into a cell: through openpyxl when it can write it, else as a raw inline string."""
    if xml_safe(text) and not text.startswith("="):
        return text
    return Raw(t="inlineStr", text=text)


GENERIC = st.one_of(
    st.none(),
    TEXT.map(text_value),
    NUMBER,
    DATE,
    st.booleans(),
    ERROR,
    FORMULA,
    RAW,
)

LEVELS = ["产出指标", "效益指标", "满意度指标", "成本指标", "产出指标（40分）", "", "其他指标"]
LEVEL2 = ["数量指标", "质量指标", "时效指标", "成本指标", "社会效益指标", "经济效益指标", "生态效益指标",
          "可持续影响指标", "服务对象满意度指标", "不存在的指标"]
NATURES = ["定量", "定性", "定 量", "", "定量指标", "其他"]
OPERATORS = ["≥", "≤", "＝", "=", "<=", ">=", "≧", "大于等于", "小于", "等于", "≥（大于等于）", "正向", "反向", "",
             "≥≤"]
QUAL = ["达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差", "达成预期指标", "部分达成"]
SPECIFIC = {
    "C": st.sampled_from(LEVELS), "D": st.sampled_from(LEVEL2), "F": st.sampled_from(NATURES),
    "G": st.sampled_from(OPERATORS), "J": st.sampled_from(QUAL),
    "I": st.sampled_from(["%", "个", "元", "百分比", "", "万元"]),
    "K": st.one_of(st.integers(-5, 20), st.sampled_from(["4分", "４", "0", "-1", "1e30"])),
    "L": st.one_of(st.integers(-5, 20), st.floats(-5, 20, allow_nan=False)),
    "H": st.one_of(st.integers(-100, 200), st.sampled_from(["≥95%", "100%", "≤0", "2025年12月31日前", "合格以上"])),
}
BUDGET_SPECIFIC = {
    "A": st.sampled_from(["基本支出", "项目支出", "", "其他支出", "合计"]),
    "B": st.sampled_from(["合计", "小计", "基本支出小计", "项目支出小计", "基本支出", "其中：人员经费", "年度资金总额",
                          "新项目"]),
    "C": st.one_of(st.integers(-10**12, 10**12), st.floats(-1e12, 1e12, allow_nan=False)),
    "D": st.one_of(st.integers(-10**12, 10**12), st.floats(-1e12, 1e12, allow_nan=False)),
    "E": st.one_of(st.integers(-10**12, 10**12), st.floats(-1e12, 1e12, allow_nan=False)),
}
INFO_SPECIFIC = {
    "B5": st.sampled_from([2025, "2025", "2025年度", "二〇二五年", 1899, 99999, ""]),
    "B7": st.sampled_from(["hebei-dept", " hebei-dept ", "ｈｅｂｅｉ－ｄｅｐｔ", "mof-project", "不存在的口径",
                           "x.toml", ""]),
}


def value_for(cell: tuple[str, str]) -> st.SearchStrategy:
    sheet, ref = cell
    column = ref.rstrip("0123456789")
    specific = {"绩效指标": SPECIFIC, "预算执行": BUDGET_SPECIFIC, "基本信息": INFO_SPECIFIC}[sheet]
    key = ref if sheet == "基本信息" else column
    if key in specific:
        return st.one_of(GENERIC, specific[key].map(lambda v: text_value(v) if isinstance(v, str) else v))
    return GENERIC


FILLING = st.tuples(
    st.lists(st.sampled_from(ALL_CELLS).flatmap(lambda c: st.tuples(st.just(c), value_for(c))), max_size=30),
    st.sampled_from([None] * 8 + ["indicators", "budget", "both"]),  # sometimes empty a whole table first
)


# --- writing the workbook ---------------------------------------------------------------------------

def write_filling(path: Path, cells: dict[tuple[str, str], object], wipe: str | None = None) -> None:
    """Set `cells` in the workbook at `path`: python values through openpyxl, Raw cells in the XML."""
    wb = openpyxl.load_workbook(path)
    if wipe in ("indicators", "both"):
        for ref in {r for s, r in INDICATOR_CELLS}:
            wb["绩效指标"][ref] = None
    if wipe in ("budget", "both"):
        for ref in {r for s, r in BUDGET_CELLS}:
            wb["预算执行"][ref] = None
    raw: dict[tuple[str, str], Raw] = {}
    for (sheet, ref), value in cells.items():
        cell = wb[sheet][ref]
        if isinstance(value, Raw):
            cell.value = None
            raw[(sheet, ref)] = value
        elif isinstance(value, Error):
            cell.value = value.code
            cell.data_type = "e"
        else:
            cell.value = value
            if isinstance(value, (dt.date, dt.time)) and not isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd" if isinstance(value, dt.date) else "hh:mm:ss"
    wb.save(path)
    if raw:
        patch_cells(path, raw)


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    book = etree.fromstring(z.read("xl/workbook.xml"))
    rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    parts = {}
    for sheet in book.iter(f"{{{M}}}sheet"):
        target = targets[sheet.get(f"{{{R}}}id")]
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return parts


def _string_item(parent: etree._Element, text: str, runs: int, phonetic: bool) -> None:
    """Fill an <is> or <si>: one <t>, or several rich-text runs; optionally a phonetic run."""
    escaped = xml_escape_chars(text)
    if runs <= 1 or len(escaped) < 2:
        t = etree.SubElement(parent, f"{{{M}}}t")
        t.text = escaped
        t.set(XML_SPACE, "preserve")
    else:
        step = max(1, len(escaped) // runs)
        pieces = [escaped[i:i + step] for i in range(0, len(escaped), step)]
        for piece in pieces:
            r = etree.SubElement(parent, f"{{{M}}}r")
            if len(pieces) > 1:
                etree.SubElement(etree.SubElement(r, f"{{{M}}}rPr"), f"{{{M}}}b")
            t = etree.SubElement(r, f"{{{M}}}t")
            t.text = piece
            t.set(XML_SPACE, "preserve")
    if phonetic:
        ph = etree.SubElement(parent, f"{{{M}}}rPh", sb="0", eb="1")
        etree.SubElement(ph, f"{{{M}}}t").text = "ピンイン"


def patch_cells(path: Path, raw: dict[tuple[str, str], Raw]) -> None:
    with zipfile.ZipFile(path) as z:
        entries = {i.filename: z.read(i.filename) for i in z.infolist()}
        parts = _sheet_parts(z)
    sst_name = "xl/sharedStrings.xml"
    if sst_name in entries:
        sst = etree.fromstring(entries[sst_name])
    else:
        sst = etree.Element(f"{{{M}}}sst", nsmap={None: M})
    trees: dict[str, etree._Element] = {}
    for (sheet, ref), spec in sorted(raw.items()):
        part = parts[sheet]
        root = trees.setdefault(part, etree.fromstring(entries[part]))
        c = _cell_element(root.find(f"{{{M}}}sheetData"), ref)
        style = c.get("s")
        c.attrib.clear()
        for child in list(c):
            c.remove(child)
        c.set("r", ref)
        if style:
            c.set("s", style)
        if spec.t:
            c.set("t", spec.t)
        if spec.f is not None:
            etree.SubElement(c, f"{{{M}}}f").text = spec.f
        v = spec.v
        if spec.text is not None and spec.t == "s":
            _string_item(etree.SubElement(sst, f"{{{M}}}si"), spec.text, spec.runs, spec.phonetic)
            v = str(len(sst) - 1)
        if v is not None:
            etree.SubElement(c, f"{{{M}}}v").text = v
        if spec.text is not None and spec.t == "inlineStr":
            _string_item(etree.SubElement(c, f"{{{M}}}is"), spec.text, spec.runs, spec.phonetic)
    for part, root in trees.items():
        entries[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if len(sst):
        sst.set("count", str(len(sst)))
        sst.set("uniqueCount", str(len(sst)))
        if sst_name not in entries:
            ct = etree.fromstring(entries["[Content_Types].xml"])
            etree.SubElement(ct, f"{{{CT}}}Override", PartName="/" + sst_name, ContentType=SST_CT)
            entries["[Content_Types].xml"] = etree.tostring(ct, xml_declaration=True, encoding="UTF-8", standalone=True)
            rels = etree.fromstring(entries["xl/_rels/workbook.xml.rels"])
            etree.SubElement(rels, f"{{{PR}}}Relationship", Id="rIdFuzzSst", Type=SST_REL, Target="sharedStrings.xml")
            entries["xl/_rels/workbook.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                                                  standalone=True)
        entries[sst_name] = etree.tostring(sst, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)


def _cell_element(sheet_data: etree._Element, ref: str) -> etree._Element:
    """The <c r=ref> element, made (in row and column order) when the sheet has none."""
    row_n, col_n = coordinate_to_tuple(ref)
    row_el = None
    for i, el in enumerate(sheet_data):
        n = int(el.get("r"))
        if n == row_n:
            row_el = el
            break
        if n > row_n:
            row_el = etree.Element(f"{{{M}}}row", r=str(row_n))
            sheet_data.insert(i, row_el)
            break
    if row_el is None:
        row_el = etree.SubElement(sheet_data, f"{{{M}}}row", r=str(row_n))
    for i, c in enumerate(row_el):
        other = coordinate_to_tuple(c.get("r"))[1]
        if other == col_n:
            return c
        if other > col_n:
            new = etree.Element(f"{{{M}}}c", r=ref)
            row_el.insert(i, new)
            return new
    return etree.SubElement(row_el, f"{{{M}}}c", r=ref)


# --- the properties -----------------------------------------------------------------------------------

class Crash(AssertionError):
    """`check` or `score` ended in the internal-error path (exit 2, code INTERNAL)."""

    def __init__(self, command: str, stderr: str, exc: BaseException | None, detail: str) -> None:
        super().__init__(f"{command} crashed: {stderr}\n{detail}")
        self.signature = _signature(exc)


def _signature(exc: BaseException | None) -> tuple[str, str, str] | None:
    """(exception type, file, function) of the innermost selfeval_xl frame."""
    if exc is None:
        return None
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "selfeval_xl" in f.filename]
    if not frames:
        return (type(exc).__name__, "", "")
    return (type(exc).__name__, Path(frames[-1].filename).name, frames[-1].name)


# Crashes found by this fuzzer and reported, whose fix lies outside tests/ (each has a strict-xfail
# regression test at the end of this file). The fuzz test skips an example that hits one of them, so it
# keeps looking for new ones. When a regression test XPASSes, remove its xfail mark and its entry here.
KNOWN_CRASHES: dict[tuple[str, str, str], str] = {}


def invoke(*args: str):
    """Run the command line as a user does; an internal error is raised as Crash with its traceback."""
    result = CliRunner().invoke(main, list(args))
    if result.exit_code == 2 and '"INTERNAL"' in result.stdout:
        debug = CliRunner().invoke(main, ["--debug", *args])
        exc = debug.exception if not isinstance(debug.exception, SystemExit) else None
        detail = "".join(traceback.format_exception(exc)) if exc else debug.output
        raise Crash(args[0], result.stderr, exc, detail)
    return result


def used_ranges(path: Path) -> dict[str, tuple[int, int]]:
    """Sheet name → (last row, last column) holding a cell element, in sheet order (read from the XML:
    openpyxl itself cannot load some of the fuzzed files, e.g. a shared-string index to nowhere)."""
    ranges = {}
    with zipfile.ZipFile(path) as z:
        for name, part in _sheet_parts(z).items():
            refs = [coordinate_to_tuple(c.get("r")) for c in etree.fromstring(z.read(part)).iter(f"{{{M}}}c")]
            ranges[name] = (max((r for r, _ in refs), default=0), max((c for _, c in refs), default=0))
    return ranges


def assert_answers(path: Path, profile_touched: bool) -> None:
    """The whole contract for one fuzzed workbook (see the module docstring)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    checked = invoke("check", str(path), "--json")
    assert "Traceback" not in checked.output
    if checked.exit_code == 2:
        error = json.loads(checked.stdout)["error"]
        assert profile_touched and error["code"] in PROFILE_REFUSALS, checked.stderr
        assert path.name in checked.stderr and "B7" in checked.stderr and checked.stderr.startswith("错误：")
        scored = invoke("score", str(path), "--json")
        assert scored.exit_code == 2 and not path.with_name(f"{path.stem}.scored.xlsx").exists()
        return
    assert checked.exit_code in (0, 1), checked.output
    data = json.loads(checked.stdout)
    assert checked.stderr == ""

    # total, grade, validity
    assert isinstance(data["total"], str) and TOTAL.match(data["total"]), data["total"]
    total = Decimal(data["total"])
    codes = {c["code"] for c in data["checks"]}
    if codes.isdisjoint({"WEIGHT_TOTAL", "WEIGHT_LEVEL", "WEIGHT_INVALID"}):
        assert 0 <= total <= 100
    else:  # wrong weights (an error; an invalid one hides the sum checks): a rescaled level counts at most
        # its weight, any other level and row at most its rows' weights (docs/rules.md §14)
        rescaled = {lv["name"]: Decimal(lv["weight"]) for lv in data["levels"] if "rows_score" in lv}
        weights = [Decimal(i["weight"]) for i in data["indicators"]
                   if i["weight"] is not None and i["level"] not in rescaled]
        bound = Decimal(data["execution"]["weight"]) + sum(w for w in weights if w > 0) + sum(rescaled.values())
        assert 0 <= total <= bound
    assert isinstance(data["grade"], str) and data["grade"]
    errors = [c for c in data["checks"] if c["severity"] == "error"]
    assert data["valid"] is (not errors) and checked.exit_code == (1 if errors else 0)
    scores = [Decimal(i["score"]) for i in data["indicators"] if i["score"] is not None]
    # each level keeps at most its weight: the total is the execution score, the levels' (capped) scores
    # and the scores of rows outside any known level
    levels = {lv["name"]: Decimal(lv["score"]) for lv in data["levels"]}
    outside = [Decimal(i["score"]) for i in data["indicators"] if i["score"] is not None and i["level"] not in levels]
    assert total == Decimal(data["execution"]["score"]) + sum(levels.values(), Decimal(0)) + sum(outside, Decimal(0))
    assert all(score >= 0 for score in scores)
    # No level that its rows do not add up to without the JSON saying why (docs/rules.md §14): a level
    # shows its rows' sums beside it exactly when it counts otherwise, rescaled to its weight.
    for lv in data["levels"]:
        rows = sum((Decimal(i["score"]) for i in data["indicators"]
                    if i["score"] is not None and i["level"] == lv["name"]), Decimal(0))
        shown = Decimal(lv["score"])
        if "rows_score" in lv:
            weight, rows_weight = Decimal(lv["weight"]), Decimal(lv["rows_weight"])
            assert Decimal(lv["rows_score"]) == rows, lv
            rescaled = (rows * weight / rows_weight).quantize(shown, rounding=ROUND_HALF_UP)
            assert shown == min(rescaled, weight), lv
        else:
            assert shown == rows, lv
    for ind in data["indicators"]:
        if ind["score"] is not None:
            assert Decimal(ind["score"]) >= 0
            if ind["weight"] is not None:
                assert Decimal(ind["score"]) <= Decimal(ind["weight"]), ind

    # every finding: a known code, a message, and a place that exists
    ranges = used_ranges(path)
    for check in data["checks"]:
        assert check["code"] in CODES and check["severity"] in ("error", "warning"), check
        assert isinstance(check["message"], str) and check["message"].strip(), check
        if check["sheet"] is None:
            assert check["cell"] is None, check
            continue
        assert check["sheet"] in ranges, check
        if check["cell"] is not None:
            m = A1.match(check["cell"])
            assert m, check
            max_row, max_col = ranges[check["sheet"]]
            assert (int(m.group(2)) <= max_row
                    and column_index_from_string(m.group(1)) <= max_col), (check, max_row, max_col)

    # score agrees with check and writes a workbook openpyxl opens, every finding marked
    scored = invoke("score", str(path), "--json")
    assert scored.exit_code == checked.exit_code, scored.output
    scored_data = json.loads(scored.stdout)
    output = Path(scored_data.pop("output"))
    assert scored_data == data
    assert output == path.with_name(f"{path.stem}.scored.xlsx") and output.is_file()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # the input is never changed
    assert list(used_ranges(output)) == ["评分汇总", *ranges]
    if openpyxl_opens(path):  # the copy keeps every input cell as it is, so only then can openpyxl open it
        wb = openpyxl.load_workbook(output)
        assert wb.sheetnames[0] == "评分汇总" and wb.active.title == "评分汇总"
        for check in data["checks"]:
            if check["sheet"] and check["cell"]:
                note = wb[check["sheet"]][check["cell"]].comment
                assert note is not None and check["code"] in note.text, check
    # the scored copy reads back with the same result
    again = invoke("check", str(output), "--json")
    assert again.exit_code == checked.exit_code, again.output
    again_data = json.loads(again.stdout)
    assert again_data["total"] == data["total"] and again_data["checks"] == data["checks"]
    verified = invoke("verify", str(output), "--json")
    assert verified.exit_code == 0 and json.loads(verified.stdout)["untouched"] is True, verified.output


def openpyxl_opens(path: Path) -> bool:
    try:
        openpyxl.load_workbook(path)
    except (ValueError, IndexError, KeyError, TypeError):
        return False
    return True


EVERY_KIND = [
    (("绩效指标", "J6"), Raw(t="e", f="1/0", v="#DIV/0!")),  # cached error
    (("绩效指标", "J7"), Error("#N/A")),  # error value
    (("绩效指标", "H8"), "=H4*2"),  # formula without a cached value
    (("绩效指标", "J8"), "=XLOOKUP(1,A:A,B:B)"),  # … that no one can evaluate
    (("绩效指标", "E9"), Raw(t="inlineStr", text="控制\x00\x01\x1f字符" * 500)),  # long, control characters
    (("绩效指标", "J11"), dt.date(2025, 6, 30)),  # date for a number
    (("绩效指标", "K12"), True),  # boolean weight
    (("绩效指标", "M9"), ""),  # empty string
    (("基本信息", "B3"), "Ｆｕｌｌ　ｗｉｄｔｈ　单位" * 300),
    (("预算执行", "D4"), -1e15),  # huge negative
    (("预算执行", "E5"), Raw(v="NaN")),
    (("预算执行", "D6"), Raw(v="INF")),
    (("绩效指标", "J13"), Raw(t="s", text="\x07完成", runs=2, phonetic=True)),
    (("绩效指标", "H14"), 10**40),
    (("绩效指标", "J15"), "９５％"),
    (("预算执行", "G9"), Raw(t="s", v="99999")),  # shared-string index to nowhere
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(filling=FILLING)
@example(filling=(EVERY_KIND, None))
@example(filling=([], "both"))  # tables with headers and no rows: missing inputs, exit 1
# found by a random seed: a cached empty string read apart from the scored copy's <v/> (verify: changed)
@example(filling=([(("绩效指标", "J5"), Raw(t="str", f="J4", v=""))], None))
# found by a random seed: a full score on weight 1.875 rounded half-up to 1.88, above its weight
@example(filling=([(("绩效指标", "K16"), 1.875)], None))
# found by a random seed: a CR in a level quoted on 评分汇总 came back from the XML as LF (verify: changed)
@example(filling=([(("绩效指标", "C4"), "0\r0")], None))
# found by a random seed: a budget line's name written as =1/0 (its stored #DIV/0! is what the reading
# saw); had the copy dropped that result, reading the copy found other lines than the original's
@example(filling=([(("预算执行", "B16"), Raw(t="e", f="1/0", v="#DIV/0!"))], None))
# … and an empty line's amount =1/0 stored as an empty text: held to its formula and dropped, it made
# the copy's line an uncomputed formula (the reading consulted it: its stored value now stays)
@example(filling=([(("预算执行", "C25"), Raw(t="str", f="1/0", v=""))], None))
def test_any_input_cells_are_answered_never_crash(filling) -> None:
    pairs, wipe = filling
    cells = dict(pairs)
    with tempfile.TemporaryDirectory(prefix="selfeval-fuzz-") as tmp:
        path = template_copy(Path(tmp), "fuzz.xlsx")
        write_filling(path, cells, wipe)
        try:
            assert_answers(path, PROFILE_CELL in cells)
        except Crash as crash:
            if crash.signature in KNOWN_CRASHES:
                reject()  # reported; see the regression tests below
            raise


# --- the writer itself: the patched files hold what the fuzzer meant ---------------------------------

def test_raw_cells_reach_the_file_as_written(tmp_path: Path) -> None:
    path = template_copy(tmp_path, "raw.xlsx")
    write_filling(path, {
        ("绩效指标", "J6"): Raw(t="e", f="1/0", v="#DIV/0!"),
        ("绩效指标", "J7"): Raw(t="inlineStr", text="完\x01成\x00"),
        ("绩效指标", "J8"): Raw(t="s", text="达成\x0b年度", runs=2, phonetic=True),
        ("基本信息", "B20"): Raw(t="str", f="1+1", v="2"),
        ("绩效指标", "J5"): Error("#N/A"),
        ("绩效指标", "J4"): "=J4+1",
    })
    wb = openpyxl.load_workbook(path)
    ws = wb["绩效指标"]
    assert ws["J6"].value == "=1/0" and ws["J5"].value == "#N/A" and ws["J4"].value == "=J4+1"
    assert ws["J7"].value == "完_x0001_成_x0000_" and ws["J8"].value == "达成_x000B_年度"
    assert wb["基本信息"]["B20"].value == "=1+1"
    values = openpyxl.load_workbook(path, data_only=True)
    assert values["绩效指标"]["J6"].value == "#DIV/0!" and values["基本信息"]["B20"].value == "2"
    assert values["绩效指标"]["J4"].value is None  # a formula without a cached value
    with zipfile.ZipFile(path) as z:
        assert "ピンイン" in z.read("xl/sharedStrings.xml").decode()

    write_filling(path, {("绩效指标", "J9"): Raw(v="NaN"), ("绩效指标", "J10"): Raw(t="s", v="99999")})
    with zipfile.ZipFile(path) as z:
        sheet = z.read(_sheet_parts(z)["绩效指标"]).decode()
    assert re.search(r'<c r="J9" s="\d+"><v>NaN</v></c>', sheet) and '<c r="J10" s="' in sheet
    assert not openpyxl_opens(path)  # why used_ranges reads the XML itself
    assert used_ranges(path)["绩效指标"] == (103, 14 + len(HELPERS))  # the score and its hidden helper columns


# --- regression tests: crashes the fuzzer found, shrunk ---------------------------------------------

def fuzzed(tmp_path: Path, cells: dict[tuple[str, str], object], wipe: str | None = None) -> Path:
    path = template_copy(tmp_path, "回归.xlsx")
    write_filling(path, cells, wipe)
    return path


def findings(path: Path) -> tuple[int, dict]:
    result = invoke("check", str(path), "--json")
    data = json.loads(result.stdout)
    return result.exit_code, data


def test_regression_nan_and_inf_stored_as_numbers_are_not_numbers(tmp_path: Path) -> None:
    """<v>NaN</v> / <v>INF</v> (xsd:double admits them) were read as Decimal('NaN') and crashed the
    comparisons (InvalidOperation in assess._amount, _check_units, …). Fixed in numbers.excel_number."""
    path = fuzzed(tmp_path, {("绩效指标", "J11"): Raw(v="NaN"), ("绩效指标", "K6"): Raw(v="NaN"),
                             ("绩效指标", "L7"): Raw(v="INF"), ("预算执行", "D5"): Raw(t="n", v="-INF"),
                             ("预算执行", "D26"): Raw(v="NaN")})
    code, data = findings(path)
    assert code == 1
    found = {(c["code"], c["cell"]) for c in data["checks"]}
    assert {("VALUE_NOT_NUMBER", "J11"), ("WEIGHT_INVALID", "K6"), ("VALUE_NOT_NUMBER", "L7"),
            ("VALUE_NOT_NUMBER", "D5"), ("VALUE_NOT_NUMBER", "D26")} <= found
    assert next(i for i in data["indicators"] if i["row"] == 11)["score"] is None
    assert_answers(path, False)


def test_regression_huge_weight_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    """A weight of 10^30 (a valid Excel number) crashed Decimal.quantize under the 28-digit default context."""
    path = fuzzed(tmp_path, {("绩效指标", "K6"): 10**30})
    code, data = findings(path)
    assert code == 1 and {"WEIGHT_TOTAL", "WEIGHT_LEVEL"} <= {c["code"] for c in data["checks"]}
    assert_answers(path, False)


def test_regression_weights_summing_past_28_digits(tmp_path: Path) -> None:
    """Two weights of 9e25: each rounds, their sum (29 digits) crashed score_text."""
    path = fuzzed(tmp_path, {("绩效指标", "K6"): 9 * 10**25, ("绩效指标", "K7"): 9 * 10**25})
    code, data = findings(path)
    assert code == 1 and "WEIGHT_TOTAL" in {c["code"] for c in data["checks"]}
    assert_answers(path, False)


@pytest.mark.parametrize("value", [10**30, 1.7976931348623157e308, Raw(v="1E+400"), "9" * 400])
def test_regression_huge_budget_amount(tmp_path: Path, value: object) -> None:
    """全年预算数 of 10^30 or more crashed model.amount_text (JSON and the scored copy's record)."""
    path = fuzzed(tmp_path, {("预算执行", "D4"): value})
    code, data = findings(path)
    assert code in (0, 1)
    if value == 10**30:
        assert data["execution"]["budget"].startswith("1" + "0" * 20) and len(data["execution"]["budget"]) == 34
    else:  # past Excel's range: not a number
        assert ("VALUE_NOT_NUMBER", "D4") in {(c["code"], c["cell"]) for c in data["checks"]}
    assert_answers(path, False)


def test_regression_long_profile_name_is_an_unknown_profile(tmp_path: Path) -> None:
    path = fuzzed(tmp_path, {("基本信息", "B7"): "口径" * 200})
    result = invoke("check", str(path), "--json")
    assert result.exit_code == 2 and json.loads(result.stdout)["error"]["code"] == "PROFILE_UNKNOWN"
    assert "B7" in result.stderr and path.name in result.stderr


def test_regression_excel_escaped_carriage_return_in_a_label(tmp_path: Path) -> None:
    path = fuzzed(tmp_path, {("绩效指标", "J10"): Raw(t="s", text="达成年度指标_x000D_\n")})
    code, data = findings(path)
    assert (code, data["total"], data["checks"]) == (0, "98.40", [])
