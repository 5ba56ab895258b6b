"""Excel's own arithmetic for the formulas a template writes, to check the results a copy stores.

verify needs to know whether the value a formula cell shows follows from its formula and the cells
it reads (docs/workbook.md §7). This evaluates one formula over the stored values of its sheet the
way Excel, WPS and LibreOffice do (floating point, text compared without case, text and blanks
skipped in ranges), for the functions the template uses. Where the three applications could
disagree (a locale's date in VALUE, wildcards, an unknown function, a number too long to print) the
answer is UNKNOWN and nothing is claimed. The input cells' own formulas are read elsewhere, in
Decimal, for scoring (read/formula.py); this module never feeds a score.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Iterator, Mapping, Union

from selfeval_xl.read.formula_parse import Node, Ref, Unsupported, parse


@dataclass(frozen=True)
class XlError:
    code: str  # "#VALUE!", "#DIV/0!", …


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
Value = Union[float, str, bool, None, XlError, _Unknown]  # None: a blank cell
VALUE_ERROR, DIV_ERROR = XlError("#VALUE!"), XlError("#DIV/0!")
MAX_STEPS = 200_000  # by default, over everything one Sheets evaluates: a hostile workbook is cut off


class Pending:
    """A formula cell with no stored result: computed from its formula when something reads it."""

    def __init__(self, text: str, anchor: tuple[int, int]) -> None:
        self.text, self.anchor = text, anchor


@dataclass
class Sheets:
    """Stored values by sheet, then column, then row: a full-column range walks only what is there.
    A formula without a stored result is computed once when read (a cycle reads as UNKNOWN), and
    every evaluation over these sheets shares one budget of steps."""

    columns: dict[str, dict[int, dict[int, Union[Value, Pending]]]]
    limit: int = MAX_STEPS
    steps: int = 0
    _busy: set[tuple[str, int, int]] = field(default_factory=set)
    # fills columns[sheet] the first time a formula reads that sheet (a check of one sheet's formulas
    # need not read the others)
    loader: Callable[[str], None] | None = None

    def _sheet(self, sheet: str) -> dict[int, dict[int, Union[Value, Pending]]]:
        if sheet not in self.columns and self.loader is not None:
            self.columns[sheet] = {}
            self.loader(sheet)
        return self.columns.get(sheet, {})

    def value(self, sheet: str, row: int, col: int) -> Value:
        return self._resolved(sheet, row, col, self._sheet(sheet).get(col, {}).get(row))

    def cells(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> Iterator[tuple[int, int, Value]]:
        for col, rows in self._sheet(sheet).items():
            if c1 <= col <= c2:
                yield from ((row, col, self._resolved(sheet, row, col, v)) for row, v in list(rows.items())
                            if r1 <= row <= r2)

    def _resolved(self, sheet: str, row: int, col: int, value: Union[Value, Pending]) -> Value:
        if not isinstance(value, Pending):
            return value
        key = (sheet, row, col)
        if key in self._busy or len(self._busy) > 200:
            return UNKNOWN  # a circular reference, or a chain too deep to follow
        self._busy.add(key)
        try:
            node = parse(value.text, *value.anchor)
            computed = UNKNOWN if node is None else Evaluator(self, sheet, row, col).run(node)
        finally:
            self._busy.discard(key)
        self.columns[sheet][col][row] = computed
        return computed


@dataclass
class _Range:
    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int


class Evaluator:
    def __init__(self, sheets: Sheets, sheet: str, row: int, col: int) -> None:
        self.sheets, self.sheet, self.row, self.col = sheets, sheet, row, col

    def run(self, node: Node) -> Value:
        try:
            return self.scalar(self.eval(node))
        except (Unsupported, RecursionError, OverflowError):
            return UNKNOWN

    def step(self) -> None:
        self.sheets.steps += 1
        if self.sheets.steps > self.sheets.limit:
            raise Unsupported("steps")

    def place(self, ref: Ref) -> _Range:
        r1 = ref.r1 if ref.fixed[0] else ref.r1 + self.row
        c1 = ref.c1 if ref.fixed[1] else ref.c1 + self.col
        r2 = ref.r2 if ref.fixed[2] else ref.r2 + self.row
        c2 = ref.c2 if ref.fixed[3] else ref.c2 + self.col
        if min(r1, c1, r2, c2) < 1:
            raise Unsupported("#REF!")
        return _Range(ref.sheet or self.sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))

    def scalar(self, value: Value | _Range) -> Value:
        if isinstance(value, _Range):
            if (value.r1, value.c1) != (value.r2, value.c2):
                raise Unsupported("implicit intersection")
            return self.sheets.value(value.sheet, value.r1, value.c1)
        return value

    def eval(self, node: Node) -> Value | _Range:
        self.step()
        kind = node[0]
        if kind in ("num", "str", "bool"):
            literal: Value = node[1]
            return literal
        if kind == "ref":
            return self.place(node[1])
        if kind == "neg":
            v = _number(self.scalar(self.eval(node[1])))
            return v if isinstance(v, (XlError, _Unknown)) else -v
        if kind == "plus":
            return self.scalar(self.eval(node[1]))
        if kind == "pct":
            v = _number(self.scalar(self.eval(node[1])))
            return v if isinstance(v, (XlError, _Unknown)) else v / 100
        if kind == "bin":
            return _binary(node[1], self.scalar(self.eval(node[2])), self.scalar(self.eval(node[3])))
        function = _FUNCTIONS.get(node[1])
        if function is None:
            raise Unsupported(node[1])
        return function(self, node[2])

    def values(self, args: tuple[Node, ...]) -> Iterator[tuple[Value, bool]]:
        """Each argument's values, with whether it came from a reference (text and blanks skipped there)."""
        for arg in args:
            value = self.eval(arg)
            if isinstance(value, _Range):
                for _, _, v in self.sheets.cells(value.sheet, value.r1, value.c1, value.r2, value.c2):
                    self.step()
                    yield v, True
            else:
                yield value, arg[0] == "ref"


