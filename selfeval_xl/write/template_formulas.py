"""Where the template puts things and the formulas it writes: rows and columns of each table, the
hidden helper columns, and the live provisional score (indicator scores, execution score, grade)
in functions every Excel since 2010, WPS and LibreOffice compute alike."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from selfeval_xl import layout as L
from selfeval_xl.cellref import column_letter
from selfeval_xl.formatting import plain
from selfeval_xl.rules.profiles import Profile
from selfeval_xl.vocabulary import EQ, LE, LOWER_IS_BETTER_RATES, LOWER_IS_BETTER_WORDS, OPERATOR_WORDS

FIXED_TIMESTAMP = dt.datetime(2025, 1, 1)
INPUT_FILL = "#FFF2CC"
FORMULA_FILL = "#EDEDED"
HEADER_FILL = "#D9E1F2"

BUDGET_HEADER_ROW = 3  # 1-based rows, as people and the reader see them
INDICATOR_HEADER_ROW = 3
LINE_ROWS = {"department": 60, "project": 10}
INDICATOR_ROWS = {"department": 100, "project": 40}



def _letters(columns: tuple[L.Column, ...]) -> dict[str, str]:
    return {c.key: column_letter(i + 1) for i, c in enumerate(columns)}


BUDGET_COL = _letters(L.BUDGET_COLUMNS)
IND_COL = _letters(L.INDICATOR_COLUMNS)
CALC_COL = column_letter(len(L.INDICATOR_COLUMNS) + 1)
# Hidden helper columns after the score: the target, actual and weight as numbers and the comparison,
# so a number pasted as text ("96", "95%", "≥95") scores in the sheet as the tool scores it.
HELPERS = {"target": "（计算用）指标值数值", "actual": "（计算用）完成值数值", "weight": "（计算用）分值数值",
           "operator": "（计算用）比较方式"}
HELPER_COL = {key: column_letter(len(L.INDICATOR_COLUMNS) + 2 + i) for i, key in enumerate(HELPERS)}
_SIGNS = ("≥", "≤", "＝", "=", "%")


@dataclass(frozen=True)
class ScoreSheetCells:
    """Where the 评分 sheet keeps its results (for tests and for people's own links).

    One row per first level of the profile from row 11 (column D holds the points), then the
    execution row, the weight total, the total and the grade: with three levels the total is B17."""

    levels: tuple[str, ...]
    budget: str = "B5"
    executed: str = "B6"
    rate: str = "B7"
    execution_score: str = "B8"
    first_level_row: int = 11

    @property
    def execution_row(self) -> int:
        return self.first_level_row + len(self.levels)

    @property
    def weight_total(self) -> str:
        return f"C{self.execution_row + 1}"

    @property
    def total(self) -> str:
        return f"B{self.execution_row + 3}"

    @property
    def grade(self) -> str:
        return f"B{self.execution_row + 4}"

    def level_points(self, level: str) -> str:
        return f"D{self.first_level_row + self.levels.index(level)}"


def score_cells(profile: Profile) -> ScoreSheetCells:
    return ScoreSheetCells(profile.levels)


# A profile without an execution weight (mof-4level) scores the rate as an indicator row. The live score
# cannot tie that row to the money block (its name and place are the filler's): it scores the typed
# actual, and the tool's recomputed rate is what counts.
RATE_ROW_NOTE = ("本口径的预算执行率不单独计分，而是绩效指标中名称含“执行率”的一行：工具按预算执行表重算的执行率"
                 "为该行计分（未填指标值的按 100% 计）；本表暂评按该行所填实际完成值测算，以工具重算结果为准。")


@dataclass(frozen=True)
class BudgetRows:
    first_line: int
    last_line: int
    subtotals: dict[str, int]
    total: int


def budget_rows(form: str) -> BudgetRows:
    first = BUDGET_HEADER_ROW + 1
    last = first + LINE_ROWS[form] - 1
    if form == "department":
        groups = L.BUDGET_GROUPS["department"]
        subtotals = {g: last + 1 + i for i, g in enumerate(groups)}
        return BudgetRows(first, last, subtotals, last + 1 + len(groups))
    return BudgetRows(first, last, {}, last + 1)


def indicator_rows(form: str) -> tuple[int, int]:
    first = INDICATOR_HEADER_ROW + 1
    return first, first + INDICATOR_ROWS[form] - 1


# --- live formulas -------------------------------------------------------------------------------

_NO_TARGET = ("", "—", "/")  # a rate row's printed "no target", which the tool reads as 100%


def helper_formula(key: str, row: int, rate_row: bool = False) -> str:
    """A helper column's formula: a number read from text as the reader reads it, or the comparison.

    With `rate_row` (a profile that scores the 执行率 as an indicator row) a 执行率 row without a
    target takes 100, as the tool does."""
    source = f"${IND_COL[key]}{row}"
    if key == "target" and rate_row:
        blank = "OR(" + ",".join(f'TRIM({source})="{w}"' for w in _NO_TARGET) + ")"
        name = f"${IND_COL['name']}{row}"
        return f'=IF(AND(ISNUMBER(SEARCH("执行率",{name})),{blank}),100,{helper_formula(key, row)[1:]})'
    if key == "operator":
        target = f"LEFT(TRIM(${IND_COL['target']}{row}),1)"
        return (f'=IF({source}<>"",{source},IF({target}="≤","≤",IF({target}="≥","≥",'
                f'IF(OR({target}="＝",{target}="="),"＝",""))))')
    stripped = f"TRIM({source})"
    for sign in _SIGNS:
        stripped = f'SUBSTITUTE({stripped},"{sign}","")'
    return f'=IF(ISNUMBER({source}),{source},IF(ISERROR(VALUE({stripped})),"",VALUE({stripped})))'


def helper_value(key: str, values: dict[str, object], rate_row: bool = False) -> object:
    """The cached value of helper_formula for a row written with `values` (mirrors the formula)."""
    if (key == "target" and rate_row and "执行率" in str(values.get("name") or "")
            and str(values.get("target") or "").strip() in _NO_TARGET):
        return 100
    if key == "operator":
        if values.get("operator"):
            return values["operator"]
        first = str(values.get("target") or "").strip()[:1]
        return {"≤": "≤", "≥": "≥", "＝": "＝", "=": "＝"}.get(first, "")
    value = values.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value or "").strip()
    for sign in _SIGNS:
        text = text.replace(sign, "")
    try:
        return float(text)
    except ValueError:
        return ""


def _lower_is_better_name(name: str) -> str:
    """vocabulary.lower_is_better_name as a formula: a name ending in 率 goes by its last word, any other
    name by the word list. "ends with" is SEARCH of the word followed by a "|" appended to the name, as RIGHT
    and LEN are outside the portable set. A trailing note such as （%） hides the last word from the sheet:
    the tool reads the name itself, and its score is the one that counts."""
    ends = f'TRIM({name})&"|"'
    rates = ",".join(f'ISNUMBER(SEARCH("{w}|",{ends}))' for w in LOWER_IS_BETTER_RATES)
    words = ",".join(f'ISNUMBER(SEARCH("{w}",{name}))' for w in LOWER_IS_BETTER_WORDS)
    return f'IF(ISNUMBER(SEARCH("率|",{ends})),OR({rates}),OR({words}))'


def indicator_score_formula(row: int, digits: int) -> str:
    """The provisional score of one indicator row, in functions Excel 2010, WPS and LibreOffice share."""
    c = {k: f"${v}{row}" for k, v in IND_COL.items()}
    label = c["actual"]  # the actual as typed: a qualitative label
    c.update({k: f"${v}{row}" for k, v in HELPER_COL.items()})
    # The same operator words the reader accepts (numbers.OPERATOR_WORDS), so a typed 不超过 scores alike.
    le_words = ("<=", *OPERATOR_WORDS[LE])
    eq_words = ("＝", *OPERATOR_WORDS[EQ])
    le = "OR(" + ",".join(f'{c["operator"]}="{w}"' for w in le_words) + f',AND({c["operator"]}="",' \
         f'OR(ISNUMBER(SEARCH("成本",{c["level1"]})),ISNUMBER(SEARCH("成本",{c["level2"]})),{_lower_is_better_name(c["name"])})))'
    eq = "OR(" + ",".join(f'{c["operator"]}="{w}"' for w in eq_words) + ")"
    t, a, w = c["target"], c["actual"], c["weight"]
    lower = f"IF({t}=0,IF({a}<=0,{w},0),IF({a}<={t},{w},IF({a}>=2*{t},0,{w}*(1-({a}-{t})/{t}))))"
    higher = f"IF({t}=0,IF({eq},IF({a}<=0,{w},0),{w}),IF(MAX({a},0)>={t},{w},IF({t}<0,0,{w}*MAX({a},0)/{t})))"
    quantitative = f"IF(AND(ISNUMBER({t}),ISNUMBER({a})),IF({le},{lower},{higher}),0)"
    qualitative = (f'IF(ISNUMBER({c["self_score"]}),MIN(MAX({c["self_score"]},0),{w}),'
                   f'IF(LEFT(SUBSTITUTE({label}," ",""),2)="达成",{w},0))')
    is_qual = (f'OR({c["nature"]}="定性",AND({c["nature"]}="",OR(LEFT({label},2)="达成",LEFT({label},4)="部分达成",'
               f'LEFT({label},3)="未达成")))')
    return (f'=IF(OR(NOT(ISNUMBER({w})),{w}<=0,{label}=""),"",'
            f"ROUND(IF({is_qual},{qualitative},{quantitative}),{digits}))")


def execution_score_formula(profile: Profile, rate_cell: str) -> str:
    if profile.rule == "steps":
        inner = "0"
        for step in reversed(profile.steps):
            inner = (f"IF({rate_cell}>={plain(step.threshold)},{plain(step.score)},{inner})" if step.threshold > 0
                     else plain(step.score))
        return f'=IF({rate_cell}="",0,{inner})'
    return f'=IF({rate_cell}="",0,ROUND({plain(profile.execution_weight)}*MIN({rate_cell},1),{profile.digits}))'


def grade_formula(profile: Profile, total_cell: str) -> str:
    inner = f'"{profile.grades[-1].name}"'
    for grade in reversed(profile.grades[:-1]):
        inner = f'IF({total_cell}>={plain(grade.min)},"{grade.name}",{inner})'
    return "=" + inner


# --- writing -------------------------------------------------------------------------------------------
