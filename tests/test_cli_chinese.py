"""Click speaks Chinese: every usage error and the help's own words (exact texts, sqlite-utils style).

The help of every command and each usage error is searched for the English click writes by itself;
the messages are compared whole, usage line and help hint included, as a user sees them on stderr.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import selfeval_xl
from selfeval_xl.cli.app import main
from workbooks import template_copy

# Words click writes by itself (help headings and markers, error prefixes and messages).
CLICK_ENGLISH = re.compile(r"Usage|Options|Commands|Show this|Show the|Error|Try '|default:|required|Missing|"
                           r"Invalid value|unexpected|No such|Did you mean|Possible|Aborted|, version|Positional|"
                           r"env var|does not take|requires an argument|is not one of|\[OPTIONS\]|COMMAND")
COMMANDS = ["template", "score", "check", "verify", "rollup", "report", "profiles"]


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="selfeval-xl")


def usage(command: str, tail: str) -> str:
    return (f"用法：selfeval-xl {command} [选项]{tail}\n"
            f"查看帮助：selfeval-xl {command} --help\n\n")


@pytest.mark.parametrize("args", [[], *([c] for c in COMMANDS)], ids=lambda a: " ".join(a) or "selfeval-xl")
def test_help_has_no_english_of_clicks_own(args: list[str]) -> None:
    result = run(*args, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"用法：selfeval-xl {' '.join(args) + ' ' if args else ''}[选项]")
    assert "选项：\n" in result.stdout and "-h, --help  " in result.stdout
    assert "显示本帮助并退出。" in result.stdout
    found = CLICK_ENGLISH.findall(result.stdout)
    assert not found, found


def test_top_help_lists_commands_and_version_in_chinese() -> None:
    text = run("--help").stdout
    assert "用法：selfeval-xl [选项] 命令 [参数]..." in text
    assert "命令：\n" in text and "--version   显示版本号并退出。" in text
    version = run("--version")
    assert version.exit_code == 0 and re.fullmatch(r"selfeval-xl \S+\n", version.stdout)


def test_required_mark_is_chinese() -> None:
    text = run("template", "--help").stdout
    assert "[必填]" in text and "[required]" not in text


def test_a_wrong_option_suggests_the_right_one() -> None:
    result = run("score", "自评表.xlsx", "--ouput", "x.xlsx")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == usage("score", " 文件") + "错误：没有选项 --ouput。您是不是要用 --output？\n"


def test_an_unknown_option_of_the_group() -> None:
    result = run("--zzz", "check")
    assert result.exit_code == 2
    assert result.stderr == ("用法：selfeval-xl [选项] 命令 [参数]...\n查看帮助：selfeval-xl --help\n\n"
                             "错误：没有选项 --zzz。\n")


def test_a_missing_argument() -> None:
    result = run("score")
    assert result.exit_code == 2
    assert result.stderr == usage("score", " 文件") + "错误：缺少文件名。\n"


def test_a_missing_required_option() -> None:
    result = run("template")
    assert result.exit_code == 2
    assert result.stderr == usage("template", "") + "错误：缺少选项 -o / --output（文件名）。\n"


def test_a_missing_option_value() -> None:
    result = run("template", "-o")
    assert result.exit_code == 2
    assert result.stderr == usage("template", "") + "错误：选项 -o 后面缺少值（文件名）。\n"


def test_a_flag_given_a_value() -> None:
    result = run("check", "自评表.xlsx", "--json=yes")
    assert result.exit_code == 2
    assert result.stderr == usage("check", " 文件") + "错误：选项 --json 不带值。\n"


def test_a_bad_choice_lists_the_choices() -> None:
    result = run("template", "--form", "部门", "-o", "x.xlsx")
    assert result.exit_code == 2
    assert result.stderr == usage("template", "") + (
        "错误：选项 --form 的值无效：“部门”不是可选的值，可选：department、project。\n")


def test_a_bad_number() -> None:
    result = run("rollup", "收件箱", "--timeout", "0")
    assert result.exit_code == 2
    assert result.stderr == (usage("rollup", " 文件或文件夹...")
                             + "错误：选项 --timeout 的值无效：“0”不是大于 0 的数。\n")


def test_extra_arguments_that_are_a_file_name_split_at_its_spaces() -> None:
    result = run("score", "教育局", "2025年", "自评表（终稿）.xlsx")
    assert result.exit_code == 2
    assert result.stderr == usage("score", " 文件") + (
        "错误：多余的参数：2025年 自评表（终稿）.xlsx\n"
        "文件名含空格时请用引号括起来：\"教育局 2025年 自评表（终稿）.xlsx\"\n")


def test_an_output_name_split_at_its_spaces_is_named_whole() -> None:
    result = run("template", "-o", "教育局", "2025年", "模板.xlsx")
    assert result.exit_code == 2
    assert result.stderr.endswith("错误：多余的参数：2025年 模板.xlsx\n"
                                  "文件名含空格时请用引号括起来：\"教育局 2025年 模板.xlsx\"\n")


def test_two_files_are_extra_arguments_without_the_quoting_hint() -> None:
    result = run("check", "甲.xlsx", "乙.xlsx")
    assert result.exit_code == 2
    assert result.stderr == usage("check", " 文件") + "错误：多余的参数：乙.xlsx\n"


def test_an_unknown_command() -> None:
    result = run("scroe", "自评表.xlsx")
    assert result.exit_code == 2
    assert result.stderr == ("用法：selfeval-xl [选项] 命令 [参数]...\n查看帮助：selfeval-xl --help\n\n"
                             "错误：没有命令 scroe。您是不是要用 score？\n")


def test_a_file_where_the_command_goes() -> None:
    result = run("自评表.xlsx")
    assert result.exit_code == 2
    assert result.stderr.endswith("错误：没有命令 自评表.xlsx。"
                                  "文件名前要先写命令，例如：selfeval-xl check 自评表.xlsx\n")


def test_no_command_after_the_groups_options() -> None:
    result = run("--debug")
    assert result.exit_code == 2
    assert result.stderr.endswith("错误：缺少命令：请在 selfeval-xl 后写上命令"
                                  "（archive、check、profiles、report、rollup、score、serve、template、verify）。\n")


def test_no_arguments_at_all_shows_the_chinese_help() -> None:
    result = run()
    assert result.exit_code in (0, 2)  # click 8.2 exits 2 here; the help is what matters
    assert result.output.startswith("用法：selfeval-xl [选项] 命令 [参数]...")
    assert not CLICK_ENGLISH.findall(result.output)


def test_o_naming_a_folder_is_chinese_for_rollup_too(tmp_path: Path) -> None:
    (tmp_path / "收件箱").mkdir()
    template_copy(tmp_path / "收件箱", "甲.xlsx")
    folder = tmp_path / "报送"
    folder.mkdir()
    result = run("rollup", str(tmp_path / "收件箱"), "-o", str(folder))
    assert result.exit_code == 2
    assert result.stderr == (f"错误：无法写入 {folder}：这是一个文件夹，"
                             f"请在 -o 后写文件名（例如 {folder / '汇总.xlsx'}）。\n")


@pytest.mark.parametrize("args", [
    ["score", "--ouput"], ["score"], ["template"], ["template", "-o"], ["check", "a", "b", "c.xlsx"],
    ["template", "--form", "x", "-o", "y.xlsx"], ["rollup", "x", "--timeout", "abc"], ["nope"], ["--debug"],
    ["check", "--json=1", "x"], ["--bogus"],
])
def test_no_usage_error_has_english_of_clicks_own(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "错误：" in result.stderr
    found = CLICK_ENGLISH.findall(result.stderr)
    assert not found, (found, result.stderr)


def test_library_callers_get_the_chinese_exception() -> None:
    """standalone_mode=False: click's own contract (the exception is raised, not printed), in Chinese."""
    import click
    with pytest.raises(click.UsageError, match="没有选项 --ouput"):
        main.main(["score", "--ouput"], prog_name="selfeval-xl", standalone_mode=False)


