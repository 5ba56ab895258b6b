"""Formulas as the template writes them, read into trees: references relative to the formula's cell.

The same formula copied down a column (or stored once as a shared formula) gives the same tokens,
so it is parsed once. Anything outside what read/formula_eval.py computes is refused here with
Unsupported, and the formula is left unchecked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from selfeval_xl.cellref import split_coord


class Unsupported(Exception):
    """The formula uses something this evaluator does not claim to compute like Excel."""


@dataclass(frozen=True)
class Ref:
    sheet: str | None
    r1: int
    c1: int
    r2: int
    c2: int
    fixed: tuple[bool, bool, bool, bool]  # $ on row1, col1, row2, col2; the rest moves with the cell


_TOKEN = re.compile(r"""\s*(?:
    (?P<str>"(?:[^"]|"")*")
  | (?P<ref>(?:(?P<sheet>'(?:[^']|'')+'|[^\W\d][\w.]*)!)?
        (?:(?P<a>\$?[A-Z]{1,3}\$?\d+)(?::(?P<b>\$?[A-Z]{1,3}\$?\d+))?|(?P<colA>\$?[A-Z]{1,3}):(?P<colB>\$?[A-Z]{1,3}))
        (?![\w(]))
  | (?P<func>[A-Z][A-Z0-9._]*)\(
  | (?P<bool>TRUE|FALSE)(?![\w(])
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:E[-+]?\d+)?)
  | (?P<op><=|>=|<>|[-+*/^&=<>%(),])
)""", re.X | re.I)
_MAX_ROW = 1_048_576


def _coord(text: str, row: int, col: int) -> tuple[int, int, bool, bool]:
    """(row, column) of a reference relative to the formula's own cell unless fixed by $."""
    m = re.fullmatch(r"(\$?)([A-Z]{1,3})(\$?)(\d+)", text.upper())
    if m is None:
        raise Unsupported(text)
    r, c = split_coord(m.group(2) + m.group(4))
    return (r if m.group(3) else r - row), (c if m.group(1) else c - col), bool(m.group(3)), bool(m.group(1))


def _column(text: str, col: int) -> tuple[int, bool]:
    fixed = text.startswith("$")
    c = split_coord(text.lstrip("$").upper() + "1")[1]
    return (c if fixed else c - col), fixed


def _ref_token(m: re.Match[str], row: int, col: int) -> Ref:
    sheet = m.group("sheet")
    if sheet is not None and sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    if m.group("colA"):
        c1, f1 = _column(m.group("colA"), col)
        c2, f2 = _column(m.group("colB"), col)
        return Ref(sheet, 1, c1, _MAX_ROW, c2, (True, f1, True, f2))
    r1, c1, fr1, fc1 = _coord(m.group("a"), row, col)
    r2, c2, fr2, fc2 = _coord(m.group("b") or m.group("a"), row, col)
    return Ref(sheet, r1, c1, r2, c2, (fr1, fc1, fr2, fc2))


Token = tuple[str, object]


def tokens(formula: str, row: int, col: int) -> tuple[Token, ...]:
    """The formula as tokens, each reference relative to the cell at (row, col): the same formula
    copied down a column gives the same tokens, so it is parsed once."""
    out: list[Token] = []
    text, pos = formula.strip(), 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise Unsupported(text[pos:pos + 10])
        pos = m.end()
        kind = m.lastgroup if m.lastgroup not in ("sheet", "a", "b", "colA", "colB") else "ref"
        if m.group("ref"):
            out.append(("ref", _ref_token(m, row, col)))
        elif kind == "str":
            out.append(("str", m.group("str")[1:-1].replace('""', '"')))
        elif kind == "func":
            out.append(("func", m.group("func").upper()))
        elif kind == "bool":
            out.append(("bool", m.group("bool").upper() == "TRUE"))
        elif kind == "num":
            out.append(("num", float(m.group("num"))))
        else:
            out.append(("op", m.group("op")))
    return tuple(out)


