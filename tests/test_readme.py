"""The command help and check-code table (docs/cli.md) and the module layout (docs/development.md) are
generated from the code; this test fails on drift. The README itself is for its readers.

Regenerate on purpose with:  python tests/test_readme.py --write
"""
from __future__ import annotations

import ast
import re
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from selfeval_xl.cli.app import main  # noqa: E402
from selfeval_xl.rules.checks import CATALOGUE  # noqa: E402

README = ROOT / "README.md"
CLI_DOC = ROOT / "docs" / "cli.md"
DEVELOPMENT_DOC = ROOT / "docs" / "development.md"
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


LAYERS = [("", "根：各层共用的类型与词汇 / shared types and words"),
          ("rules", "纯规则：计分与检查，不读文件、不读时钟 / pure scoring and checks"),
          ("read", "读入不可信文件 / untrusted files in"),
          ("write", "模板与评分副本 / the template and the scored copy"),
          ("county", "县里：核对与汇总 / verify and roll up"),
          ("report", "报告草稿 / the report draft"),
          ("api.py", "门面：命令行与库共用 / the facade"),
          ("cli", "命令行 / the command line"),
          ("web", "本机页面 / the local page")]


def _summary(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    first = " ".join(doc.split("\n\n")[0].split())
    return first if len(first) <= 100 else first[:99].rsplit(" ", 1)[0] + " …"


def layout_section() -> str:
    """The package tree, one line a module, each described by its own docstring."""
    package = ROOT / "selfeval_xl"
    lines = ["```"]
    for folder, title in LAYERS:
        if folder.endswith(".py"):
            lines.append(f"selfeval_xl/{folder:<22}# {title}: {_summary(package / folder)}")
            continue
        base = package / folder if folder else package
        lines.append(f"selfeval_xl/{folder + '/' if folder else ''}    # {title}")
        for path in sorted(base.glob("*.py")):
            if path.name in ("__init__.py", "__main__.py", "api.py"):
                continue
            lines.append(f"  {path.name:<22}{_summary(path)}")
    lines.append("cli.py                  " + _summary(ROOT / "cli.py"))
    lines.append("```")
    return "\n".join(lines)


def examples_section() -> str:
    """docs/worked_examples.toml as the table docs/rules.md shows (the test of the examples reads the same file)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    data = tomllib.loads((ROOT / "docs" / "worked_examples.toml").read_text(encoding="utf-8"))
    rows = ["| 节 | 指标 | 性质 | 比较方式 | 年度指标值 | 实际完成值 | 分值 | 自评得分 | 得分 |",
            "|---|---|---|---|---|---|---|---|---|"]
    for e in data["indicator"]:
        actual = f"{Decimal(e['actual_percent']) * 100:g}%（百分比格式）" if "actual_percent" in e else e["actual"]
        cells = [f"§{e['section']}", e.get("name", "指标"), e.get("nature", "定量"), e.get("operator", "（未写）"),
                 e["target"], actual, e["weight"], e.get("self_score", ""),
                 "不计分" if e["score"] == "none" else e["score"]]
        rows.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


RULES_DOC = ROOT / "docs" / "rules.md"
SECTIONS = {CLI_DOC: {"help": help_section, "checks": checks_section}, DEVELOPMENT_DOC: {"layout": layout_section},
            RULES_DOC: {"examples": examples_section}}


def render(text: str, sections: dict) -> str:
    for name, make in sections.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        assert pattern.search(text), f"the document lacks the {name} markers"
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + "\n" + m.group(2), text)
    return text


def test_generated_sections_are_current() -> None:
    for path, sections in SECTIONS.items():
        text = path.read_text(encoding="utf-8")
        assert render(text, sections) == text, \
            f"{path.name} drifted from the code: run python tests/test_readme.py --write"


def test_every_check_code_is_in_the_command_reference() -> None:
    text = CLI_DOC.read_text(encoding="utf-8")
    assert all(f"`{code}`" in text for code in CATALOGUE)


def test_the_readme_is_short_and_says_what_a_reader_needs() -> None:
    """About 150 lines: what it is, the two set-up commands, the three ways in, Windows, the choices."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 170
    for heading in ("## 两条命令", "## 三种用法", "## 在 Windows 电脑上", "## 设计取舍", "## 文档"):
        assert f"\n{heading}" in text, heading
    assert "py -m venv .venv" in text and "selfeval-xl serve" in text


if __name__ == "__main__" and "--write" in sys.argv:
    for path, sections in SECTIONS.items():
        path.write_text(render(path.read_text(encoding="utf-8"), sections), encoding="utf-8")
        print(f"{path.relative_to(ROOT)} regenerated")


def test_what_the_readme_commands_write_is_ignored_by_git() -> None:
    """Following the README leaves `git status` clean: the venv and the files its commands write."""
    import shutil
    import subprocess
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = next(line for line in text.splitlines() if line.startswith("pip install . && "))
    outputs = re.findall(r"-o (\S+)", setup)
    outputs += [Path(name).stem + ".scored.xlsx" for name in re.findall(r"score (\S+)", setup)]
    assert outputs == ["示例.xlsx", "示例.scored.xlsx"]
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return  # an unpacked source archive has no git to ask
    for name in [*outputs, ".venv/"]:
        found = subprocess.run(["git", "check-ignore", "-q", "--no-index", name], cwd=ROOT)
        assert found.returncode == 0, f"{name} is not in .gitignore"
