"""Reading what people type (docs/rules.md §5.4, §6, §13): numbers, units, operators, dates."""
from __future__ import annotations

import datetime as dt
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfeval_xl.formatting import excel_number, round_half_up
from selfeval_xl.model import Cell, CellError
from selfeval_xl.rules.quantities import (
    CONTRADICTORY,
    DateValue,
    NotNumber,
    Quantity,
    normalize_unit,
    parse_text_date,
    parse_text_quantity,
    read_amount,
    read_plain_number,
    read_rate,
    read_value,
)
from selfeval_xl.vocabulary import (
    EQ,
    GE,
    LE,
    QUAL_MET,
    QUAL_MISSED,
    QUAL_PARTIAL,
    is_empty_reason,
    parse_operator_word,
    qualitative_label,
)

S = "绩效指标"


def c(value: object, *, percent: bool = False) -> Cell:
    return Cell(S, "H4", value, percent)


# --- parse_text_quantity -----------------------------------------------------------------------

@pytest.mark.parametrize("text, value, unit, op, shown_percent", [
    # plain and grouped numbers, with and without a money unit
    ("100", "100", "", None, False),
    ("0.95", "0.95", "", None, False),
    (".5", "0.5", "", None, False),
    ("-5", "-5", "", None, False),
    ("+5", "5", "", None, False),
    ("1,234.5", "1234.5", "", None, False),
    ("1,234.50元", "1234.50", "元", None, False),
    ("43.2万元", "43.2", "万元", None, False),
    # full-width digits, signs and spaces (NFKC)
    ("９５", "95", "", None, False),
    ("９５％", "95", "%", None, True),
    ("１，２３４．５０元", "1234.50", "元", None, False),
    ("\u300095\u3000%", "95", "%", None, True),
    # percentages
    ("95%", "95", "%", None, True),
    ("95 %", "95", "%", None, True),
    ("≥ 95 %", "95", "%", GE, True),
    ("百分之95", "95", "%", None, True),
    ("95百分比", "95", "%", None, True),
    # units
    ("5个", "5", "个", None, False),
    ("12人次", "12", "人次", None, False),
    ("3天", "3", "天", None, False),
    # operator signs before the number
    ("≥95%", "95", "%", GE, True),
    ("≧95%", "95", "%", GE, True),
    (">=95%", "95", "%", GE, True),
    (">90%", "90", "%", GE, True),
    ("＞90%", "90", "%", GE, True),
    ("≤3天", "3", "天", LE, False),
    ("≦3天", "3", "天", LE, False),
    ("<=3天", "3", "天", LE, False),
    ("<1%", "1", "%", LE, True),
    ("＜1%", "1", "%", LE, True),
    ("=100%", "100", "%", EQ, True),
    ("＝100%", "100", "%", EQ, True),
    # operator words before the number
    ("大于90%", "90", "%", GE, True),
    ("高于90%", "90", "%", GE, True),
    ("不少于5个", "5", "个", GE, False),
    ("不低于95%", "95", "%", GE, True),
    ("至少3次", "3", "次", GE, False),
    ("超过10个", "10", "个", GE, False),
    ("大于等于90%", "90", "%", GE, True),
    ("小于1%", "1", "%", LE, True),
    ("低于1%", "1", "%", LE, True),
    ("不超过5次", "5", "次", LE, False),
    ("不高于5%", "5", "%", LE, True),
    ("小于等于5%", "5", "%", LE, True),
    ("为100%", "100", "%", EQ, True),
    ("达到100%", "100", "%", EQ, True),
    # words after the number
    ("95%以上", "95", "%", GE, True),
    ("90%及以上", "90", "%", GE, True),
    ("5个以下", "5", "个", LE, False),
    ("5个以内", "5", "个", LE, False),
    ("控制在43.2万元以内", "43.2", "万元", LE, False),
    ("达95%以上", "95", "%", GE, True),
    ("不低于95%以上", "95", "%", GE, True),  # same direction twice is fine
])
def test_parse_text_quantity(text, value, unit, op, shown_percent):
    q = parse_text_quantity(text)
    assert q == Quantity(D(value), unit, op, shown_percent)


