"""No command writes over an input or a file it did not make (docs: README 评分副本与输出文件).

An output that is one of the command's own inputs is refused with --force or without, however it is
spelled (./, a symbolic link, a hard link); an existing file that is not the tool's own output (a scored
copy, a rollup it wrote) is refused unless --force. Each refusal is exit 2, one Chinese line naming the
file, and the file byte for byte as it was.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfeval_xl.cli.app import main
from tests.workbooks import template_copy

AGAIN = "：请换一个文件名（-o），或加 --force 覆盖它。\n"
SCORE_EXISTS = "已存在，没有覆盖（它不是本工具写出的评分副本，可能是单位填好的自评表）" + AGAIN
ROLLUP_EXISTS = "已存在，没有覆盖（它不是本工具写出的汇总表，可能是单位的自评表）" + AGAIN
CSV_EXISTS = "已存在，没有覆盖（它不是本工具写出的汇总 CSV）：请换一个文件名（--csv），或加 --force 覆盖它。\n"
DRAFT_EXISTS = "已存在，没有覆盖（它可能是已经改写过的报告草稿）" + AGAIN
SHEET_EXISTS = "已存在，没有覆盖（它可能是已经填好、盖过章的自评表）" + AGAIN


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def units(tmp_path: Path) -> tuple[Path, Path]:
    """Two units' filled workbooks side by side: 单位1.xlsx is scored, 单位2.xlsx is somebody's work."""
    return template_copy(tmp_path, "单位1.xlsx"), template_copy(tmp_path, "单位2.xlsx")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A county's inbox as rollup reads it: a workbook at the top and one in a sub-folder."""
    folder = tmp_path / "收件箱"
    (folder / "乡镇").mkdir(parents=True)
    template_copy(folder, "单位1.xlsx")
    template_copy(folder / "乡镇", "单位2.xlsx")
    return folder


# --- score ------------------------------------------------------------------------------------------

def test_score_refuses_another_units_filled_workbook(units: tuple[Path, Path]) -> None:
    first, second = units
    before = digest(second)
    result = run("score", str(first), "-o", str(second))
    assert result.exit_code == 2
    assert result.stderr == f"错误：{second} {SCORE_EXISTS}"
    assert digest(second) == before


