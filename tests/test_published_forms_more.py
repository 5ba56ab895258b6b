"""The second gallery of published forms (tests/published_forms_more.py): each form, re-typed from a
page a local government published, scores through the public facade what its hand-worked comment
says. Written against the specification (docs/rules.md §14, docs/workbook.md §4, §8), not against the
code of the day.
"""
from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import published_forms_more as pm
from published_forms import assert_read_as
from selfeval_xl.api import evaluate
from selfeval_xl.errors import SelfevalError

ROOT = Path(__file__).resolve().parents[1]


def _build(name: str, tmp_path: Path) -> tuple[Path, pm.Case]:
    builder, expected = pm.READ[name]
    return builder(tmp_path / f"{name}.xlsx"), expected


def assert_scores_as_worked(data: dict[str, Any], expected: pm.Case) -> None:
    assert_read_as(data, expected)
    if expected.weights_from is not None:
        assert data.get("weights_from") == expected.weights_from
    assert data["execution"] == expected.execution
    levels = {lv["name"]: lv for lv in data["levels"]}
    for name, weight, score in expected.levels:
        assert name in levels, data["levels"]
        assert levels[name]["score"] == score, data["levels"]
        if weight is not None:
            assert Decimal(levels[name]["weight"]) == Decimal(weight), data["levels"]
    # a level the form does not have is no level of it: listed, if at all, with nothing in it
    for name, level in levels.items():
        if name not in {n for n, _, _ in expected.levels}:
            assert level["weight"] in (None, "0") and level["score"] in (None, "0.00"), data["levels"]
    indicators = data["indicators"]
    assert [(ind["row"], ind["score"]) for ind in indicators] == expected.indicators
    codes = {c["code"] for c in data["checks"]}
    assert set(expected.codes) <= codes <= set(expected.codes) | set(expected.maybe), data["checks"]
    cells = {(c["code"], c["cell"]) for c in data["checks"]}
    assert set(expected.cells) <= cells, data["checks"]
    assert {(s["sheet"], s["row"]) for s in data["skipped"]} == set(expected.skipped), data["skipped"]
    assert (data["total"], data["grade"], data["valid"]) == (expected.total, expected.grade, expected.valid)


@pytest.mark.parametrize("name", sorted(pm.READ))
def test_published_form_scores_as_worked_by_hand(name: str, tmp_path: Path) -> None:
    path, expected = _build(name, tmp_path)
    assert_scores_as_worked(evaluate(path).to_json(), expected)


@pytest.mark.parametrize("name", sorted(pm.REFUSED))
def test_published_table_that_is_no_self_evaluation_is_refused_naming_what_is_missing(name: str,
                                                                                     tmp_path: Path) -> None:
    builder, words = pm.REFUSED[name]
    with pytest.raises(SelfevalError) as caught:
        evaluate(builder(tmp_path / f"{name}.xlsx"))
    assert all(word in caught.value.message for word in words), caught.value.message


# --- single rules, on these forms ---------------------------------------------------------------------

def test_typed_total_of_zero_above_the_real_line_is_refused_and_the_lines_are_used(tmp_path: Path) -> None:
    """Anhui 2022: 年度资金总额 typed 0 / 0 / 0 above 90 / 89.974 / 89.974: the lines' sums count."""
    result = evaluate(pm.anhui_tangxi_2022(tmp_path / "棠溪.xlsx"))
    mismatch = [f for f in result.checks if f.code == "BUDGET_TOTAL_MISMATCH"]
    assert mismatch and all(f.severity == "error" and f.sheet == pm.SHEET_G for f in mismatch)
    rate = [f for f in result.checks if f.code == "EXECUTION_RATE_MISMATCH"]
    assert [(f.severity, f.cell) for f in rate] == [("warning", "G7")]
    # 10 × 89.974 / 89.974 = 10.00, never 0 from the typed row
    assert str(result.execution.score) == "10.00"


