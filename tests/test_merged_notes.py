"""A finding on a cell hidden inside a merged range is marked on the range's visible top-left cell
(docs/workbook.md §7): that is the only cell a reader sees and can open a note on. The finding itself,
in the JSON and on 评分汇总, still names the cell it is about, and so does the note's line."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import xlsxwriter

from selfeval_xl.api import evaluate, evaluate_reading, score
from selfeval_xl.model import Finding
from selfeval_xl.write.appearance import NOTE_MARKER
from selfeval_xl.write.scored_copy import write_scored


def form(path: Path, *, merge_weights: bool = False) -> Path:
    """预算执行 100 / 100; 绩效指标 with 三级指标 in B (B6:B8 merged over three lines of one task) and the
    weights in E."""
    wb = xlsxwriter.Workbook(str(path))
    b = wb.add_worksheet("预算执行")
    b.write_row(0, 0, ["名称", "全年预算数", "全年执行数"])
    b.write_row(1, 0, ["办公经费", 100, 100])
    ws = wb.add_worksheet("绩效指标")
    ws.write_row(4, 0, ["一级指标", "三级指标", "年度指标值", "实际完成值", "分值"])
    ws.write_row(5, 0, ["产出指标"])
    ws.merge_range("B6:B8", "培训人次")
    ws.write_row(5, 2, [100, 100, 20])
    ws.write_row(6, 2, [100, 100, 10])
    ws.write_row(7, 2, [100, 100, 10])
    if merge_weights:
        ws.merge_range("E8:E9", 10)  # E9 hidden under E8: the 就业率 row's weight reads as missing
    ws.write_row(8, 0, ["效益指标", "就业率", 90, 90])
    if not merge_weights:
        ws.write(8, 4, 40)
    ws.write_row(9, 0, ["满意度指标", "满意度", 90, 90, 10])
    wb.close()
    return path


def _note(ws: openpyxl.worksheet.worksheet.Worksheet, ref: str) -> str:
    comment = ws[ref].comment
    return "" if comment is None else comment.text


def test_a_finding_on_a_hidden_cell_is_noted_on_the_range_top_left(tmp_path: Path) -> None:
    reading, result = evaluate_reading(form(tmp_path / "表.xlsx"), "hebei-dept")
    finding = Finding("VALUE_MISSING", "error", "绩效指标", "B7", "三级指标未填写。")
    result = dataclasses.replace(result, checks=(finding,))
    out = tmp_path / "表.scored.xlsx"
    write_scored(reading, result, out)
    ws = openpyxl.load_workbook(out)["绩效指标"]
    assert NOTE_MARKER in _note(ws, "B6")
    assert "错误 VALUE_MISSING（B7）：三级指标未填写。" in _note(ws, "B6")
    assert _note(ws, "B7") == "" and _note(ws, "B8") == ""
    assert ws["B6"].fill.fgColor.rgb == "FFFFC7CE"  # the error fill on the cell a reader sees


def test_a_finding_on_a_visible_cell_keeps_its_plain_note(tmp_path: Path) -> None:
    reading, result = evaluate_reading(form(tmp_path / "表.xlsx"), "hebei-dept")
    finding = Finding("VALUE_MISSING", "error", "绩效指标", "B6", "三级指标未填写。")
    write_scored(reading, dataclasses.replace(result, checks=(finding,)), tmp_path / "o.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx")["绩效指标"]
    assert "错误 VALUE_MISSING：三级指标未填写。" in _note(ws, "B6")


def test_a_real_finding_under_a_merged_weight(tmp_path: Path) -> None:
    """E8:E9 merged holding 10: row 9's weight is the hidden E9, so its finding is noted on E8, names E9,
    and scoring again replaces the note instead of adding a second one."""
    path = form(tmp_path / "表.xlsx", merge_weights=True)
    result = evaluate(path, "hebei-dept")
    on_e9 = [f for f in result.checks if f.cell == "E9"]
    assert on_e9, result.checks  # the JSON names the hidden cell
    scored = score(path, profile="hebei-dept").output
    ws = openpyxl.load_workbook(scored)["绩效指标"]
    assert all(f"{f.code}（E9）" in _note(ws, "E8") for f in on_e9)
    assert _note(ws, "E9") == ""
    again = score(scored, profile="hebei-dept").output
    assert again == scored
    assert _note(openpyxl.load_workbook(again)["绩效指标"], "E8").count(NOTE_MARKER) == 1
