"""rollup: one row per unit, broken files included with their reason, duplicates and lowered targets."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from selfeval_xl.api import rollup, score
from selfeval_xl.cli.app import main
from workbooks import edit, template_copy


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    units = tmp_path / "收件箱"
    units.mkdir()
    a = template_copy(units, "南障城镇.xlsx")
    score(a, units / "南障城镇.scored.xlsx")
    a.unlink()
    b = edit(template_copy(units, "北城镇.xlsx"), {"基本信息": {"B3": "井陉县北城镇人民政府", "B4": "井陉县财政局"},
                                                  "绩效指标": {"J6": 50, "L6": 4}})
    template_copy(units, "空白.xlsx", example=False)
    (units / "损坏.xlsx").write_bytes(b"PK\x03\x04 not really")
    sub = units / "子目录"
    sub.mkdir()
    shutil.copyfile(b, sub / "北城镇-旧.xlsx")
    os.utime(sub / "北城镇-旧.xlsx", (1_600_000_000, 1_600_000_000))
    return units


def test_folder_rolls_up_one_row_per_file(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    csv = tmp_path / "汇总.csv"
    result = CliRunner().invoke(main, ["rollup", str(folder), "-o", str(out), "--csv", str(csv)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["汇总", "按主管部门", "等级分布"] and "重复提交" in wb.sheetnames
    rows = [r for r in wb["汇总"].iter_rows(min_row=4, values_only=True)]
    header = [c.value for c in wb["汇总"][3]]
    files = [r[header.index("文件")] for r in rows]
    assert sorted(files) == sorted(["南障城镇.scored.xlsx", "北城镇.xlsx", "空白.xlsx", "损坏.xlsx"])
    totals = [r[header.index("重算总分")] for r in rows]
    assert totals[0] == pytest.approx(98.40) and totals[:3] == sorted(totals[:3], reverse=True)
    broken = rows[files.index("损坏.xlsx")]
    assert "损坏.xlsx" in broken[header.index("说明")] and broken[header.index("重算总分")] is None
    north = rows[files.index("北城镇.xlsx")]
    assert north[header.index("主管部门")] == "井陉县财政局" and north[header.index("评分后是否改动")] == "未评分"
    assert rows[files.index("南障城镇.scored.xlsx")][header.index("评分后是否改动")] == "未改动"
    assert (csv.read_bytes().startswith(b"\xef\xbb\xbf")
            and "井陉县北城镇人民政府" in csv.read_text(encoding="utf-8-sig"))
    assert ",2025," in csv.read_text(encoding="utf-8-sig") and "2025.0" not in csv.read_text(encoding="utf-8-sig")
    dropped = [r for r in wb["重复提交"].iter_rows(min_row=2, values_only=True)]
    assert [d[2] for d in dropped] == ["北城镇-旧.xlsx"]


def test_typed_total_beside_recomputed(folder: Path) -> None:
    result = rollup([folder], workers=1)
    north = next(u for u in result.units if u["file"] == "北城镇.xlsx")
    assert north["total"] == pytest.approx(98.40 - 3.84 + 2)
    assert north["typed_total"] is None  # only one 自评得分 typed: no self-reported total


def test_json_output(folder: Path) -> None:
    result = CliRunner().invoke(main, ["rollup", str(folder), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert len(data["units"]) == 4 and data["grades"]["优秀"] == 2
    assert data["dropped"][0]["kept"] == "北城镇.xlsx"


def test_lowered_target_is_flagged(tmp_path: Path) -> None:
    approved = tmp_path / "年初"
    approved.mkdir()
    template_copy(approved, "南障城镇-申报.xlsx")
    units = tmp_path / "自评"
    units.mkdir()
    edit(template_copy(units, "南障城镇.xlsx"), {"绩效指标": {"H12": 85, "K13": 14, "K14": 3}})
    result = rollup([units], targets=[approved], workers=1)
    kinds = {(f["indicator"], f["kind"], f["cell"]) for f in result.target_flags}
    assert ("上访劝返率", "目标调低", "绩效指标!H12") in kinds
    assert ("火灾发生率", "分值调整", "绩效指标!K14") in kinds
    assert result.units[0]["target_flags"] == 3


def test_nothing_found_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["rollup", str(tmp_path), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert result.stderr == "错误：没有找到任何工作簿（.xlsx/.xlsm/.xls/.ods）：请检查给出的文件或文件夹。\n"


def test_parallel_and_serial_agree(folder: Path) -> None:
    many = folder / "批量"
    many.mkdir()
    for i in range(10):
        edit(template_copy(many, f"单位{i}.xlsx"), {"基本信息": {"B3": f"第{i}单位"}})
    serial = rollup([folder], workers=1).to_json()
    parallel = rollup([folder], workers=2).to_json()
    assert serial == parallel and len(serial["units"]) == 14


def test_progress_bar_only_on_a_terminal(monkeypatch) -> None:
    import sys

    from selfeval_xl.cli.progress import progress_bar
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert progress_bar(500) is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert progress_bar(500) is not None and progress_bar(5) is None
