"""Profiles declare their own levels (docs/profiles.md, docs/rules.md §10, §12.3–§12.6): the level
table as profile data, the built-in `mof-4level` with its execution-rate row, forms without levels,
a weight printed inside a first-level label, and the budget basis (docs/rules.md §12.2).

Expected numbers are worked out by hand in the comments; nothing here computes them with the code
under test. With SMALL_INDICATORS and SMALL_LINES (tests/builders.py): 培训人次 ≥100 actual 100
weight 40 (产出指标), 政策知晓率 ≥90% actual 95% weight 40 (效益指标), 群众满意度 ≥90 actual 92
weight 10 (满意度指标); budget 1000 + 500 = 1500, executed 1000 + 400 = 1400.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from builders import BUDGET_SHEET, INDICATOR_SHEET, SMALL_INDICATORS, IRow, make_input
from level_inputs import initial_basis_input, levels_absent_input
from selfeval_xl import layout
from selfeval_xl.api import evaluate, make_template
from selfeval_xl.county.rollup import build
from selfeval_xl.errors import ProfileError
from selfeval_xl.model import Cell
from selfeval_xl.read.profiles import builtin_for_levels, builtin_profile, parse_profile
from selfeval_xl.rules import profiles
from selfeval_xl.rules.assess import assess
from selfeval_xl.rules.profiles import BUILTIN_NAMES
from selfeval_xl.write.template_formulas import score_cells

HEBEI = builtin_profile("hebei-dept")
SICHUAN = builtin_profile("sichuan-project")
FOUR = builtin_profile("mof-4level")

PLAIN_PROFILE = """
name = "old-style"
form = "department"
[execution]
weight = 10
[weights]
"产出指标" = 40
"效益指标" = 40
"满意度指标" = 10
[[grades]]
name = "合格"
min = 0
"""


def codes(result) -> set[tuple[str, str | None, str | None]]:
    return {(f.code, f.sheet, f.cell) for f in result.checks}


# --- 1. the level table is the profile's ------------------------------------------------------------

def test_no_level_name_is_a_code_constant():
    assert not hasattr(profiles, "KNOWN_LEVELS")
    assert not hasattr(layout, "LEVEL2_BY_LEVEL1") and not hasattr(layout, "COUNTED_WITH")


@pytest.mark.parametrize("name", ["hebei-dept", "mof-project", "sichuan-project"])
def test_shipped_profiles_declare_the_table_and_section_9(name):
    profile = builtin_profile(name)
    assert "levels" in profile.source and "[second_levels]" in profile.source  # explicit, not the default
    assert profile.levels == ("产出指标", "效益指标", "满意度指标")
    # 效果指标 is the system exports' word for 效益指标 (docs/workbook.md §4)
    assert profile.level_aliases == (("成本指标", "产出指标"), ("效果指标", "效益指标"))
    assert "满意度指标" in profile.second_levels_of("满意度指标")  # §9
    assert {"经济成本指标", "社会成本指标", "生态环境成本指标"} <= set(profile.second_levels_of("产出指标"))
    assert profile.second_levels_of("成本指标") == profile.second_levels_of("产出指标")  # counted with 产出


def test_a_profile_without_levels_gets_the_table_of_section_4():
    profile = parse_profile(PLAIN_PROFILE, origin="old.toml")
    assert profile.levels == HEBEI.levels and profile.level_aliases == HEBEI.level_aliases
    assert profile.second_levels == HEBEI.second_levels


def test_a_profile_with_levels_of_its_own_scores_them():
    text = PLAIN_PROFILE.replace('"满意度指标" = 10', '"社会影响指标" = 10').replace(
        "[execution]", 'levels = ["产出指标", "效益指标", "社会影响指标"]\n[execution]')
    profile = parse_profile(text, origin="own.toml")
    rows = list(SMALL_INDICATORS)
    rows[2] = rows[2]._replace(level1="社会影响", level2="公众参与")  # no [second_levels]: any second level
    result = assess(make_input(rows), profile)
    assert result.checks == ()
    assert [(lv.name, lv.score) for lv in result.levels] == [("产出指标", 40), ("效益指标", 40), ("社会影响指标", 10)]
    # the same row under hebei-dept: a level hebei does not know, named with hebei's own list
    unknown = [f for f in assess(make_input(rows), HEBEI).checks if f.code == "LEVEL_UNKNOWN"]
    assert [(f.cell, f.message) for f in unknown] == [
        ("C6", "一级指标“社会影响”不是产出指标、效益指标、满意度指标（或成本指标、效果指标）之一："
               "请从下拉列表中选择。")]


@pytest.mark.parametrize("change, key", [
    (("[execution]", 'levels = ["产出指标", "效益指标"]\n[execution]'), "weights.满意度指标"),
    (("[execution]", 'levels = ["产出指标", "效益指标", "满意度指标"]\nlevel_aliases = { "成本" = "其他" }\n'
                     "[execution]"), "level_aliases.成本"),
    (("[execution]", 'levels = ["产出指标", "效益指标", "满意度指标"]\n[second_levels]\n"其他" = ["甲"]\n'
                     "[execution]"), "second_levels.其他"),
    (("[execution]", 'levels = ["产出指标", "产出", "满意度指标"]\n[execution]'), "levels"),
    (("[execution]", 'optional = ["决策"]\n[execution]'), "optional"),
])
def test_a_level_table_that_does_not_fit_is_rejected_naming_the_key(change, key):
    with pytest.raises(ProfileError, match=key):
        parse_profile(PLAIN_PROFILE.replace(*change), origin="bad.toml")


@pytest.mark.parametrize("level1, level2", [
    ("一、产出指标（40分）", "数量"), ("(一)产出", "数量指标"), ("项目产出", "质量"), ("产出指标", "经济成本指标"),
    ("成本指标", "社会成本指标"), ("满意度", "满意度指标"),
])
def test_printed_spellings_of_a_level_are_accepted(level1, level2):
    rows = list(SMALL_INDICATORS)
    index = 2 if level1.startswith("满意") else 0  # the 满意度 row keeps its weight 10, the others 40
    rows[index] = rows[index]._replace(level1=level1, level2=level2)
    result = assess(make_input(rows), HEBEI)
    assert result.checks == ()
    assert result.indicators[index].level == ("满意度指标" if index == 2 else "产出指标")


def test_mof_4level_levels_are_matched_in_their_printed_spellings():
    assert [FOUR.counted_level(FOUR.first_level(t) or "") for t in
            ("一、项目决策（15分）", "决策指标", "二、过程", "管理", "项目管理（20分）", "产出指标", "(四)效益")] == [
        "决策", "决策", "过程", "过程", "过程", "产出", "效益"]
    assert FOUR.first_level("满意度指标") is None  # not a first level of the 4-level framework


def test_builtin_for_levels():
    assert builtin_for_levels(["一、项目决策（15分）", "二、项目过程", "产出", "效益"]) == "mof-4level"
    assert builtin_for_levels(["管理指标", "产出指标"]) == "mof-4level"
    assert builtin_for_levels(["产出指标（50分）", "效益指标", "满意度指标", "成本指标"]) is None
    assert builtin_for_levels([]) is None


def test_mof_4level_is_a_reserved_builtin_name():
    assert "mof-4level" in BUILTIN_NAMES
    with pytest.raises(ProfileError, match="内置口径"):
        parse_profile(PLAIN_PROFILE.replace("old-style", "mof-4level"), origin="x.toml")


def test_mof_4level_profile_data():
    assert (FOUR.form, FOUR.execution_weight, FOUR.weights) == ("project", 0, ())
    assert FOUR.levels == ("决策", "过程", "产出", "效益")
    assert [(g.name, g.min) for g in FOUR.grades] == [("优", 90), ("良", 80), ("中", 60), ("差", 0)]
    assert set(FOUR.second_levels_of("管理")) == {"资金管理", "组织实施"}
    # each second level of §13 with or without 指标
    for level, second in (("决策", "项目立项"), ("决策", "绩效目标指标"), ("产出", "数量指标"), ("产出", "产出成本"),
                          ("效益", "可持续影响指标"), ("效益", "服务对象满意度指标"), ("效益", "满意度")):
        assert profiles.canonical_level(second, FOUR.second_levels_of(level)), (level, second)


# --- 2. a weight printed inside a first-level label (§13) -------------------------------------------

@pytest.mark.parametrize("profile", [HEBEI, SICHUAN], ids=["hebei-dept", "sichuan-project"])
def test_a_printed_level_weight_is_checked_against_its_rows(profile):
    rows = list(SMALL_INDICATORS)
    rows[0] = rows[0]._replace(level1="产出指标（45分）")  # its one row weighs 40 ≠ 45
    findings = [f for f in assess(make_input(rows), profile).checks if f.code == "WEIGHT_LEVEL"]
    assert [(f.sheet, f.cell) for f in findings] == [(INDICATOR_SHEET, "C4")]
    assert findings[0].message.startswith("产出指标的指标分值合计为 40，")
    assert "规定为 45：" in findings[0].message


def test_a_printed_level_weight_that_agrees_is_no_finding():
    rows = list(SMALL_INDICATORS)
    rows[0] = rows[0]._replace(level1="一、产出指标（40分）")
    assert assess(make_input(rows), SICHUAN).checks == ()


# --- 4. forms without levels (§6) ------------------------------------------------------------------

def test_levels_absent_scores_each_row_and_warns_once():
    result = assess(levels_absent_input(), HEBEI)
    assert codes(result) == {("LEVELS_ABSENT", INDICATOR_SHEET, "E3")}
    assert result.levels == () and result.to_json()["levels"] == []
    # execution 10 × 1400 ÷ 1500 = 9.333… → 9.33; rows 40 + 40 + 10 all met; 9.33 + 90 = 99.33
    assert result.total == D("99.33")
    assert [i.level for i in result.indicators] == ["", "", ""]


def test_levels_absent_still_checks_the_total_of_100():
    inp = levels_absent_input()
    inp = replace(inp, indicators=(inp.indicators[0]._replace(weight=Cell(INDICATOR_SHEET, "K4", D(30))),
                                   *inp.indicators[1:]))
    result = assess(inp, HEBEI)
    # 30 + 40 + 10 = 80, + 10 execution = 90 ≠ 100; no WEIGHT_LEVEL though 产出 would be 30 of 40
    assert codes(result) == {("LEVELS_ABSENT", INDICATOR_SHEET, "E3"), ("WEIGHT_TOTAL", None, None)}


# --- 5. the budget basis (§5) ----------------------------------------------------------------------

def test_budget_basis_initial_warns_on_the_header_and_scores_as_usual():
    result = assess(initial_basis_input(), HEBEI)
    assert codes(result) == {("BUDGET_BASIS_INITIAL", BUDGET_SHEET, "C3")}
    assert result.execution.score == D("9.33")  # 10 × 1400 ÷ 1500, as above


def test_a_missing_budget_column_scores_0_and_names_the_column():
    result = assess(replace(make_input(), budget_missing="全年预算数"), HEBEI)
    missing = [f for f in result.checks if f.code == "VALUE_MISSING"]
    assert [(f.sheet, f.cell, f.message) for f in missing] == [
        (BUDGET_SHEET, "D4", "预算执行表没有“全年预算数”列，全年预算数为空：请填写。")]
    assert result.execution.score == 0 and result.execution.rate is None
    assert result.total == D(90)  # 0 + the three rows' 40 + 40 + 10


# --- 3. mof-4level in a real workbook ----------------------------------------------------------------

FOUR_LINES = [("当年财政拨款", 200, 190), ("上年结转资金", 50, 40)]
FOUR_ROWS = [  # 一级, 二级, 三级, 性质, 比较, 指标值, 单位, 实际, 分值, 偏差原因
    ("决策", "项目立项", "立项依据充分性", "定性", None, "充分", None, "达成年度指标", 5, None),
    ("决策", "绩效目标", "绩效目标合理性", "定性", None, "合理", None, "达成年度指标", 5, None),
    ("决策", "资金投入", "预算编制科学性", "定性", None, "科学", None, "达成年度指标", 5, None),
    ("过程", "资金管理", "预算执行率", "定量", None, "—", "%", 95, 10, "部分资金待结算"),
    ("管理", "组织实施", "管理制度健全性", "定性", None, "健全", None, "达成年度指标", 10, None),
    ("产出", "产出数量", "完成培训人数", "定量", "≥", 100, "人", 90, 20, "受天气影响"),
    ("产出", "质量指标", "培训合格率", "定量", "≥", 95, "%", 95, 20, None),
    ("效益", "社会效益", "群众知晓率", "定量", "≥", 90, "%", 92, 15, None),
    ("效益", "服务对象满意度指标", "学员满意度", "定量", "≥", 90, "%", 81, 10, "课程安排待改进"),
]


def four_level_workbook(tmp_path: Path, rate_actual: object = 95) -> Path:
    path = tmp_path / "四类指标.xlsx"
    make_template(path, profile="mof-4level")
    wb = openpyxl.load_workbook(path)
    budget, ind = wb[layout.SHEET_BUDGET], wb[layout.SHEET_INDICATORS]
    info = wb[layout.SHEET_INFO]
    for r in range(1, info.max_row + 1):  # who sent it: not what these tests are about
        info[f"B{r}"] = {"单位名称": "县职业技能培训中心", "实施单位": "县职业技能培训中心",
                         "评价年度": 2025}.get(info[f"A{r}"].value, info[f"B{r}"].value)
    for r, (name, planned, spent) in enumerate(FOUR_LINES, start=4):
        budget[f"B{r}"], budget[f"C{r}"], budget[f"D{r}"], budget[f"E{r}"] = name, planned, planned, spent
    for r, values in enumerate(FOUR_ROWS, start=4):
        values = (*values[:7], rate_actual if values[2] == "预算执行率" else values[7], *values[8:])
        for col, value in zip("CDEFGHIJKM", values, strict=True):
            ind[f"{col}{r}"] = value
    wb.save(path)
    return path


def test_mof_4level_scores_the_rate_row_from_the_money_block(tmp_path):
    result = evaluate(four_level_workbook(tmp_path), "mof-4level")
    # rate (190 + 40) ÷ (200 + 50) = 230 ÷ 250 = 0.92; the row's target "—" stands for ≥100%, so the row
    # scores 10 × 0.92 = 9.2, not 10 × 95% from the typed actual; the typed 95 (points) ≠ 92.00%.
    # 决策 5 + 5 + 5 = 15; 过程 9.2 + 10 = 19.2; 产出 20 × 90 ÷ 100 = 18, + 20 = 38;
    # 效益 15 + 10 × 81 ÷ 90 = 15 + 9 = 24; total 15 + 19.2 + 38 + 24 = 96.2 → 优 (≥ 90)
    assert codes(result) == {("EXECUTION_RATE_MISMATCH", layout.SHEET_INDICATORS, "J7")}
    rate_row = next(i for i in result.indicators if i.name == "预算执行率")
    assert (rate_row.level, rate_row.score, rate_row.actual) == ("过程", D("9.20"), "92.00%")
    data = result.to_json()
    assert data["execution"]["weight"] == "0" and data["execution"]["score"] is None
    assert [(lv["name"], lv["score"]) for lv in data["levels"]] == [
        ("决策", "15.00"), ("过程", "19.20"), ("产出", "38.00"), ("效益", "24.00")]
    assert (data["total"], data["grade"]) == ("96.20", "优")
    mismatch = next(f for f in result.checks if f.code == "EXECUTION_RATE_MISMATCH")
    assert mismatch.message == "“预算执行率”填写的执行率为 95.00%，按执行数÷预算数重算为 92.00%：请更正或改为公式。"


def test_mof_4level_rate_row_typed_as_recomputed_has_no_finding(tmp_path):
    result = evaluate(four_level_workbook(tmp_path, rate_actual="92%"), "mof-4level")
    assert result.checks == ()
    assert str(result.total) == "96.20"  # as above


def test_mof_4level_checks_only_the_total_of_100():
    rows = [IRow("决策", "项目立项", "立项规范性", "定量", "≥", 1, "项", 1, 30),
            IRow("产出", "产出数量", "完成项目数", "定量", "≥", 2, "个", 2, 60)]
    result = assess(make_input(rows, form="project", total_name="年度资金总额"), FOUR)
    # 30 + 60 = 90 with no execution weight: WEIGHT_TOTAL only, no WEIGHT_LEVEL for the free levels
    assert codes(result) == {("WEIGHT_TOTAL", None, None)}
    assert next(f for f in result.checks).message == \
        "指标分值合计 90 加预算执行率分值 0 为 90，应为 100：请调整各指标分值。"


# --- the template and the rollup read the profile's levels --------------------------------------------

def test_mof_4level_template_offers_its_levels_and_scores_them(tmp_path):
    path = tmp_path / "t.xlsx"
    make_template(path, profile="mof-4level")
    wb = openpyxl.load_workbook(path)
    lists = wb[layout.SHEET_LISTS]
    column = next(c for c in lists[1] if c.value == "一级指标").column_letter
    assert [lists[f"{column}{r}"].value for r in range(2, 7)] == ["决策", "过程", "产出", "效益", "管理"]
    cells = score_cells(FOUR)
    score = wb[layout.SHEET_SCORE]
    assert [score[f"A{r}"].value for r in range(11, 16)] == ["决策", "过程", "产出", "效益", "预算执行率"]
    assert (cells.total, cells.grade, cells.weight_total) == ("B18", "B19", "C16")  # one row lower than 3 levels
    assert str(score[cells.total].value).startswith("=ROUND(")
    assert "过程" in str(score[cells.level_points("过程")].value) and "管理" in str(score["C12"].value)


def test_three_level_template_keeps_its_cells():
    cells = score_cells(HEBEI)
    assert (cells.total, cells.grade, cells.weight_total, cells.level_points("满意度指标")) == \
        ("B17", "B18", "C15", "D13")


def test_rollup_level_columns_are_the_units_levels():
    rows = [{"unit": "甲", "mtime": 1.0, "total": 90.0, "level:产出指标": 40.0, "level:效益指标": 30.0},
            {"unit": "乙", "mtime": 2.0, "total": 80.0, "level:决策": 15.0, "level:过程": 20.0,
             "level:产出指标": 1.0}]
    rollup = build(rows)
    labels = [label for _, label in rollup.columns]
    at = labels.index("执行率得分")
    assert labels[at + 1:at + 5] == ["产出指标", "效益指标", "决策", "过程"]
    units = {u["unit"]: u for u in rollup.to_json()["units"]}
    assert (units["甲"]["level:决策"], units["乙"]["level:决策"]) == (None, 15.0)  # 甲 has no 决策
