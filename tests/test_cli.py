"""The command line: exit status, JSON on stdout, exact Chinese messages on stderr, no traceback."""
from __future__ import annotations

import hashlib
import json
import os
import re
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
    assert result.stderr.endswith("错误：缺少文件名。\n")  # every usage error: tests/test_cli_chinese.py


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


# --- template: never over a filled workbook; always a .xlsx ------------------------------------------------

def test_template_refuses_an_existing_file_unless_forced(example: Path, tmp_path: Path) -> None:
    filled = tmp_path / "自评表.xlsx"
    filled.write_bytes(example.read_bytes())
    digest = hashlib.sha256(filled.read_bytes()).hexdigest()
    result = run("template", "-o", str(filled))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"错误：{filled} 已存在，没有覆盖（它可能是已经填好的自评表）："
                             "请换一个文件名（-o），或加 --force 覆盖它。\n")
    assert hashlib.sha256(filled.read_bytes()).hexdigest() == digest
    result = run("template", "-o", str(filled), "--force")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"已生成模板：{filled}（空白）\n"
    assert hashlib.sha256(filled.read_bytes()).hexdigest() != digest


def test_template_without_an_extension_gets_xlsx_and_says_so(tmp_path: Path) -> None:
    result = run("template", "-o", str(tmp_path / "模板"))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"已生成模板：{tmp_path / '模板.xlsx'}（空白；文件名没有扩展名，已加上 .xlsx）\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["模板.xlsx"]
    again = run("template", "-o", str(tmp_path / "模板"))  # the file it would write is there now
    assert again.exit_code == 2 and "模板.xlsx 已存在" in again.stderr


@pytest.mark.parametrize("name, message", [
    ("模板.xls", "错误：模板应保存为 .xlsx 文件，本工具不写旧的 .xls：请把 -o 的 模板.xls 改为 模板.xlsx。\n"),
    ("模板.xlsm", "错误：模板应保存为 .xlsx 文件：请把 -o 的 模板.xlsm 改为 模板.xlsx。\n"),
])
def test_template_other_than_xlsx_is_refused(tmp_path: Path, name: str, message: str) -> None:
    result = run("template", "-o", str(tmp_path / name))
    assert result.exit_code == 2
    assert result.stderr == message
    assert list(tmp_path.iterdir()) == []


# --- score: the output's suffix, and a scored copy scored again --------------------------------------------

def test_score_output_naming_xls_is_refused(example: Path, tmp_path: Path) -> None:
    result = run("score", str(example), "-o", str(tmp_path / "输出.xls"))
    assert result.exit_code == 2
    assert result.stderr == ("错误：评分副本应保存为 .xlsx 文件，本工具不写旧的 .xls"
                             "（.xls 工作簿的评分副本也是 .xlsx）：请把 -o 的 输出.xls 改为 输出.xlsx。\n")
    assert list(tmp_path.iterdir()) == []


