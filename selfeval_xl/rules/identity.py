"""Who sent the workbook: a workbook that names no unit or no evaluation year after every fallback the
reader has is told so (docs/rules.md §13.6), on the cell that should hold it. Pure."""
from __future__ import annotations

from selfeval_xl.model import Cell, EvaluationInput
from selfeval_xl.rules.checks import Findings


def check_identity(inp: EvaluationInput, findings: Findings) -> None:
    """UNIT_UNNAMED and YEAR_UNKNOWN, each on the empty 单位名称 / 评价年度 input cell when the form has one,
    else on the sheet: a rollup can tell neither whose row it is nor which year it scores."""
    if not inp.unit_name.strip():
        _report("UNIT_UNNAMED", inp.info.get("单位名称") or inp.info.get("实施单位"), inp, findings)
    if inp.year is None:
        _report("YEAR_UNKNOWN", inp.info.get("评价年度"), inp, findings)


def _report(code: str, cell: Cell | None, inp: EvaluationInput, findings: Findings) -> None:
    sheets = [c.sheet for c in inp.info.values() if c.sheet]
    findings.near(code, cell, sheets[0] if sheets else inp.budget_sheet or inp.indicator_sheet)
