"""Input cells holding formulas: cached values are read; without one, simple formulas are computed."""
from __future__ import annotations

import errno
import os
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from hostile import replace_part
from selfeval_xl.api import evaluate, score, verify
from selfeval_xl.errors import OutputError
from selfeval_xl.read.cells import Grid, RawCell
from selfeval_xl.read.formula import UNKNOWN
from selfeval_xl.read.formula import evaluate as evaluate_formula
from selfeval_xl.read.tables import read_cell
from selfeval_xl.write import atomic as atomic
from workbooks import template_copy

CELLS = {(1, 1): Decimal(5), (1, 2): Decimal(7), (2, 1): Decimal("0.5")}


def lookup(row: int, col: int, depth: int) -> Decimal | None:
    return CELLS.get((row, col))


@pytest.mark.parametrize("formula, expected", [
    ("=5042799.97-1200", "5041599.97"), ("=SUM(A1:B1)", "12"), ("=A1*B1/2", "17.5"), ("=ROUND(10*0.98263,2)", "9.83"),
    ("=96%", "0.96"), ("=(1+2)*3^2", "27"), ("=-A1+MAX(A1,B1,3)", "2"), ("=AVERAGE(A1:B1)", "6"), ("=ABS(-A2)", "0.5"),
    ("=$A$1+B$1", "12"), ("=C9+1", "1"),
])
def test_computable_formulas(formula: str, expected: str) -> None:
    assert evaluate_formula(formula, lookup) == Decimal(expected)


@pytest.mark.parametrize("formula", ["=1/0", "=VLOOKUP(1,A1:B2,2)", "='其他'!A1", '="文本"', "=A1&B1", "=NOW()",
                                     "=SUM(A1:XFD1048576)", "=1+"])
def test_uncomputable_formulas_give_none(formula: str) -> None:
    assert evaluate_formula(formula, lookup) is None


def test_self_reference_is_bounded() -> None:
    def cyclic(row: int, col: int, depth: int) -> object:
        value = evaluate_formula("=A1+1", cyclic, depth)
        return UNKNOWN if value is None else value
    assert evaluate_formula("=A1+1", cyclic) is None


def test_uncached_input_formulas_in_a_workbook(tmp_path: Path) -> None:
    path = template_copy(tmp_path, "公式.xlsx")
    wb = openpyxl.load_workbook(path)  # openpyxl writes formulas without cached values
    wb["绩效指标"]["J6"] = "=100-4"
    wb["绩效指标"]["J7"] = "=VLOOKUP(1,A1:B2,2)"
    wb["预算执行"]["E4"] = "=5042799.97+0"
    wb["绩效指标"]["J17"] = "=#REF!+1"
    wb.save(path)
    result = evaluate(path)
    found = {(f.code, f.cell) for f in result.checks}
    assert ("FORMULA_NOT_CACHED", "J7") in found and ("FORMULA_NOT_CACHED", "J17") in found
    assert not any(cell == "J6" for _, cell in found)  # =100-4 is computed: 96, as the example has
    assert str(result.execution.score) == "9.83"


def _with_j6(tmp_path: Path, cell: str, after: str = "", *, calc: str = "") -> Path:
    """The example with J6 of 绩效指标 (actual 96, typed) written as `cell`, the cells `after` added at the end of
    row 6 (right of the hidden helper columns, from S), and `calc` as the workbook's calcPr attributes."""
    source = template_copy(tmp_path, "示例.xlsx")
    with zipfile.ZipFile(source) as package:
        xml = package.read("xl/worksheets/sheet4.xml").decode()
        workbook = package.read("xl/workbook.xml").decode()
    typed = re.search(r'<c r="J6"[^>]*><v>96</v></c>', xml).group(0)
    row_end = xml.index("</row>", xml.index('<row r="6"'))
    xml = (xml[:row_end] + after + xml[row_end:]).replace(typed, cell)
    changed = replace_part(source, tmp_path / "半.xlsx", "xl/worksheets/sheet4.xml", xml.encode())
    if calc:
        workbook = re.sub(r"<calcPr ", f"<calcPr {calc} ", workbook)
    return replace_part(changed, tmp_path / "改.xlsx", "xl/workbook.xml", workbook.encode())