@pytest.mark.parametrize("text", ["≥5个以下", "不低于90%以内", "≤5个以上"])
def test_parse_text_quantity_contradictory(text):
    assert parse_text_quantity(text) == CONTRADICTORY


@pytest.mark.parametrize("text", ["完成", "合格以上", "80-90%", "百分之九十", "", "良好", "2025-11-30", "5内", "1.2.3"])
def test_parse_text_quantity_not_a_quantity(text):
    assert parse_text_quantity(text) is None


# --- parse_operator_word -------------------------------------------------------------------------

@pytest.mark.parametrize("text, op", [
    ("≥", GE), ("≧", GE), (">=", GE), (">", GE), ("＞", GE), ("大于", GE), ("高于", GE), ("不少于", GE),
    ("不低于", GE), ("至少", GE), ("以上", GE), ("超过", GE), ("大于等于", GE), ("≥（大于等于）", GE),
    ("≥号", GE), ("正向", GE), (" ≥ ", GE),
    ("≤", LE), ("≦", LE), ("<=", LE), ("<", LE), ("＜", LE), ("小于", LE), ("低于", LE), ("不超过", LE),
    ("不高于", LE), ("以下", LE), ("以内", LE), ("控制在以内", LE), ("小于等于", LE), ("反向", LE),
    ("=", EQ), ("＝", EQ), ("等于", EQ), ("为", EQ), ("达到", EQ), ("＝（等于）", EQ),
])
def test_parse_operator_word(text, op):
    assert parse_operator_word(text) == op


@pytest.mark.parametrize("text", ["", "xyz", "定量", "好"])
def test_parse_operator_word_unreadable(text):
    assert parse_operator_word(text) is None


# --- dates ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, date, op", [
    ("2025年12月31日", dt.date(2025, 12, 31), None),
    ("2025-11-30", dt.date(2025, 11, 30), None),
    ("2025/6/30", dt.date(2025, 6, 30), None),
    ("2025.11.30", dt.date(2025, 11, 30), None),
    ("12月底前", dt.date(2025, 12, 31), LE),
    ("11月底前完成", dt.date(2025, 11, 30), LE),
    ("于11月底前完成", dt.date(2025, 11, 30), LE),
    ("2月底", dt.date(2025, 2, 28), None),
    ("11月15日前", dt.date(2025, 11, 15), LE),
    ("6月30日前完成", dt.date(2025, 6, 30), LE),
    ("12月31号", dt.date(2025, 12, 31), None),
    ("年底前", dt.date(2025, 12, 31), LE),
    ("年内", dt.date(2025, 12, 31), None),
    ("2024年底", dt.date(2024, 12, 31), None),  # an explicit year wins over the evaluation year
    ("3月以后", dt.date(2025, 3, 31), GE),
    ("２０２５年１２月３１日", dt.date(2025, 12, 31), None),
])
def test_parse_text_date(text, date, op):
    assert parse_text_date(text, 2025) == DateValue(date, op)


def test_parse_text_date_leap_year_month_end():
    assert parse_text_date("2月底前", 2024) == DateValue(dt.date(2024, 2, 29), LE)


def test_a_date_without_any_year_never_depends_on_the_day_it_is_read():
    # No 评价年度 anywhere: month and day alone decide, both sides in the same fixed year.
    assert parse_text_date("11月15日前", None) == DateValue(dt.date(2000, 11, 15), LE)
    assert parse_text_date("2月底", None) == DateValue(dt.date(2000, 2, 29), None)
    assert parse_text_date("2023年6月", None) == DateValue(dt.date(2023, 6, 30), None)


@pytest.mark.parametrize("text", ["2月30日", "13月", "完成", "95%", "明年"])
def test_parse_text_date_unreadable(text):
    assert parse_text_date(text, 2025) is None


