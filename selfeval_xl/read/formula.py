"""A small, safe evaluator for input cells the filler made formulas and no application computed.

Files written by scripts (or saved without recalculation) carry formulas with no cached value.
Arithmetic on numbers and on cells of the same sheet, and SUM/MIN/MAX/AVERAGE/ROUND/ABS, is
what fillers type into input cells (=5042799.97-1200, =SUM(C4:C9)); anything else stays
unevaluated and is reported as FORMULA_NOT_CACHED. No eval(), no names, no other sheets.
"""
from __future__ import annotations

import enum
import re
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation
from typing import Callable, Final

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)"
                    r"|(?P<range>\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?\d+)"
                    r"|(?P<ref>\$?[A-Z]{1,3}\$?\d+)|(?P<func>[A-Z]+)\(|(?P<op>[-+*/^%(),]))")
_CTX = Context(prec=28, traps=[DivisionByZero, InvalidOperation])
MAX_DEPTH = 20


class Unknown(enum.Enum):
    """What a lookup returns for a cell whose value cannot be known (an uncomputable formula)."""

    UNKNOWN = "unknown"


UNKNOWN: Final = Unknown.UNKNOWN
# (row, col, depth) → Decimal, None (blank, counts 0) or UNKNOWN
Lookup = Callable[[int, int, int], Decimal | None | Unknown]


class _Unsupported(Exception):
    pass


def _split_ref(ref: str) -> tuple[int, int]:
    ref = ref.replace("$", "")
    match = re.match(r"[A-Z]+", ref)
    if match is None:  # cannot happen for a ref or range token; evaluate() gives None either way
        raise _Unsupported(ref)
    letters = match.group(0)
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters):]), col


def _tokens(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.strip().upper()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise _Unsupported(text[pos:])
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], lookup: Lookup, depth: int) -> None:
        self.tokens, self.i, self.lookup, self.depth = tokens, 0, lookup, depth

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise _Unsupported(value or "end")
        self.i += 1
        return token

    def expression(self) -> Decimal:
        value = self.term()
        while (token := self.peek()) is not None and token[1] in "+-":
            op = self.take()[1]
            right = self.term()
            value = _CTX.add(value, right) if op == "+" else _CTX.subtract(value, right)
        return value

    def term(self) -> Decimal:
        value = self.power()
        while (token := self.peek()) is not None and token[1] in "*/":
            op = self.take()[1]
            right = self.power()
            value = _CTX.multiply(value, right) if op == "*" else _CTX.divide(value, right)
        return value

    def power(self) -> Decimal:
        value = self.unary()
        if (token := self.peek()) is not None and token[1] == "^":
            self.take()
            exponent = self.unary()
            if exponent != exponent.to_integral() or abs(exponent) > 10:
                raise _Unsupported("^")
            value = _CTX.power(value, int(exponent))
        return value

    def unary(self) -> Decimal:
        if (token := self.peek()) is not None and token[1] in "+-":
            sign = self.take()[1]
            value = self.unary()
            return -value if sign == "-" else value
        value = self.atom()
        while (token := self.peek()) is not None and token[1] == "%":
            self.take()
            value = value / 100
        return value

    def atom(self) -> Decimal:
        kind, text = self.take()
        if kind == "num":
            return Decimal(text)
        if kind == "ref":
            return self.cell(text)
        if kind == "func":
            return self.function(text)
        if text == "(":
            value = self.expression()
            self.take(")")
            return value
        raise _Unsupported(text)

    def cell(self, ref: str) -> Decimal:
        row, col = _split_ref(ref)
        value = self.lookup(row, col, self.depth + 1)
        if value is UNKNOWN:
            raise _Unsupported(ref)
        return value if isinstance(value, Decimal) else Decimal(0)

    def arguments(self) -> list[Decimal]:
        values: list[Decimal] = []
        while True:
            token = self.peek()
            if token is not None and token[0] == "range":
                self.take()
                (r1, c1), (r2, c2) = (_split_ref(p) for p in token[1].split(":"))
                if (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1) > 10_000:
                    raise _Unsupported("range")
                for r in range(min(r1, r2), max(r1, r2) + 1):
                    for c in range(min(c1, c2), max(c1, c2) + 1):
                        v = self.lookup(r, c, self.depth + 1)
                        if v is UNKNOWN:
                            raise _Unsupported(token[1])
                        if isinstance(v, Decimal):
                            values.append(v)
            elif token is not None and token[0] == "ref" and self._alone():
                # a reference standing alone as an argument: a blank cell is no argument (Excel's AVERAGE(S6,T6)
                # over 96 and a blank is 96, not 48), as in a range
                self.take()
                v = self.lookup(*_split_ref(token[1]), self.depth + 1)
                if v is UNKNOWN:
                    raise _Unsupported(token[1])
                if isinstance(v, Decimal):
                    values.append(v)
            else:
                values.append(self.expression())
            if (token := self.peek()) is not None and token[1] == ",":
                self.take()
                continue
            self.take(")")
            return values

    def _alone(self) -> bool:
        after = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
        return after is not None and after[1] in (",", ")")

    def function(self, name: str) -> Decimal:
        args = self.arguments()
        if name == "SUM":
            return sum(args, Decimal(0))
        if name in ("MIN", "MAX") and args:
            return min(args) if name == "MIN" else max(args)
        if name == "AVERAGE" and args:
            return _CTX.divide(sum(args, Decimal(0)), Decimal(len(args)))
        if name == "ABS" and len(args) == 1:
            return abs(args[0])
        if name == "ROUND" and len(args) == 2 and args[1] == args[1].to_integral():
            return args[0].quantize(Decimal(1).scaleb(-int(args[1])), rounding=ROUND_HALF_UP)
        raise _Unsupported(name)


def evaluate(formula: str, lookup: Lookup, depth: int = 0) -> Decimal | None:
    """The formula's number, or None when it uses anything this evaluator does not compute."""
    if depth > MAX_DEPTH or len(formula) > 2000 or "!" in formula or '"' in formula:
        return None
    try:
        parser = _Parser(_tokens(formula.lstrip("=")), lookup, depth)
        value = parser.expression()
        if parser.peek() is not None:
            return None
    except (_Unsupported, DivisionByZero, InvalidOperation, ValueError, AttributeError, OverflowError):
        return None
    return Context(prec=15).create_decimal(value).normalize() if value.is_finite() else None