def test_an_input_formula_whose_stored_result_it_does_not_give_is_an_error(tmp_path: Path) -> None:
    # the stored 96 is scored, as the example's 96 is (total 98.40), and the result is provisional: Excel, WPS and
    # LibreOffice recalculate the copy and show 100
    result = evaluate(_with_j6(tmp_path, '<c r="J6" s="13"><f>100</f><v>96</v></c>'))
    stale = [(f.code, f.severity, f.sheet, f.cell) for f in result.checks if f.code == "FORMULA_RESULT_STALE"]
    assert stale == [("FORMULA_RESULT_STALE", "error", "绩效指标", "J6")]
    assert (str(result.total), result.valid) == ("98.40", False)


@pytest.mark.parametrize("cell", [
    '<c r="J6" s="13"><f>100-4</f><v>96</v></c>',  # what the formula gives
    '<c r="J6" s="13"><f>H6*0.96</f><v>96</v></c>',  # H6 is the target, 100
    '<c r="J6" s="13"><f>(0.1+0.2)*320</f><v>96.00000000000001</v></c>',  # Excel's binary arithmetic: 96 to 15 digits
    '<c r="J6" s="13"><f>A1+96</f><v>96</v></c>',  # A1 is the title, text: Excel reads it otherwise, so not held
])
def test_an_input_formula_that_gives_its_stored_result_is_read_silently(tmp_path: Path, cell: str) -> None:
    result = evaluate(_with_j6(tmp_path, cell))
    assert [f.code for f in result.checks] == []
    assert str(result.total) == "98.40"


@pytest.mark.parametrize("cell, after, calc", [
    # Excel ignores a blank cell given alone to AVERAGE, MIN and MAX: AVERAGE(96, blank) is 96, not 48
    ('<c r="J6"><f>AVERAGE(S6,T6)</f><v>96</v></c>', '<c r="S6"><v>96</v></c>', ""),
    ('<c r="J6"><f>MIN(S6,T6)</f><v>96</v></c>', '<c r="S6"><v>96</v></c>', ""),
    # a difference of two large amounts keeps Excel's binary noise: 1994.66000000387, not 1994.66
    ('<c r="J6"><f>S6-T6</f><v>1994.66000000387</v></c>', '<c r="S6"><v>52333264.32</v></c><c r="T6"><v>52331269.66'
     '</v></c>', ""),
    # ROUND over binary arithmetic: 10.1-10.095 is 0.00499999… in Excel, so 0, where decimals give 0.01
    ('<c r="J6"><f>ROUND(10.1-10.095,2)</f><v>0</v></c>', "", ""),
    # precision as displayed (以显示精度为准): the stored result is the shown one, 2000.33
    ('<c r="J6" s="13"><f>6001/3</f><v>2000.33</v></c>', "", 'fullPrecision="0"'),
])
def test_results_the_applications_store_are_never_called_stale(tmp_path: Path, cell: str, after: str,
                                                               calc: str) -> None:
    result = evaluate(_with_j6(tmp_path, cell, after, calc=calc))
    assert [f.code for f in result.checks if f.code == "FORMULA_RESULT_STALE"] == []


@pytest.mark.parametrize("cell, after, computed", [
    # a formula read by the input is worked out from its own text: S6's stored 100 is as stale as J6's
    ('<c r="J6" s="13"><f>S6</f><v>100</v></c>', '<c r="S6"><f>96</f><v>100</v></c>', "96"),
    # a result stored as text that reads as a number is what is scored, so it is held too
    ('<c r="J6" s="13" t="str"><f>90</f><v>96</v></c>', "", "90"),
])
def test_stale_results_behind_a_chain_or_as_text_are_found(tmp_path: Path, cell: str, after: str,
                                                           computed: str) -> None:
    stale = [f for f in evaluate(_with_j6(tmp_path, cell, after)).checks if f.code == "FORMULA_RESULT_STALE"]
    assert [(f.cell, f"算得 {computed}，" in f.message) for f in stale] == [("J6", True)]


def test_an_uncached_average_over_a_blank_is_computed_as_excel_does(tmp_path: Path) -> None:
    # no stored result: AVERAGE(96, blank) computed as 96, the example's actual, so the total stays 98.40
    result = evaluate(_with_j6(tmp_path, '<c r="J6"><f>AVERAGE(S6,T6)</f></c>', '<c r="S6"><v>96</v></c>'))
    assert [f.code for f in result.checks] == [] and str(result.total) == "98.40"


