"""A rollup stays within a county PC's memory: the process tree's total, not each worker's, is bounded
(1.5 GB by default, --memory-mb), by fewer workers rather than workers too small; every file is a row."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from selfeval_xl.cli.app import main
from selfeval_xl.county import rollup as county_rollup
from selfeval_xl.read.limits import MIN_WORKER_MEMORY, TREE_MEMORY
from selfeval_xl.read.sandbox import share_of
from workbooks import template_copy

MIB = 1024 ** 2


def test_the_tree_is_shared_out_by_hand() -> None:
    assert TREE_MEMORY == 1536 * MIB and MIN_WORKER_MEMORY == 384 * MIB
    # 1536 − 200 resident = 1336 left, two workers of 668
    assert share_of(1536 * MIB, 2, parent=200 * MIB) == (2, 668 * MIB)
    # 600 − 200 = 400 left: room for one worker of 384 or more, so one worker of 400
    assert share_of(600 * MIB, 2, parent=200 * MIB) == (1, 400 * MIB)
    # 300 − 200 = 100: one worker, never below the 384 a large form needs
    assert share_of(300 * MIB, 4, parent=200 * MIB) == (1, 384 * MIB)


def test_every_file_is_a_row_even_when_its_worker_never_answers(tmp_path: Path, monkeypatch) -> None:
    """A pool that breaks past recovery leaves no outcome for a file: that file is still a row saying so."""
    monkeypatch.setattr(county_rollup, "run_each", lambda *args, **kwargs: None)
    files = [template_copy(tmp_path, f"单位{i}.xlsx") for i in range(3)]
    rows = county_rollup.summarize_all(files)
    assert [row["file"] for row in rows] == ["单位0.xlsx", "单位1.xlsx", "单位2.xlsx"]
    assert all("进程异常退出" in row["note"] for row in rows)


def test_the_memory_option_is_taken_and_said_in_chinese(tmp_path: Path) -> None:
    folder = tmp_path / "收件箱"
    folder.mkdir()
    template_copy(folder, "南障城镇.xlsx")
    shown = CliRunner().invoke(main, ["rollup", "--help"]).output
    assert "--memory-mb MB" in shown
    assert "合计最多占用的内存（默认1536MB）" in shown.replace("\n", "").replace(" ", "")
    result = CliRunner().invoke(main, ["rollup", str(folder), "--memory-mb", "700", "--json"])
    assert result.exit_code == 0, result.output