Node = tuple  # ("num", v) | ("ref", Ref) | ("call", name, args) | ("bin", op, a, b) | ("neg", a) | ("pct", a)
_LEVELS = (("=", "<>", "<", ">", "<=", ">="), ("&",), ("+", "-"), ("*", "/"), ("^",))


class _Parser:
    def __init__(self, toks: tuple[Token, ...]) -> None:
        self.toks, self.i = toks, 0

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take_op(self, op: str) -> None:
        if self.peek() != ("op", op):
            raise Unsupported(op)
        self.i += 1

    def parse(self) -> Node:
        node = self.binary(0)
        if self.peek() is not None:
            raise Unsupported("trailing")
        return node

    def binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in _LEVELS[level]:
            self.i += 1
            node = ("bin", tok[1], node, self.binary(level + 1))
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok in (("op", "-"), ("op", "+")):
            self.i += 1
            inner = self.unary()
            return ("neg", inner) if tok == ("op", "-") else ("plus", inner)
        node = self.atom()
        while self.peek() == ("op", "%"):
            self.i += 1
            node = ("pct", node)
        return node

    def atom(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise Unsupported("end")
        self.i += 1
        kind, value = tok
        if kind in ("num", "str", "bool", "ref"):
            return (kind, value)
        if kind == "func":
            args: list[Node] = []
            if self.peek() != ("op", ")"):
                args.append(self.binary(0))
                while self.peek() == ("op", ","):
                    self.i += 1
                    args.append(self.binary(0))
            self.take_op(")")
            return ("call", value, tuple(args))
        if tok == ("op", "("):
            node = self.binary(0)
            self.take_op(")")
            return node
        raise Unsupported(str(value))


_PARSED: dict[tuple[Token, ...], Node | None] = {}


# A formula copied down a column differs from row to row only in its row numbers: its shape (the
# column, the text around each reference's row number, string literals and quoted sheet names as they
# are, and each row number taken from the formula's own row) keys the tokens, so a template's few
# hundred copies of one long formula are tokenized once. A fixed row ($4) stays in the text; a digit
# run that is no row number can only make two shapes differ, never make different formulas alike.
_SHAPE = re.compile(r'("(?:[^"]|"")*"|\'(?:[^\']|\'\')*\')|(?<=[A-Za-z])(\d+)(?![\w(!.])')
_TOKENS: dict[tuple, tuple[Token, ...]] = {}
_NODES: dict[tuple, Node | None] = {}


def _shape(formula: str, row: int, col: int) -> tuple:
    parts = _SHAPE.split(formula)  # text, quoted, digits, text, quoted, digits, …, text
    return (col, tuple(parts[0::3]), tuple(parts[1::3]),
            tuple(None if d is None else int(d) - row for d in parts[2::3]))


def shaped_tokens(formula: str, row: int, col: int) -> tuple[Token, ...]:
    key = _shape(formula, row, col)
    found = _TOKENS.get(key)
    if found is None:
        if len(_TOKENS) > 10_000:
            _TOKENS.clear()
        found = _TOKENS[key] = tokens(formula, row, col)
    return found


def parse(formula: str, row: int, col: int) -> Node | None:
    """The formula's tree, or None for one this evaluator does not compute. Trees are kept by shape, so
    a copied formula costs one split, not a walk over its tokens (hashing them was a fifth of checking)."""
    key = _shape(formula, row, col)
    if key in _NODES:
        return _NODES[key]
    try:
        toks = shaped_tokens(formula, row, col)
    except Unsupported:
        node = None
    else:
        if toks not in _PARSED:
            if len(_PARSED) > 10_000:
                _PARSED.clear()
            try:
                _PARSED[toks] = _Parser(toks).parse()
            except (Unsupported, RecursionError):
                _PARSED[toks] = None
        node = _PARSED[toks]
    if len(_NODES) > 10_000:
        _NODES.clear()
    _NODES[key] = node
    return node
