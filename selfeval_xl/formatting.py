"""Numbers as people read them: one half-up formatter behind every output (console, JSON, sheets,
report), so the same 785/800 reads 98.13% everywhere; and a workbook's text as those outputs quote
it (shortened, without what no encoder takes)."""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import cast, overload

# Wide enough that formatting any value the reader lets through can never raise.
WIDE = Context(prec=400)


def round_half_up(value: Decimal, digits: int) -> Decimal:
    return value.quantize(quantum(digits), rounding=ROUND_HALF_UP, context=WIDE)


@functools.lru_cache(maxsize=32)  # a profile's few digit counts; every score and amount is rounded to one
def quantum(digits: int) -> Decimal:
    """The last place kept at `digits` decimals: 0.01 for 2."""
    return Decimal(1).scaleb(-digits)


def fixed(value: Decimal, digits: int = 2, *, grouped: bool = False) -> str:
    """Half-up to `digits` places, optionally with thousands separators (1,234.50)."""
    rounded = round_half_up(value, digits)
    return f"{rounded:,.{digits}f}" if grouped else f"{rounded:.{digits}f}"


def plain(value: Decimal) -> str:
    """As typed, without exponent or trailing zeros: 40, 0.5, 1200000."""
    return format(value.normalize(), "f") if value != 0 else "0"


def percent(rate: Decimal, digits: int = 2) -> str:
    """A fraction as a percentage: 0.98125 → 98.13%."""
    return fixed(rate * 100, digits) + "%"


def money(value: Decimal) -> str:
    """Thousands separators and at least two decimals, more where the sheet has them (万元 sheets)."""
    # a finite value's exponent is an int (as_tuple gives 'n', 'N' or 'F' only for NaN and infinities)
    places = max(2, -int(value.normalize().as_tuple().exponent)) if value.is_finite() else 2
    return fixed(value, min(places, 6), grouped=True)


# --- the JSON forms (strings, so that no binary rounding creeps in) ------------------------------

def amount_text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    # cast: the reader lets only finite values through, whose exponent is an int
    return plain(value) if cast(int, value.as_tuple().exponent) < -2 else str(round_half_up(value, 2))


@overload
def weight_text(value: Decimal) -> str: ...
@overload
def weight_text(value: None) -> None: ...
@overload
def weight_text(value: Decimal | None) -> str | None: ...
def weight_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def score_text(value: Decimal | None, digits: int) -> str | None:
    return None if value is None else str(round_half_up(value, digits))


def rate_text(rate: Decimal | None) -> str | None:
    return None if rate is None else str(round_half_up(rate, 4))


# --- text from a workbook, in what the tool writes (messages, sheets, reports) -------------------

QUOTE_LIMIT = 40  # characters of a cell's text quoted in a message
CELL_LIMIT = 32767  # characters a spreadsheet cell holds (Excel's limit)
ELLIPSIS = "…"

SURROGATE = re.compile("[\ud800-\udfff]")


def shortened(text: str, limit: int) -> str:
    """At most `limit` characters: the first limit − 1 and "…" when the text is longer."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def with_unit(text: str, unit: str) -> str:
    """A number as typed with its 计量单位: 95 with % reads 95%; a text that already ends in its unit, or
    in a word (95%以上, 达成年度指标), stays as it is."""
    if not unit or not text or text.endswith(unit) or not text[-1].isdigit():
        return text
    return text + unit


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A cell's text as a message quotes it: the first `limit` characters and "…" when longer, so a
    32,767-character cell never makes a 32,767-character message."""
    return text if len(text) <= limit else text[:limit] + ELLIPSIS


def without_surrogates(text: str) -> str:
    """Lone surrogates (a cell's _xD800_) replaced by U+FFFD: no encoder (UTF-8, XML, JSON) takes them."""
    return SURROGATE.sub("\ufffd", text)


# --- text any .xlsx, CSV or terminal can hold ---------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_TEXT_TABLE: dict[int, int | None] = {
    **{c: None for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))},
    **{c: None for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFFFE, 0xFFFF)},  # bidi overrides
    **{c: 0xFFFD for c in range(0xD800, 0xE000)},  # a lone surrogate cannot be written as UTF-8 or XML
}
_NAME_TABLE: dict[int, int | None] = {**_TEXT_TABLE, 0x09: 0x20, 0x0A: 0x20, 0x0D: 0x20}  # a name is one line


def clean_text(text: str, limit: int = CELL_LIMIT, *, name: bool = False) -> str:
    """Text any .xlsx, CSV or terminal can hold: control characters and bidi overrides removed, lone
    surrogates replaced (U+FFFD), at most `limit` UTF-16 code units (cut with …)."""
    if _UNSAFE.search(text):
        text = text.translate(_NAME_TABLE if name else _TEXT_TABLE)
    if len(text) * 2 <= limit or len(text.encode("utf-16-le")) // 2 <= limit:
        return text
    units = 0
    for end, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit - 1:
            return text[:end] + "…"
    return text


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet's default font: a Chinese or full-width character two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapped cell `width` characters wide needs for `text` (each line break starts one):
    Excel, WPS and LibreOffice do not grow a row for wrapped or merged text written by a program."""
    usable = max(1, int(width) - 1)
    if len(text) * 2 <= usable and "\n" not in text:
        return 1  # short enough whatever its characters are: the common case, without counting
    return sum(max(1, -(-display_width(part) // usable)) for part in text.split("\n"))


def wrapped_height(text: str, width: float, line_points: float = 14.0) -> float:
    """Points a row needs to show `text` wrapped in `width` characters (wrapped_lines), a little spare,
    rounded up to a whole pixel (0.75 pt): XlsxWriter from 3.2 stores heights in pixels and earlier
    versions in points, and only a whole-pixel height is written alike by both."""
    points = wrapped_lines(text, width) * line_points + 4
    return math.ceil(points / 0.75) * 0.75


# --- numbers as a spreadsheet stores them -----------------------------------------------------------

_EXCEL_DIGITS = Context(prec=15)
MAX_MAGNITUDE = 300  # Excel holds numbers below 1E+308; anything past this is not a number a person typed


def excel_number(raw: str) -> Decimal:
    """A stored number: 15 significant digits, as Excel holds and shows it (5042799.9699999997 → 5042799.97)."""
    value = _EXCEL_DIGITS.create_decimal(raw)
    if not value.is_finite():  # NaN / INF stored by a program: not a number any application shows
        raise InvalidOperation(raw)
    if abs(value.adjusted()) > MAX_MAGNITUDE:
        raise ValueError(raw)
    return value.normalize() if value != 0 else Decimal(0)
