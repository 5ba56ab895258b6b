"""Profiles cannot be spoofed: built-in names are reserved, a workbook never names a file, and
anything not built-in is shown everywhere as custom, with a hash of its TOML."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from selfeval_xl.api import make_template
from selfeval_xl.cli.app import main
from selfeval_xl.read.profiles import builtin_profile

HEBEI_TOML = builtin_profile("hebei-dept").source


def lenient(name: str) -> str:
    """hebei-dept with 优秀 from 50: what a unit would like its rules to be."""
    return HEBEI_TOML.replace('name = "hebei-dept"', f'name = "{name}"').replace("min = 90", "min = 50")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_a_profile_file_may_not_take_a_built_in_name(tmp_path: Path) -> None:
    toml = tmp_path / "lenient.toml"
    toml.write_text(lenient("hebei-dept"), encoding="utf-8")
    make_template(tmp_path / "示例.xlsx", example=True)
    result = run("check", str(tmp_path / "示例.xlsx"), "--profile", str(toml))
    assert result.exit_code == 2
    assert result.stderr == ("错误：规则口径文件 lenient.toml 的名称 hebei-dept 是内置口径的名称，不能用于自定义口径："
                             "请另起名称（例如 hebei-dept-本县）。\n")


def test_an_embedded_profile_under_a_built_in_name_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "lenient.toml"
    toml.write_text(lenient("lenient"), encoding="utf-8")
    path = tmp_path / "自定.xlsx"
    make_template(path, profile=str(toml), example=False)
    wb = openpyxl.load_workbook(path)
    meta = wb["_selfeval_meta"]
    for row in meta.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = cell.value.replace("lenient", "hebei-dept")  # the name and the TOML's name
    wb["基本信息"]["B7"] = "hebei-dept"
    wb.save(path)
    result = run("check", str(path))
    assert result.exit_code == 2
    assert "名称 hebei-dept 是内置口径的名称" in result.stderr


def test_a_workbook_never_makes_the_tool_read_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.toml"
    secret.write_text(lenient("secret"), encoding="utf-8")
    path = tmp_path / "表.xlsx"
    make_template(path, example=True)
    wb = openpyxl.load_workbook(path)
    meta = wb["_selfeval_meta"]
    for row in meta.iter_rows():
        if row[0].value == "profile":
            row[1].value = str(secret)
    wb["基本信息"]["B7"] = None  # no name in the cell: the metadata is what is left
    wb.save(path)
    result = run("check", str(path), "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "PROFILE_UNKNOWN"
    assert "不是内置口径" in result.stderr


def test_a_custom_profile_is_shown_as_custom_with_its_hash_everywhere(tmp_path: Path) -> None:
    toml = tmp_path / "我县.toml"
    toml.write_text(lenient("wo-xian"), encoding="utf-8")
    digest = __import__("hashlib").sha256(lenient("wo-xian").encode("utf-8")).hexdigest()[:8]
    label = f"wo-xian（自定义口径 #{digest}）"
    make_template(tmp_path / "示例.xlsx", example=True)
    scored = run("score", str(tmp_path / "示例.xlsx"), "--profile", str(toml), "--json")
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.stdout)["profile"] == label
    text = run("check", str(tmp_path / "示例.xlsx"), "--profile", str(toml))
    assert f"口径 {label}" in text.stdout
    summary = openpyxl.load_workbook(tmp_path / "示例.scored.xlsx")["评分汇总"]
    assert any(isinstance(c.value, str) and c.value.startswith(label) for row in summary.iter_rows() for c in row)
    verified = run("verify", str(tmp_path / "示例.scored.xlsx"), "--json")
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["profile"] == label


def test_the_county_scores_every_unit_by_its_own_profile(tmp_path: Path) -> None:
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    own = tmp_path / "宽松.toml"
    own.write_text(lenient("kuansong"), encoding="utf-8")
    make_template(inbox / "甲.xlsx", example=True)  # names hebei-dept
    make_template(inbox / "乙.xlsx", example=True, profile=str(own))  # carries its own lenient profile
    wb = openpyxl.load_workbook(inbox / "乙.xlsx")
    wb["基本信息"]["B3"] = "乙单位"  # another unit, so neither is taken for a resubmission of the other
    wb.save(inbox / "乙.xlsx")
    result = run("rollup", str(inbox), "--profile", "hebei-dept", "--json")
    assert result.exit_code == 0, result.output
    units = {Path(u["file"]).name: u for u in json.loads(result.stdout)["units"]}
    assert {u["profile"] for u in units.values()} == {"hebei-dept"}  # both scored by the county's rules
    assert units["甲.xlsx"].get("unit_profile") in (None, "")
    digest = __import__("hashlib").sha256(lenient("kuansong").encode("utf-8")).hexdigest()[:8]
    assert units["乙.xlsx"]["unit_profile"] == f"kuansong（自定义口径 #{digest}）"
    assert units["甲.xlsx"]["total"] == units["乙.xlsx"]["total"] == 98.4
