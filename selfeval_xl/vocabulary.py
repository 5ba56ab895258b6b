"""The words people write on the forms, defined once: label keys, comparison operators and the
qualitative completion labels. The reader, the scoring rules and the template's formulas all
build on these tables."""
from __future__ import annotations

import functools
import re
import unicodedata

GE, LE, EQ = "≥", "≤", "="

SPACES = re.compile(r"[\s\u3000\u00a0]+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "〔": "[", "〕": "]", "［": "[", "］": "]"})


def fold(text: str) -> str:
    """NFKC-fold full-width forms and unify the comparison signs people type."""
    text = unicodedata.normalize("NFKC", text)
    return (text.replace("≧", "≥").replace("≦", "≤").replace(">=", "≥").replace("<=", "≤")
            .replace("=>", "≥").replace("=<", "≤"))


def normalize_label(text: object) -> str:
    """Header/label comparison key: no spaces or line breaks, brackets folded."""
    if text is None:
        return ""
    return _normalize_text(str(text))


@functools.lru_cache(maxsize=65536)
def _normalize_text(text: str) -> str:
    return SPACES.sub("", unicodedata.normalize("NFKC", text).translate(_BRACKETS))


def is_empty_reason(text: str) -> bool:
    return normalize_label(text) in ("", "无", "/", "—", "－", "-", "——", "--", "\\")


# --- operators -------------------------------------------------------------------------------

OPERATOR_WORDS = {
    GE: ("≥", ">", "大于等于", "大于或等于", "大于", "高于", "不少于", "不低于", "至少", "超过", "正向", "不小于",
         "以上", "及以上"),
    LE: ("≤", "<", "小于等于", "小于或等于", "小于", "低于", "不超过", "不高于", "不大于", "不多于", "反向",
         "以下", "及以下", "以内", "之内", "控制在以内"),
    EQ: ("=", "等于", "为", "达到", "达"),
}
# Inside a target the same words stand before the number (不低于95%) or after it (95%以上); the
# direction words only ever fill the column, and 控制在 only ever precedes a number (控制在5%以内).
SUFFIX_OPERATORS = {"及以上": GE, "以上": GE, "及以下": LE, "以下": LE, "以内": LE, "之内": LE, "内": LE}
_COLUMN_ONLY = {"正向", "反向", "控制在以内"}
PREFIX_OPERATORS = {word: op for op, words in OPERATOR_WORDS.items() for word in words
                    if word not in _COLUMN_ONLY and word not in SUFFIX_OPERATORS} | {"控制在": LE}
_WORD_TO_OP = {word: op for op, words in OPERATOR_WORDS.items() for word in words}


def parse_operator_word(text: str) -> str | None:
    """An operator column's content (≥, 大于等于, ≥（大于等于）, 正向 …) → ≥ / ≤ / =; None when unreadable."""
    key = normalize_label(fold(text))
    for part in re.split(r"[()]", key):
        op = _WORD_TO_OP.get(part.rstrip("号"))
        if op:
            return op
    return None


# --- formulas that bring outside data --------------------------------------------------------------

# Functions whose value changes on every recalculation, or comes from outside the workbook.
OUTSIDE_FUNCTIONS = ("RAND", "RANDBETWEEN", "RANDARRAY", "NOW", "TODAY", "OFFSET", "INDIRECT", "INFO", "CELL",
                     "WEBSERVICE", "FILTERXML", "RTD", "CALL", "REGISTER.ID", "IMAGE", "STOCKHISTORY")
_OUTSIDE = re.compile(r"\[[^\]]+\][^!]*!|\b(?:" + "|".join(re.escape(f) for f in OUTSIDE_FUNCTIONS) + r")\s*\(|\|",
                      re.IGNORECASE)


_OUTSIDE_HINTS = ("[", "|", *(f"{name}(" for name in OUTSIDE_FUNCTIONS))


@functools.lru_cache(maxsize=4096)
def brings_outside_data(formula: str) -> bool:
    """A link to another workbook ([1]Sheet1!A1), a DDE call (cmd|'/c …'!A0), or a volatile or network
    function: its cached value is whatever the filler's machine last computed."""
    compact = formula.upper().replace(" ", "")
    if not any(hint in compact for hint in _OUTSIDE_HINTS):
        return False  # most formulas: a few substring tests, no regular expression
    # text in quotes cannot call anything: "a|b" is a string
    return bool(_OUTSIDE.search(re.sub(r'"[^"]*"', '""', formula)))


# --- qualitative labels ------------------------------------------------------------------------

QUAL_MET = "达成年度指标"
QUAL_PARTIAL = "部分达成年度指标并具有一定效果"
QUAL_MISSED = "未达成年度指标且效果较差"
QUAL_LABELS = (QUAL_MET, QUAL_PARTIAL, QUAL_MISSED)


def qualitative_label(text: str) -> str | None:
    key = normalize_label(text).replace("预期", "年度").rstrip("。.")
    return key if key in QUAL_LABELS else None
