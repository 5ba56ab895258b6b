"""Formula results in the scored copy that their formulas do not give are dropped (docs/workbook.md §7).

A workbook saved without recalculating (Excel's manual mode, a program that wrote the values) can
store results its formulas no longer give. The scored copy keeps every formula and lets Excel, WPS
and LibreOffice compute it on opening (the copy asks for a full recalculation), but it stores no
result that contradicts its formula: so a preview never shows a stale total, and verify can hold
every stored result to its formula. Cells the scoring reads are left as they were: their values are
what was scored.
"""
from __future__ import annotations

from selfeval_xl.read.formula_results import WrongResult
from selfeval_xl.read.package import M
from selfeval_xl.write.package_edit import PackageEdit


def drop_stale_results(edit: PackageEdit, wrong: tuple[WrongResult, ...]) -> None:
    by_sheet: dict[str, set[str]] = {}
    for result in wrong:
        by_sheet.setdefault(result.sheet, set()).add(result.coord)
    for sheet, coords in by_sheet.items():
        info = edit.pkg.sheet(sheet)
        if info is None:
            continue
        root = edit.tree(info.part)
        for cell in root.iter(f"{M}c"):
            if cell.get("r") in coords:
                value = cell.find(f"{M}v")
                if value is not None:
                    cell.remove(value)
                cell.attrib.pop("t", None)
