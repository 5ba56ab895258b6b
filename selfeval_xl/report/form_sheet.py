"""The one-sheet official 自评表 (docs/workbook.md §6 layout; the department form likewise),
filled from the recomputed result, to print and stamp."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from xlsxwriter.workbook import Workbook

from selfeval_xl.formatting import wrapped_height
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
    sheet = _FormSheet(wb, reading, result)
    row = sheet.heading()
    row = sheet.money_block(row)
    row = sheet.goals(row)
    row = sheet.indicators(row)
    sheet.signatures(sheet.total(row) + 2)
    sheet.page_setup()
    wb.close()
    write_atomically(target, buffer.getvalue())


# Column widths in characters of the default font (a CJK character takes two).
_WIDTHS = (10, 14, 14, 26, 13, 13, 9, 9, 30)
_LINE_POINTS = 13.5


class _FormSheet:
    """The sheet being written, block by block; each block starts at `row` and returns its last row."""

    def __init__(self, wb: Workbook, reading: Reading, result: Result) -> None:
        self.wb, self.reading, self.result = wb, reading, result
        self.ws = wb.add_worksheet("自评表")
        border = {"border": 1, "valign": "vcenter", "text_wrap": True, "font_name": "宋体", "font_size": 10}
        self.cell = wb.add_format(border)
        self.bold = wb.add_format({**border, "bold": True, "align": "center"})
        self.money = wb.add_format({**border, "num_format": "#,##0.00"})
        self.pct = wb.add_format({**border, "num_format": "0.00%"})
        self.score = wb.add_format({**border, "num_format": "0.00"})
        self.project = result.form == "project"

    def heading(self) -> int:
        ws, result = self.ws, self.result
        title = "项目支出绩效自评表" if self.project else "部门整体支出绩效自评表"
        ws.merge_range("A1:I1", title, self.wb.add_format({"bold": True, "font_size": 18, "align": "center",
                                                           "font_name": "方正小标宋简体"}))
        ws.merge_range("A2:I2", f"（{result.year or '    '}年度）", self.wb.add_format({"align": "center"}))
        row = 2
        if self.project:
            ws.write(row, 0, "项目名称", self.bold)
            ws.merge_range(row, 1, row, 8, info_text(self.reading, "项目名称"), self.cell)
            row += 1
        ws.write(row, 0, "主管部门", self.bold)
        ws.merge_range(row, 1, row, 3, info_text(self.reading, "主管部门"), self.cell)
        ws.write(row, 4, "实施单位" if self.project else "单位名称", self.bold)
        ws.merge_range(row, 5, row, 8, result.unit, self.cell)
        return row + 1

    def money_block(self, row: int) -> int:
        ws, ex = self.ws, self.result.execution
        lines = [lr for lr in ex.lines if lr.kind == "line"]
        ws.merge_range(row, 0, row + 1 + len(lines), 0,
                       f"{'项目资金' if self.project else '预算资金'}（{self.result.money_unit}）", self.bold)
        ws.write_row(row, 1, ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", ""], self.bold)
        row += 1
        ws.write(row, 1, "年度资金总额" if self.project else "合计", self.cell)
        for col, value in ((2, sum((lr.initial or 0 for lr in lines), Decimal(0))), (3, ex.budget), (4, ex.executed)):
            ws.write(row, col, float(value) if value is not None else "", self.money)
        ws.write(row, 5, float(ex.weight), self.score)
        ws.write(row, 6, float(ex.rate) if ex.rate is not None else "", self.pct)
        ws.write(row, 7, float(ex.score), self.score)
        ws.write(row, 8, "", self.cell)
        for lr in lines:
            row += 1
            ws.write(row, 1, f"其中：{lr.name}" if lr is lines[0] else lr.name, self.cell)
            for col, value in ((2, lr.initial), (3, lr.budget), (4, lr.executed)):
                ws.write(row, col, float(value) if value is not None else "", self.money)
            ws.write(row, 5, "", self.cell)
            ws.write(row, 6, float(lr.rate) if lr.rate is not None else "", self.pct)
            ws.write_row(row, 7, ["", ""], self.cell)
        return row + 1

    def goals(self, row: int) -> int:
        ws = self.ws
        ws.merge_range(row, 0, row + 1, 0, "年度总体目标", self.bold)
        ws.merge_range(row, 1, row, 4, "预期目标", self.bold)
        ws.merge_range(row, 5, row, 8, "实际完成情况", self.bold)
        ws.merge_range(row + 1, 1, row + 1, 4, info_text(self.reading, "年度总体目标（预期目标）"), self.cell)
        ws.merge_range(row + 1, 5, row + 1, 8, info_text(self.reading, "年度总体目标实际完成情况"), self.cell)
        ws.set_row(row + 1, 90)
        return row + 2

    def indicators(self, row: int) -> int:
        ws = self.ws
        ws.merge_range(row, 0, row + len(self.result.indicators), 0, "绩效指标", self.bold)
        ws.write_row(row, 1, ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                              "偏差原因分析及改进措施"], self.bold)
        for ind in self.result.indicators:
            row += 1
            texts = [ind.level, ind.level2, ind.name, target_text(ind), actual_text(ind)]
            ws.write_row(row, 1, texts, self.cell)
            # Neither XlsxWriter nor LibreOffice's PDF export fits a row to wrapped text it did not lay out:
            # a long label (部分达成年度指标并具有一定效果) would run over the rows below. Sized here instead.
            ws.set_row(row, max(wrapped_height(text, width, _LINE_POINTS)
                                for text, width in [*zip(texts, _WIDTHS[1:6], strict=True), (ind.reason, _WIDTHS[8])]))
            ws.write(row, 6, float(ind.weight) if ind.weight is not None else "", self.score)
            ws.write(row, 7, float(ind.score) if ind.score is not None else "", self.score)
            ws.write(row, 8, ind.reason, self.cell)
        return row + 1

    def total(self, row: int) -> int:
        ws, result = self.ws, self.result
        ws.write(row, 0, "总分", self.bold)
        ws.merge_range(row, 1, row, 5, "", self.cell)
        # the weights as they were filled (99 when they add up to 99: the form shows what was scored against)
        weights = sum((ind.weight for ind in result.indicators if ind.weight is not None), result.execution.weight)
        ws.write(row, 6, float(weights), self.score)
        ws.write(row, 7, float(result.total), self.score)
        ws.write(row, 8, f"等级：{result.grade}{'（暂评）' if not result.valid else ''}", self.cell)
        return row

    def signatures(self, row: int) -> None:
        signer = self.reading.input.info.get("填报人")
        self.ws.write_row(row, 0, ["单位负责人：", info_text(self.reading, "单位负责人"), "", "财务负责人：",
                                   info_text(self.reading, "财务负责人"), "", "填表人：",
                                   signer.text if signer is not None else "", ""])
        self.ws.write(row + 2, 6, "（单位盖章）")
        self.ws.write(row + 3, 6, "年　　月　　日")

    def page_setup(self) -> None:
        ws = self.ws
        for col, width in enumerate(_WIDTHS):
            ws.set_column(col, col, width)
        ws.set_paper(9)
        ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")
