"""The one-sheet official 项目支出绩效自评表 (workbook-contract.md §2.1)."""
from __future__ import annotations

from dataclasses import dataclass

from .model import BudgetRow, Cell


@dataclass(frozen=True)
class OneSheetForm:
    sheet: str
    info: dict[str, Cell]
    budget_rows: list[BudgetRow]
    budget_anchor: Cell | None
    money_unit: str
    typed_total: Cell | None
    indicator_start: int
    year: int | None


def read_one_sheet_form(book, indicator_table) -> OneSheetForm | None:
    return None
