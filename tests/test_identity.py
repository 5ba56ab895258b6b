"""Who sent the workbook (docs/rules.md §13.6): the unit and the year after every fallback the reader has,
and UNIT_UNNAMED / YEAR_UNKNOWN on the place each should be filled."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import xlsxwriter

from builders import BUDGET_SHEET, make_input
from oneform_sample import write_one_sheet_form
from selfeval_xl.api import evaluate
from selfeval_xl.model import Cell
from selfeval_xl.read.profiles import load_profile
from selfeval_xl.rules.assess import assess
from workbooks import edit, template_copy

HEBEI = load_profile("hebei-dept")
IDENTITY = {"UNIT_UNNAMED", "YEAR_UNKNOWN"}


def _who(result) -> list[tuple[str, str | None, str | None]]:
    return [(c.code, c.sheet, c.cell) for c in result.checks if c.code in IDENTITY]


# --- the template: 基本信息 B3 单位名称, B5 评价年度 ------------------------------------------------------

def test_an_anonymous_workbook_carries_both_warnings(tmp_path: Path) -> None:
    path = edit(template_copy(tmp_path), {"基本信息": {"B3": None, "B5": None}})
    result = evaluate(path)
    assert (result.unit, result.year) == ("", None)
    assert _who(result) == [("UNIT_UNNAMED", "基本信息", "B3"), ("YEAR_UNKNOWN", "基本信息", "B5")]
    assert all(c.severity == "warning" for c in result.checks if c.code in IDENTITY)


def test_the_named_example_has_neither(tmp_path: Path) -> None:
    result = evaluate(template_copy(tmp_path))
    assert (result.unit, result.year, _who(result)) == ("井陉县南障城镇人民政府", 2025, [])


@pytest.mark.parametrize("mark", ["—", "/", "无", "  "])
def test_a_dash_names_no_unit(mark: str, tmp_path: Path) -> None:
    result = evaluate(edit(template_copy(tmp_path), {"基本信息": {"B3": mark}}))
    assert _who(result) == [("UNIT_UNNAMED", "基本信息", "B3")]


@pytest.mark.parametrize("typed, year", [("二〇二五年", 2025), ("2025年度", 2025), ("２０２５", 2025)])
def test_the_year_as_people_write_it(typed: str, year: int, tmp_path: Path) -> None:
    result = evaluate(edit(template_copy(tmp_path), {"基本信息": {"B5": typed}}))
    assert (result.year, _who(result)) == (year, [])


def test_a_year_in_words_nobody_can_read_is_unknown(tmp_path: Path) -> None:
    result = evaluate(edit(template_copy(tmp_path), {"基本信息": {"B5": "本年度"}}))
    assert _who(result) == [("YEAR_UNKNOWN", "基本信息", "B5")]


# --- forms without 基本信息: the lines above a table, the title ------------------------------------------

HEADER = ["一级指标", "二级指标", "三级指标", "比较方式", "年度指标值", "计量单位", "实际完成值", "分值", "得分"]
MET = [["产出指标", "数量指标", "培训人次", "≥", 100, "人次", 100, 40, None],
       ["效益指标", "社会效益指标", "就业率", "≥", 90, "%", 90, 40, None],
       ["满意度指标", "满意度指标", "学员满意度", "≥", 90, "%", 90, 10, None]]


def two_sheet_form(path: Path, above: tuple[str, ...], header: list[str] = HEADER) -> Path:
    """预算执行 with `above` printed over its header, then 绩效指标: every row met (100.00), no 基本信息."""
    wb = xlsxwriter.Workbook(str(path))
    budget = wb.add_worksheet("预算执行")
    for r, line in enumerate(above):
        budget.write(r, 0, line)
    budget.write_row(len(above), 0, ["名称", "全年预算数", "全年执行数"])
    budget.write_row(len(above) + 1, 0, ["办公经费", 100, 100])
    ws = wb.add_worksheet("绩效指标")
    ws.write_row(0, 0, header)
    for r, values in enumerate(MET, start=1):
        ws.write_row(r, 0, values)
    wb.close()
    return path


@pytest.mark.parametrize("above, unit, year", [
    (("某某县民政局2025年度部门整体支出绩效自评表",), "某某县民政局", 2025),
    (("附件2", "某某县民政局（2025年度）部门整体支出绩效自评表"), "某某县民政局", 2025),
    (("部门整体支出绩效自评表（2025年度）", "填报单位：某某县民政局"), "某某县民政局", 2025),
    (("部门整体支出绩效自评表（2025年度）", "单位（盖章）：某某县民政局"), "某某县民政局", 2025),
    (("填报单位：某某县民政局", "评价年度：2025"), "某某县民政局", 2025),
])
def test_every_fallback_names_the_unit_and_year(above, unit, year, tmp_path: Path) -> None:
    result = evaluate(two_sheet_form(tmp_path / "表.xlsx", above), "hebei-dept")
    assert (result.unit, result.year, list(result.checks)) == (unit, year, [])
    assert result.total == 100  # 40 + 40 + 10 + 10, all met


@pytest.mark.parametrize("above, codes", [
    ((), ["UNIT_UNNAMED", "YEAR_UNKNOWN"]),
    (("2025年度部门整体支出绩效自评表",), ["UNIT_UNNAMED"]),  # a title with no unit before its year
    (("部门整体支出绩效自评表", "填报单位：某某县民政局"), ["YEAR_UNKNOWN"]),
])
def test_what_no_fallback_finds_is_reported_on_the_sheet(above, codes, tmp_path: Path) -> None:
    result = evaluate(two_sheet_form(tmp_path / "表.xlsx", above), "hebei-dept")
    assert _who(result) == [(code, "预算执行", None) for code in codes]


def test_a_column_named_unit_is_never_the_unit_name(tmp_path: Path) -> None:
    # 计量单位 printed as 单位 in the indicator header: a column, not a 单位名称 field beside its label.
    header = [("单位" if label == "计量单位" else label) for label in HEADER]
    result = evaluate(two_sheet_form(tmp_path / "表.xlsx", (), header), "hebei-dept")
    assert result.unit == ""
    assert ("UNIT_UNNAMED", "预算执行", None) in _who(result)


def test_the_one_sheet_form_names_its_implementing_unit_and_title_year(tmp_path: Path) -> None:
    result = evaluate(write_one_sheet_form(tmp_path / "一页.xlsx"))
    assert (result.unit, result.year, _who(result)) == ("井陉县南障城镇人民政府", 2025, [])


# --- the pure rule -----------------------------------------------------------------------------------

def test_on_the_implementing_unit_cell_of_a_project_form() -> None:
    inp = replace(make_input(), unit_name="", info={"实施单位": Cell("Sheet1", "F4"), "评价年度": Cell("Sheet1", "B2")})
    assert _who(assess(inp, HEBEI)) == [("UNIT_UNNAMED", "Sheet1", "F4")]


def test_on_the_sheet_of_the_other_fields_when_the_form_has_no_such_cell() -> None:
    inp = replace(make_input(year=None), unit_name="", info={"项目名称": Cell("Sheet1", "B3", "农技推广")})
    assert _who(assess(inp, HEBEI)) == [("UNIT_UNNAMED", "Sheet1", None), ("YEAR_UNKNOWN", "Sheet1", None)]


def test_on_the_budget_sheet_when_nothing_was_read() -> None:
    inp = replace(make_input(year=None), unit_name="")
    assert _who(assess(inp, HEBEI)) == [("UNIT_UNNAMED", BUDGET_SHEET, None), ("YEAR_UNKNOWN", BUDGET_SHEET, None)]