def test_a_scored_copy_whose_input_reads_a_helper_formula_verifies(tmp_path: Path) -> None:
    # the copy leaves out S6's stored result (right of the table: the live score's columns); J6 follows from S6's
    # formula at scoring and at verify alike
    source = _with_j6(tmp_path, '<c r="J6" s="13"><f>S6</f><v>96</v></c>',
                      '<c r="S6"><f>AVERAGE(T6,U6)</f><v>96</v></c><c r="T6"><v>96</v></c>')
    scored = score(source, tmp_path / "评分.xlsx")
    assert [f.code for f in scored.result.checks] == []
    assert verify(tmp_path / "评分.xlsx").untouched


def test_cells_a_formula_reads_are_taken_as_the_applications_take_them() -> None:
    # A1+1 over the text "5" is 6 in Excel (the text is read as a number) and 1 to the evaluator: never called stale
    grid = Grid("表", {(1, 1): RawCell("5"), (1, 2): RawCell(Decimal(6), 0, "other", True, False, b"A1+1")})
    assert read_cell(grid, 1, 2).recomputed is None
    # over a number the formula is held to its result: 5 + 1 = 6, not the stored 7
    grid = Grid("表", {(1, 1): RawCell(Decimal(5)), (1, 2): RawCell(Decimal(7), 0, "other", True, False, b"A1+1")})
    assert read_cell(grid, 1, 2).recomputed == Decimal(6)


def test_error_values_are_value_not_number(tmp_path: Path) -> None:
    path = template_copy(tmp_path, "错误值.xlsx")
    wb = openpyxl.load_workbook(path)
    for ref, error in (("J4", "#DIV/0!"), ("H5", "#N/A"), ("J8", "#REF!")):
        wb["绩效指标"][ref].value = error
        wb["绩效指标"][ref].data_type = "e"
    wb.save(path)
    found = {(f.code, f.cell) for f in evaluate(path).checks}
    assert {("VALUE_NOT_NUMBER", "J4"), ("VALUE_NOT_NUMBER", "H5"), ("VALUE_NOT_NUMBER", "J8")} <= found


@pytest.mark.parametrize("error, words", [
    (PermissionError(errno.EACCES, "Permission denied"), "没有写入权限，或该文件正在 Excel/WPS 中打开"),
    (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足"),
])
def test_unwritable_output_gets_a_clear_message(tmp_path: Path, monkeypatch, error: OSError, words: str) -> None:
    src = template_copy(tmp_path, "示例.xlsx")

    def refuse(*args, **kwargs):
        raise error
    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(OutputError) as info:
        score(src, tmp_path / "输出.xlsx")
    assert words in info.value.message and "输出.xlsx" in info.value.message
    assert not (tmp_path / "输出.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".selfeval-")] == []
    assert os.path.exists(src)


def _filled_down(tmp_path: Path, j7_stored: str) -> Path:
    """The example with J6 a formula filled down to J7, as Excel writes it: J6 holds the text (H6*0.96, the
    target 100 × 0.96 = 96, as typed there), J7 only points at it (H7*0.96 = 96), storing `j7_stored`."""
    source = template_copy(tmp_path, "示例.xlsx")
    with zipfile.ZipFile(source) as package:
        xml = package.read("xl/worksheets/sheet4.xml").decode()
    xml = re.sub(r'<c r="J6"([^>]*)><v>96</v></c>', r'<c r="J6"\1><f t="shared" ref="J6:J7" si="90">H6*0.96</f>'
                 r'<v>96</v></c>', xml, count=1)
    xml = re.sub(r'<c r="J7"([^>]*)><v>100</v></c>', rf'<c r="J7"\1><f t="shared" si="90"/><v>{j7_stored}</v></c>',
                 xml, count=1)
    return replace_part(source, tmp_path / "填充.xlsx", "xl/worksheets/sheet4.xml", xml.encode())


def test_a_formula_filled_down_is_held_to_its_stored_results(tmp_path: Path) -> None:
    # J7 (社会保障办理工作完成率, ≥100% weight 4) stores 100 where its formula gives 96: scored as stored (98.40,
    # as the example) and refused; stored as 96 it is read as 96 (4 × 96/100 = 3.84: 98.40 − 0.16 = 98.24), and only
    # the missed target without a reason is said
    stale = evaluate(_filled_down(tmp_path, "100"))
    assert [(f.code, f.cell, "算得 96" in f.message) for f in stale.checks] == [("FORMULA_RESULT_STALE", "J7", True)]
    assert (str(stale.total), stale.valid) == ("98.40", False)
    agreed = evaluate(_filled_down(tmp_path, "96"))
    assert ([f.code for f in agreed.checks], str(agreed.total)) == (["DEVIATION_UNEXPLAINED"], "98.24")
