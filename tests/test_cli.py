"""The command line: exit status, JSON on stdout, exact Chinese messages on stderr, no traceback."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfeval_xl.cli.app import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "示例 自评表.xlsx"
    result = CliRunner().invoke(main, ["template", "--example", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "空白.xlsx"
    assert CliRunner().invoke(main, ["template", "-o", str(path)]).exit_code == 0
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_score_example_json_is_the_contract(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "评分副本.xlsx"
    result = run("score", str(example), "-o", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == "98.40" and data["grade"] == "优秀" and data["valid"] is True
    assert data["execution"] == {"budget": "6929916.47", "executed": "6809554.10", "rate": "0.9826",
                                 "weight": "10", "score": "9.83"}
    assert [(lv["name"], lv["weight"], lv["score"]) for lv in data["levels"]] == [
        ("产出指标", "40", "39.44"), ("效益指标", "40", "39.17"), ("满意度指标", "10", "9.96")]
    assert data["checks"] == []
    assert data["unit"] == "井陉县南障城镇人民政府" and data["year"] == 2025 and data["money_unit"] == "元"
    first = data["indicators"][0]
    assert first == {"sheet": "绩效指标", "row": 4, "area": "行政工作", "name": "日常工作完成率", "level": "产出指标",
                     "weight": "4", "score": "4.00", "self_score": None}
    assert out.exists() and data["output"] == str(out)
    assert result.stderr == ""


def test_check_blank_template_exits_1_listing_missing_inputs(blank: Path) -> None:
    result = run("check", str(blank))
    assert result.exit_code == 1
    assert "[错误] 预算执行!D4 VALUE_MISSING" in result.stdout
    assert "[错误] 绩效指标!E4 VALUE_MISSING" in result.stdout
    assert "等级 较差（校验未通过，等级为暂评）" in result.stdout


def test_check_writes_nothing(example: Path) -> None:
    before = sorted(p.name for p in example.parent.iterdir())
    assert run("check", str(example)).exit_code == 0
    assert sorted(p.name for p in example.parent.iterdir()) == before


def test_missing_file_exact_message(tmp_path: Path) -> None:
    missing = tmp_path / "没有这个文件.xlsx"
    result = run("score", str(missing))
    assert result.exit_code == 2
    assert result.stderr == f"错误：找不到文件 {missing}：请检查文件名和路径。\n"
    assert result.stdout == ""


def test_missing_file_json_error_on_stdout(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "x.xlsx"), "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {"file": "x.xlsx", "error": {
        "code": "NOT_FOUND", "message": f"找不到文件 {tmp_path / 'x.xlsx'}：请检查文件名和路径。"}}


def test_directory_is_refused(tmp_path: Path) -> None:
    result = run("check", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"错误：{tmp_path} 是文件夹，不是工作簿：请指定一个 .xlsx 文件。\n"


def test_unknown_profile_exit_2(example: Path) -> None:
    result = run("check", str(example), "--profile", "no-such")
    assert result.exit_code == 2
    assert result.stderr == ("错误：未知的规则口径：no-such"
                             "（可用：hebei-dept、mof-project、sichuan-project、mof-4level，或一个 .toml 文件路径）\n")


def test_profile_of_the_other_form_exit_2(example: Path) -> None:
    result = run("check", str(example), "--profile", "mof-project")
    assert result.exit_code == 2
    assert result.stderr == ("错误：文件 示例 自评表.xlsx 是部门整体支出绩效自评表，"
                             "但评价口径 mof-project 适用于项目支出："
                             "请换用适用于部门整体支出的口径。\n")


def test_bad_profile_file_names_the_key(example: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nform = "department"\n[execution]\nweight = 10\n[weights]\n'
                   '"产出指标" = 40\n"效益指标" = 40\n"满意度指标" = 20\n[[grades]]\nname = "A"\nmin = 0\n',
                   encoding="utf-8")
    result = run("check", str(example), "--profile", str(bad))
    assert result.exit_code == 2
    assert result.stderr == "错误：规则口径文件 bad.toml 的键 weights 与 execution.weight 合计为 110，应为 100\n"


def test_output_equal_to_input_is_refused(example: Path) -> None:
    digest = hashlib.sha256(example.read_bytes()).hexdigest()
    result = run("score", str(example), "-o", str(example))
    assert result.exit_code == 2
    assert result.stderr == ("错误：输出文件不能与输入文件相同（示例 自评表.xlsx）："
                             "评分副本总是另存为新文件，请换一个输出路径（-o）。\n")
    assert hashlib.sha256(example.read_bytes()).hexdigest() == digest


def test_not_a_workbook_exit_2_no_traceback(tmp_path: Path) -> None:
    fake = tmp_path / "报表.xlsx"
    fake.write_text("单位,金额\n南障城镇,100\n", encoding="utf-8")
    result = run("score", str(fake))
    assert result.exit_code == 2
    assert result.stderr == ("错误：文件 报表.xlsx 实际是文本（如 CSV）文件，不是 Excel 工作簿："
                             "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试。\n")
    assert "Traceback" not in result.output


def test_usage_error_exit_2() -> None:
    result = run("score")
    assert result.exit_code == 2
    assert "Missing argument 'FILE'" in result.stderr


def test_profiles_lists_weights_and_bands() -> None:
    result = run("profiles")
    assert result.exit_code == 0
    assert "hebei-dept（部门整体支出）" in result.stdout
    assert "分值：产出指标40分、效益指标40分、满意度指标10分、预算执行率10分" in result.stdout
    assert "等级：优（≥90）、良（80–90）、中（60–80）、差（<60）" in result.stdout
    data = json.loads(run("profiles", "--json").stdout)
    assert [p["name"] for p in data] == ["hebei-dept", "mof-project", "sichuan-project", "mof-4level"]
    assert data[2]["weights"] == {} and data[0]["grades"][0] == {"name": "优秀", "min": "85"}


def test_template_project_form(tmp_path: Path) -> None:
    out = tmp_path / "项目.xlsx"
    assert run("template", "--form", "project", "-o", str(out)).exit_code == 0
    data = json.loads(run("check", str(out), "--json").stdout)
    assert (data["form"], data["profile"]) == ("project", "mof-project")


def test_installed_command_and_checkout_entry_agree(example: Path, tmp_path: Path) -> None:
    """`python cli.py` from a checkout and the installed console script give the same JSON."""
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}  # a Chinese Windows console
    via_checkout = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(example), "--json"],
                                  capture_output=True, env=env, cwd=tmp_path)
    assert via_checkout.returncode == 0, via_checkout.stderr.decode("gbk", "replace")
    data = json.loads(via_checkout.stdout.decode("gbk"))
    assert data["total"] == "98.40" and data["grade"] == "优秀"


def test_gbk_console_survives_characters_outside_gbk(tmp_path: Path) -> None:
    path = tmp_path / "表😀.xlsx"
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(path)], capture_output=True, env=env)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr.decode("gbk", "replace")
    assert "找不到文件" in proc.stderr.decode("gbk", "replace")


def test_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from selfeval_xl.cli.app import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pandas', 'openpyxl', 'xlsxwriter', 'lxml') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_json_on_a_gbk_console_keeps_every_character(tmp_path: Path) -> None:
    from workbooks import edit, template_copy
    path = edit(template_copy(tmp_path, "生僻字.xlsx"), {"基本信息": {"B3": "𠈓镇人民政府"}})
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(path), "--json"], capture_output=True,
                          env=env)
    assert json.loads(proc.stdout.decode("gbk"))["unit"] == "𠈓镇人民政府"


def test_scored_copy_suffix_is_checked(example: Path, tmp_path: Path) -> None:
    result = run("score", str(example), "-o", str(tmp_path / "out.txt"))
    assert result.exit_code == 2
    assert result.stderr == "错误：评分副本应保存为 .xlsx（含宏的工作簿为 .xlsm）文件：out.txt\n"
