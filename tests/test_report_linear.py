"""The report draft grows in proportion to the indicators: a 3,000-indicator form drafts in seconds
(benchmarks/run.py measures it), because no table cell is looked up by position."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import docx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import large_workbook  # noqa: E402

from selfeval_xl import api  # noqa: E402


def test_the_report_writer_never_looks_a_cell_up_by_position() -> None:
    """python-docx's table.cell(r, c) walks the whole table each time: quadratic in the rows."""
    tree = ast.parse((ROOT / "selfeval_xl" / "report" / "docx.py").read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in ("cell", "row_cells", "column_cells")]
    assert calls == []


def test_a_large_form_drafts_a_report_with_every_indicator(tmp_path: Path) -> None:
    """600 indicators (a fifth of the benchmark's form): every one a row of the indicator table, with its
    own font, and the header row first."""
    source = large_workbook(tmp_path / "大表.xlsx", indicators=600, lines=200)
    out = tmp_path / "报告.docx"
    api.report(str(source), out)
    tables = [t for t in docx.Document(str(out)).tables if t.rows[0].cells[1].text == "三级指标"]
    assert sum(len(t.rows) - 1 for t in tables) == 600  # each table headed, one row per indicator
    last = tables[-1].rows[-1]._tr.tc_lst[0]
    assert last.xpath(".//w:rFonts/@w:eastAsia")  # the body font reached the last row
