"""A profile written by hand is checked as a whole: every problem at once, each naming the file and its
key, typos answered with the key meant, in Chinese (docs/profiles.md)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import selfeval_xl
from selfeval_xl.cli.app import main
from selfeval_xl.errors import ProfileError
from selfeval_xl.read.profiles import parse_profile

HEBEI = (Path(selfeval_xl.__file__).parent / "rules" / "builtin" / "hebei-dept.toml").read_text(encoding="utf-8")
OWN = HEBEI.replace('name = "hebei-dept"', 'name = "本县口径"')


def _problems(text: str) -> str:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, origin="本县.toml")
    return caught.value.message


def test_the_shipped_profile_under_its_own_name_is_accepted() -> None:
    assert parse_profile(OWN, origin="本县.toml").name == "本县口径"


def test_typos_and_a_missing_key_are_all_listed_with_the_key_meant() -> None:
    text = OWN.replace("digits = 2", "digts = 3").replace("[execution]\nweight = 10", "[execution]\nwieght = 10")
    assert text != OWN and "wieght" in text
    assert _problems(text) == (
        "规则口径文件 本县.toml 有 3 处问题：\n"
        "  1. 键 digts：不是口径文件认识的键，是不是 digits？\n"
        "  2. 键 execution.wieght：不是口径文件认识的键，是不是 weight？\n"
        "  3. 键 execution.weight：应为数字，实际为 没有写")


def test_wrong_types_and_ranges_together() -> None:
    text = OWN.replace('form = "department"', 'form = "county"').replace("digits = 2", "digits = 7")
    message = _problems(text)
    assert message.startswith("规则口径文件 本县.toml 有 2 处问题：")
    assert "键 form：只能是 department 或 project，实际为 “county”" in message
    assert "键 digits：应为 0–4 的整数，实际为 7" in message


def test_toml_that_does_not_parse_says_where_in_chinese() -> None:
    # name = 本县 without quotes: tomllib stops at line 1, column 8 ("name = " is 7 characters)
    assert _problems('name = 本县\n') == ("规则口径文件 本县.toml 不是有效的 TOML：第 1 行第 8 列："
                                        "值的写法不对（文字要加英文双引号，如 name = \"本县口径\"）")


def test_the_command_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    profile = tmp_path / "本县.toml"
    profile.write_text(OWN.replace("digits = 2", "digts = 3"), encoding="utf-8")
    result = CliRunner().invoke(main, ["template", "--profile", str(profile), "-o", str(tmp_path / "模板.xlsx")])
    assert result.exit_code == 2
    assert result.stderr == "错误：规则口径文件 本县.toml 的键 digts：不是口径文件认识的键，是不是 digits？\n"
    assert not (tmp_path / "模板.xlsx").exists()
