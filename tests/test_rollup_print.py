"""The rollup as a county officer reads it, on screen and printed: valid units first, then the
provisional ones, then the files that could not be read with their reason beside the name; the key
columns on the first page of an A4 landscape print; the grade chart on one page."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from lo import overlapping_words
from selfeval_xl.cli.app import main
from workbooks import edit, template_copy

BROKEN_REASON = "文件 损坏.xlsx 不是有效的 .xlsx 工作簿（文件已损坏或被截断）：请重新导出或另存为 .xlsx。"


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    """The example (98.40, docs/rules.md) and two copies whose indicator J6 (weight 4, scoring 3.84 in the
    example) scores 0: 甲 with an actual of 0 (valid, 98.40 − 3.84 = 94.56), 乙 with the word 完成
    (VALUE_NOT_NUMBER, the same 94.56 but provisional); 乙 sorts before 甲 by name, never by rank."""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    template_copy(folder, "南障城镇.xlsx")
    edit(template_copy(folder, "甲.xlsx"), {"基本信息": {"B3": "甲镇人民政府"}, "绩效指标": {"J6": 0}})
    edit(template_copy(folder, "乙.xlsx"), {"基本信息": {"B3": "乙镇人民政府"}, "绩效指标": {"J6": "完成"}})
    (folder / "损坏.xlsx").write_bytes(b"PK\x03\x04 not really")
    return folder


def test_valid_units_first_then_provisional_then_unreadable(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(main, ["rollup", str(inbox), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    units = json.loads(result.stdout)["units"]
    assert [(u["unit"], u["total"], u["valid"]) for u in units] == [
        ("井陉县南障城镇人民政府", 98.4, "通过"), ("甲镇人民政府", 94.56, "通过"),
        ("乙镇人民政府", 94.56, "未通过（暂评）"), ("损坏.xlsx", None, "无法读取")]
    sheet = openpyxl.load_workbook(out)["汇总"]
    assert [c.value for c in sheet[3]][:7] == ["单位名称", "重算总分", "等级", "校验", "错误数", "预算执行率", "说明"]
    assert [c.value for c in sheet[7]][:7] == ["损坏.xlsx", None, None, "无法读取", None, None, BROKEN_REASON]
    assert sheet["A1"].value.startswith("预算绩效自评汇总：3 个单位（校验通过 2 个，暂评 1 个），无法读取的文件 1 个，")
    # the reason wraps in its 30-character column (29 usable): 88 wide, a CJK character counting two
    # (20 ASCII characters, 34 CJK ones) → ⌈88 ÷ 29⌉ = 4 lines of 15 points, plus 3
    assert sheet.row_dimensions[7].height == 4 * 15 + 3


def test_a_missing_folder_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(main, ["rollup", str(tmp_path / "不存在的文件夹"), "-o", str(out)])
    assert result.exit_code == 2
    assert "找不到文件或文件夹" in result.output and "不存在的文件夹" in result.output
    assert not out.exists()


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    return [re.sub(r"\s+", "", page) for page in text.decode("utf-8").split("\f") if page.strip()]


@pytest.mark.libreoffice
def test_printed_key_columns_land_on_page_one_and_the_chart_on_one_page(inbox: Path, tmp_path: Path,
                                                                        lo_convert) -> None:
    out = tmp_path / "汇总.xlsx"
    assert CliRunner().invoke(main, ["rollup", str(inbox), "-o", str(out)]).exit_code == 0
    (pdf,) = lo_convert([out], tmp_path / "pdf", to="pdf")
    pages = _pages(pdf)
    first = pages[0]
    assert "单位名称重算总分等级校验错误数预算执行率说明" in first
    for row in ("井陉县南障城镇人民政府98.40优秀通过098.26%", "甲镇人民政府94.56优秀通过0",
                "乙镇人民政府94.56优秀未通过（暂评）1", "损坏.xlsx无法读取"):
        assert row in first, first
    assert re.sub(r"\s+", "", BROKEN_REASON) in first  # in full, wrapped within its row
    assert sum("暂评：自评表还有错误" in page for page in pages) == 1  # 等级分布 and its chart: one page
    assert overlapping_words(pdf) == []  # no wrapped text runs over the next row
