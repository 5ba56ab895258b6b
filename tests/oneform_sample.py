"""A one-sheet official 项目支出绩效自评表 (财预〔2020〕10号 附件1 style), written with XlsxWriter."""
from __future__ import annotations

from pathlib import Path

import xlsxwriter

# (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因)
INDICATORS = (
    ("产出指标（50分）", "数量指标", "指标1：新建村级文化活动室", "≥2栋", "2栋", 20, 20, ""),
    ("", "质量指标", "指标2：验收合格率", "=100%", "100%", 15, 15, ""),
    ("", "成本指标", "指标3：项目总成本", "≤43.2万元", "41.5万元", 15, 15, ""),
    ("效益指标（30分）", "社会效益指标", "指标1：受益群众人数", "≥3000人", "2700人", 30, 27,
     "部分村民外出务工，参与人数略低于预期"),
    ("满意度指标（10分）", "服务对象满意度指标", "指标1：群众满意度", "≥90%", "95%", 10, 10, ""),
)


def write_one_sheet_form(path: Path, *, money_unit: str = "万元", total_row_values=(43.2, 43.2, 41.5),
                         typed_total: float | None = 96.61, printed_weight: object = 10,
                         lines=(("其中：当年财政拨款", 43.2, 43.2, 41.5), ("上年结转资金", None, None, None),
                                ("其他资金", None, None, None))) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Sheet1")
    bold = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    cell = wb.add_format({"border": 1, "text_wrap": True})
    ws.merge_range("A1:I1", "项目支出绩效自评表", wb.add_format({"bold": True, "font_size": 16, "align": "center"}))
    ws.merge_range("A2:I2", "（2025年度）", wb.add_format({"align": "center"}))
    ws.write("A3", "项目名称", bold)
    ws.merge_range("B3:I3", "南障城镇红色美丽村庄试点文化活动室建设", cell)
    ws.write("A4", "主管部门", bold)
    ws.merge_range("B4:D4", "井陉县人民政府", cell)
    ws.write("E4", "实施单位", bold)
    ws.merge_range("F4:I4", "井陉县南障城镇人民政府", cell)
    first = 5
    n_rows = 1 + len(lines)
    ws.merge_range(first - 1, 0, first - 1 + n_rows, 0, f"项目资金（{money_unit}）", bold)
    ws.write_row(first - 1, 1, ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], bold)
    budget, executed = total_row_values[1], total_row_values[2]
    ws.write_string(first, 1, "年度资金总额", cell)
    for i, value in enumerate(total_row_values):
        ws.write_number(first, 2 + i, value, cell)
    ws.write(first, 5, printed_weight, cell)
    ws.write_string(first, 6, f"{executed / budget:.2%}", cell)
    ws.write_number(first, 7, round(10 * executed / budget, 2), cell)
    for j, (name, a, b, c) in enumerate(lines, start=1):
        ws.write_string(first + j, 1, name, cell)
        for i, value in enumerate((a, b, c)):
            if value is not None:
                ws.write_number(first + j, 2 + i, value, cell)
    goals = first + n_rows
    ws.merge_range(goals, 0, goals + 1, 0, "年度总体目标", bold)
    ws.merge_range(goals, 1, goals, 4, "预期目标", bold)
    ws.merge_range(goals, 5, goals, 8, "实际完成情况", bold)
    ws.merge_range(goals + 1, 1, goals + 1, 4, "建成村级文化活动室2栋，服务周边群众", cell)
    ws.merge_range(goals + 1, 5, goals + 1, 8, "已建成2栋并投入使用", cell)
    header = goals + 2
    ws.merge_range(header, 0, header + len(INDICATORS), 0, "绩效指标", bold)
    ws.write_row(header, 1, ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                             "偏差原因分析及改进措施"], bold)
    for k, row in enumerate(INDICATORS, start=1):
        for i, value in enumerate(row):
            if isinstance(value, str) and value:
                ws.write_string(header + k, 1 + i, value, cell)  # "=100%" is text here, not a formula
            elif value != "":
                ws.write_number(header + k, 1 + i, value, cell)
    total = header + len(INDICATORS) + 1
    ws.write(total, 0, "总分", bold)
    ws.write(total, 6, 100, cell)
    if typed_total is not None:
        ws.write(total, 7, typed_total, cell)
    wb.close()
    return path
