"""Amounts as accountants type them (docs/rules.md §13.1–13.3): read exactly into the block's money unit,
or refused; never read as another number.

The property test writes an amount the ways people do (thousands separators, full-width digits,
spaces, 千/万/亿 with or without 元, ¥, Chinese numerals, the financial capitals with 元角分整) and
holds the reader to an oracle of its own: Fractions and a Chinese-numeral writer written here, not
the code under test."""
from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from selfeval_xl.cli.app import main
from selfeval_xl.model import Cell
from selfeval_xl.rules.quantities import NotNumber, read_amount
from workbooks import edit, template_copy

BLOCK_UNITS = {"元": 1, "千元": 1000, "万元": 10_000, "亿元": 100_000_000}
MAGNITUDES = {"": 1, "千": 1000, "万": 10_000, "亿": 100_000_000}
PLAIN = "零一二三四五六七八九", "十百千"
CAPITAL = "零壹贰叁肆伍陆柒捌玖", "拾佰仟"


def _amount(text: str, unit: str = "元") -> Decimal | NotNumber | None:
    return read_amount(Cell("预算执行", "D4", text), unit)


def chinese(n: int, digits: str, units: str) -> str:
    """An integer in Chinese numerals as written by hand: 10500 → 一万零五百, 120000 → 一十二万."""
    if n == 0:
        return digits[0]

    def four(section: int) -> str:
        text, zero = "", False
        for place, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
            digit, section = divmod(section, place)
            if digit:
                text += (digits[0] if zero else "") + digits[digit] + unit
                zero = False
            elif text:
                zero = True
        return text

    out, gap = "", False
    for section, mark in ((n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")):
        if section == 0:
            gap = gap or bool(out)
            continue
        if out and (gap or section < 1000):
            out += digits[0]
        out, gap = out + four(section) + mark, False
    return out


# --- by hand ------------------------------------------------------------------------------------------

def test_the_issues_amounts_worked_by_hand() -> None:
    assert _amount("28万元") == Decimal(280_000)               # 28 × 10,000 元
    assert _amount("401236.58元", "万元") == Decimal("40.123658")  # 401,236.58 ÷ 10,000
    assert _amount("壹拾贰万元整") == Decimal(120_000)           # 壹拾贰 = 12, × 万
    assert _amount("叁佰元伍角") == Decimal("300.5")
    assert _amount("0.28亿元") == Decimal(28_000_000)           # 0.28 × 100,000,000
    assert _amount("2.8千元") == Decimal(2800)
    assert _amount("1，234.5元") == Decimal("1234.5")           # full-width comma as thousands separator
    assert _amount("28万", "万元") == Decimal(28)
    assert _amount("二十八万") == Decimal(280_000)
    assert _amount("四万") == Decimal(40_000)
    for mark in ("—", "——", "-", "－", "/", "／", "\\", "无", "不适用", "N/A", " — "):
        assert _amount(mark) is None, mark


def test_anything_else_is_refused() -> None:
    for text in ("28个", "95%", "约30万", "三十多万", "28万美元", "1,23", "十几万", "≥28万", "28万元左右"):
        assert isinstance(_amount(text), NotNumber), text


# --- the property ---------------------------------------------------------------------------------------

@st.composite
def typed(draw: st.DrawFn) -> tuple[str, Fraction, bool]:
    """(text, the number it writes, whether it carries a unit: then the number is in 元)."""
    cents = draw(st.integers(min_value=0, max_value=10**12))
    style = draw(st.sampled_from(["digits", "grouped", "fullwidth", "chinese", "capital"]))
    magnitude = draw(st.sampled_from(list(MAGNITUDES)))
    yuan = draw(st.sampled_from(["", "元"]))
    if style in ("chinese", "capital"):
        whole = cents // 100
        digits, units = PLAIN if style == "chinese" else CAPITAL
        if magnitude == "千":
            magnitude = ""  # 两千 is a number: after Chinese numerals only 万 and 亿 are units
        words = chinese(whole, digits, units)
        text, value = words + magnitude + yuan, Fraction(whole) * MAGNITUDES[magnitude]
        has_unit = bool(magnitude or yuan or words.endswith(("万", "亿")))
    else:
        number = format(Decimal(cents) / 100, "f")
        if style == "grouped":
            whole_part, _, frac = number.partition(".")
            number = f"{int(whole_part):,}" + (f".{frac}" if frac else "")
            number = number.replace(",", draw(st.sampled_from([",", "，"])))
        if style == "fullwidth":
            number = number.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
        text = draw(st.sampled_from(["", "¥"])) + number + magnitude + yuan
        value, has_unit = Fraction(cents, 100) * MAGNITUDES[magnitude], bool(magnitude or yuan)
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " "])), value, has_unit


@given(typed(), st.sampled_from(list(BLOCK_UNITS)))
def test_a_typed_amount_is_read_exactly_in_the_blocks_unit(case, unit: str) -> None:
    text, value, has_unit = case
    expected = value / BLOCK_UNITS[unit] if has_unit else value
    got = _amount(text, unit)
    assert isinstance(got, Decimal), (text, unit)
    assert Fraction(got) == expected, (text, unit, got, expected)


@given(typed(), st.sampled_from(["约", "大约", "近", "超"]), st.sampled_from(["多", "余", "左右", "美元", "个", "%"]))
def test_an_amount_with_words_around_it_is_refused_never_misread(case, before: str, after: str) -> None:
    text = case[0].strip()
    assert isinstance(_amount(before + text), NotNumber), before + text
    assert isinstance(_amount(text + after), NotNumber), text + after


# --- through the reader -----------------------------------------------------------------------------------

def test_a_line_typed_in_wan_scores_on_the_converted_amount(tmp_path: Path) -> None:
    """The example (元 table) with 日常公用经费 retyped: budget 406,400 as "40.64万元", executed 401,236.58
    as "40.123658万": the same amounts, so the totals stay 6,929,916.47 and 6,809,554.10, the rate
    98.26 % scores 9.83 and the total stays 98.40 (docs/rules.md). Read as bare 40.64 the budget would
    fall by 406,359.36 and the rate rise above 100 %."""
    path = edit(template_copy(tmp_path, "万元.xlsx"), {"预算执行": {"D5": "40.64万元", "E5": "40.123658万"}})
    data = json.loads(CliRunner().invoke(main, ["check", str(path), "--json"]).stdout)
    assert (data["execution"]["budget"], data["execution"]["executed"]) == ("6929916.47", "6809554.1")
    assert (data["execution"]["score"], data["total"], data["valid"]) == ("9.83", "98.40", True)


def test_a_line_of_marks_is_skipped_and_listed(tmp_path: Path) -> None:
    """其他资金 | — | — | — under the example's lines (row 25): no finding, the row listed in skipped."""
    path = edit(template_copy(tmp_path, "横线.xlsx"), {"预算执行": {"A25": "项目支出", "B25": "其他资金",
                                                                 "C25": "—", "D25": "—", "E25": "—"}})
    data = json.loads(CliRunner().invoke(main, ["check", str(path), "--json"]).stdout)
    assert data["valid"] is True and data["total"] == "98.40", data["checks"]
    assert {"sheet": "预算执行", "row": 25} in [{"sheet": s["sheet"], "row": s["row"]} for s in data["skipped"]]