def test_weights_from_form_names_the_printed_split(tmp_path: Path) -> None:
    """Daying 安可: 产出 90 + 执行率 10, no 效益: the warning says which split was used."""
    result = evaluate(pm.sichuan_daying_anke_2023(tmp_path / "安可.xlsx"))
    warned = [f for f in result.checks if f.code == "WEIGHTS_FROM_FORM"]
    assert len(warned) == 1 and warned[0].severity == "warning", result.checks
    assert "产出指标" in warned[0].message and "90" in warned[0].message, warned[0].message


def test_named_profile_without_its_optional_level_counts_each_level_whole(tmp_path: Path) -> None:
    """Deyang 67.5 / 22.5 + 10 under --profile mof-project: the profile rules (§14: weights_from
    "profile", no WEIGHTS_FROM_FORM), and 满意度, optional and absent, frees its weight so only the
    total of 100 is checked (docs/profiles.md): no WEIGHT_LEVEL, and no level is cut silently:
    产出 67.50, 效益 17.10, total 9.40 + 67.50 + 17.10 = 94.00 → 优, valid."""
    data: dict[str, Any] = evaluate(pm.sichuan_deyang_22_5(tmp_path / "德阳.xlsx"), "mof-project").to_json()
    codes = {c["code"] for c in data["checks"]}
    assert not {"WEIGHTS_FROM_FORM", "WEIGHT_LEVEL", "WEIGHT_TOTAL"} & codes, data["checks"]
    assert data.get("weights_from") == "profile"
    levels = {lv["name"]: lv["score"] for lv in data["levels"]}
    assert (levels["产出指标"], levels["效益指标"]) == ("67.50", "17.10")
    assert (data["total"], data["grade"], data["valid"]) == ("94.00", "优", True)


def test_done_word_where_a_number_belongs_is_refused_on_its_cell(tmp_path: Path) -> None:
    """Daying: 成本控制数 ≤ 30 万元 answered 完成: refused on H15, never read as met."""
    result = evaluate(pm.sichuan_daying_cost_2023(tmp_path / "大英.xlsx"))
    refused = [f for f in result.checks if f.code == "VALUE_NOT_NUMBER"]
    assert [(f.severity, f.cell) for f in refused] == [("error", "H15")]
    assert "SCORE_MISMATCH" not in {f.code for f in result.checks}
    assert [ind.score for ind in result.indicators] == [None]


def test_printed_weights_of_110_give_the_plain_sum_never_cut(tmp_path: Path) -> None:
    """Zhongjiang: 70 + 20 + 10 + 10 = 110: WEIGHT_TOTAL, and the total 10 + 100 = 110.00 as computed."""
    result = evaluate(pm.sichuan_zhongjiang_2022(tmp_path / "中江.xlsx"))
    total = [f for f in result.checks if f.code == "WEIGHT_TOTAL"]
    assert [f.severity for f in total] == ["error"]
    assert str(result.total) == "110.00"
    assumed = {f.cell for f in result.checks if f.code == "OPERATOR_ASSUMED"}
    assert {int("".join(ch for ch in cell if ch.isdigit())) for cell in assumed if cell} == {15, 18}


# --- the command line, once per form -------------------------------------------------------------------

def _check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(path), "--json"],
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=120)


@pytest.mark.parametrize("name", sorted(pm.READ))
def test_cli_check_json_and_exit_status(name: str, tmp_path: Path) -> None:
    path, expected = _build(name, tmp_path)
    done = _check(path)
    assert done.returncode == expected.exit_code, done.stderr
    assert "Traceback" not in done.stderr
    assert_scores_as_worked(json.loads(done.stdout), expected)


@pytest.mark.parametrize("name", sorted(pm.REFUSED))
def test_cli_refuses_with_exit_two(name: str, tmp_path: Path) -> None:
    builder, words = pm.REFUSED[name]
    done = _check(builder(tmp_path / f"{name}.xlsx"))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"file", "error"} and all(word in data["error"]["message"] for word in words)