def test_score_refuses_another_workbook_spelled_with_dot_slash(units: tuple[Path, Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = units
    monkeypatch.chdir(second.parent)
    before = digest(second)
    result = run("score", first.name, "-o", f"./{second.name}")
    assert result.exit_code == 2
    assert result.stderr == f"错误：{second.name} {SCORE_EXISTS}"  # pathlib shows ./单位2.xlsx as 单位2.xlsx
    assert digest(second) == before


def test_score_force_replaces_another_workbook_but_never_its_input(units: tuple[Path, Path]) -> None:
    first, second = units
    assert run("score", str(first), "-o", str(second), "--force").exit_code == 0
    assert digest(second) != digest(first)  # now a scored copy of 单位1
    before = digest(first)
    result = run("score", str(first), "-o", str(first), "--force")
    assert result.exit_code == 2
    assert result.stderr == ("错误：输出文件不能与输入文件相同（单位1.xlsx）："
                             "评分副本总是另存为新文件，请换一个输出路径（-o）。\n")
    assert digest(first) == before


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_score_refuses_its_input_through_a_link(units: tuple[Path, Path], link: str) -> None:
    first, _ = units
    alias = first.with_name("别名.xlsx")
    (os.symlink if link == "symlink" else os.link)(first, alias)
    before = digest(first)
    result = run("score", str(first), "-o", str(alias), "--force")
    assert result.exit_code == 2
    assert result.stderr == ("错误：输出文件不能与输入文件相同（别名.xlsx 就是输入的 单位1.xlsx）："
                             "评分副本总是另存为新文件，请换一个输出路径（-o）。\n")
    assert digest(first) == before and alias.exists()


def test_score_refuses_another_workbook_through_a_symlink(units: tuple[Path, Path]) -> None:
    first, second = units
    alias = second.with_name("链接.xlsx")
    alias.symlink_to(second)
    before = digest(second)
    result = run("score", str(first), "-o", str(alias))
    assert result.exit_code == 2
    assert result.stderr == f"错误：{alias} {SCORE_EXISTS}"
    assert digest(second) == before and alias.is_symlink()


def test_score_twice_to_the_same_output_replaces_the_tools_own_copy(units: tuple[Path, Path]) -> None:
    first, _ = units
    out = first.with_name("报送.xlsx")
    assert run("score", str(first), "-o", str(out)).exit_code == 0
    result = run("score", str(first), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_score_default_output_will_not_replace_a_workbook_named_like_a_copy(units: tuple[Path, Path]) -> None:
    # 单位1.scored.xlsx is the default name, but this one is a unit's own workbook, not a scored copy
    first, second = units
    taken = first.with_name("单位1.scored.xlsx")
    taken.write_bytes(second.read_bytes())
    before = digest(taken)
    result = run("score", str(first))
    assert result.exit_code == 2
    assert result.stderr == f"错误：{taken} {SCORE_EXISTS}"
    assert digest(taken) == before


# --- rollup -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("option", ["-o", "--csv"])
def test_rollup_refuses_to_write_over_one_of_its_inputs(inbox: Path, option: str) -> None:
    inner = inbox / "乡镇" / "单位2.xlsx"
    before = digest(inner)
    for extra in ([], ["--force"]):  # an input is never an output
        result = run("rollup", str(inbox), option, str(inner), *extra)
        assert result.exit_code == 2
        what = "汇总表" if option == "-o" else "汇总 CSV "
        assert result.stderr == (f"错误：输出文件不能与输入文件相同（单位2.xlsx）：{what}不能写在要汇总的工作簿上，"
                                 f"请换一个输出路径（{option}）。\n")
        assert digest(inner) == before


def test_rollup_refuses_an_input_spelled_through_a_symlink_and_dot_slash(inbox: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    target = inbox / "单位1.xlsx"
    alias = inbox.parent / "别名.xlsx"
    alias.symlink_to(target)
    before = digest(target)
    result = run("rollup", str(inbox), "-o", str(alias))
    assert result.exit_code == 2
    assert result.stderr == ("错误：输出文件不能与输入文件相同（别名.xlsx 就是输入的 单位1.xlsx）："
                             "汇总表不能写在要汇总的工作簿上，请换一个输出路径（-o）。\n")
    monkeypatch.chdir(inbox.parent)
    result = run("rollup", "./收件箱", "--csv", "./收件箱/单位1.xlsx")
    assert result.exit_code == 2
    assert result.stderr == ("错误：输出文件不能与输入文件相同（单位1.xlsx）："
                             "汇总 CSV 不能写在要汇总的工作簿上，请换一个输出路径（--csv）。\n")
    assert digest(target) == before


def test_rollup_refuses_an_existing_workbook_and_csv_it_did_not_write(inbox: Path, units: tuple[Path, Path]) -> None:
    _, other = units  # a unit's workbook outside the inbox
    notes = other.with_name("台账.csv")
    notes.write_text("单位,金额\n南障城镇,100\n", encoding="utf-8-sig")
    before = digest(other), digest(notes)
    result = run("rollup", str(inbox), "-o", str(other))
    assert result.exit_code == 2 and result.stderr == f"错误：{other} {ROLLUP_EXISTS}"
    result = run("rollup", str(inbox), "--csv", str(notes))
    assert result.exit_code == 2 and result.stderr == f"错误：{notes} {CSV_EXISTS}"
    assert (digest(other), digest(notes)) == before


def test_rollup_replaces_its_own_earlier_output_and_force_replaces_others(inbox: Path, tmp_path: Path) -> None:
    out, csv = inbox / "汇总.xlsx", tmp_path / "汇总.csv"
    assert run("rollup", str(inbox), "-o", str(out), "--csv", str(csv)).exit_code == 0
    # again, with its own rollup inside the inbox: replaced, and not read as a unit
    result = run("rollup", str(inbox), "-o", str(out), "--csv", str(csv), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    read = sorted(row["file"] for row in data["units"] + data["dropped"])  # the same unit twice: one dropped
    assert read == ["单位1.xlsx", "单位2.xlsx"]
    stranger = tmp_path / "别人的.xlsx"
    stranger.write_bytes(b"PK\x03\x04 not ours")
    result = run("rollup", str(inbox), "-o", str(stranger), "--force")
    assert result.exit_code == 0, result.stderr
    assert stranger.read_bytes().startswith(b"PK") and len(stranger.read_bytes()) > 1000


# --- report -----------------------------------------------------------------------------------------

def test_report_refuses_an_existing_draft_unless_forced(units: tuple[Path, Path]) -> None:
    first, _ = units
    draft = first.with_name("自评报告.docx")
    draft.write_bytes(b"hours of a person's writing")
    result = run("report", str(first), "-o", str(draft))
    assert result.exit_code == 2
    assert result.stderr == f"错误：{draft} {DRAFT_EXISTS}"
    assert draft.read_bytes() == b"hours of a person's writing"
    result = run("report", str(first), "-o", str(draft), "--force")
    assert result.exit_code == 0, result.stderr
    assert draft.read_bytes().startswith(b"PK")


def test_report_form_sheet_refuses_a_workbook_and_its_input(units: tuple[Path, Path],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = units
    before = digest(first), digest(second)
    result = run("report", str(first), "--form-sheet", "-o", str(second))
    assert result.exit_code == 2
    assert result.stderr == f"错误：{second} {SHEET_EXISTS}"
    monkeypatch.chdir(first.parent)
    result = run("report", str(first), "--form-sheet", "-o", f"./{first.name}", "--force")
    assert result.exit_code == 2
    assert result.stderr == ("错误：输出文件不能与输入文件相同（单位1.xlsx）："
                             "报告和自评表总是另存为新文件，请换一个输出路径（-o）。\n")
    alias = first.with_name("别名.docx")
    alias.symlink_to(first)
    result = run("report", str(first), "-o", str(alias), "--force")
    assert result.exit_code == 2
    assert result.stderr == ("错误：输出文件不能与输入文件相同（别名.docx 就是输入的 单位1.xlsx）："
                             "报告和自评表总是另存为新文件，请换一个输出路径（-o）。\n")
    assert (digest(first), digest(second)) == before


def test_rollup_refuses_a_declared_targets_workbook_and_one_file_for_both_outputs(inbox: Path,
                                                                                    tmp_path: Path) -> None:
    declared = template_copy(tmp_path, "年初.xlsx")  # the year's declared targets, outside the inbox
    before = digest(declared)
    result = run("rollup", str(inbox), "--targets", str(declared), "-o", str(declared), "--force")
    assert result.exit_code == 2
    assert result.stderr == ("错误：输出文件不能与输入文件相同（年初.xlsx）："
                             "汇总表不能写在要汇总的工作簿上，请换一个输出路径（-o）。\n")
    assert digest(declared) == before
    both = tmp_path / "汇总.xlsx"
    result = run("rollup", str(inbox), "-o", str(both), "--csv", str(both))
    assert result.exit_code == 2
    assert result.stderr == "错误：-o 和 --csv 指向同一个文件（汇总.xlsx）：请给汇总表和 CSV 各起一个文件名。\n"
    assert not both.exists()
