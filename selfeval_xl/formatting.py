"""Numbers as people read them: one half-up formatter behind every output (console, JSON, sheets,
report), so the same 785/800 reads 98.13% everywhere; and a workbook's text as those outputs quote
it (shortened, without what no encoder takes)."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import cast, overload

# Wide enough that formatting any value the reader lets through can never raise.
WIDE = Context(prec=400)


def round_half_up(value: Decimal, digits: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=WIDE)


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

_SURROGATE = re.compile("[\ud800-\udfff]")


def shortened(text: str, limit: int) -> str:
    """At most `limit` characters: the first limit − 1 and "…" when the text is longer."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A cell's text as a message quotes it: the first `limit` characters and "…" when longer, so a
    32,767-character cell never makes a 32,767-character message."""
    return text if len(text) <= limit else text[:limit] + ELLIPSIS


def without_surrogates(text: str) -> str:
    """Lone surrogates (a cell's _xD800_) replaced by U+FFFD: no encoder (UTF-8, XML, JSON) takes them."""
    return _SURROGATE.sub("\ufffd", text)
