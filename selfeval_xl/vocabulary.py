"""The words people write on the forms, defined once: label keys, comparison operators and the
qualitative completion labels. The reader, the scoring rules and the template's formulas all
build on these tables."""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

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


# --- labels as printed (published-forms.md §1) -----------------------------------------------------

# Trailing brackets a printed label carries: a column marker (A) (B/A) (A-B), a unit (万元) (%) (10分)
# and a stamp note (盖章); a leading numbering 一、 (一) 1. 1、.
_LABEL_TAIL = re.compile(r"\((?:([A-Z](?:[/\-+×*][A-Z])*)|(千元|万元|亿元|元)|(%|\d*(?:\.\d+)?分)|(盖章|签章|公章))\)$")
_LABEL_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\d+[、.](?!\d)|\([一二三四五六七八九十\d]+\))")
_COLONS = ":："


class Label(NamedTuple):
    """A printed label read: its comparison key, the money unit a bracket gave, and whether it carried
    a stamp note (实施单位（盖章）: a field to fill and stamp, never a column header)."""

    key: str
    money_unit: str | None
    stamp: bool


@functools.lru_cache(maxsize=65536)
def read_label(text: str) -> Label:
    """A printed label's key and what its brackets said (published-forms.md §1)."""
    key = _normalize_text(text)
    unit, stamp = None, False
    while key:
        if key[-1] in _COLONS:
            key = key.rstrip(_COLONS)
            continue
        m = _LABEL_TAIL.search(key) if key[-1] == ")" else None
        if m is None or m.start() == 0:
            break
        unit = unit or m.group(2)
        stamp = stamp or m.group(4) is not None
        key = key[: m.start()]
    numbering = _LABEL_NUMBERING.match(key)
    if numbering and numbering.end() < len(key):
        key = key[numbering.end():]
    return Label(key, unit, stamp)


def label_key(text: object) -> str:
    """A printed label's comparison key: spaces, line breaks, a trailing colon, bracketed markers,
    units and stamp notes and a leading numbering removed; 全年预算数（A）： → 全年预算数."""
    if not isinstance(text, str):
        return "" if text is None else normalize_label(text)
    return read_label(text).key


# Text a form prints in a reason cell as an instruction to the filler, not a reason (§7).
_INSTRUCTION_START = ("注", "说明:", "填表说明")
_INSTRUCTION_WORDS = ("需说明", "应说明", "须说明", "填报说明", "字以内")
_PLEASE_FILL = re.compile(r"请.*填写")


def is_instruction(text: str) -> bool:
    key = normalize_label(text)
    if key.startswith(_INSTRUCTION_START) or any(w in key for w in _INSTRUCTION_WORDS):
        return True
    return "请" in key and _PLEASE_FILL.search(key) is not None


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


# published-forms.md §8: a 定性 actual that says the target was reached in words of its own is read as
# 达成 (达到, 已完成, 实现预期目标, 是 …); an optional 已 is a design choice (已达到 reads like 已完成).
_MET_IN_WORDS = re.compile(r"^(?:已?(?:达到|达成|完成|实现)(?:预期|年度)?(?:目标|指标)?|是)$")
_CLOSING_MARKS = "。.!！"

# published-forms.md §3: a target printed as a dash or a slash means no target was set.
NO_TARGET_MARKS = frozenset({"—", "——", "―", "-", "--", "/", "\\"})


def is_no_target(text: str) -> bool:
    return normalize_label(text) in NO_TARGET_MARKS


def met_in_words(actual: str, target: str) -> bool:
    """The actual repeats the target's own text, or says 达到/达成/完成/已完成/实现/是 (§8)."""
    key = normalize_label(actual).rstrip(_CLOSING_MARKS)
    if not key:
        return False
    if key == normalize_label(target).rstrip(_CLOSING_MARKS) and not is_no_target(target):
        return True
    return bool(_MET_IN_WORDS.match(key))


# --- directions ---------------------------------------------------------------------------------

# published-forms.md §9: a name ending in 率 is decided by its last word alone: these rates are better
# low; every other rate (办结率, 完成率, 覆盖率 …) is better high, so 投诉举报按时办结率 is ≥.
LOWER_IS_BETTER_RATES = ("发生率", "差错率", "投诉率", "事故率", "超支率", "调整率", "结余率", "变动率", "偏差率",
                         "失误率", "返工率")
# A name without 率 is better low when it contains one of these (scoring-rules.md §4.1, §9).
LOWER_IS_BETTER_WORDS = ("成本", "发生率", "事故", "投诉", "超支", "差错", "超标", "损失", "逾期", "违规")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")


def lower_is_better_name(name: str) -> bool:
    """The comparison a name implies when none is written: True for ≤ (§9)."""
    key = normalize_label(name).rstrip(_CLOSING_MARKS + ":：")
    while _TRAILING_NOTE.search(key):  # 投诉举报按时办结率（%）: the unit note is not the last word
        key = _TRAILING_NOTE.sub("", key)
    if key.endswith("率"):
        return key.endswith(LOWER_IS_BETTER_RATES)
    return any(word in key for word in LOWER_IS_BETTER_WORDS)


# --- dates ---------------------------------------------------------------------------------------

# published-forms.md §11: a date followed by one of these is the day the work is done by (2021年12月完成).
COMPLETION_WORDS = ("完成", "完工", "办结", "到位", "实施", "支付")
# A comparison before a date (≤11月15日前, ≥2025年6月, 不超过6月底): the words that precede a number, and
# 不晚于 / 不迟于 / 不早于, which only dates take.
DATE_SIGNS = PREFIX_OPERATORS | {"不晚于": LE, "不迟于": LE, "不早于": GE}
