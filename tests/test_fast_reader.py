"""The fast cell reader (python-calamine values + targeted XML scans) reads exactly what the full
lxml walk reads, on every kind of workbook in the test corpus."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import foreign
import rich
from oneform_sample import write_one_sheet_form
from selfeval_xl.api import score
from selfeval_xl.read.cells import grid_fast, grid_full
from selfeval_xl.read.package import Package
from workbooks import edit, template_copy


def cells(grid) -> dict:
    return {key: (c.value, c.kind == "percent", c.is_formula, c.uncached, c.formula if c.uncached else None)
            for key, c in grid.cells.items()}


def assert_same(path: Path) -> int:
    package = Package(path, path.read_bytes())
    fast_sheets = 0
    for sheet in package.sheets:
        fast = grid_fast(package, sheet)
        full = grid_full(package, sheet)
        if fast is None:
            continue
        fast_sheets += 1
        assert cells(fast) == cells(full), sheet.name
        assert fast.rows(1) == full.rows(1), sheet.name  # the fast reader notes its rows as it reads them
        assert sorted(fast.merges) == sorted(full.merges), sheet.name
    return fast_sheets


def corpus(tmp_path: Path) -> list[Path]:
    paths = [template_copy(tmp_path, "示例.xlsx"), template_copy(tmp_path, "空白.xlsx", example=False),
             template_copy(tmp_path, "项目.xlsx", form="project", example=False),
             write_one_sheet_form(tmp_path / "一页.xlsx")]
    paths.append(score(paths[0], tmp_path / "评分.xlsx").output)
    variants = {
        "merged": dict(budget=foreign.BudgetLayout(category="merge", subtotals="formula"),
                       indicators=foreign.IndicatorLayout(levels="merge", actual_percent_format=True)),
        "text": dict(indicators=foreign.IndicatorLayout(numbers_as_text=True, operator_in_target=True)),
        "inline": dict(inline_strings=True),
    }
    for name, options in variants.items():
        foreign.write_workbook(tmp_path / f"{name}.xlsx", **options)
        paths.append(tmp_path / f"{name}.xlsx")
    rich.write_rich(tmp_path / "rich.xlsx", problems=True)
    paths.append(tmp_path / "rich.xlsx")
    edited = edit(template_copy(tmp_path, "公式.xlsx"), {"绩效指标": {"J6": "=100-4", "J7": "=VLOOKUP(1,A1:B2,2)"}})
    wb = openpyxl.load_workbook(edited)
    wb["绩效指标"]["J8"].value, wb["绩效指标"]["J8"].data_type = "#DIV/0!", "e"
    wb["绩效指标"]["M9"] = "原因_x000D_说明 & <核实>"
    wb.save(edited)
    paths.append(edited)
    return paths


def test_fast_reader_equals_full_walk(tmp_path: Path) -> None:
    assert sum(assert_same(path) for path in corpus(tmp_path)) > 20


@pytest.mark.libreoffice
def test_fast_reader_on_libreoffice_files(tmp_path: Path, lo_convert) -> None:
    sources = corpus(tmp_path)[:5]
    for path in lo_convert(sources, tmp_path / "lo"):
        assert assert_same(path) > 0


def test_cells_without_addresses_use_the_full_walk(tmp_path: Path) -> None:
    from selfeval_xl.api import evaluate
    path = template_copy(tmp_path, "示例.xlsx")
    assert foreign.strip_implied_refs(path) > 0
    package = Package(path, path.read_bytes())
    assert [s.name for s in package.sheets if grid_fast(package, s) is None]
    assert str(evaluate(path).total) == "98.40"


def test_a_formula_tag_spelled_with_a_line_break_is_a_formula(tmp_path: Path) -> None:
    """<f> followed by a line break or tab (well-formed XML some writers produce) is still a formula:
    the fast reader's quick test for formulas must not pass over it (an uncached one is then computed)."""
    import zipfile
    path = edit(template_copy(tmp_path, "示例.xlsx"), {"绩效指标": {"J6": "=100-4"}})
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = next(n for n, data in parts.items() if n.startswith("xl/worksheets/") and b"<f>100-4</f>" in data)
    parts[sheet] = parts[sheet].replace(b"<f>", b"<f\n>").replace(b"<f ", b"<f\t")
    spelled = tmp_path / "换行.xlsx"
    with zipfile.ZipFile(spelled, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert assert_same(spelled) > 0
    package = Package(spelled, spelled.read_bytes())
    info = next(s for s in package.sheets if s.part == sheet)
    grid = grid_fast(package, info)
    assert grid is not None and grid.get(6, 10) is not None and grid.get(6, 10).is_formula
