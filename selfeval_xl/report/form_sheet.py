"""The one-sheet official 自评表 (docs/workbook.md §6 layout; the department form likewise),
filled from the recomputed result, to print and stamp."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from selfeval_xl.model import Result
from selfeval_xl.read.reader import Reading
from selfeval_xl.report.outline import actual_text, info_text, target_text
from selfeval_xl.write.appearance import new_workbook
from selfeval_xl.write.atomic import write_atomically


def write_form_sheet(reading: Reading, result: Result, target: Path) -> None:
    """The one-sheet 自评表 (docs/workbook.md §6 layout; the department form likewise), to print and stamp."""
    buffer = io.BytesIO()
    wb = new_workbook(buffer)
    wb.set_properties({"author": "selfeval-xl", "created": dt.datetime(2025, 1, 1)})
    ws = wb.add_worksheet("自评表")
    border = {"border": 1, "valign": "vcenter", "text_wrap": True, "font_name": "宋体", "font_size": 10}
    cell = wb.add_format(border)
    bold = wb.add_format({**border, "bold": True, "align": "center"})
    money = wb.add_format({**border, "num_format": "#,##0.00"})
    pct = wb.add_format({**border, "num_format": "0.00%"})
    score = wb.add_format({**border, "num_format": "0.00"})
    title = "部门整体支出绩效自评表" if result.form == "department" else "项目支出绩效自评表"
    ws.merge_range("A1:I1", title, wb.add_format({"bold": True, "font_size": 18, "align": "center",
                                                  "font_name": "方正小标宋简体"}))
    ws.merge_range("A2:I2", f"（{result.year or '    '}年度）", wb.add_format({"align": "center"}))
    info = reading.input.info
    row = 2
    if result.form == "project":
        ws.write(row, 0, "项目名称", bold)
        ws.merge_range(row, 1, row, 8, info_text(reading, "项目名称"), cell)
        row += 1
    ws.write(row, 0, "主管部门", bold)
    ws.merge_range(row, 1, row, 3, info_text(reading, "主管部门"), cell)
    ws.write(row, 4, "实施单位" if result.form == "project" else "单位名称", bold)
    ws.merge_range(row, 5, row, 8, result.unit, cell)
    row += 1
    ex = result.execution
    lines = [lr for lr in ex.lines if lr.kind == "line"]
    ws.merge_range(row, 0, row + 1 + len(lines), 0,
                   f"{'项目资金' if result.form == 'project' else '预算资金'}（{result.money_unit}）", bold)
    ws.write_row(row, 1, ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", ""], bold)
    row += 1
    ws.write(row, 1, "年度资金总额" if result.form == "project" else "合计", cell)
    for col, value in ((2, sum((lr.initial or 0 for lr in lines), Decimal(0))), (3, ex.budget), (4, ex.executed)):
        ws.write(row, col, float(value) if value is not None else "", money)
    ws.write(row, 5, float(ex.weight), score)
    ws.write(row, 6, float(ex.rate) if ex.rate is not None else "", pct)
    ws.write(row, 7, float(ex.score), score)
    ws.write(row, 8, "", cell)
    for lr in lines:
        row += 1
        ws.write(row, 1, f"其中：{lr.name}" if lr is lines[0] else lr.name, cell)
        for col, value in ((2, lr.initial), (3, lr.budget), (4, lr.executed)):
            ws.write(row, col, float(value) if value is not None else "", money)
        ws.write(row, 5, "", cell)
        ws.write(row, 6, float(lr.rate) if lr.rate is not None else "", pct)
        ws.write_row(row, 7, ["", ""], cell)
    row += 1
    ws.merge_range(row, 0, row + 1, 0, "年度总体目标", bold)
    ws.merge_range(row, 1, row, 4, "预期目标", bold)
    ws.merge_range(row, 5, row, 8, "实际完成情况", bold)
    ws.merge_range(row + 1, 1, row + 1, 4, info_text(reading, "年度总体目标（预期目标）"), cell)
    ws.merge_range(row + 1, 5, row + 1, 8, info_text(reading, "年度总体目标实际完成情况"), cell)
    ws.set_row(row + 1, 90)
    row += 2
    ws.merge_range(row, 0, row + len(result.indicators), 0, "绩效指标", bold)
    ws.write_row(row, 1, ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                          "偏差原因分析及改进措施"], bold)
    for ind in result.indicators:
        row += 1
        texts = [ind.level, ind.level2, ind.name, target_text(ind), actual_text(ind)]
        ws.write_row(row, 1, texts, cell)
        # Neither XlsxWriter nor LibreOffice's PDF export fits a row to wrapped text it did not lay out:
        # a long label (部分达成年度指标并具有一定效果) would run over the rows below. Sized here instead.
        ws.set_row(row, _row_height([*zip(texts, _WIDTHS[1:6], strict=True), (ind.reason, _WIDTHS[8])]))
        ws.write(row, 6, float(ind.weight) if ind.weight is not None else "", score)
        ws.write(row, 7, float(ind.score) if ind.score is not None else "", score)
        ws.write(row, 8, ind.reason, cell)
    row += 1
    ws.write(row, 0, "总分", bold)
    ws.merge_range(row, 1, row, 5, "", cell)
    # the weights as they were filled (99 when they add up to 99: the form shows what was scored against)
    weights = sum((ind.weight for ind in result.indicators if ind.weight is not None), ex.weight)
    ws.write(row, 6, float(weights), score)
    ws.write(row, 7, float(result.total), score)
    ws.write(row, 8, f"等级：{result.grade}{'（暂评）' if not result.valid else ''}", cell)
    row += 2
    signer = info.get("填报人")
    ws.write_row(row, 0, ["单位负责人：", info_text(reading, "单位负责人"), "", "财务负责人：",
                          info_text(reading, "财务负责人"), "", "填表人：",
                          signer.text if signer is not None else "", ""])
    row += 2
    ws.write(row, 6, "（单位盖章）")
    ws.write(row + 1, 6, "年　　月　　日")
    for col, width in enumerate(_WIDTHS):
        ws.set_column(col, col, width)
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    wb.close()
    write_atomically(target, buffer.getvalue())


# Column widths in characters of the default font (a CJK character takes two).
_WIDTHS = (10, 14, 14, 26, 13, 13, 9, 9, 30)
_LINE_POINTS = 13.5


def _row_height(texts: list[tuple[str, float]]) -> float:
    """Points for the tallest wrapped text of a row, at one line per column width it fills."""
    lines = 1
    for text, width in texts:
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
        lines = max(lines, -(-units // max(1, int(width) - 1)))
    return lines * _LINE_POINTS + 4
