"""The README's command help and check-code table are generated from the code; this test fails on drift.

Regenerate on purpose with:  python tests/test_readme.py --write
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from selfeval_xl.cli.app import main  # noqa: E402
from selfeval_xl.rules.checks import CATALOGUE  # noqa: E402

README = ROOT / "README.md"
SEVERITY = {"error": "错误", "warning": "警告"}


def help_section() -> str:
    runner = CliRunner()
    blocks = []
    commands = [[]] + [[name] for name in main.list_commands(None)]  # type: ignore[arg-type]
    for args in commands:
        result = runner.invoke(main, [*args, "--help"], prog_name="selfeval-xl", terminal_width=100)
        assert result.exit_code == 0, result.output
        title = " ".join(["selfeval-xl", *args, "--help"])
        blocks.append(f"```\n$ {title}\n{result.stdout.rstrip()}\n```")
    return "\n\n".join(blocks)


def checks_section() -> str:
    rows = ["| 代码 | 级别 | 含义 | 提示（示例措辞） |", "|---|---|---|---|"]
    for check in CATALOGUE.values():
        template = re.sub(r"\{[a-z_]+\}", "…", check.template).replace("|", "\\|")
        rows.append(f"| `{check.code}` | {SEVERITY[check.severity]} | {check.title} | {template} |")
    return "\n".join(rows)


SECTIONS = {"help": help_section, "checks": checks_section}


def render(text: str) -> str:
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        assert pattern.search(text), f"README lacks the {name} markers"
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + "\n" + m.group(2), text)
    return text


def test_readme_generated_sections_are_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "README drifted from the code: run python tests/test_readme.py --write"


def test_every_check_code_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    assert all(f"`{code}`" in text for code in CATALOGUE)


if __name__ == "__main__" and "--write" in sys.argv:
    README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")
    print("README.md regenerated")
