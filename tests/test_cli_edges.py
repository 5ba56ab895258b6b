"""The edges of a run: Ctrl-C, a closed pipe, a killed run's leftovers, -o naming a folder."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfeval_xl.cli.app import main
from workbooks import template_copy

ROOT = Path(__file__).resolve().parents[1]


def test_ctrl_c_exits_130_without_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import selfeval_xl.api as api

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "check", interrupted)  # what `check` calls
    result = CliRunner().invoke(main, ["check", str(template_copy(tmp_path))])
    assert result.exit_code == 130
    assert result.stderr == "已中断。\n" and "Traceback" not in result.output


@pytest.mark.skipif(os.name != "posix", reason="a closed pipe as a POSIX shell makes it")
def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from run import large_workbook
    # 600 flagged rows: the JSON is far larger than a pipe's buffer, so `head -1` closes it mid-way
    path = large_workbook(tmp_path / "多.xlsx", indicators=600, flagged=True)
    done = subprocess.run(f"{sys.executable} {ROOT / 'cli.py'} check {path} --json | head -1", shell=True,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr and "Exception ignored" not in done.stderr


def test_a_killed_runs_temporary_file_is_cleaned(tmp_path: Path) -> None:
    path = template_copy(tmp_path, "表.xlsx")
    stale = tmp_path / ".selfeval-abc123.tmp"
    stale.write_bytes(b"half a workbook")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    fresh = tmp_path / ".selfeval-def456.tmp"  # another run may be writing it right now
    fresh.write_bytes(b"in progress")
    result = CliRunner().invoke(main, ["score", str(path)])
    assert result.exit_code == 0, result.output
    assert not stale.exists() and fresh.exists()


@pytest.mark.parametrize("args, example", [
    (["score", "{file}", "-o", "{folder}"], "表.scored.xlsx"),
    (["template", "-o", "{folder}"], "自评表.xlsx"),
    (["report", "{file}", "-o", "{folder}"], "自评报告.docx"),
])
def test_o_naming_a_folder_is_a_chinese_message(tmp_path: Path, args: list[str], example: str) -> None:
    path = template_copy(tmp_path, "表.xlsx")
    folder = tmp_path / "报送"
    folder.mkdir()
    result = CliRunner().invoke(main, [a.format(file=path, folder=folder) for a in args])
    assert result.exit_code == 2
    assert result.stderr == (f"错误：无法写入 {folder}：这是一个文件夹，"
                             f"请在 -o 后写文件名（例如 {folder / example}）。\n")