def test_a_number_out_of_range_and_every_placeholder_in_chinese() -> None:
    """click's own English (the range, the type's placeholder) never reaches the user."""
    result = CliRunner().invoke(main, ["serve", "--port", "99999"])
    assert result.exit_code == 2
    assert result.stderr.endswith("错误：选项 --port 的值无效：99999 不在 0 到 65535 之间。\n")
    words = [[name] for name in main.commands] + [  # a group's commands too (archive add, archive review)
        [name, sub] for name, group in main.commands.items() for sub in getattr(group, "commands", {})]
    for command in words:
        shown = CliRunner().invoke(main, [*command, "--help"]).output
        placeholders = re.findall(r"^\s+(?:-\w, )?--[\w-]+ (\S+)", shown, flags=re.M)
        placeholders += re.findall(r"^用法：\S+ (?:\S+ )+\[选项\] ?(.*)$", shown, flags=re.M)
        assert not [p for p in placeholders if re.search(r"[A-Z]", p) and p != "MB"], (command, shown)


def test_every_list_of_profiles_is_the_registry() -> None:
    from selfeval_xl.rules.builtin import NAMES
    assert set(NAMES) == {p.stem for p in (Path(selfeval_xl.__file__).parent / "rules" / "builtin").glob("*.toml")
                          if p.stem != "default-levels"}
    shown = CliRunner().invoke(main, ["score", "--help"]).output.replace("\n", "").replace(" ", "")
    assert "、".join(NAMES) in shown


def test_a_port_out_of_range_is_said_in_chinese() -> None:
    out = CliRunner().invoke(main, ["serve", "--port", "99999"])
    assert out.exit_code == 2
    assert "99999 不在 0 到 65535 之间" in out.output and "range" not in out.output


def test_a_port_in_use_is_said_in_chinese(tmp_path: Path) -> None:
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = CliRunner().invoke(main, ["serve", "--port", str(port), "--no-browser"])
    assert out.exit_code == 2
    assert f"无法在 127.0.0.1:{port} 上启动本机页面：端口已被占用（请用 --port 换一个端口）。" in out.output
    assert not re.search(r"[A-Za-z]{4,}", out.output.replace("selfeval-xl", "").replace("--port", "")), out.output


def test_every_os_error_a_user_sees_is_chinese() -> None:
    import errno

    from selfeval_xl.errors import os_reason
    assert os_reason(OSError(errno.EADDRINUSE, "Address already in use")) == "端口已被占用"
    assert os_reason(PermissionError(errno.EACCES, "Permission denied")) == "没有权限"
    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足"
    assert os_reason(OSError(errno.ESRCH, "No such process")) == f"系统错误（编号 {errno.ESRCH}）"
    assert os_reason(OSError("no number")) == "系统错误"
