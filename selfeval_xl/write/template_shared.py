"""The template's copied-down formulas written once per column, as shared formulas.

The live score and its four helper columns repeat one long formula per row, differing only in the
row: written out in every row they were three quarters of the 绩效指标 sheet's 362 KB, which every
reading of a filled template parses (and the rollup reads hundreds). A shared formula (ECMA-376
§18.3.1.40) keeps the text in the column's first cell and has the others refer to it; Excel, WPS
and LibreOffice read each cell's formula as the first one moved to its row, which is exactly the
formula the template would have written there (a test holds every row to that, with openpyxl's
translator as the oracle). Each cell keeps its own stored result.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from selfeval_xl import layout as L
from selfeval_xl.read.package import Package
from selfeval_xl.write.template_formulas import CALC_COL, HELPER_COL, indicator_rows


def share_copied_formulas(data: bytes, form: str) -> bytes:
    """The template package `data` with the indicator sheet's score and helper columns shared."""
    package = Package(Path("template.xlsx"), data)
    info = package.sheet(L.SHEET_INDICATORS)
    assert info is not None, "the template always has its indicator sheet"
    sheet = package.read(info.part)
    first, last = indicator_rows(form)
    for index, letter in enumerate((CALC_COL, *HELPER_COL.values())):
        sheet = _share_column(sheet, letter, first, last, index)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, sheet if item.filename == info.part else source.read(item.filename))
    return out.getvalue()


def _share_column(sheet: bytes, letter: str, first: int, last: int, index: int) -> bytes:
    pattern = re.compile(rb'(<c r="' + letter.encode() + rb'(\d+)"[^>]*>)<f>[^<]*</f>')

    def shared(m: re.Match[bytes]) -> bytes:
        row = int(m.group(2))
        if not first <= row <= last:
            return m.group(0)
        if row == first:
            return m.group(0).replace(b"<f>", f'<f t="shared" ref="{letter}{first}:{letter}{last}" si="{index}">'
                                      .encode(), 1)
        return m.group(1) + f'<f t="shared" si="{index}"/>'.encode()

    return pattern.sub(shared, sheet)
