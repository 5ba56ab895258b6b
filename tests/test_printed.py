"""The scored copy and the templates as a person sees them printed: LibreOffice prints them to PDF and
the text on the pages must hold every message and instruction in full, with no text drawn over other
text; the grade's colour follows validity and marked cells are told apart without colour."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from lo import overlapping_words
from selfeval_xl.cli.app import main
from workbooks import edit, template_copy

# Five errors with long messages, a qualitative actual of 15 CJK characters (a 30-wide text in an
# 11-wide column) and a weight typed 8 instead of 4 (产出 44 of 40).
BROKEN = {"预算执行": {"D5": "abc"},
          "绩效指标": {"K4": 8, "F5": "定性", "J5": "部分达成年度指标并具有一定效果", "H6": "好", "J6": "很多"}}


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(pdf: Path) -> str:
    return _flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode())


@pytest.fixture(scope="module")
def printed(tmp_path_factory, lo_convert) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("printed")
    broken = edit(template_copy(folder, "有错误.xlsx"), BROKEN)
    scored = folder / "有错误_评分.xlsx"
    assert CliRunner().invoke(main, ["score", str(broken), "-o", str(scored)]).exit_code == 1
    blank = folder / "空白模板.xlsx"
    assert CliRunner().invoke(main, ["template", "-o", str(blank)]).exit_code == 0
    example = template_copy(folder, "示例模板.xlsx")
    pdfs = lo_convert([scored, blank, example], folder / "pdf", to="pdf")
    return {"scored": scored, "blank": blank, "example": example, "broken": broken,
            **{f"{key}.pdf": pdf for key, pdf in zip(("scored", "blank", "example"), pdfs, strict=True)}}


@pytest.mark.libreoffice
def test_every_problem_prints_in_full_on_the_scored_copy(printed: dict[str, Path]) -> None:
    summary = openpyxl.load_workbook(printed["scored"])["评分汇总"]
    header = next(c.row for c in summary["B"] if c.value == "代码")
    messages = [summary.cell(r, 5).value for r in range(header + 1, summary.max_row + 1)
                if summary.cell(r, 1).value in ("错误", "警告")]
    # D5, the executed total then over the budget total (D5 is out of it), L5 (部分达成 without a score),
    # H6, J6, 产出 44 ≠ 40, total 104
    assert len(messages) == 7
    text = _pdf_text(printed["scored.pdf"])
    assert [m for m in messages if _flat(m) not in text] == []
    assert "部分达成年度指标并具有一定效果" in text and "BUDGET_ADJUSTED_UNEXPLAINED" not in text


@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["blank", "example"])
def test_every_instruction_of_the_template_prints_in_full(printed: dict[str, Path], which: str) -> None:
    wb = openpyxl.load_workbook(printed[which])
    instructions = [c.value for c in wb["填表说明"]["B"] if isinstance(c.value, str)]
    instructions += [wb["绩效指标"]["A2"].value, wb["评分"]["A2"].value]
    assert len(instructions) >= 14
    text = _pdf_text(printed[f"{which}.pdf"])
    assert [line for line in instructions if _flat(line) not in text] == []


@pytest.mark.libreoffice
@pytest.mark.parametrize("which", ["scored", "blank", "example"])
def test_no_text_is_printed_over_other_text(printed: dict[str, Path], which: str) -> None:
    assert overlapping_words(printed[f"{which}.pdf"]) == []


def test_rows_of_wrapped_problems_are_tall_enough(printed: dict[str, Path]) -> None:
    """The J6 message, worked by hand: 47 Chinese characters and 6 full-width marks at two columns
    (106), 4 curly quotes, 2 spaces and 13 digits or % at one (19): 125 columns in E:F, 11 + 48 = 59
    wide with one spare → ⌈125 ÷ 58⌉ = 3 lines of 14 points, plus 4 = 46 points, rounded up to a whole
    pixel of 0.75 points: 62 × 0.75 = 46.5."""
    summary = openpyxl.load_workbook(printed["scored"])["评分汇总"]
    row = next(c.row for c in summary["D"] if c.value == "J6")
    assert summary.cell(row, 5).value.startswith("“监督工作任务完成率”的实际完成值“很多”")
    assert summary.row_dimensions[row].height == 46.5


def test_the_grade_of_a_workbook_with_errors_is_grey_and_of_a_valid_one_green(printed: dict[str, Path],
                                                                             tmp_path: Path) -> None:
    def grade_fill(path: Path) -> str:
        summary = openpyxl.load_workbook(path)["评分汇总"]
        cell = next(c for row in summary.iter_rows(max_row=12) for c in row if c.value == "等级")
        return summary.cell(cell.row, cell.column + 1).fill.fgColor.rgb

    valid = tmp_path / "示例_评分.xlsx"
    assert CliRunner().invoke(main, ["score", str(template_copy(tmp_path)), "-o", str(valid)]).exit_code == 0
    assert grade_fill(valid) == "FFC6EFCE"  # 98.40 优秀, checked: green
    assert grade_fill(printed["scored"]) == "FFEDEDED"  # 良好 provisional: grey, never a verdict's colour


def test_marked_cells_are_framed_solid_for_errors_and_dashed_for_warnings(tmp_path: Path) -> None:
    # D5 "abc": an error; J4 98 for a target of 100 and no reason → DEVIATION_UNEXPLAINED on M4, a warning
    broken = edit(template_copy(tmp_path), {"预算执行": {"D5": "abc"}, "绩效指标": {"J4": 98}})
    scored = tmp_path / "评分.xlsx"
    CliRunner().invoke(main, ["score", str(broken), "-o", str(scored)])
    wb = openpyxl.load_workbook(scored)
    error, warning = wb["预算执行"]["D5"].border, wb["绩效指标"]["M4"].border
    assert {error.left.style, error.right.style, error.top.style, error.bottom.style} == {"medium"}
    assert {warning.left.style, warning.right.style, warning.top.style, warning.bottom.style} == {"mediumDashed"}
    source = openpyxl.load_workbook(broken)
    assert source["预算执行"]["D5"].border.left.style == "thin"  # the input keeps its own frame
