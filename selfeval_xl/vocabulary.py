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
    """NFKC-fold full-width forms and write every comparison glyph of SIGNS as its sign (═ → =, ＞＝ → ≥)."""
    text = unicodedata.normalize("NFKC", text)
    if not _SIGN_CHARS.intersection(text):
        return text
    return _GLYPH_PATTERN.sub(lambda m: _GLYPH_MEANS[SPACES.sub("", m.group())], text)


def normalize_label(text: object) -> str:
    """Header/label comparison key: no spaces or line breaks, brackets folded."""
    if text is None:
        return ""
    return _normalize_text(str(text))


# The rules ask the same few words of every row (≥, 定量, %, 无, a level's name): a pure function of one
# text is worked out once per distinct text. Bounded, so a workbook of distinct texts cannot grow it.
text_cache = functools.lru_cache(maxsize=4096)


@functools.lru_cache(maxsize=65536)
def _normalize_text(text: str) -> str:
    return SPACES.sub("", unicodedata.normalize("NFKC", text).translate(_BRACKETS))


# --- labels as printed (docs/workbook.md §4) -----------------------------------------------------

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
    """A printed label's key and what its brackets said (docs/workbook.md §4)."""
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


# Text a form prints in a reason cell as an instruction to the filler, not a reason (docs/workbook.md §8).
_INSTRUCTION_START = ("注", "说明:", "填表说明")
_INSTRUCTION_WORDS = ("需说明", "应说明", "须说明", "填报说明", "字以内")
_PLEASE_FILL = re.compile(r"请.*填写")


@text_cache
def is_instruction(text: str) -> bool:
    key = normalize_label(text)
    if key.startswith(_INSTRUCTION_START) or any(w in key for w in _INSTRUCTION_WORDS):
        return True
    return "请" in key and _PLEASE_FILL.search(key) is not None


@text_cache
def is_empty_reason(text: str) -> bool:
    return normalize_label(text) in ("", "无", "/", "—", "－", "-", "——", "--", "\\")


# --- comparison signs (docs/rules.md §13.4) ---------------------------------------------------------

GT, LT = ">", "<"
# A strict > or < is scored as ≥ or ≤ (docs/rules.md §4.1): reaching the target meets it.
SCORED_AS = {GE: GE, GT: GE, LE: LE, LT: LE, EQ: EQ}

# Where a written sign is read: c the operator column, b before a number or a date, a after a number
# (95%以上), d before a date only (不晚于6月底).
COLUMN, BEFORE, AFTER, DATE = "c", "b", "a", "d"


class Sign(NamedTuple):
    written: str
    means: str  # = ≥ ≤ > <
    places: str


def _signs(means: str, places: str, *written: str) -> tuple[Sign, ...]:
    return tuple(Sign(w, means, places) for w in written)


# Every way a comparison is printed or typed, and what it means: the one table fold(), the operator
# column, the target's words, the date signs and the template's formulas derive from. A glyph (no
# Chinese in it) is folded to its sign wherever it stands, spaces inside it allowed (> =).
SIGNS: tuple[Sign, ...] = (
    *_signs(EQ, "cb", "=", "＝", "═", "==", "＝＝", "﹦"),
    *_signs(GE, "cb", "≥", "≧", "⩾", "≥=", "≧=", ">=", ">＝", "＞=", "＞＝", "=>", "≮"),
    *_signs(LE, "cb", "≤", "≦", "⩽", "≤=", "≦=", "<=", "<＝", "＜=", "＜＝", "=<", "≯"),
    *_signs(GT, "cb", ">", "＞", "﹥"),
    *_signs(LT, "cb", "<", "＜", "﹤"),
    *_signs(EQ, "cb", "等于", "为", "达到", "达"),
    *_signs(GE, "cb", "大于等于", "大于或等于", "不低于", "不少于", "不小于", "至少", "最少"),
    *_signs(LE, "cb", "小于等于", "小于或等于", "不高于", "不超过", "不多于", "不大于", "至多", "最多"),
    *_signs(GT, "cb", "大于", "高于", "超过"),
    *_signs(LT, "cb", "小于", "低于"),
    *_signs(GE, "ca", "以上", "及以上"),
    *_signs(LE, "ca", "以下", "及以下", "以内", "之内"),
    *_signs(LE, "a", "内"),  # 5万元内; alone in the column it says nothing
    *_signs(LE, "b", "控制在"),  # 控制在5%以内: only ever before a number
    *_signs(GE, "c", "正向"),
    *_signs(LE, "c", "反向", "控制在以内"),
    *_signs(LE, "d", "不晚于", "不迟于", "最迟", "最晚"),
    *_signs(GE, "d", "不早于"),
)


def _is_glyph(text: str) -> bool:
    return not any("\u4e00" <= ch <= "\u9fff" for ch in text)


_GLYPH_MEANS = {unicodedata.normalize("NFKC", s.written): s.means for s in SIGNS if _is_glyph(s.written)}
_SIGN_CHARS = frozenset("".join(_GLYPH_MEANS))
_GLYPH_PATTERN = re.compile("|".join(r"[\s\u3000\u00a0]*".join(map(re.escape, glyph))
                                     for glyph in sorted(_GLYPH_MEANS, key=len, reverse=True)))