# --- read_value (a target or actual cell) -------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    # a percent-formatted cell holds a fraction: 0.88 shown as 88% is 88 with unit %
    (c(D("0.88"), percent=True), Quantity(D("88.00"), "%", None, True)),
    (c(D("1"), percent=True), Quantity(D("100"), "%", None, True)),
    (c(D("0.88")), Quantity(D("0.88"), "", None, False)),
    (c(D("95")), Quantity(D("95"), "", None, False)),
    (c("≥95%"), Quantity(D("95"), "%", GE, True)),
    (c("95 %"), Quantity(D("95"), "%", None, True)),
    (c("1,234.50元"), Quantity(D("1234.50"), "元", None, False)),
    (c("９５"), Quantity(D("95"), "", None, False)),
    (c("控制在43.2万元以内"), Quantity(D("43.2"), "万元", LE, False)),
    (c("≥5个以下"), CONTRADICTORY),
    # dates: typed as dates, or as text the date patterns read
    (c(dt.date(2025, 11, 30)), DateValue(dt.date(2025, 11, 30), None)),
    (c(dt.datetime(2025, 11, 30, 0, 0)), DateValue(dt.date(2025, 11, 30), None)),
    (c("2025-11-30"), DateValue(dt.date(2025, 11, 30), None)),
    (c("2025年12月31日"), DateValue(dt.date(2025, 12, 31), None)),
    (c("11月15日前"), DateValue(dt.date(2025, 11, 15), LE)),
    (c("年底前"), DateValue(dt.date(2025, 12, 31), LE)),
    (c("12月底前"), DateValue(dt.date(2025, 12, 31), LE)),
    (c("12月底"), DateValue(dt.date(2025, 12, 31), None)),
    (c("6月前"), DateValue(dt.date(2025, 6, 30), LE)),
    # blank cells
    (c(None), None),
    (c("   "), None),
    (c("\u3000"), None),
])
def test_read_value(cell, expected):
    assert read_value(cell, 2025) == expected


@pytest.mark.parametrize("cell", [c("完成"), c(CellError("#DIV/0!")), c(CellError("#REF!")), c(CellError("#N/A")),
                                  c(True), c("80-90%"), c("2月30日")])
def test_read_value_not_a_number(cell):
    assert isinstance(read_value(cell, 2025), NotNumber)


def test_read_value_error_value_names_the_error():
    value = read_value(c(CellError("#DIV/0!")), 2025)
    assert isinstance(value, NotNumber) and "#DIV/0!" in value.reason


# --- read_rate (a typed 执行率, as a fraction) -----------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    (c(D("0.9826"), percent=True), D("0.9826")),  # percentage format: the cell holds the fraction
    (c(D("1.2"), percent=True), D("1.2")),  # 120% shown as a percentage stays 1.2
    (c(D("0.9826")), D("0.9826")),  # plain number ≤ 1.5: a fraction
    (c(D("1.5")), D("1.5")),  # the boundary is "above 1.5"
    (c(D("98.26")), D("0.9826")),  # plain number above 1.5: percentage points
    (c("98.26%"), D("0.9826")),
    (c("98.26 %"), D("0.9826")),
    (c("９８.２６％"), D("0.9826")),
    (c("98.26"), D("0.9826")),
    (c("0.9826"), D("0.9826")),
    (c(None), None),
])
def test_read_rate(cell, expected):
    assert read_rate(cell) == expected


@pytest.mark.parametrize("cell", [c("≥95%"), c("95个"), c("高"), c(CellError("#DIV/0!")), c(dt.date(2025, 1, 1))])
def test_read_rate_not_a_number(cell):
    assert isinstance(read_rate(cell), NotNumber)


# --- amounts and plain numbers -----------------------------------------------------------------------

@pytest.mark.parametrize("cell, unit, expected", [
    (c(D("5042799.97")), "元", D("5042799.97")),
    (c("1,234.50元"), "元", D("1234.50")),
    (c("43.2万元"), "元", D("432000")),  # 43.2 × 10,000: never the bare 43.2 (docs/rules.md §13.1)
    (c("43.2万元"), "万元", D("43.2")),
    (c("１２３４"), "元", D("1234")),
    (c(None), "元", None),
])
def test_read_amount(cell, unit, expected):
    assert read_amount(cell, unit) == expected


@pytest.mark.parametrize("cell", [c("≥100"), c("5个"), c("不详"), c(CellError("#REF!")), c(True)])
def test_read_amount_not_a_number(cell):
    assert isinstance(read_amount(cell), NotNumber)