def test_score_keeps_xlsm(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "宏.xlsm"
    result = run("score", str(example), "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["output"] == str(out) and out.is_file()


def test_scoring_a_scored_copy_again_replaces_it_and_says_so(example: Path, tmp_path: Path) -> None:
    source = tmp_path / "自评表.xlsx"
    source.write_bytes(example.read_bytes())
    first = run("score", str(source))
    assert first.exit_code == 0, first.output
    scored = tmp_path / "自评表.scored.xlsx"
    assert "说明：" not in first.stdout and "rescored" not in json.loads(run("score", str(source), "--json").stdout)
    result = run("score", str(scored))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f"评分副本：{scored}\n说明：自评表.scored.xlsx 已是评分副本，"
                                  "现已重新评分（原“评分汇总”表和问题标注已替换）。\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["自评表.scored.xlsx", "自评表.xlsx"]
    verified = run("verify", str(scored))
    assert verified.exit_code == 0 and "评分后未被改动" in verified.stdout
    from selfeval_xl.read.reader import open_workbook
    assert open_workbook(scored).sheet_names.count("评分汇总") == 1
    data = json.loads(run("score", str(scored), "--json").stdout)
    assert data["rescored"] is True and data["output"] == str(scored)


def test_a_scored_copy_under_another_name_gets_a_new_scored_copy(example: Path, tmp_path: Path) -> None:
    sent = tmp_path / "南障城镇.xlsx"
    assert run("score", str(example), "-o", str(sent)).exit_code == 0
    result = run("score", str(sent))
    assert result.exit_code == 0, result.output
    assert f"评分副本：{tmp_path / '南障城镇.scored.xlsx'}\n说明：南障城镇.xlsx 已是评分副本" in result.stdout


# --- profiles --show ---------------------------------------------------------------------------------------

def test_profiles_show_describes_one_profile() -> None:
    result = run("profiles", "--show", "sichuan-project")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("sichuan-project：四川省项目支出绩效自评口径")
    assert "  表样：项目支出" in lines
    assert "  一级指标：产出指标、效益指标、满意度指标（或成本指标、效果指标）" in lines
    assert "  分值：产出指标、效益指标、满意度指标合计90分自由分配、预算执行率10分" in lines
    assert "  执行率：按比例计分：10分×执行率（不超过100%）" in lines
    assert "  执行率低于 90% 且没写原因说明：报问题" in lines
    assert "  等级：优（≥90）、良（80–90）、中（60–80）、差（<60）" in lines
    data = json.loads(run("profiles", "--show", "hebei-dept", "--json").stdout)
    assert data["name"] == "hebei-dept" and data["weights"]["产出指标"] == "40"


@pytest.mark.parametrize("name", ["hebei-dept", "mof-project", "sichuan-project", "mof-4level"])
def test_profiles_show_toml_loads_as_the_same_rules_once_renamed(name: str, tmp_path: Path) -> None:
    from selfeval_xl.read.profiles import builtin_profile, load_profile
    result = run("profiles", "--show", name, "--toml")
    assert result.exit_code == 0, result.output
    text = result.stdout
    placeholder = "my-county-dept" if name == "hebei-dept" else "my-county-project"
    assert f'name = "{placeholder}"  # 内置名称不能沿用：请改成本县的名称\n' in text
    assert f'name = "{name}"' not in text
    assert not re.search(r"^#[^\n]*[A-Za-z]{4,} [a-z]{3,}", text, re.M), "comments are Chinese"
    path = tmp_path / "我县口径.toml"
    path.write_text(text.replace(placeholder, "井陉县-口径"), encoding="utf-8")
    own, builtin = load_profile(str(path)), builtin_profile(name)
    assert own.name == "井陉县-口径" and not own.builtin
    for field in ("form", "digits", "optional", "execution_weight", "rule", "steps", "explain_below",
                  "explain_adjustment", "weights", "grades", "overshoot_ratio", "levels", "level_aliases",
                  "second_levels"):
        assert getattr(own, field) == getattr(builtin, field), field


def test_profiles_show_toml_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "我县口径.toml"
    result = run("profiles", "--show", "hebei-dept", "--toml", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"已写出口径底稿：{out}（请先把其中的 name 改成本县口径的名称）\n"
    assert out.read_text(encoding="utf-8") == run("profiles", "--show", "hebei-dept", "--toml").stdout
    again = run("profiles", "--show", "hebei-dept", "--toml", "-o", str(out))
    assert again.exit_code == 2
    assert again.stderr == f"错误：{out} 已存在，没有覆盖（它可能是改好的本县口径）：请换一个文件名（-o）。\n"


def test_profiles_show_unknown_name_lists_the_builtins() -> None:
    result = run("profiles", "--show", "hebei")
    assert result.exit_code == 2
    assert result.stderr == ("错误：没有名为 hebei 的内置口径：内置口径有 "
                             "hebei-dept、mof-project、sichuan-project、mof-4level。\n")


def test_profiles_toml_needs_show() -> None:
    result = run("profiles", "--toml")
    assert result.exit_code == 2
    assert result.stderr == ("错误：--toml 要与 --show NAME 一起使用，且不能再加 --json："
                             "例如 selfeval-xl profiles --show hebei-dept --toml -o 我县口径.toml\n")