Function = Callable[[Evaluator, tuple[Node, ...]], Value]


def _bad(value: Value) -> bool:
    return isinstance(value, (XlError, _Unknown))


def _number(value: Value) -> float | XlError | _Unknown:
    """A value where Excel wants a number: text that is a plain number counts, other text is #VALUE!."""
    if isinstance(value, (XlError, _Unknown)):
        return value
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, float):
        return value
    return _text_number(value)


_PLAIN_NUMBER = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%?)\s*")


def _text_number(text: str) -> float | XlError | _Unknown:
    m = _PLAIN_NUMBER.fullmatch(text)
    if m:
        return float(m.group(1)) / (100 if m.group(2) else 1)
    if not any(ch.isdigit() for ch in text):
        return VALUE_ERROR
    return UNKNOWN  # "1,234", "2025年12月", "1/2": a date or a separator by the reader's locale


def _text(value: Value) -> str | XlError | _Unknown:
    if isinstance(value, (XlError, _Unknown)):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _general(value)
    return value


def _general(number: float) -> str | _Unknown:
    """A number as Excel's General format spells it inside text, when that is certain."""
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    if not 1e-9 < abs(number) < 1e15:
        return UNKNOWN
    text = f"{number:.15g}"
    return UNKNOWN if "e" in text else text


def _truth(value: Value) -> bool | XlError | _Unknown:
    if isinstance(value, (XlError, _Unknown, bool)):
        return value
    if value is None:
        return False
    if isinstance(value, float):
        return value != 0
    return {"TRUE": True, "FALSE": False}.get(value.upper(), VALUE_ERROR)


def _compare(op: str, a: Value, b: Value) -> bool:
    """Excel's order: numbers < text < logicals; a blank is 0, "" or FALSE as the other side is."""
    if a is None:
        a = "" if isinstance(b, str) else (False if isinstance(b, bool) else 0.0)
    if b is None:
        b = "" if isinstance(a, str) else (False if isinstance(a, bool) else 0.0)
    rank = {float: 0, str: 1, bool: 2}
    ra, rb = rank[type(a)], rank[type(b)]
    ka: Any = ra if ra != rb else a.upper() if isinstance(a, str) else a
    kb: Any = rb if ra != rb else b.upper() if isinstance(b, str) else b
    return bool({"=": ka == kb, "<>": ka != kb, "<": ka < kb, ">": ka > kb, "<=": ka <= kb, ">=": ka >= kb}[op])


