"""Where the template puts things and the formulas it writes: rows and columns of each table, the
hidden helper columns, and the live provisional score (indicator scores, execution score, grade)
in functions every Excel since 2010, WPS and LibreOffice compute alike."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from selfeval_xl import layout as L
from selfeval_xl.cellref import column_letter
from selfeval_xl.formatting import plain
from selfeval_xl.rules.profiles import KNOWN_LEVELS, Profile
from selfeval_xl.vocabulary import EQ, LE, OPERATOR_WORDS

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
    """Where the 评分 sheet keeps its results (for tests and for people's own links)."""

    budget: str = "B5"
    executed: str = "B6"
    rate: str = "B7"
    execution_score: str = "B8"
    first_level_row: int = 11  # 产出, 效益, 满意度 on rows 11–13; column D holds the points
    weight_total: str = "C15"
    total: str = "B17"
    grade: str = "B18"

    def level_points(self, level: str) -> str:
        return f"D{self.first_level_row + KNOWN_LEVELS.index(level)}"


SCORE_CELLS = ScoreSheetCells()


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

def helper_formula(key: str, row: int) -> str:
    """A helper column's formula: a number read from text as the reader reads it, or the comparison."""
    source = f"${IND_COL[key]}{row}"
    if key == "operator":
        target = f"LEFT(TRIM(${IND_COL['target']}{row}),1)"
        return (f'=IF({source}<>"",{source},IF({target}="≤","≤",IF({target}="≥","≥",'
                f'IF(OR({target}="＝",{target}="="),"＝",""))))')
    stripped = f"TRIM({source})"
    for sign in _SIGNS:
        stripped = f'SUBSTITUTE({stripped},"{sign}","")'
    return f'=IF(ISNUMBER({source}),{source},IF(ISERROR(VALUE({stripped})),"",VALUE({stripped})))'


def helper_value(key: str, values: dict[str, object]) -> object:
    """The cached value of helper_formula for a row written with `values` (mirrors the formula)."""
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


def indicator_score_formula(row: int, digits: int) -> str:
    """The provisional score of one indicator row, in functions Excel 2010, WPS and LibreOffice share."""
    c = {k: f"${v}{row}" for k, v in IND_COL.items()}
    label = c["actual"]  # the actual as typed: a qualitative label
    c.update({k: f"${v}{row}" for k, v in HELPER_COL.items()})
    # The same operator words the reader accepts (numbers.OPERATOR_WORDS), so a typed 不超过 scores alike.
    le_words = ("<=", *OPERATOR_WORDS[LE])
    eq_words = ("＝", *OPERATOR_WORDS[EQ])
    le = "OR(" + ",".join(f'{c["operator"]}="{w}"' for w in le_words) + f',AND({c["operator"]}="",' \
         f'OR({c["level1"]}="成本指标",ISNUMBER(SEARCH("成本",{c["level2"]})),' + \
         ",".join(f'ISNUMBER(SEARCH("{w}",{c["name"]}))' for w in L.LOWER_IS_BETTER_WORDS) + ")))"
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
