"""The reading side of docs/workbook.md §8: forms as provinces print them, written here cell by cell
with XlsxWriter or openpyxl (never by the template), and what the reader makes of them.

Expected numbers are worked out by hand in the comments."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from selfeval_xl.api import check, evaluate
from selfeval_xl.cli.app import main
from selfeval_xl.errors import NotAForm
from selfeval_xl.read.reader import read
from selfeval_xl.vocabulary import is_instruction, read_label

# --- the one-sheet project form of a published notice ---------------------------------------------------


def _one_sheet(path: Path, *, total_label: str = "年度资金总额:", typed_total: object = 95.33, total_row: str = "总分",
               budget_labels: tuple[str, ...] = ("年初预算数", "全年预算数（A）", "全年执行数（B）"),
               goals_label: str = "年度总体目标完成情况", title: str = "绩效目标自评表") -> Path:
    """A re-typed published 绩效目标自评表: no 项目名称 field, 年度资金总额 with a colon, a two-row indicator
    header (年度指标值 merged over 指标性质 | 指标值 | 度量单位), vertical first-level text, printed
    empty lines, a not-applicable line, a reason merged over two rows and instruction text.

    Hand-worked score (mof-project: execution 10 points proportional, 产出 50, 效益 30, 满意度 10):
      execution 45 / 50 = 90%                               → 10 × 0.90     =  9.00
      新建活动室 ≥2个, 2                                      → 20
      验收合格率 =100%, 100                                   → 30
      受益群众人数 ≥3000人, 2700                              → 20 × 0.9      = 18.00
      开展活动次数 ≥12次, 10                                  → 10 × 10 / 12  =  8.33
      群众满意度 ≥90%, 95                                     → 10
      total 9 + 20 + 30 + 18 + 8.33 + 10                                       = 95.33
    """
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"})
    vertical = wb.add_format({"border": 1, "rotation": 270, "valign": "vcenter"})
    ws.merge_range("A1:K1", title, head)
    ws.merge_range("A2:K2", "（2025年度）", head)
    ws.merge_range("A3:F3", "填报单位：井陉县南障城镇人民政府", None)
    ws.write("J3", "金额单位：万元")
    ws.write("A4", "主管部门及代码")
    ws.merge_range("B4:D4", "井陉县文化广电和旅游局 101", None)
    ws.write("E4", "实施单位（盖章）：")
    ws.merge_range("F4:K4", "井陉县南障城镇人民政府", None)
    # money block, rows 5–8 (0-based 4–7)
    ws.merge_range("A5:A8", "项目资金\n（万元）", head)
    ws.write_row("B5", ["", *budget_labels, "分值", "执行率（B/A）", "得分"], head)
    amounts = {"年初预算数": 50, "年初预算数（A）": 50, "全年预算数（A）": 50, "全年执行数（B）": 45}
    ws.write("B6", total_label)
    ws.write_row("C6", [amounts[label] for label in budget_labels])
    ws.write_row(5, 2 + len(budget_labels), [10, "90%", 9])
    ws.write("B7", "其中：当年财政拨款")
    ws.write_row("C7", [amounts[label] for label in budget_labels])
    ws.write("B8", "其他资金")  # a line with no amounts: left out and listed
    # goals block, rows 9–10
    ws.merge_range("A9:A10", goals_label, head)
    ws.merge_range("B9:E9", "预期目标", head)
    ws.merge_range("F9:K9", "实际完成情况", head)
    ws.merge_range("B10:E10", "建成村级文化活动室，每月开展活动", None)
    ws.merge_range("F10:K10", "已建成并投入使用", None)
    # indicators: header rows 11–12, rows 13–20
    ws.merge_range("A11:A20", "绩效指标", head)
    for col, label in (("B", "一级指标"), ("C", "二级指标"), ("D", "三级指标"), ("H", "全年实际值"),
                       ("I", "指标权重\n（分）"), ("J", "指标得分"), ("K", "未完成原因及拟采取的改进措施")):
        ws.merge_range(f"{col}11:{col}12", label, head)
    ws.merge_range("E11:G11", "年度指标值", head)
    ws.write_row("E12", ["指标性质", "指标值", "度量单位"], head)
    ws.merge_range("B13:B16", "产\n出\n指\n标", vertical)
    ws.write_row("C13", ["数量指标", "新建活动室", "≥", 2, "个", 2, 20, 20])
    ws.write_row("C14", ["质量指标", "验收合格率", "＝", 100, "%", 100, 30, 30])
    ws.write_row("C15", ["时效指标", "指标3："])  # the form's empty lines
    ws.write_row("C16", ["成本指标", "……"])
    ws.merge_range("B17:B19", "效益指标", vertical)
    ws.write_row("C17", ["社会效益指标", "受益群众人数", "≥", 3000, "人", 2700, 20, 18])
    ws.write_row("C18", ["社会效益指标", "开展活动次数", "≥", 12, "次", 10, 10, 8.33])
    ws.merge_range("K17:K18", "部分村民外出务工，参与人数和活动次数低于预期", None)
    ws.write_row("C19", ["可持续影响指标", "长效管护机制", "/", "/", "", "—", "/"])  # not applicable
    ws.write_row("B20", ["满意度指标", "服务对象满意度指标", "群众满意度", "≥", 90, "%", 95, 10, 10,
                         "注：偏差原因请在此填写（100字以内）"])
    ws.write("A21", total_row)
    ws.write("I21", 100)
    if typed_total is not None:
        ws.write("J21", typed_total)
    wb.close()
    return path


def test_colon_total_keeps_every_block(tmp_path: Path) -> None:
    result = evaluate(_one_sheet(tmp_path / "自评表.xlsx"))
    # the 年度资金总额 block makes a form titled 绩效目标自评表 a project form (§4)
    assert (result.form, result.profile, result.money_unit, result.year) == (
        "project", "mof-project（按表内分值）", "万元", 2025)  # no profile named: the form's weights
    assert result.unit == "井陉县南障城镇人民政府"  # 填报单位：… in one cell
    assert (result.execution.budget, result.execution.executed) == (Decimal("50"), Decimal("45"))
    assert str(result.execution.score) == "9.00"
    assert [i.name for i in result.indicators] == ["新建活动室", "验收合格率", "受益群众人数", "开展活动次数",
                                                   "群众满意度"]
    assert [str(i.score) for i in result.indicators] == ["20.00", "30.00", "18.00", "8.33", "10.00"]
    assert [i.operator for i in result.indicators] == ["≥", "=", "≥", "≥", "≥"]
    assert str(result.total) == "95.33"
    assert result.typed_total == Decimal("95.33")
    assert [f.code for f in result.checks] == []


def test_skipped_rows_are_listed_with_a_reason(tmp_path: Path) -> None:
    data = evaluate(_one_sheet(tmp_path / "自评表.xlsx")).to_json()
    assert data["skipped"] == [
        {"sheet": "Sheet1", "row": 8, "reason": "预算行“其他资金”没有填写任何金额"},
        {"sheet": "Sheet1", "row": 15,
         "reason": "表样空行：三级指标为“指标3：”，未填年度指标值、实际完成值、分值和得分"},
        {"sheet": "Sheet1", "row": 16, "reason": "表样空行：三级指标为“……”，未填年度指标值、实际完成值、分值和得分"},
        {"sheet": "Sheet1", "row": 19, "reason": "不适用：年度指标值为“/”，实际完成值为“—”，未设分值"},
    ]


@pytest.mark.parametrize("label", ["总分", "自评总分：", "合计得分", "自评得分合计（分）"])
def test_typed_total_is_compared(tmp_path: Path, label: str) -> None:
    result = evaluate(_one_sheet(tmp_path / "自评表.xlsx", typed_total=99, total_row=label))
    assert [(f.code, f.cell) for f in result.checks] == [("TOTAL_MISMATCH", "J21")]
    assert len(result.indicators) == 5


@pytest.mark.parametrize("goals_label", ["年度总体目标完成情况", "总体目标", "年度绩效指标完成情况"])
def test_goal_block_ends_the_money_block(tmp_path: Path, goals_label: str) -> None:
    reading = read(_one_sheet(tmp_path / "自评表.xlsx", goals_label=goals_label))
    assert [(r.row, r.kind, r.name) for r in reading.input.budget_rows] == [
        (6, "total", "年度资金总额:"), (7, "line", "其中：当年财政拨款")]


def test_initial_budget_only_is_the_basis(tmp_path: Path) -> None:
    # 年初预算数(A) / 全年执行数(B) only: the rate is 45 / 50 against 年初预算数 (§5); nothing else is lost
    path = _one_sheet(tmp_path / "自评表.xlsx", budget_labels=("年初预算数（A）", "全年执行数（B）"))
    reading = read(path)
    inp = reading.input
    assert (inp.budget_basis.coord, inp.budget_basis.text, inp.budget_missing) == ("C5", "年初预算数（A）", None)
    assert [r.budget.coord for r in inp.budget_rows] == ["C6", "C7"]
    assert inp.typed_total is not None and inp.typed_total.coord == "J21"
    assert len(inp.indicators) == 5 and inp.info["实施单位"].text == "井陉县南障城镇人民政府"
    result = evaluate(path)
    assert str(result.execution.rate) == "0.9" and str(result.total) == "95.33"
    assert [(f.code, f.cell) for f in result.checks] == [("BUDGET_BASIS_INITIAL", "C5")]


def test_money_block_without_budget_columns_keeps_the_rest(tmp_path: Path) -> None:
    path = _one_sheet(tmp_path / "自评表.xlsx", budget_labels=("全年执行数（B）",), typed_total=86.33)
    inp = read(path).input
    # only 全年执行数 in the money block: the rate has no budget to divide by; the other blocks still read
    assert inp.budget_missing == "全年预算数"
    assert (inp.form, len(inp.indicators), inp.typed_total.coord) == ("project", 5, "J21")
    assert inp.info["主管部门"].text == "井陉县文化广电和旅游局 101"
    assert (inp.info["实施单位"].coord, inp.info["实施单位"].text) == ("F4", "井陉县南障城镇人民政府")
    # the execution scores 0: 95.33 − 9.00 = 86.33, the typed total agrees
    result = evaluate(path)
    assert (str(result.total), [(f.code, f.cell) for f in result.checks]) == ("86.33", [("VALUE_MISSING", "C6")])


def test_department_title_wins(tmp_path: Path) -> None:
    result = evaluate(_one_sheet(tmp_path / "自评表.xlsx", title="部门整体支出绩效自评表"), "mof-project")
    assert result.form == "project"  # a named profile decides
    assert read(_one_sheet(tmp_path / "b.xlsx", title="部门整体支出绩效自评表")).input.form == "department"


def test_explain_names_every_column_and_why(tmp_path: Path) -> None:
    checked = check(_one_sheet(tmp_path / "自评表.xlsx"))
    found = {(c.table, c.column): (c.label, c.meaning, c.why) for c in checked.columns}
    assert found[("绩效指标表", "E")] == ("指标性质", "比较方式",
                                       "合并表头“年度指标值”下的子表头，表头名称；该列填的是比较符号（≥、≤、=），按比较方式读")
    assert found[("绩效指标表", "F")] == ("指标值", "年度指标值", "合并表头“年度指标值”下的子表头，同义词")
    assert found[("绩效指标表", "G")] == ("度量单位", "计量单位", "合并表头“年度指标值”下的子表头，同义词")
    assert found[("绩效指标表", "H")] == ("全年实际值", "实际完成值", "同义词")
    assert found[("绩效指标表", "I")] == ("指标权重\n（分）", "分值", "同义词")
    assert found[("预算执行表", "D")] == ("全年预算数（A）", "全年预算数", "表头名称")
    runner = CliRunner()
    out = runner.invoke(main, ["check", "--explain", str(tmp_path / "自评表.xlsx")])
    assert out.exit_code == 0
    assert "    F 列 F12 “指标值” → 年度指标值（合并表头“年度指标值”下的子表头，同义词）" in out.stdout
    data = json.loads(runner.invoke(main, ["check", "--json", str(tmp_path / "自评表.xlsx")]).stdout)
    assert {"table": "绩效指标表", "sheet": "Sheet1", "column": "F", "header": "F12", "label": "指标值",
            "meaning": "年度指标值", "why": "合并表头“年度指标值”下的子表头，同义词"} in data["columns"]


# --- labels ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("printed", "key", "unit"), [
    ("年度资金总额:", "年度资金总额", None), ("实施单位（盖章）：", "实施单位", None),
    ("全年预算数\n（A）", "全年预算数", None), ("执行率(B/A)(%)", "执行率", None), ("差额（A-B）", "差额", None),
    ("项目资金（万元）", "项目资金", "万元"), ("全年执行数(元)", "全年执行数", "元"), ("分值（10分）", "分值", None),
    ("一、产出指标", "产出指标", None), ("（一）数量指标", "数量指标", None), ("1.名称", "名称", None),
    ("单位(公章)", "单位", None), ("全年（调整）预算数", "全年(调整)预算数", None),
])
def test_printed_labels(printed: str, key: str, unit: str | None) -> None:
    label = read_label(printed)
    assert (label.key, label.money_unit) == (key, unit)


@pytest.mark.parametrize(("text", "instruction"), [
    ("注：偏差原因请在此填写", True), ("说明：未完成的需写明原因", True), ("填表说明：…", True),
    ("未完成的需说明原因(100字以内)", True), ("请在本栏填写偏差原因", True), ("按填报说明填写", True),
    ("部分资金未到位", False), ("需求调整，已说明", False),
])
def test_instruction_text(text: str, instruction: bool) -> None:
    assert is_instruction(text) is instruction


# --- separate sheets with published labels -------------------------------------------------------------

def _two_sheets(path: Path, *, indicator_header: list[str], rows: list[list[object]],
                budget_header: list[str] | None = None) -> Path:
    """基本信息 + 预算执行 + 绩效指标 in openpyxl, the labels as given."""
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "基本信息"
    for pair in (("单位名称：", "南障城镇人民政府"), ("评价年度：", "2025年"), ("评价类型", "部门整体支出")):
        info.append(pair)
    budget = wb.create_sheet("预算执行")
    budget.append(["金额单位：元"])
    budget.append(budget_header or ["名称", "全年预算数（A）", "全年执行数（B）"])
    budget.append(["人员经费", 1000, 950] if budget_header is None or len(budget_header) == 3 else ["人员经费", 1000])
    ind = wb.create_sheet("绩效指标")
    ind.append(["部门整体支出绩效自评表"])
    ind.append(indicator_header)
    for row in rows:
        ind.append(row)
    wb.save(path)
    return path


def test_no_first_level_column_reads_the_table(tmp_path: Path) -> None:
    # hebei-dept: execution 950 / 1000 = 95% → 10 × 0.95 = 9.50; 办结率 ≥95%, 98 → 45; 满意度 ≥90%, 90 → 45
    path = _two_sheets(tmp_path / "无一级.xlsx", indicator_header=["序号", "指标名称", "指标值", "实际值", "权重"],
                       rows=[[1, "投诉举报按时办结率", "≥95%", "98%", 45], [2, "群众满意度", "≥90%", "90%", 45]])
    inp = read(path).input
    assert inp.levels_absent and (inp.name_header.coord, inp.name_header.text) == ("B2", "指标名称")
    assert [i.name.text for i in inp.indicators] == ["投诉举报按时办结率", "群众满意度"]
    result = evaluate(path)
    assert (str(result.total), [(f.code, f.cell) for f in result.checks]) == ("99.50", [("LEVELS_ABSENT", "B2")])


def test_no_weight_column_is_exit_2(tmp_path: Path) -> None:
    path = _two_sheets(tmp_path / "无分值.xlsx",
                       indicator_header=["一级指标（分值）", "三级指标", "年度指标值", "实际完成值"],
                       rows=[["产出指标（40分）", "办结率", "≥95%", "98%"]])
    with pytest.raises(NotAForm) as caught:
        evaluate(path)
    assert caught.value.code == "WEIGHT_COLUMN_MISSING"
    assert caught.value.message == (
        "文件 无分值.xlsx 的绩效指标表没有分值列，无法评分："
        "工作表“绩效指标”第 2 行找到 三级指标、年度指标值、实际完成值，缺少 分值 列。"
        "每个三级指标都要有自己的分值（只在一级指标上写分值的表不能逐项评分）：请加一列“分值”。")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2


def test_not_a_form_names_what_the_nearest_sheet_missed(tmp_path: Path) -> None:
    path = _two_sheets(tmp_path / "半张表.xlsx", indicator_header=["三级指标", "分值", "得分"],
                       rows=[["办结率", 10, 10]])
    with pytest.raises(NotAForm) as caught:
        evaluate(path)
    assert caught.value.message == (
        "文件 半张表.xlsx 不是绩效自评表：没有找到绩效指标表（在工作表 基本信息、预算执行、绩效指标 中查找含"
        "“三级指标、年度指标值、实际完成值、分值”表头的表格；工作表“绩效指标”第 2 行找到 三级指标、分值，"
        "缺少 年度指标值、实际完成值 列）。请使用 selfeval-xl template 生成的模板，"
        "或保留“预算执行”“绩效指标”两张表的表头。")


def test_separate_budget_without_full_year_column(tmp_path: Path) -> None:
    path = _two_sheets(tmp_path / "年初.xlsx", budget_header=["名称", "年初预算数", "全年执行数"],
                       indicator_header=["一级指标", "三级指标", "年度指标值", "实际完成值", "分值"],
                       rows=[["产出指标", "办结率", "≥95%", "98%", 40]])
    inp = read(path).input
    assert (inp.budget_basis.coord, inp.budget_missing) == ("B2", None)
    assert [(r.budget.coord, r.executed.coord) for r in inp.budget_rows] == [("B3", "C3")]
    path = _two_sheets(tmp_path / "无预算.xlsx", budget_header=["名称", "全年执行数"],
                       indicator_header=["一级指标", "三级指标", "年度指标值", "实际完成值", "分值"],
                       rows=[["产出指标", "办结率", "≥95%", "98%", 40]])
    assert read(path).input.budget_missing == "全年预算数"


def test_adjusted_target_where_filled(tmp_path: Path) -> None:
    path = _two_sheets(tmp_path / "调整.xlsx",
                       indicator_header=["一级指标", "三级指标", "年初指标值", "调整指标值", "全年完成值", "指标分值",
                                         "自评分"],
                       rows=[["产出指标", "培训人次", "≥100人次", "≥80人次", "85人次", 20, 20],
                             ["产出指标", "办结率", "≥95%", None, "98%", 20, 20]])
    inp = read(path).input
    assert [i.target.text for i in inp.indicators] == ["≥80人次", "≥95%"]
    assert [i.target.coord for i in inp.indicators] == ["D3", "C4"]


def test_reason_merged_over_rows_and_instruction_text(tmp_path: Path) -> None:
    path = tmp_path / "原因.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效指标"
    ws.append(["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分", "偏差原因分析"])
    ws.append(["产出指标", "数量指标", "培训人次", "≥100", "90", 20, 18, "受疫情影响，培训延期"])
    ws.append([None, None, "培训场次", "≥10", "9", 20, 18, None])
    ws.append([None, "质量指标", "合格率", "≥95%", "90%", 20, 18.95, "未完成的需说明原因(100字以内)"])
    ws.merge_cells("H2:H3")
    ws.merge_cells("A2:A4")
    wb.save(path)
    inp = read(path).input
    assert [i.reason.text for i in inp.indicators] == ["受疫情影响，培训延期", "受疫情影响，培训延期", ""]
    assert [i.reason.coord for i in inp.indicators] == ["H2", "H2", "H4"]
    assert [i.level1.text for i in inp.indicators] == ["产出指标"] * 3


def test_two_row_header_lower_synonym_beats_upper(tmp_path: Path) -> None:
    # 实际完成值 stands alone on the upper row, 全年实际值 under a group below it: the lower one names the column
    path = tmp_path / "两行.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("绩效指标")
    fmt = wb.add_format({"text_wrap": True})
    for col, label in (("A", "一级指标"), ("B", "三级指标"), ("E", "分值"), ("F", "实际完成值")):
        ws.merge_range(f"{col}1:{col}2", label, fmt)
    ws.merge_range("C1:D1", "指标值及完成情况", fmt)
    ws.write_row("C2", ["指标值", "全年实际值"])
    ws.write_row("A3", ["产出指标", "办结率", "≥95%", "98%", 40, "备注"])
    wb.close()
    table = check(path).columns
    assert {c.meaning: c.column for c in table} == {"一级指标": "A", "三级指标": "B", "年度指标值": "C",
                                                    "实际完成值": "D", "分值": "E"}


def _four_levels(path: Path, kind: str | None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效指标"
    if kind:
        ws.append(["评价类型", kind])
    ws.append(["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分"])
    for row in (("项目决策（15分）", "项目立项", "立项依据充分性", "充分", "充分", 15, 15),
                ("项目管理", "资金管理", "预算执行率", "—", "96%", 15, 14.4),
                ("项目产出", "产出数量", "培训人次", "≥100", "100", 40, 40),
                ("项目效益", "社会效益", "群众满意度", "≥90%", "95%", 30, 30)):
        ws.append(row)
    wb.save(path)
    return path


def test_four_levels_choose_their_profile(tmp_path: Path) -> None:
    # 决策 / 管理 among the first levels and no profile named: the built-in profile for them (§6)
    assert read(_four_levels(tmp_path / "四类.xlsx", None)).profile.name == "mof-4level"
    # …but never against the form the workbook states: a department form keeps its default
    assert read(_four_levels(tmp_path / "部门.xlsx", "部门整体支出")).profile.name == "hebei-dept"
