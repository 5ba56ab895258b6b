"""Whether a number format shows something other than the number it formats (docs/rules.md §11,
FORMAT_HIDES_VALUE): `[<100]"100";General` shows 100 for 96, `"达标"` shows a word for any number, `0"0"` adds a
digit. A careful reader of the sheet reads what is shown; the tool reads the value, so such an input is refused
rather than read as something else.

A format code has up to four sections (positive; negative; zero; text), each possibly behind a condition
(`[<100]`); the first three format numbers. A section hides the number when the text it prints holds a digit that
is not one of the number's (a literal in quotes or after a backslash), or when it prints words or digits with no
place for the number at all (no 0, # or ?, no General, no date or time code). Dashes, spaces, brackets and currency
signs without a number (`_(* "-"_)`, the accountants' zero) are not words: they hide nothing.
"""
from __future__ import annotations

import functools
import re

# the pieces of a section: a quoted literal, an escaped character, a bracket ([Red], [<100], [$-804], [h]),
# a width or fill pair (_x, *x), or any one other character
_PIECE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].|.', re.S)
_WORDS = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uff10-\uff19]")  # digits (ASCII or full-width), letters, CJK
_DIGITS = re.compile(r"[0-9\uff10-\uff19]")
_DATE_CODES = frozenset("ymdhsbeg")  # y m d h s, b/e (Buddhist, era years), g (era): letters a date format reads
_NUMBER_SIGNS = frozenset("0#?")


def _sections(code: str) -> list[str]:
    sections: list[str] = []
    current: list[str] = []
    for piece in _PIECE.findall(code):
        if piece == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(piece)
    sections.append("".join(current))
    return sections


@functools.lru_cache(maxsize=256)
def hides_value(code: str) -> bool:
    """Whether the number-format code `code` can show, for some number, text that is not that number."""
    if not code or code.strip().lower() == "general":
        return False
    return any(_section_hides(section) for section in _sections(code)[:3])


def _section_hides(section: str) -> bool:
    shown, places = [], False
    for piece in _PIECE.findall(section):
        if piece.startswith('"'):
            shown.append(piece[1:-1])
        elif piece.startswith("\\"):
            shown.append(piece[1:])
        elif piece.startswith(("[", "_", "*")):
            continue  # a colour, condition or locale; a width or fill character: nothing of the number's shown
        elif piece in _NUMBER_SIGNS or piece.lower() in _DATE_CODES or piece in ("%", "@"):
            places = True
        elif piece.isalpha() and section.lower().find("general") >= 0:
            places = True  # General inside a section (a condition's number shown as usual)
        else:
            shown.append(piece)
    literal = "".join(shown)
    if _DIGITS.search(literal):
        return True  # a digit the number does not give
    return not places and bool(_WORDS.search(literal))  # words, and nowhere for the number
