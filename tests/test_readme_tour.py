"""The README's tour runs as written: every command of "## 用法一览 / A short tour", in order, in one
folder, each with the exit status the README gives it ("退出状态 N" in its comment, else 0).

Only what a person brings to the tour is made beforehand: the filled 自评表.xlsx (the example, under
the tour's name), the 报送/ folder, and on the county's side a received scored copy, an inbox of them
and the targets declared at the start of the year.
"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfeval_xl.cli.app import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def tour() -> list[tuple[str, list[str], int]]:
    """(line as written, its words, the exit status it implies) for each command of the tour."""
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## 用法一览 / A short tour\n(.*?)^## ", text, re.S | re.M)
    assert section, "README lacks the tour section"
    commands = []
    for block in re.findall(r"```(?:bash|sh|shell)\n(.*?)```", section.group(1), re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if not words:
                continue
            said = re.search(r"退出状态\s*(\d+)", line.partition("#")[2])
            commands.append((line, words, int(said.group(1)) if said else 0))
    return commands


def test_the_tour_has_commands_and_only_ours() -> None:
    lines = tour()
    assert len(lines) >= 10
    strangers = [line for line, words, _ in lines
                 if words[0] != "selfeval-xl" and words[:2] != ["python", "cli.py"]]
    assert not strangers, strangers


def test_the_template_and_the_filled_workbook_have_different_names() -> None:
    lines = tour()
    templates = {words[words.index("-o") + 1] for _, words, _ in lines
                 if words[:2] == ["selfeval-xl", "template"] and "--example" not in words}
    scored = {words[2] for _, words, _ in lines if words[:2] == ["selfeval-xl", "score"]}
    assert templates and scored and not templates & scored, (templates, scored)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The tour's working folder, with what a person brings to it."""
    def make(*args: str) -> None:
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == 0, result.output

    make("template", "--example", "-o", str(tmp_path / "自评表.xlsx"))  # filled in Excel, as the tour says
    (tmp_path / "报送").mkdir()
    make("score", str(tmp_path / "自评表.xlsx"), "-o", str(tmp_path / "南障城镇.scored.xlsx"))  # received
    inbox, targets = tmp_path / "收件箱", tmp_path / "年初申报"
    inbox.mkdir()
    targets.mkdir()
    shutil.copyfile(tmp_path / "南障城镇.scored.xlsx", inbox / "南障城镇.xlsx")
    shutil.copyfile(tmp_path / "自评表.xlsx", targets / "南障城镇.xlsx")
    return tmp_path


def run(words: list[str], folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    if words[0] == "python":  # "在源码目录中直接运行": the checkout's cli.py, with the tour's files at hand
        done = subprocess.run([sys.executable, str(ROOT / words[1]), *words[2:]], cwd=folder, capture_output=True,
                              text=True, encoding="utf-8", errors="replace")
        return done.returncode, done.stdout + done.stderr
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, words[1:], prog_name="selfeval-xl")
    return result.exit_code, result.output


def test_every_command_of_the_tour_runs_as_written(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    has_office = bool(shutil.which("soffice") or shutil.which("libreoffice"))
    wrong = []
    for line, words, expected in tour():
        if words[-1].endswith(".pdf") and not has_office:
            continue  # the README says so: a PDF only where LibreOffice is installed
        code, output = run(words, folder, monkeypatch)
        if code != expected or "内部错误" in output or "Traceback" in output:
            wrong.append(f"{line.strip()}\n  退出状态 {code}，应为 {expected}\n{output}")
    assert not wrong, "\n".join(wrong)
    assert (folder / "自评表.scored.xlsx").is_file() and not (folder / "自评表.scored.scored.xlsx").exists()
    assert (folder / "模板.xlsx").is_file() and (folder / "报送" / "南障城镇.xlsx").is_file()
