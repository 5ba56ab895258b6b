"""The 评分汇总 sheet lists every indicator: the tool's score beside the weight and the filler's own
score, each name linked to its row (issue: the accountant should not need the JSON)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from selfeval_xl.api import score
from workbooks import edit, indicator_cells, row_where, template_copy


def indicator_rows(path: Path) -> tuple[openpyxl.Workbook, list[tuple], list[str | None]]:
    wb = openpyxl.load_workbook(path)
    ws = wb["评分汇总"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "工作分项")
    rows, links = [], []
    for r in range(header + 1, ws.max_row + 1):
        if ws.cell(r, 2).value is None:
            break
        rows.append(tuple(ws.cell(r, c).value for c in range(1, 9)))
        link = ws.cell(r, 2).hyperlink
        links.append(link.location if link is not None else None)
    return wb, rows, links


def test_every_indicator_listed_with_its_recomputed_score(tmp_path: Path) -> None:
    filled = template_copy(tmp_path)
    scored = tmp_path / "scored.xlsx"
    score(filled, scored)
    wb, rows, links = indicator_rows(scored)
    # the worked example has 16 indicators (docs/rules.md §9)
    assert len(rows) == 16
    by_name = {(r[0], r[1]): r for r in rows}
    # worked by hand: 96 / 100 × 4 = 3.84; 85 / 90 × 15 = 14.1666… → 14.17; 88 / 90 × 2 = 1.9555… → 1.96
    assert by_name[("综合行政执法工作", "监督工作任务完成率")][2:6] == (4, "100%", "96%", 3.84)
    assert by_name[("信访工作", "上访劝返率")][2:6] == (15, "90%", "85%", 14.17)
    assert by_name[("农林水工作", "群众满意度")][5] == 1.96
    # no self-score typed in the example: both columns say so rather than showing 0
    assert all(r[6] == "—" and r[7] == "—" for r in rows)
    # each link leads to the cell that holds that indicator's name
    for row, location in zip(rows, links, strict=True):
        assert location is not None
        sheet, cell = location.split("!")
        assert wb[sheet.strip("'")][cell].value == row[1]


def test_self_score_and_difference_shown(tmp_path: Path) -> None:
    filled = template_copy(tmp_path)
    wb = openpyxl.load_workbook(filled)
    ws = wb["绩效指标"]
    header, col = indicator_cells(ws, "自评得分", "三级指标")
    score_col = col["自评得分"]
    target_row = row_where(ws, header, col["三级指标"], "上访劝返率")
    edit(filled, {"绩效指标": {f"{score_col}{target_row}": 14}})
    scored = tmp_path / "scored.xlsx"
    score(filled, scored)
    _, rows, _ = indicator_rows(scored)
    row = next(r for r in rows if r[1] == "上访劝返率")
    # typed 14 against the recomputed 14.17: the difference is 14 − 14.17 = −0.17
    assert row[5:8] == (14.17, 14, -0.17)
    assert Decimal(str(row[7])) == Decimal("-0.17")
