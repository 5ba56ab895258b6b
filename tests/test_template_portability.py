"""The template stays inside what Excel 2010, WPS and LibreOffice all compute and render."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from selfeval_xl.api import make_template
from selfeval_xl.write.template_formulas import (
    HELPER_COL,
    IND_COL,
    INDICATOR_ROWS,
    LINE_ROWS,
    budget_rows,
    indicator_rows,
)

# Functions every one of Excel 2010, WPS Spreadsheets and LibreOffice Calc computes the same way.
ALLOWED = {"IF", "AND", "OR", "NOT", "ISNUMBER", "ISERROR", "SEARCH", "LEFT", "SUBSTITUTE", "TRIM", "VALUE", "MIN",
           "MAX", "ROUND", "SUM", "SUMIF", "N"}
FUNCTION = re.compile(r"([A-Z][A-Z0-9.]*)\(")


def formulas(path: Path) -> list[str]:
    found = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                found += re.findall(r"<f>(.*?)</f>", z.read(name).decode("utf-8"))
    return found


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
