"""The one-sheet official 项目支出绩效自评表 (docs/workbook.md §6) reads and scores."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from oneform_sample import write_one_sheet_form
from selfeval_xl.api import evaluate, score


def test_one_sheet_form_scores_with_project_defaults(tmp_path: Path) -> None:
    result = evaluate(write_one_sheet_form(tmp_path / "自评表.xlsx"))
    assert (result.form, result.profile, result.money_unit, result.year) == (
        "project", "mof-project（按表内分值）", "万元", 2025)  # no profile named: the form's weights
    assert result.unit == "井陉县南障城镇人民政府"
    assert (result.execution.budget, result.execution.executed) == (Decimal("43.2"), Decimal("41.5"))
    assert str(result.execution.score) == "9.61"
    assert [str(i.score) for i in result.indicators] == ["20.00", "15.00", "15.00", "27.00", "10.00"]
    assert [i.operator for i in result.indicators] == ["≥", "=", "≤", "≥", "≥"]
    assert [lv.score for lv in result.levels] == [Decimal("50.00"), Decimal("27.00"), Decimal("10.00")]
    assert (str(result.total), result.grade, result.checks) == ("96.61", "优", ())


def test_typed_total_and_printed_weight_are_checked(tmp_path: Path) -> None:
    path = write_one_sheet_form(tmp_path / "自评表.xlsx", typed_total=99, printed_weight=20)
    codes = {(f.code, f.cell) for f in evaluate(path).checks}
    assert ("TOTAL_MISMATCH", "H18") in codes
    # the printed 20 is the form's execution weight (no profile named, docs/rules.md §14): with the
    # indicators' 90 the form makes 110, not 100
    assert ("WEIGHT_TOTAL", None) in codes


def test_only_the_total_filled_uses_the_total(tmp_path: Path) -> None:
    path = write_one_sheet_form(tmp_path / "自评表.xlsx", lines=(("其中：当年财政拨款", None, None, None),))
    result = evaluate(path)
    assert str(result.execution.rate.quantize(Decimal("0.0001"))) == "0.9606"
    assert not [f for f in result.checks if f.code.startswith("BUDGET")]


def test_total_that_disagrees_with_its_lines(tmp_path: Path) -> None:
    path = write_one_sheet_form(tmp_path / "自评表.xlsx", total_row_values=(43.2, 43.2, 40.0))
    checks = {(f.code, f.cell) for f in evaluate(path).checks}
    assert ("BUDGET_TOTAL_MISMATCH", "E6") in checks


def test_one_sheet_form_scored_copy(tmp_path: Path) -> None:
    scored = score(write_one_sheet_form(tmp_path / "项目 自评表.xlsx"))
    assert scored.output.exists() and str(scored.result.total) == "96.61"


def test_signature_block_under_the_total_is_not_read(tmp_path: Path) -> None:
    import openpyxl
    path = write_one_sheet_form(tmp_path / "自评表.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.append([])
    ws.append(["填表人：", "王五", "联系电话：", "", "填报日期：", "2026-01-10"])
    ws.append(["单位负责人：", "李四", "", "", "", "（单位盖章）"])
    wb.save(path)
    result = evaluate(path)
    assert (str(result.total), result.checks) == ("96.61", ())


def test_form_sheet_written_by_report_reads_back(tmp_path: Path) -> None:
    from selfeval_xl.api import report
    from workbooks import template_copy
    sheet = tmp_path / "一页式.xlsx"
    report(template_copy(tmp_path, "示例.xlsx"), sheet, form_sheet=True)
    result = evaluate(sheet)
    assert (result.form, str(result.total), result.grade) == ("department", "98.40", "优秀")
    assert [f.code for f in result.errors] == []