def _binary(op: str, a: Value, b: Value) -> Value:
    if _bad(a):
        return a
    if _bad(b):
        return b
    if op in ("=", "<>", "<", ">", "<=", ">="):
        return _compare(op, a, b)
    if op == "&":
        ta, tb = _text(a), _text(b)
        return ta if _bad(ta) else tb if _bad(tb) else str(ta) + str(tb)
    x, y = _number(a), _number(b)
    if isinstance(x, (XlError, _Unknown)):
        return x
    if isinstance(y, (XlError, _Unknown)):
        return y
    if op == "/" and y == 0:
        return DIV_ERROR
    if op == "^":
        if (x == 0 and y <= 0) or (x < 0 and y != int(y)):
            raise Unsupported("#NUM!")
        return float(x ** y)
    return {"+": x + y, "-": x - y, "*": x * y, "/": x / y if y else 0.0}[op]


def round_half_away(number: float, digits: int) -> float:
    """ROUND as Excel does it: on the number's 15 significant digits, halves away from zero."""
    exact = Decimal(f"{number:.15g}")
    step = Decimal(1).scaleb(-digits)
    rounded = abs(exact).quantize(step, rounding=ROUND_HALF_UP)
    return float(rounded.copy_sign(exact))


def _f_if(ev: Evaluator, args: tuple[Node, ...]) -> Value:
    if not 1 <= len(args) <= 3:
        raise Unsupported("IF")
    cond = _truth(ev.scalar(ev.eval(args[0])))
    if isinstance(cond, (XlError, _Unknown)):
        return cond
    if cond:
        return ev.scalar(ev.eval(args[1])) if len(args) > 1 else True
    return ev.scalar(ev.eval(args[2])) if len(args) > 2 else False


def _f_logic(combine: Callable[[list[bool]], bool]) -> Function:
    def run(ev: Evaluator, args: tuple[Node, ...]) -> Value:
        seen: list[bool] = []
        for value, from_ref in ev.values(args):
            if from_ref and (value is None or isinstance(value, str)):
                continue
            truth = _truth(value)
            if isinstance(truth, (XlError, _Unknown)):
                return truth
            seen.append(truth)
        return combine(seen) if seen else VALUE_ERROR
    return run


def _f_not(ev: Evaluator, args: tuple[Node, ...]) -> Value:
    truth = _truth(ev.scalar(ev.eval(_one(args))))
    return truth if isinstance(truth, (XlError, _Unknown)) else not truth


def _one(args: tuple[Node, ...], count: int = 1) -> Node:
    if len(args) != count:
        raise Unsupported("arguments")
    return args[0]


def _numbers(ev: Evaluator, args: tuple[Node, ...]) -> list[float] | XlError | _Unknown:
    out: list[float] = []
    for value, from_ref in ev.values(args):
        if from_ref and (value is None or isinstance(value, (str, bool))):
            continue  # a range's text, blanks and logicals are skipped
        if _bad(value):
            return value  # type: ignore[return-value]
        number = _number(value)
        if isinstance(number, (XlError, _Unknown)):
            return number
        out.append(number)
    return out


def _f_aggregate(combine: Callable[[list[float]], float]) -> Function:
    def run(ev: Evaluator, args: tuple[Node, ...]) -> Value:
        found = _numbers(ev, args)
        return found if isinstance(found, (XlError, _Unknown)) else combine(found)
    return run


def _f_round(ev: Evaluator, args: tuple[Node, ...]) -> Value:
    _one(args, 2)
    number, digits = (_number(ev.scalar(ev.eval(a))) for a in args)
    if isinstance(number, (XlError, _Unknown)):
        return number
    if isinstance(digits, (XlError, _Unknown)):
        return digits
    return round_half_away(number, int(digits))


def _f_n(ev: Evaluator, args: tuple[Node, ...]) -> Value:
    value = ev.scalar(ev.eval(_one(args)))
    if isinstance(value, (float, XlError, _Unknown)):
        return value
    return float(value) if isinstance(value, bool) else 0.0


def _f_is(test: Callable[[Value], bool]) -> Function:
    def run(ev: Evaluator, args: tuple[Node, ...]) -> Value:
        value = ev.scalar(ev.eval(_one(args)))
        return value if isinstance(value, _Unknown) else test(value)
    return run


def _f_value(ev: Evaluator, args: tuple[Node, ...]) -> Value:
    value = ev.scalar(ev.eval(_one(args)))
    if isinstance(value, (float, XlError, _Unknown)):
        return value
    if value is None or isinstance(value, bool):
        return 0.0 if value is None else VALUE_ERROR
    return _text_number(value)