def _derived(places: str) -> dict[str, str]:
    """The table's words read in one of `places`, folded as a reader sees them → the sign they are scored as."""
    return {fold(s.written): SCORED_AS[s.means] for s in SIGNS if set(s.places) & set(places)}


# The written forms the operator column accepts, as typed (the template's formulas compare them unfolded).
OPERATOR_WORDS = {op: tuple(s.written for s in SIGNS if COLUMN in s.places and SCORED_AS[s.means] == op)
                  for op in (GE, LE, EQ)}
# Inside a target the words stand before the number (不低于95%) or after it (95%以上).
PREFIX_OPERATORS = _derived(BEFORE)
SUFFIX_OPERATORS = _derived(AFTER)
_WORD_TO_OP = _derived(COLUMN)
# Symbols that look like a comparison but are none of SIGNS (≠0, ≈95%, ≥≤5): refused, never read past.
_SIGN_LIKE = frozenset("=<>≥≤≠≈≒≃≅≆≇~～±∓《》〈〉≪≫≶≷≰≱≨≩≺≻≼≽⪯⪰")


@text_cache
def parse_operator_word(text: str) -> str | None:
    """An operator column's content (≥, 大于等于, ≥（大于等于）, 正向 …) → ≥ / ≤ / =; None when unreadable."""
    key = normalize_label(fold(text))
    for part in re.split(r"[()]", key):
        op = _WORD_TO_OP.get(part.rstrip("号"))
        if op:
            return op
    return None


def unknown_sign(text: str) -> str | None:
    """The comparison-like symbols a value starts with when they are not one sign of SIGNS (≠0 → ≠)."""
    key = SPACES.sub("", fold(text))
    run = ""
    for ch in key:
        if ch not in _SIGN_LIKE and not (unicodedata.category(ch) == "Sm" and ch not in "+−-"):
            break
        run += ch
    return run if run and run not in _GLYPH_MEANS.values() else None


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


@text_cache
def qualitative_label(text: str) -> str | None:
    key = normalize_label(text).replace("预期", "年度").rstrip("。.")
    return key if key in QUAL_LABELS else None


# docs/rules.md §12.5: a 定性 actual that says the target was reached in words of its own is read as
# 达成 (达到, 已完成, 实现预期目标, 是 …); an optional 已 is a design choice (已达到 reads like 已完成).
_MET_IN_WORDS = re.compile(r"^(?:已?(?:达到|达成|完成|实现)(?:预期|年度)?(?:目标|指标)?|是)$")
_CLOSING_MARKS = "。.!！"

# docs/rules.md §12.1: a target printed as a dash or a slash means no target was set.
NO_TARGET_MARKS = frozenset({"—", "——", "―", "-", "--", "/", "\\"})


# What published forms print in an amount cell of a line that has no money (docs/rules.md §13.3): the
# cell is empty, and a line of nothing else is skipped.
PLACEHOLDER_MARKS = NO_TARGET_MARKS | frozenset({"–", "———", "/", "无", "不适用", "N/A", "NA", "×", "X"})


def is_placeholder(text: str) -> bool:
    return normalize_label(fold(text)).upper() in PLACEHOLDER_MARKS


@text_cache
def is_no_target(text: str) -> bool:
    return normalize_label(text) in NO_TARGET_MARKS


def met_in_words(actual: str, target: str) -> bool:
    """The actual repeats the target's own text, or says 达到/达成/完成/已完成/实现/是 (docs/rules.md §12.5)."""
    key = normalize_label(actual).rstrip(_CLOSING_MARKS)
    if not key:
        return False
    if key == normalize_label(target).rstrip(_CLOSING_MARKS) and not is_no_target(target):
        return True
    return bool(_MET_IN_WORDS.match(key))


# --- directions ---------------------------------------------------------------------------------

# docs/rules.md §12.6: a name ending in 率 is decided by its last word alone: these rates are better
# low; every other rate (办结率, 完成率, 覆盖率 …) is better high, so 投诉举报按时办结率 is ≥.
LOWER_IS_BETTER_RATES = ("发生率", "差错率", "投诉率", "事故率", "超支率", "调整率", "结余率", "变动率", "偏差率",
                         "失误率", "返工率")
# A name without 率 is better low when it contains one of these (docs/rules.md §4.2, §12.6).
LOWER_IS_BETTER_WORDS = ("成本", "发生率", "事故", "投诉", "超支", "差错", "超标", "损失", "逾期", "违规")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")


@text_cache
def lower_is_better_name(name: str) -> bool:
    """The comparison a name implies when none is written: True for ≤ (docs/rules.md §12.6)."""
    key = normalize_label(name).rstrip(_CLOSING_MARKS + ":：")
    while _TRAILING_NOTE.search(key):  # 投诉举报按时办结率（%）: the unit note is not the last word
        key = _TRAILING_NOTE.sub("", key)
    if key.endswith("率"):
        return key.endswith(LOWER_IS_BETTER_RATES)
    return any(word in key for word in LOWER_IS_BETTER_WORDS)


# --- dates ---------------------------------------------------------------------------------------

# docs/rules.md §12.8: a date followed by one of these is the day the work is done by (2021年12月完成).
COMPLETION_WORDS = ("完成", "完工", "办结", "到位", "实施", "支付")
# A comparison before a date (≤11月15日前, ≥2025年6月, 不超过6月底): the words that precede a number, and
# those only dates take (不晚于, 最迟 …).
DATE_SIGNS = _derived(BEFORE + DATE)
