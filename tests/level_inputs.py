"""EvaluationInput scenarios of docs/rules.md §12.2–§12.4 that the reader would produce, built
by hand for the pure-core tests (test_profile_levels, test_checks, test_check_messages)."""
from __future__ import annotations

from dataclasses import replace

from builders import ABSENT, BUDGET_SHEET, INDICATOR_SHEET, SMALL_INDICATORS, make_input
from selfeval_xl.model import Cell, EvaluationInput


def levels_absent_input() -> EvaluationInput:
    """SMALL_INDICATORS on a sheet with no 一级/二级 columns; the name column's header is E3."""
    rows = [r._replace(level1=ABSENT, level2=ABSENT) for r in SMALL_INDICATORS]
    return replace(make_input(rows), levels_absent=True, name_header=Cell(INDICATOR_SHEET, "E3", "指标名称"))


def initial_basis_input() -> EvaluationInput:
    """The small form whose budget cells are its 年初预算数 (header C3): no 全年预算数 column."""
    return replace(make_input(), budget_basis=Cell(BUDGET_SHEET, "C3", "年初预算数"))
