"""Property: any consistent filling of the template scores exactly as an independent oracle says.

template → filled with openpyxl (as a person would type it) → read → score.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfeval_xl.api import evaluate
from workbooks import template_copy

LEVELS = (("产出指标", "数量指标", 40), ("效益指标", "社会效益指标", 40), ("满意度指标", "服务对象满意度指标", 10))


def q2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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


def oracle(rows, lines) -> Decimal:
    budget = sum(Decimal(b) / 100 for _, b, _ in lines)
    executed = sum(q2(Decimal(b) / 100 * p / 100) for _, b, p in lines)
    total = q2(10 * min(executed / budget, Decimal(1)))
    for _, _, op, t, a, w in rows:
        t, a, w = Decimal(t), Decimal(a), Decimal(w)
        if op == "≥":
            s = w if t == 0 or a >= t else w * a / t
        elif t == 0:
            s = w if a <= 0 else Decimal(0)
        else:
            s = w if a <= t else Decimal(0) if a >= 2 * t else w * (1 - (a - t) / t)
        total += q2(s)
    return total


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=filling())
def test_any_consistent_filling_scores_like_the_oracle(tmp_path: Path, data) -> None:
    rows, lines = data
    path = template_copy(tmp_path, "prop.xlsx", example=False)
    wb = openpyxl.load_workbook(path)
    ws = wb["预算执行"]
    for i, (category, cents, percent) in enumerate(lines, start=4):
        amount = Decimal(cents) / 100
        ws[f"A{i}"], ws[f"B{i}"] = category, f"项目{i}"
        ws[f"C{i}"] = ws[f"D{i}"] = float(amount)
        ws[f"E{i}"] = float(q2(amount * percent / 100))
        ws[f"G{i}"] = "原因已说明"
    ws = wb["绩效指标"]
    for i, (level, level2, op, target, actual, weight) in enumerate(rows, start=4):
        ws[f"C{i}"], ws[f"D{i}"], ws[f"E{i}"], ws[f"F{i}"], ws[f"G{i}"] = level, level2, f"指标{i}", "定量", op
        ws[f"H{i}"], ws[f"I{i}"], ws[f"J{i}"], ws[f"K{i}"] = target, "个", actual, weight
        ws[f"M{i}"] = "偏差原因已说明"
    wb.save(path)
    result = evaluate(path)
    assert result.errors == [], result.errors
    assert result.total == oracle(rows, lines)
    assert {f.code for f in result.warnings} <= {"OVERSHOOT_UNEXPLAINED"}
