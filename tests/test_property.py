"""Property: any consistent filling of the template scores exactly as an independent oracle says.

template → filled with openpyxl (as a person would type it) → read → score. The oracle works in
exact fractions with its own half-up rounding (floor(100x + 1/2) / 100), never the package's
Decimal helpers.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import floor
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfeval_xl.api import evaluate
from workbooks import template_copy

LEVELS = (("产出指标", "数量指标", 40), ("效益指标", "社会效益指标", 40), ("满意度指标", "服务对象满意度指标", 10))


def half_up_cents(x: Fraction) -> Fraction:
    """x ≥ 0 rounded half-up to 2 places, exactly."""
    return Fraction(floor(x * 100 + Fraction(1, 2)), 100)


def executed_cents(cents: int, percent: int) -> int:
    """What the filler types as 全年执行数: percent % of the budget, half-up to the cent (all ≥ 0)."""
    return (cents * percent + 50) // 100


@st.composite
def split(draw, total: int) -> list[int]:
    n = draw(st.integers(1, min(5, total)))
    cuts = sorted(draw(st.sets(st.integers(1, total - 1), min_size=n - 1, max_size=n - 1))) if n > 1 else []
    bounds = [0, *cuts, total]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


@st.composite
def indicator(draw, weight: int) -> tuple[str, int, int, int]:
    op = draw(st.sampled_from(["≥", "≤"]))
    target = draw(st.integers(0, 500))
    actual = draw(st.integers(0, 1000))
    return op, target, actual, weight


@st.composite
def filling(draw):
    rows = []
    for level, level2, total in LEVELS:
        for w in draw(split(total)):
            rows.append((level, level2, *draw(indicator(w))))
    lines = draw(st.lists(st.tuples(st.sampled_from(["基本支出", "项目支出"]), st.integers(1, 10**9),
                                    st.integers(0, 100)),
                          min_size=1, max_size=6))
    return rows, lines


def oracle(rows, lines) -> Fraction:
    budget = Fraction(sum(b for _, b, _ in lines), 100)
    executed = Fraction(sum(executed_cents(b, p) for _, b, p in lines), 100)
    total = half_up_cents(10 * min(executed / budget, Fraction(1)))
    for _, _, op, t, a, w in rows:
        t, a, w = Fraction(t), Fraction(a), Fraction(w)
        if op == "≥":
            s = w if t == 0 or a >= t else w * a / t
        elif t == 0:
            s = w if a <= 0 else Fraction(0)
        else:
            s = w if a <= t else Fraction(0) if a >= 2 * t else w * (1 - (a - t) / t)
        total += half_up_cents(s)
    return total


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=filling())
def test_any_consistent_filling_scores_like_the_oracle(tmp_path: Path, data) -> None:
    rows, lines = data
    path = template_copy(tmp_path, "prop.xlsx", example=False)
    wb = openpyxl.load_workbook(path)
    wb["基本信息"]["B3"], wb["基本信息"]["B5"] = "测试单位", 2025  # 单位名称, 评价年度: who sent it
    ws = wb["预算执行"]
    for i, (category, cents, percent) in enumerate(lines, start=4):
        amount = Decimal(cents) / 100
        ws[f"A{i}"], ws[f"B{i}"] = category, f"项目{i}"
        ws[f"C{i}"] = ws[f"D{i}"] = float(amount)
        ws[f"E{i}"] = float(Decimal(executed_cents(cents, percent)) / 100)
        ws[f"G{i}"] = "原因已说明"
    ws = wb["绩效指标"]
    for i, (level, level2, op, target, actual, weight) in enumerate(rows, start=4):
        ws[f"C{i}"], ws[f"D{i}"], ws[f"E{i}"], ws[f"F{i}"], ws[f"G{i}"] = level, level2, f"指标{i}", "定量", op
        ws[f"H{i}"], ws[f"I{i}"], ws[f"J{i}"], ws[f"K{i}"] = target, "个", actual, weight
        ws[f"M{i}"] = "偏差原因已说明"
    wb.save(path)
    result = evaluate(path)
    assert result.errors == [], result.errors
    assert Fraction(result.total) == oracle(rows, lines)
    assert {f.code for f in result.warnings} <= {"OVERSHOOT_UNEXPLAINED"}
