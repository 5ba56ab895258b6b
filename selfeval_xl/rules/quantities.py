"""Reading what people type: numbers with units and operators, percentages, dates, labels.

Pure functions over plain values (docs/rules.md §4–§6).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from selfeval_xl.formatting import MAX_MAGNITUDE
from selfeval_xl.model import Cell, CellError
from selfeval_xl.rules.numerals import chinese_money, chinese_number
from selfeval_xl.vocabulary import (
    COMPLETION_WORDS,
    DATE_SIGNS,
    EQ,
    GE,
    LE,
    PREFIX_OPERATORS,
    SPACES,
    SUFFIX_OPERATORS,
    fold,
    is_placeholder,
    normalize_label,
    text_cache,
)

# --- quantities --------------------------------------------------------------------------------

class Quantity(NamedTuple):
    """A number as read, with what the text said about it. A NamedTuple, like Cell: made for every
    target and actual, and a frozen dataclass took several times as long to make."""

    value: Decimal
    unit: str  # "" when the text carries none
    op: str | None  # an operator written in the text
    shown_percent: bool  # written with % or shown with a percentage format (value in points)


class DateValue(NamedTuple):
    date: dt.date
    op: str | None


class NotNumber:
    """A value that should have been a number or date but cannot be read as one."""

    def __init__(self, reason: str) -> None:
        self.reason = reason



_PRE = "(?P<pre>" + "|".join(map(re.escape, sorted(PREFIX_OPERATORS, key=len, reverse=True))) + ")?"
_NUM = r"(?P<num>[-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+))"
_POST = "(?P<post>" + "|".join(sorted(SUFFIX_OPERATORS, key=len, reverse=True)) + ")?"
_QUANTITY = re.compile(rf"^{_PRE}{_NUM}(?P<unit>.*?){_POST}$")
CONTRADICTORY = "contradictory"




def to_decimal(text: str) -> Decimal | None:
    if len(text) > 400:
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value.adjusted()) <= MAX_MAGNITUDE else None


@text_cache
def normalize_unit(unit: str) -> str:
    unit = normalize_label(fold(unit))
    if unit in ("百分比", "百分之", "百分率", "%"):
        return "%"
    return unit


# Units that convert exactly (docs/rules.md §12.7): unit → (the unit it counts in, how many of those).
_UNIT_SCALE: dict[str, tuple[str, int]] = {
    "元": ("元", 1), "千元": ("元", 1000), "万元": ("元", 10**4), "亿元": ("元", 10**8),
    "人": ("人", 1), "万人": ("人", 10**4),
    "米": ("米", 1), "千米": ("米", 1000), "公里": ("米", 1000),
    "千克": ("千克", 1), "公斤": ("千克", 1), "吨": ("千克", 1000),
    "平方米": ("平方米", 1), "平方千米": ("平方米", 10**6), "平方公里": ("平方米", 10**6),
}
# Beyond the table, 万 and 亿 before any unit count it by ten thousands and hundred millions (万人次, 万户,
# 亿立方米): design choice, as exact as the table and written the same way on the forms.
_COUNT_PREFIXES = (("亿", 10**8), ("万", 10**4))


def _unit_scale(unit: str) -> tuple[str, int]:
    if unit in _UNIT_SCALE:
        return _UNIT_SCALE[unit]
    for prefix, factor in _COUNT_PREFIXES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            base, inner = _unit_scale(unit[len(prefix):])
            return base, factor * inner
    return unit, 1


def convert_unit(value: Decimal, unit: str, to: str) -> Decimal | None:
    """`value` in `unit` expressed in `to`, exactly (451000 元 → 45.1 万元); None when they do not convert."""
    if unit == to:
        return value
    base, factor = _unit_scale(unit)
    to_base, to_factor = _unit_scale(to)
    if base != to_base:
        return None
    return value * factor / to_factor


_COMPLETION_TAIL = re.compile(f"(?:{'|'.join(COMPLETION_WORDS)})$")


def parse_text_quantity(text: str) -> Quantity | str | None:
    """"≥95%", "1,234.50元", "控制在43.2万元以内" → Quantity; CONTRADICTORY for "≥5个以下"; None otherwise."""
    s = SPACES.sub("", fold(text))
    percent_words = s.startswith("百分之")
    if percent_words:
        s = s[3:]
    m = _QUANTITY.match(s)
    if not m:
        return None
    value = to_decimal(m["num"])
    if value is None:
        return None
    unit = m["unit"]
    if re.search(r"\d", unit):
        return None  # a range such as 80-90 or text with several numbers
    pre = PREFIX_OPERATORS.get(m["pre"] or "")
    post = SUFFIX_OPERATORS.get(m["post"] or "")
    if m["post"] == "内" and not unit:
        return None
    op = pre
    if post:
        if pre in (None, EQ) or (m["pre"] == "控制在" and post == LE):
            op = post
        elif pre != post:
            return CONTRADICTORY
    # "100%完成", "5个到位": the completion word says nothing about the unit, which would otherwise no longer
    # match the actual's (UNIT_INCOMPATIBLE); design choice
    unit = normalize_unit(_COMPLETION_TAIL.sub("", unit))
    if percent_words:
        unit = "%"
    return Quantity(value, unit, op, unit == "%")


# --- dates ---------------------------------------------------------------------------------------

_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:日)?$"),
    re.compile(r"^(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?$"),
    re.compile(r"^(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<end>底|末|份|)$"),
    re.compile(r"^(?:(?P<y>\d{4})年)?(?P<yearend>年底|年末|年内|底)$"),
)
_BEFORE_AFTER = "之前|以前|前|之后|以后|后"
_DATE_SUFFIX = re.compile(rf"(?P<when>{_BEFORE_AFTER})?(?P<done>{'|'.join(COMPLETION_WORDS)})?$")
_DATE_SIGN = re.compile("^(?:" + "|".join(map(re.escape, sorted(DATE_SIGNS, key=len, reverse=True))) + ")")


# A date without a year in a workbook that names no 评价年度 is compared by month and day alone: both
# sides are placed in one fixed leap year, never the year the tool happens to run in.
UNDATED_YEAR = 2000


def parse_text_date(text: str, year: int | None) -> DateValue | str | None:
    """"12月底前", "≤11月15日前", "2021年12月完成" → DateValue; CONTRADICTORY for "≥6月前"; None otherwise."""
    s = SPACES.sub("", fold(text))
    sign = _DATE_SIGN.match(s)
    sign_op = DATE_SIGNS[sign.group()] if sign else None
    if sign:
        s = s[sign.end():]
    s = re.sub(r"^(?:于|在|截至|截止|截止到)", "", s)
    suffix = _DATE_SUFFIX.search(s)
    op = sign_op
    if suffix is not None:
        s = s[: suffix.start()]
        if suffix["when"]:
            word_op = LE if "前" in suffix["when"] else GE
            if sign_op not in (None, EQ, word_op):
                return CONTRADICTORY
            op = word_op
        elif suffix["done"] and sign_op in (None, EQ):
            op = LE  # done by that date: no later than it (docs/rules.md §12.8)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        groups = m.groupdict()
        y = int(groups["y"]) if groups.get("y") else year
        if y is None:
            y = UNDATED_YEAR
        try:
            if groups.get("yearend"):
                return DateValue(dt.date(y, 12, 31), op)
            month = int(groups["m"])
            if groups.get("d"):
                return DateValue(dt.date(y, month, int(groups["d"])), op)
            if op == GE and sign_op == GE and not groups.get("end") and not (suffix and suffix["when"]):
                return DateValue(dt.date(y, month, 1), op)  # ≥2025年6月: from the month's first day on
            return DateValue(dt.date(y, month, calendar.monthrange(y, month)[1]), op)
        except ValueError:
            return None
    return None


def read_value(cell: Cell, year: int | None) -> Quantity | DateValue | NotNumber | str | None:
    """A target or actual cell → Quantity, DateValue, NotNumber, CONTRADICTORY or None (blank)."""
    value = cell.value
    if isinstance(value, Decimal):  # a typed number, most targets and actuals: before the tests for the rarer kinds
        return Quantity(value * 100, "%", None, True) if cell.percent else Quantity(value, "", None, False)
    if cell.blank:
        return None
    if isinstance(value, CellError):
        return NotNumber(f"错误值 {value}")
    if isinstance(value, bool):
        return NotNumber("逻辑值")
    if isinstance(value, dt.datetime):
        return DateValue(value.date(), None)
    if isinstance(value, dt.date):
        return DateValue(value, None)
    text = str(value)
    quantity = parse_text_quantity(text)
    if isinstance(quantity, Quantity) and quantity.unit.startswith("月"):
        # "12月底前", "6月前": a month of the evaluation year, not 12 of a unit "月底前" (docs/rules.md §5.4)
        date = parse_text_date(text, year)
        if date is not None:
            return date
    if quantity is not None:
        return quantity
    date = parse_text_date(text, year)
    if date is not None:
        return date
    return NotNumber(text)


def _read_number(cell: Cell, units: tuple[str, ...]) -> Decimal | NotNumber | None:
    """A number, or text of a number with one of `units` and no comparison; blank → None."""
    if cell.blank:
        return None
    value = cell.value
    if isinstance(value, Decimal):
        return value
    if isinstance(value, CellError):
        return NotNumber(f"错误值 {value}")
    if isinstance(value, (bool, dt.date)):
        return NotNumber(str(value))
    quantity = parse_text_quantity(str(value))
    if isinstance(quantity, Quantity) and quantity.op is None and quantity.unit in units:
        return quantity.value
    return NotNumber(str(value))


MONEY_UNITS = {"元": 1, "千元": 10**3, "万元": 10**4, "亿元": 10**8}
_MAGNITUDES = {"": 1, "千": 10**3, "万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7, "亿": 10**8}
_MONEY_TEXT = re.compile(r"^(?P<sign>[-+]?)(?:人民币|[¥￥])?(?P<num>\d+(?:\.\d+)?|\.\d+)"
                         r"(?P<mag>千|万|十万|百万|千万|亿)?(?P<yuan>[元圆])?$")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def read_amount(cell: Cell, unit: str = "元") -> Decimal | NotNumber | None:
    """A money cell in the block's `unit` (docs/rules.md §13.1–13.3): a number as it stands; text with a
    unit (28万元, 280,000元, 0.28亿元, 二十八万, 壹拾贰万元整) converted exactly; a placeholder mark
    (—, /, 无) empty; anything else NotNumber."""
    if cell.blank:
        return None
    value = cell.value
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (CellError, bool, dt.date)):
        return NotNumber(str(value))
    text = SPACES.sub("", fold(str(value)))
    if is_placeholder(text):
        return None
    in_yuan = _money_text(text)
    if in_yuan is None:
        return NotNumber(str(value))
    number, has_unit = in_yuan
    return number / MONEY_UNITS.get(unit, 1) if has_unit else number


def _money_text(text: str) -> tuple[Decimal, bool] | None:
    """(amount, whether it carried a unit: then in 元) for typed money text, or None."""
    digits = text.lstrip("+-")
    for grouped in _GROUPED.findall(digits):
        digits = digits.replace(grouped, grouped.replace(",", ""), 1)
    if "," in digits:
        return None  # 1,23 or 12,3456: no thousands separators a person writes
    m = _MONEY_TEXT.match(text[: len(text) - len(text.lstrip("+-"))] + digits)
    if m is not None:
        number = to_decimal(m["num"])
        if number is None:
            return None
        sign = -1 if m["sign"] == "-" else 1
        has_unit = bool(m["mag"] or m["yuan"])
        return sign * number * _MAGNITUDES[m["mag"] or ""], has_unit
    words = chinese_money(digits)
    if words is not None:
        return words, True
    bare = digits.removesuffix("元").removesuffix("圆")
    # in Chinese numerals a closing 万 or 亿 is the amount's unit, as after digits (二十八万 = 28万)
    for mag in ("亿", "万"):
        if bare.endswith(mag) and (n := _number_words(bare[: -len(mag)])) is not None:
            return n * _MAGNITUDES[mag], True
    n = _number_words(bare)
    return None if n is None else (n, bare != digits)


def _number_words(text: str) -> Decimal | None:
    """A number in digits or in Chinese numerals: 28.5, 二十八点五."""
    return to_decimal(text) if re.fullmatch(r"\d+(?:\.\d+)?", text) else chinese_number(text)


def read_plain_number(cell: Cell) -> Decimal | NotNumber | None:
    """A weight or score: a number, possibly typed as text ("４分" reads as 4)."""
    return _read_number(cell, ("", "分"))


def read_rate(cell: Cell) -> Decimal | NotNumber | None:
    """A typed 执行率 as a fraction: percentage format or % text → fraction; a plain number above 1.5 → points."""
    if cell.blank:
        return None
    value = cell.value
    if isinstance(value, Decimal):
        if cell.percent:
            return value
        return value / 100 if value > Decimal("1.5") else value
    if isinstance(value, (bool, dt.date, CellError)):
        return NotNumber(str(value))
    quantity = parse_text_quantity(str(value))
    if isinstance(quantity, Quantity) and quantity.op is None and quantity.unit in ("", "%"):
        if quantity.unit == "%":
            return quantity.value / 100
        return quantity.value / 100 if quantity.value > Decimal("1.5") else quantity.value
    return NotNumber(str(value))