def _texts(ev: Evaluator, args: tuple[Node, ...]) -> list[str] | XlError | _Unknown:
    out: list[str] = []
    for arg in args:
        text = _text(ev.scalar(ev.eval(arg)))
        if isinstance(text, (XlError, _Unknown)):
            return text
        out.append(text)
    return out


def _plane(text: str) -> str:
    if any(ord(ch) > 0xFFFF for ch in text):
        raise Unsupported("surrogates")  # Excel counts UTF-16 units there
    return text


def _f_text(apply: Callable[[list[str]], Value], counts: tuple[int, ...]) -> Function:
    def run(ev: Evaluator, args: tuple[Node, ...]) -> Value:
        if len(args) not in counts:
            raise Unsupported("arguments")
        texts = _texts(ev, args)
        return texts if isinstance(texts, (XlError, _Unknown)) else apply([_plane(t) for t in texts])
    return run


def _left(texts: list[str]) -> Value:
    count = _text_number(texts[1]) if len(texts) > 1 else 1.0
    if isinstance(count, (XlError, _Unknown)) or count < 0:
        return VALUE_ERROR if not isinstance(count, _Unknown) else count
    return texts[0][:int(count)]


def _search(texts: list[str]) -> Value:
    find, within = texts[0], texts[1]
    if any(ch in find for ch in "*?~") or len(texts) > 2:
        raise Unsupported("wildcards")
    at = within.upper().find(find.upper())
    return VALUE_ERROR if at < 0 else float(at + 1)


def _substitute(texts: list[str]) -> Value:
    if len(texts) > 3:
        raise Unsupported("instance")
    return texts[0] if texts[1] == "" else texts[0].replace(texts[1], texts[2])


def _f_sumif(ev: Evaluator, args: tuple[Node, ...]) -> Value:
    if len(args) not in (2, 3):
        raise Unsupported("SUMIF")
    where, target = ev.eval(args[0]), ev.eval(args[-1])
    criterion = ev.scalar(ev.eval(args[1]))
    if not isinstance(where, _Range) or not isinstance(target, _Range) or not isinstance(criterion, str):
        raise Unsupported("SUMIF")
    if criterion[:1] in "<>=" or any(ch in criterion for ch in "*?~") or _PLAIN_NUMBER.fullmatch(criterion):
        raise Unsupported("criterion")
    total = 0.0
    for row, col, value in ev.sheets.cells(where.sheet, where.r1, where.c1, where.r2, where.c2):
        ev.step()
        if isinstance(value, str) and value.upper() == criterion.upper():
            add = ev.sheets.value(target.sheet, target.r1 + row - where.r1, target.c1 + col - where.c1)
            if _bad(add):
                return add
            total += add if isinstance(add, float) else 0.0
    return total


_FUNCTIONS: Mapping[str, Function] = {
    "IF": _f_if, "AND": _f_logic(all), "OR": _f_logic(any), "NOT": _f_not,
    "SUM": _f_aggregate(math.fsum), "MIN": _f_aggregate(lambda xs: min(xs, default=0.0)),
    "MAX": _f_aggregate(lambda xs: max(xs, default=0.0)), "ROUND": _f_round, "N": _f_n,
    "ABS": _f_aggregate(lambda xs: abs(xs[0]) if len(xs) == 1 else _give_up()),
    "ISNUMBER": _f_is(lambda v: isinstance(v, float)), "ISERROR": _f_is(lambda v: isinstance(v, XlError)),
    "ISBLANK": _f_is(lambda v: v is None), "ISTEXT": _f_is(lambda v: isinstance(v, str)),
    "VALUE": _f_value, "SUMIF": _f_sumif,
    "TRIM": _f_text(lambda t: re.sub(" +", " ", t[0].strip(" ")), (1,)),
    "LEFT": _f_text(_left, (1, 2)), "SEARCH": _f_text(_search, (2,)),
    "SUBSTITUTE": _f_text(_substitute, (3,)), "LEN": _f_text(lambda t: float(len(t[0])), (1,)),
}


def _give_up() -> float:
    raise Unsupported("arguments")


def evaluate(formula: str, sheets: Sheets, sheet: str, row: int, col: int) -> Value:
    """The value Excel gives `formula` in `sheet` at (row, col) over the stored values, or UNKNOWN."""
    node = parse(formula, row, col)
    return UNKNOWN if node is None else Evaluator(sheets, sheet, row, col).run(node)
