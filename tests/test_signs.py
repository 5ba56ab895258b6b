"""Comparison signs and their look-alikes (docs/rules.md §13.4): every entry of the one table, read in
the operator column and inside the target, scored by hand; signs the table does not hold are refused.

One indicator row (SMALL_INDICATORS row 0, weight 40, cells from tests/builders.py: G4 比较方式,
H4 年度指标值, J4 实际完成值) with target 80个 and actual 60个:
  ≥ (and > , = scored as ≥): 60 < 80 → 40 × 60 ÷ 80 = 30.00
  ≤ (and <):                 60 ≤ 80 → 40.00
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from builders import SMALL_INDICATORS, make_input
from selfeval_xl.read.profiles import load_profile
from selfeval_xl.rules.assess import assess
from selfeval_xl.vocabulary import (
    AFTER,
    BEFORE,
    COLUMN,
    DATE,
    EQ,
    GE,
    GT,
    LE,
    LT,
    SIGNS,
    fold,
    parse_operator_word,
)

HEBEI = load_profile("hebei-dept")

# By hand, target 80, actual 60, weight 40 (see the module docstring).
SCORE_60_OF_80 = {GE: D("30.00"), GT: D("30.00"), EQ: D("30.00"), LE: D("40.00"), LT: D("40.00")}
SCORED = {GE: GE, GT: GE, EQ: EQ, LE: LE, LT: LE}
# Dates, weight 40: target 2025-06-30, actual 2025-06-20, which is earlier.
#   ≤ (and <, and = read as no later than): 6-20 ≤ 6-30 → 40.00;  ≥ (and >): 6-20 < 6-30 → 0.00
SCORE_JUNE_20 = {GE: D("0.00"), GT: D("0.00"), EQ: D("40.00"), LE: D("40.00"), LT: D("40.00")}


def _one(operator: object, target: object, actual: object, unit: object = "个", year: int | None = 2025):
    first = SMALL_INDICATORS[0]._replace(operator=operator, target=target, actual=actual, unit=unit, reason="有说明")
    result = assess(make_input([first, *SMALL_INDICATORS[1:]], year=year), HEBEI)
    return result.indicators[0], [c for c in result.checks if c.sheet == "绩效指标" and c.cell and c.cell[1:] == "4"]


def _ids(sign) -> str:
    return f"{sign.written}→{sign.means}"


@pytest.mark.parametrize("sign", [s for s in SIGNS if COLUMN in s.places], ids=_ids)
def test_every_sign_in_the_operator_column(sign):
    row, checks = _one(sign.written, 80, 60)
    assert [c.code for c in checks] == []
    assert row.operator == SCORED[sign.means]
    assert row.score == SCORE_60_OF_80[sign.means]


@pytest.mark.parametrize("sign", [s for s in SIGNS if BEFORE in s.places], ids=_ids)
def test_every_sign_before_the_number_in_the_target(sign):
    row, checks = _one(None, f"{sign.written}80个", "60个")
    assert [c.code for c in checks] == []
    assert row.operator == SCORED[sign.means]
    assert row.score == SCORE_60_OF_80[sign.means]


@pytest.mark.parametrize("sign", [s for s in SIGNS if AFTER in s.places], ids=_ids)
def test_every_sign_after_the_number_in_the_target(sign):
    row, checks = _one(None, f"80个{sign.written}", "60个")
    assert [c.code for c in checks] == []
    assert row.operator == SCORED[sign.means]
    assert row.score == SCORE_60_OF_80[sign.means]


@pytest.mark.parametrize("sign", [s for s in SIGNS if BEFORE in s.places or DATE in s.places], ids=_ids)
def test_every_sign_before_a_date_target(sign):
    row, checks = _one(None, f"{sign.written}2025年6月30日", dt.date(2025, 6, 20), None)
    assert [c.code for c in checks] == []
    assert row.operator == SCORED[sign.means]
    assert row.score == SCORE_JUNE_20[sign.means]


# docs/rules.md §13.4 written out by hand, independent of the table: each must be in it with this meaning.
SPEC_SIGNS = {
    "═": EQ, "＝": EQ, "==": EQ,
    "≧": GE, "≥=": GE, ">＝": GE, "＞=": GE, "＞＝": GE, "不低于": GE, "不少于": GE, "大于等于": GE, "以上": GE,
    "≦": LE, "<＝": LE, "＜=": LE, "不高于": LE, "不超过": LE, "不多于": LE, "小于等于": LE, "以内": LE, "以下": LE,
    ">": GT, "＞": GT, "大于": GT, "高于": GT,
    "<": LT, "＜": LT, "小于": LT, "低于": LT,
}


@pytest.mark.parametrize("written, means", SPEC_SIGNS.items())
def test_the_table_holds_every_sign_of_the_spec(written, means):
    assert means in {s.means for s in SIGNS if s.written == written}


def test_equals_look_alike_is_equals():
    # The Done-when example: ═ scored as =. Column ═, target 80, actual 60 → as ≥: 40 × 60 ÷ 80 = 30.00;
    # ═0 against 0 → t = 0 and a ≤ 0 → 40.00 (as = 0, not as ≥ 0 … the same here, so also a = 0 with a = 2:
    # 2 > 0 → 0.00, which ≥ 0 would score 40.00).
    row, checks = _one("═", 80, 60)
    assert (row.operator, row.score, checks) == (EQ, D("30.00"), [])
    row, _ = _one(None, "═0个", "2个")
    assert (row.operator, row.score) == (EQ, D("0.00"))


@pytest.mark.parametrize("written, means", [
    ("≥ =", GE), ("> =", GE), ("＞ ＝", GE), ("= >", GE), ("⩾", GE), ("≮", GE), ("=>", GE), ("≥（大于等于）", GE),
    ("大于或等于", GE), ("大于 等于", GE), ("≥号", GE),
    ("< =", LE), ("⩽", LE), ("≯", LE), ("=<", LE), ("小于或等于", LE), ("≤（小于等于）", LE),
    ("= =", EQ), ("﹦", EQ),
])
def test_other_printed_spellings_in_the_column(written, means):
    # Same numbers as above: ≥/= → 30.00, ≤ → 40.00.
    row, checks = _one(written, 80, 60)
    assert checks == []
    assert row.operator == means
    assert row.score == SCORE_60_OF_80[means]


@pytest.mark.parametrize("target, means", [
    ("＞＝80个", GE), ("> = 80个", GE), ("≥ = 80个", GE), ("⩾80个", GE), ("≮80个", GE), ("大于或等于80个", GE),
    ("≦80个", LE), ("⩽80个", LE), ("≯80个", LE), ("< ＝ 80个", LE), ("80个 以内", LE),
    ("═80个", EQ), ("＝＝80个", EQ),
])
def test_other_printed_spellings_in_the_target(target, means):
    row, checks = _one(None, target, "60个")
    assert checks == []
    assert row.operator == means
    assert row.score == SCORE_60_OF_80[means]


@pytest.mark.parametrize("written", ["≠", "≈", "±", "≥≤", "》", "~", "不等于", "大约", "<>"])
def test_an_unknown_sign_in_the_column_is_refused(written):
    row, checks = _one(written, 80, 60)
    assert [(c.code, c.cell) for c in checks] == [("OPERATOR_UNKNOWN", "G4")]
    assert row.score is None


@pytest.mark.parametrize("target, sign", [
    ("≠0个", "≠"), ("≈80个", "≈"), ("±5个", "±"), ("≥≤80个", "≥≤"), ("》80个", "》"), ("<>80个", "<>"),
    ("≥ ≤ 80个", "≥≤"), ("～80个", "~"),
])
def test_an_unknown_sign_in_the_target_is_refused_as_a_sign(target, sign):
    row, checks = _one(None, target, "60个")
    assert [(c.code, c.cell) for c in checks] == [("OPERATOR_UNKNOWN", "H4")]
    assert f"比较符号“{sign}”无法识别" in checks[0].message
    assert row.score is None


def test_an_unknown_sign_in_the_actual_is_not_a_number():
    # The actual's sign never decides the comparison: ≈60个 is simply not a number.
    row, checks = _one("≥", 80, "≈60个")
    assert [(c.code, c.cell) for c in checks] == [("VALUE_NOT_NUMBER", "J4")]
    assert row.score is None


def test_fold_leaves_text_without_signs_alone():
    assert fold("项目资金（万元）") == "项目资金(万元)"
    assert fold("≥95%，≦5%") == "≥95%,≤5%"


def test_a_word_of_the_column_is_read_whole_never_by_its_start():
    # 不超过 is ≤ although it ends in 超过 (>); 不大于 is ≤ although it holds 大于.
    assert (parse_operator_word("不超过"), parse_operator_word("不大于"), parse_operator_word("超过")) == (LE, LE, GE)


# --- a date target with no sign (docs/rules.md §13.5) ------------------------------------------------

@pytest.mark.parametrize("target, year, deadline, shown", [
    ("2023年12月", 2023, dt.date(2023, 12, 31), "2023年12月31日"),  # a month means its last day
    ("2025年6月30日", 2025, dt.date(2025, 6, 30), "2025年6月30日"),
    ("2024年2月", 2024, dt.date(2024, 2, 29), "2024年2月29日"),  # 2024 is a leap year
    ("12月底", 2025, dt.date(2025, 12, 31), "2025年12月31日"),  # the evaluation year's December
    ("6月底", None, dt.date(2000, 6, 30), "6月30日"),  # no 评价年度: month and day alone
    ("2025-06-30", 2025, dt.date(2025, 6, 30), "2025年6月30日"),
    (dt.date(2025, 6, 30), 2025, dt.date(2025, 6, 30), "2025年6月30日"),  # a date-formatted cell
])
def test_a_bare_date_target_is_a_deadline(target, year, deadline, shown):
    # On the deadline itself: not later → 40.00; a day after it: later → 0.00 (weight 40, no proportion).
    day_after = deadline + dt.timedelta(days=1)
    for actual, score in ((deadline, D("40.00")), (day_after, D("0.00"))):
        actual_text = f"{actual.month}月{actual.day}日" if year is None else actual
        row, checks = _one(None, target, actual_text, None, year=year)
        assert (row.operator, row.score) == (LE, score)
        assert [(c.code, c.cell) for c in checks] == [("OPERATOR_ASSUMED", "G4")]
        assert f"已按“≤（不晚于 {shown}）”计分" in checks[0].message


@pytest.mark.parametrize("target", ["2023年12月前", "2023年12月完成", "≤2023年12月", "不晚于2023年12月",
                                    "截至2023年12月底前"])
def test_a_date_target_with_a_sign_or_a_word_assumes_nothing(target):
    row, checks = _one(None, target, dt.date(2023, 12, 31), None, year=2023)
    assert (row.operator, row.score, checks) == (LE, D("40.00"), [])


def test_the_operator_column_decides_a_bare_date_target():
    # 不早于 2023-12-31 written in the column; 2023-12-20 is earlier → 0.00, and nothing is assumed.
    row, checks = _one("≥", "2023年12月", dt.date(2023, 12, 20), None, year=2023)
    assert (row.operator, row.score, checks) == (GE, D("0.00"), [])
