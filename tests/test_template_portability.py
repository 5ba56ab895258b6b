"""The template stays inside what Excel 2010, WPS and LibreOffice all compute and render."""
from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl.formula.translate import Translator

from selfeval_xl.api import make_template
from selfeval_xl.read.profiles import builtin_profile
from selfeval_xl.write.template_formulas import (
    CALC_COL,
    HELPER_COL,
    HELPERS,
    IND_COL,
    INDICATOR_ROWS,
    LINE_ROWS,
    budget_rows,
    helper_formula,
    indicator_rows,
    indicator_score_formula,
)

# Functions every one of Excel 2010, WPS Spreadsheets and LibreOffice Calc computes the same way.
ALLOWED = {"IF", "AND", "OR", "NOT", "ISNUMBER", "ISERROR", "SEARCH", "LEFT", "SUBSTITUTE", "TRIM", "VALUE", "MIN",
           "MAX", "ROUND", "SUM", "SUMIF", "N"}
FUNCTION = re.compile(r"([A-Z][A-Z0-9.]*)\(")


CELL_FORMULA = re.compile(r'<c r="([A-Z]+\d+)"[^>]*>(?:<f>([^<]*)</f>|<f t="shared" ref="[^"]*" si="(\d+)">([^<]*)</f>'
                          r'|<f t="shared" si="(\d+)"/>)')


def cell_formulas(path: Path) -> dict[tuple[str, str], str]:
    """(part, cell) → the cell's formula as written (XML-escaped), a shared formula's other cells given
    their own: the first cell's formula moved there by openpyxl's translator (the oracle)."""
    found: dict[tuple[str, str], str] = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.startswith("xl/worksheets/"):
                continue
            masters: dict[str, tuple[str, str]] = {}
            for ref, plain, si, shared, child in CELL_FORMULA.findall(z.read(name).decode("utf-8")):
                if si:
                    masters[si] = (ref, shared)
                    found[(name, ref)] = shared
                elif child:
                    origin, text = masters[child]
                    moved = Translator("=" + html.unescape(text), origin=origin).translate_formula(ref)[1:]
                    found[(name, ref)] = moved.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                else:
                    found[(name, ref)] = plain
    return found


def formulas(path: Path) -> list[str]:
    return list(cell_formulas(path).values())


@pytest.fixture(scope="module", params=[("department", "hebei-dept", True), ("project", "mof-project", False),
                                        ("project", "sichuan-project", False)])
def template(request, tmp_path_factory) -> Path:
    form, profile, example = request.param
    path = tmp_path_factory.mktemp("tpl") / f"{form}-{profile}.xlsx"
    make_template(path, form=form, profile=profile, example=example)
    return path


def test_only_portable_functions(template: Path) -> None:
    used = {name for f in formulas(template) for name in FUNCTION.findall(f.replace("&quot;", '"'))}
    assert used and used <= ALLOWED, sorted(used - ALLOWED)


def test_no_inline_validation_lists(template: Path) -> None:
    with zipfile.ZipFile(template) as z:
        sheets = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
    sources = re.findall(r"<formula1>(.*?)</formula1>", sheets)
    assert sources and all(not s.startswith("&quot;") and not s.startswith('"') for s in sources)
    assert all(len(s) < 255 for s in sources)


def test_dropdown_values_never_start_like_a_formula(template: Path) -> None:
    from selfeval_xl import layout as L
    for value in (*L.OPERATOR_CHOICES, *L.NATURES, *L.UNIT_CHOICES):
        assert not value.startswith(("=", "+", "-"))


def test_formulas_cover_the_whole_input_block(template: Path) -> None:
    """Rows inserted anywhere inside the pre-formatted block stay inside every range."""
    text = " ".join(formulas(template))
    for form in ("department", "project"):
        if form in template.name:
            rows = budget_rows(form)
            assert f"$D${rows.first_line}:$D${rows.last_line}" in text
            first, last = indicator_rows(form)
            score_formulas = [f for f in formulas(template)
                              if f.startswith(f"IF(OR(NOT(ISNUMBER(${HELPER_COL['weight']}")]
            assert len(score_formulas) == INDICATOR_ROWS[form] == last - first + 1
            assert rows.last_line - rows.first_line + 1 == LINE_ROWS[form]
            assert "$C:$C" in text and "$N:$N" in text  # level sums read whole columns
            for key in HELPER_COL:  # every row has its helper formulas too
                assert len([f for f in formulas(template)
                            if f"(${IND_COL[key]}{first})" in f or f"${IND_COL[key]}{first}," in f]) >= 1


def test_each_row_of_a_shared_column_reads_as_the_formula_written_for_it(template: Path) -> None:
    """The score and helper columns are shared formulas (write/template_shared.py): every row's formula,
    moved there from the column's first cell by openpyxl's translator, is the one the template's
    formula functions write for that row."""
    form = "department" if "department" in template.name else "project"
    first, last = indicator_rows(form)
    found = {ref: html.unescape(text) for (part, ref), text in cell_formulas(template).items()
             if part.endswith("sheet4.xml")}
    profile = builtin_profile(template.stem.split("-", 1)[1])
    digits, rate_row = profile.digits, not profile.execution_weight  # as the template writer decides
    for row in range(first, last + 1):
        assert found[f"{CALC_COL}{row}"] == indicator_score_formula(row, digits)[1:]
        for key in HELPERS:
            assert found[f"{HELPER_COL[key]}{row}"] == helper_formula(key, row, rate_row)[1:], (key, row)
    with zipfile.ZipFile(template) as z:
        sheet = z.read("xl/worksheets/sheet4.xml")
    assert sheet.count(b'<f t="shared" si="') == 5 * (last - first)  # written once per column, not per row
