"""Chinese numerals read exactly: 四万, 二十八万, 一万零五百, 一万五, 二十八点五, and the financial
capitals of money (壹拾贰万叁仟元整, 叁佰元伍角) (docs/rules.md §13.2). Pure.

A small parser of our own rather than a library: the rule is short, it must be exact (Decimal, never
float) and it must refuse, not guess: 三十多万, 十几, 万一 and any word that is not wholly a number
are no numbers. Amounts typed this way are rare enough that a refusal with a clear hint costs less
than a wrong reading.
"""
from __future__ import annotations

import re
from decimal import Decimal

DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "三": 3, "叁": 3,
          "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7, "八": 8,
          "捌": 8, "九": 9, "玖": 9}
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
SECTIONS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
ZEROS = ("零", "〇")
_MONEY = re.compile(r"^(?P<yuan>[^元圆角分]*?)(?:[元圆](?P<after>.*))?$")
_JIAO_FEN = re.compile(r"^(?:(?P<jiao>[^角分]+)角)?(?:(?P<fen>[^角分]+)分)?$")


def _section(text: str) -> int | None:
    """A number below 10,000: 三千零五, 二百五 (= 250), 十五; None for anything else."""
    total, digit, last_unit, zero_seen = 0, None, 10_000, False
    for ch in text:
        if ch in ZEROS:
            if digit is not None:
                return None
            zero_seen = True
        elif ch in DIGITS:
            if digit is not None:
                return None  # two digits in a row (一二) are no number in this notation
            digit = DIGITS[ch]
        elif ch in UNITS:
            unit = UNITS[ch]
            if unit >= last_unit or (digit is None and not (unit == 10 and total == 0 and not zero_seen)):
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit, zero_seen = None, unit, False
        else:
            return None
    if digit is not None:
        # 二百五 is 250 and 一千二 is 1200: a last digit right after a unit counts in the next unit down
        total += digit * (last_unit // 10 if last_unit <= 1000 and not zero_seen and text[-2:-1] in UNITS else 1)
    return total


def chinese_integer(text: str) -> int | None:
    """四万 → 40000, 一亿二千万 → 120000000, 一万零五百 → 10500; None when not wholly a number."""
    if not text:
        return None
    total, rest = 0, text
    for mark, size in (("亿", 10**8), ("億", 10**8), ("万", 10**4), ("萬", 10**4)):
        if mark in rest:
            head, rest = rest.split(mark, 1)
            part = chinese_integer(head) if size == 10**8 else _section(head)
            if part is None or part == 0 or any(m in rest for m in (mark,)):
                return None
            total += part * size
    if rest:
        # 一万五: a lone digit after 万 counts in thousands (15000), as people say it
        if len(rest) == 1 and rest in DIGITS and total and text[-2:-1] in SECTIONS:
            return total + DIGITS[rest] * (SECTIONS[text[-2]] // 10)
        part = _section(rest.removeprefix("零").removeprefix("〇") if total else rest)
        if part is None:
            return None
        total += part
    return total


def chinese_number(text: str) -> Decimal | None:
    """An integer, or one with 点 and digits after it (二十八点五 → 28.5)."""
    head, dot, tail = text.partition("点")
    whole = chinese_integer(head) if head else (0 if dot else None)
    if whole is None or (dot and not tail):
        return None
    if not dot:
        return Decimal(whole)
    if any(ch not in DIGITS for ch in tail):
        return None
    return Decimal(f"{whole}." + "".join(str(DIGITS[ch]) for ch in tail))


def chinese_money(text: str) -> Decimal | None:
    """An amount in 元 written in words: 壹拾贰万叁仟元整, 叁佰元伍角, 二十八万元, 伍角; None otherwise.
    Without 元, 角 or 分 the text is no amount of money words (the caller reads it as a number)."""
    text = text.removesuffix("整").removesuffix("正")
    if not any(ch in text for ch in "元圆角分"):
        return None
    if "元" not in text and "圆" not in text:
        yuan_text, after = "", text  # 伍角, 三分
    else:
        m = _MONEY.match(text)
        if m is None:
            return None
        yuan_text, after = m.group("yuan"), m.group("after") or ""
    yuan = chinese_number(yuan_text) if yuan_text else Decimal(0)
    parts = _JIAO_FEN.match(after.removeprefix("零"))
    if yuan is None or parts is None:
        return None
    cents = Decimal(0)
    for key, size in (("jiao", Decimal("0.1")), ("fen", Decimal("0.01"))):
        word = parts.group(key)
        if word is not None:
            if len(word) != 1 or word not in DIGITS:
                return None
            cents += DIGITS[word] * size
    if not yuan_text and not cents and not after:
        return None
    return yuan + cents
