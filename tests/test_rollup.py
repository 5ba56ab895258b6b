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
    assert len(data["units"]) == 4 and data["grades"]["优秀"] == {"final": 2, "provisional": 0}
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


# --- what a county officer meets on the first day ------------------------------------------------------

def test_form_type_in_words_in_the_xlsx_and_csv(tmp_path: Path) -> None:
    units = tmp_path / "收件箱"
    units.mkdir()
    template_copy(units, "部门.xlsx")
    template_copy(units, "项目.xlsx", form="project", example=False)  # blank: read as a project form all the same
    out, csv = tmp_path / "汇总.xlsx", tmp_path / "汇总.csv"
    result = rollup([units], output=out, csv=csv, workers=1)
    ws = openpyxl.load_workbook(out)["汇总"]
    header = [c.value for c in ws[3]]
    shown = {r[header.index("文件")]: r[header.index("表样")] for r in ws.iter_rows(min_row=4, values_only=True)}
    assert shown == {"部门.xlsx": "部门整体支出", "项目.xlsx": "项目支出"}
    import csv as csv_module
    table = list(csv_module.DictReader(csv.read_text(encoding="utf-8-sig").splitlines()))
    assert {r["文件"]: r["表样"] for r in table} == {"部门.xlsx": "部门整体支出", "项目.xlsx": "项目支出"}
    # the JSON keeps the stable codes, as `check --json` does
    assert sorted(u["form"] for u in result.to_json()["units"]) == ["department", "project"]


def test_grade_distribution_lists_every_grade_and_keeps_provisional_apart(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    result = rollup([folder], output=out, workers=1)
    ws = openpyxl.load_workbook(out)["等级分布"]
    rows = [r[:4] for r in ws.iter_rows(min_row=1, max_row=5, values_only=True)]
    # hebei-dept's four grades in order: 南障城镇 98.40 and 北城镇 96.56 are 优秀 without errors; the blank
    # template scores 0 with errors: 较差, provisional; 良好 and 一般 have no unit and are listed with 0.
    assert rows == [("等级", "正式", "暂评", "合计"), ("优秀", 2, 0, 2), ("良好", 0, 0, 0), ("一般", 0, 0, 0),
                    ("较差", 0, 1, 1)]
    assert ws["A7"].value == "暂评：自评表还有错误，等级待单位更正后才能确定。"
    assert ws["A8"].value == "另有 1 个文件无法读取，没有等级（见“汇总”表的说明列）。"  # 损坏.xlsx
    assert result.to_json()["grades"] == {
        "优秀": {"final": 2, "provisional": 0}, "良好": {"final": 0, "provisional": 0},
        "一般": {"final": 0, "provisional": 0}, "较差": {"final": 0, "provisional": 1}}


def test_grade_distribution_over_two_profiles() -> None:
    from selfeval_xl.county.rollup import build

    words, letters = ["优秀", "良好", "一般", "较差"], ["优", "良", "中", "差"]

    def unit(name: str, total: float, grade: str, names: list[str], provisional: bool) -> dict:
        return {"file": f"{name}.xlsx", "mtime": 0.0, "unit": name, "year": 2025, "form": "department",
                "total": total, "grade": grade, "provisional": provisional, "grade_names": names}

    rollup_ = build([unit("甲", 95.0, "优秀", words, False), unit("乙", 88.0, "良", letters, False),
                     unit("丙", 70.0, "中", letters, True), unit("丁", 65.0, "中", letters, False),
                     {"file": "坏.xlsx", "mtime": 0.0, "note": "无法读取"}])
    # the first unit's profile first (the table is sorted by total), each profile's grades in its order
    assert rollup_.grade_counts() == {"优秀": (1, 0), "良好": (0, 0), "一般": (0, 0), "较差": (0, 0),
                                      "优": (0, 0), "良": (1, 0), "中": (1, 1), "差": (0, 0)}


def test_console_names_each_unreadable_file(folder: Path, tmp_path: Path) -> None:
    (folder / "~$北城镇.xlsx").write_bytes(b"\x08zhangsan" + b" " * 156)  # Excel's owner file, 165 bytes
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(main, ["rollup", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # the folder's three units (two valid, one with an error), two unreadable files, one duplicate
    assert lines[0] == (f"已汇总 3 个单位（校验通过 2 个，暂评 1 个），无法读取的文件 2 个，重复提交未采用 1 份，"
                        f"目标变动 0 处：{out}")
    assert len(lines) == 3
    assert lines[1] == ("  ~$北城镇.xlsx：文件 ~$北城镇.xlsx 是 Excel/WPS 打开 北城镇.xlsx 时在旁边生成的锁定文件"
                        "（只记录打开者的用户名），不是工作簿本身：请改选同一文件夹中的 北城镇.xlsx；"
                        "在 Excel/WPS 中关闭该工作簿后，这个锁定文件会自动消失。")
    assert lines[2].startswith("  损坏.xlsx：文件 损坏.xlsx ")  # the reader's own words follow


def test_console_list_of_unreadable_files_is_bounded(tmp_path: Path) -> None:
    units = tmp_path / "收件箱"
    deep = units / ("甲" * 60)
    deep.mkdir(parents=True)
    template_copy(units, "正常.xlsx")
    (deep / "乙.et").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    for i in range(1, 23):
        (units / f"表{i:02d}.et").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    result = CliRunner().invoke(main, ["rollup", str(units), "--csv", str(tmp_path / "汇总.csv")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("已汇总 1 个单位（校验通过 1 个，暂评 0 个），无法读取的文件 23 个，"
                        "重复提交未采用 0 份，目标变动 0 处")
    # the path 甲×60/乙.et has 65 characters: its first 20, "…", its last 39 (甲×34 + "/乙.et")
    assert lines[1] == "  " + "甲" * 20 + "…" + "甲" * 34 + "/乙.et：WPS 格式，请另存为 .xlsx，已跳过"
    assert lines[2:21] == [f"  表{i:02d}.et：WPS 格式，请另存为 .xlsx，已跳过" for i in range(1, 20)]
    assert lines[21:] == ["  ……另有 3 个"]  # 表20–表22


def test_wps_files_are_rows_that_say_so(tmp_path: Path) -> None:
    from selfeval_xl.county.rollup import WPS_FORMAT, collect

    units = tmp_path / "收件箱"
    units.mkdir()
    template_copy(units, "正常.xlsx")
    template_copy(units, "改了扩展名.et")  # even a real workbook saved as .et: WPS's own format is never read
    (units / "报表.et").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    (units / "~$报表.et").write_bytes(b"\x08zhangsan")  # WPS's lock file beside the open 报表.et
    assert WPS_FORMAT == "WPS 格式，请另存为 .xlsx，已跳过"
    assert [(e.shown, e.note) for e in collect([units])] == [
        ("~$报表.et", ""), ("报表.et", WPS_FORMAT), ("改了扩展名.et", WPS_FORMAT), ("正常.xlsx", "")]
    result = rollup([units], workers=1)
    notes = {u["file"]: u["note"] for u in result.units}
    assert notes["报表.et"] == notes["改了扩展名.et"] == "WPS 格式，请另存为 .xlsx，已跳过"
    assert notes["~$报表.et"].startswith("文件 ~$报表.et 是 Excel/WPS 打开 报表.et 时在旁边生成的锁定文件")
    assert notes["正常.xlsx"] == ""
    assert rollup([units / "报表.et"], workers=1).units[0]["note"] == WPS_FORMAT  # named on the command line too