@pytest.mark.parametrize("cell, expected", [
    (c(D("4")), D("4")), (c("４分"), D("4")), (c("2.5"), D("2.5")), (c(None), None),
])
def test_read_plain_number(cell, expected):
    assert read_plain_number(cell) == expected


@pytest.mark.parametrize("cell", [c("四分"), c("4%"), c(">4"), c(CellError("#N/A"))])
def test_read_plain_number_not_a_number(cell):
    assert isinstance(read_plain_number(cell), NotNumber)


# --- excel_number ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("5042799.9699999997", D("5042799.97")),  # 15 significant digits, as Excel shows it
    ("0.98263148329116873", D("0.982631483291169")),
    ("100", D("100")),
    ("1E+2", D("100")),
    ("1.0000000000000002", D("1")),
    ("0", D("0")),
    ("-0.0", D("0")),
    ("-12.5", D("-12.5")),
])
def test_excel_number(raw, expected):
    got = excel_number(raw)
    assert got == expected
    assert format(got, "f") == format(expected, "f")  # normalized: 100 may be held as 1E+2


# --- labels, units, reasons, rounding ------------------------------------------------------------

@pytest.mark.parametrize("text, label", [
    ("达成年度指标", QUAL_MET),
    ("达成预期指标", QUAL_MET),
    (" 达成年度指标。", QUAL_MET),
    ("部分达成年度指标并具有一定效果", QUAL_PARTIAL),
    ("部分达成预期指标并具有一定效果", QUAL_PARTIAL),
    ("未达成年度指标且效果较差", QUAL_MISSED),
    ("未达成预期指标且效果较差", QUAL_MISSED),
    ("未达成\n年度指标且效果较差", QUAL_MISSED),
    ("完成", None),
    ("达成", None),
    ("", None),
])
def test_qualitative_label(text, label):
    assert qualitative_label(text) == label


@pytest.mark.parametrize("text, unit", [("%", "%"), ("％", "%"), ("百分比", "%"), ("百分率", "%"), (" 个 ", "个"),
                                        ("万元", "万元"), ("", "")])
def test_normalize_unit(text, unit):
    assert normalize_unit(text) == unit


@pytest.mark.parametrize("text, empty", [
    ("", True), ("无", True), ("/", True), ("—", True), ("－", True), ("   ", True), ("\u3000", True), ("-", True),
    (" 无 ", True), ("受汛期影响延期", False), ("无法按期完成，已整改", False),
])
def test_is_empty_reason(text, empty):
    assert is_empty_reason(text) is empty


@pytest.mark.parametrize("value, digits, expected", [
    ("2.345", 2, "2.35"), ("2.344", 2, "2.34"), ("0.125", 2, "0.13"), ("9.825", 2, "9.83"),
    ("8.62", 0, "9"), ("8.5", 0, "9"), ("8.49", 0, "8"), ("14.1666", 2, "14.17"), ("4", 2, "4.00"),
])
def test_round_half_up(value, digits, expected):
    assert str(round_half_up(D(value), digits)) == expected


# --- a number's text, as the summary and messages quote it -------------------------------------------

@settings(max_examples=300)
@given(st.one_of(st.decimals(allow_nan=True, allow_infinity=True).filter(lambda d: not d.is_snan()),
                 st.builds(lambda whole, zeros: D(f"{whole}.{'0' * zeros}"), st.integers(-10**20, 10**20),
                           st.integers(0, 6)),
                 st.sampled_from([D("-0.0"), D("0E-10"), D("1E+2"), D("1.50"), D("100.00"), D("123.4500"),
                                  D("10000000000000000000000000001.00"), D("1.0000000000000000000000000001E+30"),
                                  D("1.50E+3"), D("-1E+2"), D("0E+3"), D("1E-7"), D("0E-7")])))
def test_a_numbers_text_is_the_number_as_typed(value: D) -> None:
    """Cell.text of a Decimal: integral values without their decimals (100.00 → 100), others as spelled
    (1.50 stays 1.50), every digit kept. The oracle is the definition itself, normalize() (in a context that
    rounds no digit: the default one would round 10000000000000000000000000001) and to_integral()."""
    exact = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
    expected = format(value.normalize(exact), "f") if value == value.to_integral() else str(value)
    assert c(value).text == expected
