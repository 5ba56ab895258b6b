"""Numbered group rows (一、基本支出, 二、项目支出) printed above their lines on a project form are the
groups' headings or subtotals, never lines (docs/workbook.md §5)."""
from __future__ import annotations

from pathlib import Path

from selfeval_xl.api import evaluate
from workbooks import edit, template_copy


def test_numbered_group_rows_are_subtotals_not_lines(tmp_path: Path) -> None:
    """基本支出 100 / 90 over 人员经费 60 / 55 and 公用经费 40 / 35, 项目支出 50 / 40 over 某项目 50 / 40:
    the budget is 60 + 40 + 50 = 150 and the executed 55 + 35 + 40 = 130 (rate 130 ÷ 150 = 86.67 %),
    never 300 / 260 with the group rows added; the group rows agree with their lines, so no mismatch."""
    rows = {"B4": "一、基本支出", "D4": 100, "E4": 90, "B5": "人员经费", "D5": 60, "E5": 55,
            "B6": "公用经费", "D6": 40, "E6": 35, "B7": "二、项目支出", "D7": 50, "E7": 40,
            "B8": "某项目", "D8": 50, "E8": 40}
    path = edit(template_copy(tmp_path, "项目.xlsx", form="project", example=False), {"预算执行": rows})
    result = evaluate(path)
    assert (result.execution.budget, result.execution.executed) == (150, 130)
    assert str(round(result.execution.rate * 100, 2)) == "86.67"
    assert "BUDGET_TOTAL_MISMATCH" not in {f.code for f in result.checks}
    # a group row that disagrees with its lines is still checked, on its own cell
    rows["D4"] = 120
    wrong = evaluate(edit(template_copy(tmp_path, "错.xlsx", form="project", example=False), {"预算执行": rows}))
    assert [(f.code, f.cell) for f in wrong.checks if f.code == "BUDGET_TOTAL_MISMATCH"] == [
        ("BUDGET_TOTAL_MISMATCH", "D4")]


def test_a_reason_merged_over_the_lines_and_the_total_explains_the_total(tmp_path: Path) -> None:
    """sichuan-project wants a reason below a 90 % rate. 当年财政拨款 100 / 80 has none of its own; the
    reason is typed once in a cell merged from the unused line below (上年结转资金, no amounts: skipped)
    down over the total row (G5:G14): it is the total's reason, so no EXECUTION_UNEXPLAINED."""
    import openpyxl
    path = edit(template_copy(tmp_path, "合并.xlsx", form="project", example=False),
                {"预算执行": {"B4": "当年财政拨款", "D4": 100, "E4": 80, "B5": "上年结转资金",
                              "G5": "部分工程尾款待审计后支付"},
                 "基本信息": {"B9": "sichuan-project"}})
    wb = openpyxl.load_workbook(path)
    wb["预算执行"].merge_cells("G5:G14")
    wb.save(path)
    result = evaluate(path)
    assert str(result.execution.rate) == "0.8"
    assert "EXECUTION_UNEXPLAINED" not in {f.code for f in result.checks}
