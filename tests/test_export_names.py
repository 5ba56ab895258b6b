"""The words of the provinces' system exports (docs/workbook.md §4, §8): 预期指标值, 单项指标实际完成值, 符号,
指标分值, 项目总得分 and 效果指标 read as the tool's own labels; a more specific label beats a bare word of the
same meaning; a 其中 cell merged beside the budget lines is no name. Numbers worked by hand in the comments."""
from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from selfeval_xl.api import evaluate
from selfeval_xl.read.profiles import builtin_profile
from selfeval_xl.read.reader import read

# The export as a province's system prints it (one sheet, columns A–K):
#   1  项目支出绩效自评表        2  （2025年度）
#   3  项目名称 | 县道养护工程      4  主管部门 | 县交通运输局 | 实施单位 | 县公路管理站
#   5  项目资金（万元）(A5:A8) | B5:C5 blank | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
#   6     年度资金总额 (B6:C6)          200 | 200 | 190 | 10 | | 9.5
#   7     其中 (B7:B8 merged) | 当年财政拨款  150 | 150 | 145
#   8                         | 上年结转资金   50 |  50 |  45
#   9  年度总体目标 | 预期目标 | 实际完成情况      10  the two texts
#  11  绩效指标 | 一级指标 | 二级指标 | 三级指标 | 符号 | 预期指标值 | 计量单位 | 单项指标实际完成值 | 指标分值 |
#      得分 | 偏差原因分析及改进措施
#  12–15 the indicators (效果指标 for 效益指标), 16  项目总得分 | … | 93.5 in the 得分 column
EXPORT_ROWS = (
    # row, 一级, 二级, 三级, 符号, 预期指标值, 单位, 实际完成值, 指标分值, 得分, 原因
    (12, "产出指标", "数量指标", "道路养护里程", "≥", 120, "公里", 126, 30, 30, None),
    (13, None, "质量指标", "养护路段优良率", "≥", 95, "%", 95, 20, 20, None),
    (14, "效果指标", "社会效益指标", "群众出行时间缩短", "≥", 10, "分钟", 8, 30, 24, "两段便道施工，年底完工"),
    (15, "满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥", 90, "%", 92, 10, 10, None),
)


def export_form(path: Path, *, typed_total: float = 93.5) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    ws.write("A1", "项目支出绩效自评表")
    ws.write("A2", "（2025年度）")
    ws.write_row("A3", ["项目名称", "县道养护工程"])
    ws.write_row("A4", ["主管部门", "县交通运输局", None, "实施单位", "县公路管理站"])
    ws.merge_range("A5:A8", "项目资金（万元）")
    ws.merge_range("B5:C5", "")
    ws.write_row("D5", ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.merge_range("B6:C6", "年度资金总额")
    ws.write_row("D6", [200, 200, 190, 10])
    ws.write("I6", 9.5)
    ws.merge_range("B7:B8", "其中")
    ws.write_row("C7", ["当年财政拨款", 150, 150, 145])
    ws.write_row("C8", ["上年结转资金", 50, 50, 45])
    ws.write_row("A9", ["年度总体目标", "预期目标", None, None, None, "实际完成情况"])
    ws.write_row("A10", [None, "养护县道120公里", None, None, None, "养护县道126公里"])
    ws.write_row("A11", ["绩效指标", "一级指标", "二级指标", "三级指标", "符号", "预期指标值", "计量单位",
                         "单项指标实际完成值", "指标分值", "得分", "偏差原因分析及改进措施"])
    for row, *values in EXPORT_ROWS:
        for col, value in enumerate(values, start=1):
            if value is not None:
                ws.write(row - 1, col, value)
    ws.write("A16", "项目总得分")
    ws.write("J16", typed_total)
    wb.close()
    return path


# Hand-worked under mof-project (产出 50, 效益 30, 满意度 10, 预算执行率 10 按比例), the split the form prints:
#   money: 全年预算数 150 + 50 = 200, 全年执行数 145 + 45 = 190 (the typed total line agrees);
#          rate 190 / 200 = 0.95; execution 10 × 0.95 = 9.50.
#   row 12 126 ≥ 120 → 30.00        row 13 95 ≥ 95 → 20.00           产出 30 + 20 = 50.00
#   row 14 效果指标 = 效益指标: 8 of 10 → 30 × 8 / 10 = 24.00 (reason given)       效益 24.00
#   row 15 92 ≥ 90 → 10.00                                                          满意度 10.00
#   total 9.50 + 50.00 + 24.00 + 10.00 = 93.50 → 优 (≥ 90); the typed 项目总得分 93.5 agrees.
def test_an_export_named_table_scores(tmp_path: Path) -> None:
    data = evaluate(export_form(tmp_path / "导出.xlsx")).to_json()
    # no profile named: the export's own weights, said in the label (docs/rules.md §14)
    assert (data["profile"], data["form"], data["money_unit"]) == ("mof-project（按表内分值）", "project", "万元")
    assert data["execution"] == {"budget": "200.00", "executed": "190.00", "rate": "0.9500", "weight": "10",
                                 "score": "9.50"}
    assert [(lv["name"], lv["weight"], lv["score"]) for lv in data["levels"]] == [
        ("产出指标", "50", "50.00"), ("效益指标", "30", "24.00"), ("满意度指标", "10", "10.00")]
    assert [(i["row"], i["score"]) for i in data["indicators"]] == [
        (12, "30.00"), (13, "20.00"), (14, "24.00"), (15, "10.00")]
    assert data["checks"] == []
    assert (data["total"], data["grade"], data["valid"]) == ("93.50", "优", True)


def test_the_typed_project_total_is_compared(tmp_path: Path) -> None:
    # 项目总得分 is the typed 总分: 95 against the recomputed 93.50 differs by 1.50 > 0.01.
    result = evaluate(export_form(tmp_path / "导出.xlsx", typed_total=95))
    assert [(f.code, f.cell) for f in result.checks] == [("TOTAL_MISMATCH", "J16")]


def test_a_qizhong_cell_merged_beside_the_lines_is_not_a_name(tmp_path: Path) -> None:
    reading = read(export_form(tmp_path / "导出.xlsx"))
    lines = [(r.row, r.name, r.kind) for r in reading.input.budget_rows]
    assert lines == [(6, "年度资金总额", "total"), (7, "当年财政拨款", "line"), (8, "上年结转资金", "line")]


def test_a_qizhong_cell_on_a_budget_sheet(tmp_path: Path) -> None:
    """The same on a separate 预算执行 sheet: 名称 merged over A:B, 其中 in A4:A5, the names in B."""
    path = tmp_path / "部门.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    b = wb.add_worksheet("预算执行")
    b.merge_range("A1:B1", "名称")
    b.write_row("C1", ["全年预算数", "全年执行数"])
    b.merge_range("A2:B2", "基本支出")
    b.write_row("C2", [100, 100])
    b.merge_range("A3:B3", "项目支出")
    b.write_row("C3", [60, 54])
    b.merge_range("A4:A5", "其中：")
    b.write_row("B4", ["道路养护", 40, 36])
    b.write_row("B5", ["环境整治", 20, 18])
    b.merge_range("A6:B6", "合计")
    b.write_row("C6", [160, 154])
    _indicator_sheet(wb, ["一级指标", "三级指标", "年度指标值", "实际完成值", "分值"],
                     [["产出指标", "培训人次", 100, 100, 40], ["效益指标", "就业率", 90, 90, 40],
                      ["满意度指标", "满意度", 90, 90, 10]])
    wb.close()
    rows = [(r.row, r.name, r.kind) for r in read(path, "hebei-dept").input.budget_rows]
    # 基本支出 / 项目支出 carry amounts: the groups' subtotals; 其中 names no line, B4 and B5 do.
    assert (4, "道路养护", "line") in rows and (5, "环境整治", "line") in rows
    assert not any(name.startswith("其中") for _, name, _ in rows)


def _indicator_sheet(wb: xlsxwriter.Workbook, header: list[str], rows: list[list[object]],
                     name: str = "绩效指标") -> None:
    ws = wb.add_worksheet(name)
    ws.write_row(0, 0, header)
    for i, values in enumerate(rows, start=1):
        for j, value in enumerate(values):
            if value is not None:
                ws.write(i, j, value)


def _columns(tmp_path: Path, header: list[str], row: list[object]) -> dict[str, str]:
    """{meaning: the header cell read as it} of a two-sheet form whose indicator header is `header`."""
    path = tmp_path / "表.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    b = wb.add_worksheet("预算执行")
    b.write_row(0, 0, ["名称", "全年预算数", "全年执行数"])
    b.write_row(1, 0, ["办公经费", 100, 100])
    _indicator_sheet(wb, ["一级指标", *header], [["产出指标", *row]])
    wb.close()
    return {c.meaning: c.header for c in read(path, "hebei-dept").columns if c.table != "预算执行表"}


@pytest.mark.parametrize(("header", "meaning", "cell"), [
    # a bare word left of the column's own label: the own label wins
    (["三级指标", "年度指标值", "完成值", "实际完成值", "分值"], "实际完成值", "E1"),
    (["三级指标", "年度指标值", "实际完成值", "权重", "分值"], "分值", "F1"),
    # a bare word left of a synonym: the synonym wins
    (["三级指标", "年度指标值", "完成值", "单项指标实际完成值", "分值"], "实际完成值", "E1"),
    (["三级指标", "年度指标值", "实际完成值", "权重", "指标分值"], "分值", "F1"),
    (["三级指标", "指标值", "预期指标值", "实际完成值", "分值"], "年度指标值", "D1"),
    (["三级指标", "符号", "运算符", "年度指标值", "实际完成值", "分值"], "比较方式", "D1"),
    # alone, the bare word is read
    (["三级指标", "年度指标值", "完成值", "权重"], "分值", "E1"),
])
def test_the_more_specific_label_wins(tmp_path: Path, header: list[str], meaning: str, cell: str) -> None:
    columns = _columns(tmp_path, header, ["培训人次", *([None] * (len(header) - 1))])
    assert columns[meaning] == cell


def test_a_percentage_weight_beside_the_points_is_not_the_weight(tmp_path: Path) -> None:
    """权重 (a share, 0.4) printed left of 指标分值 (points): each indicator is scored on its points."""
    path = tmp_path / "表.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    b = wb.add_worksheet("预算执行")
    b.write_row(0, 0, ["名称", "全年预算数", "全年执行数"])
    b.write_row(1, 0, ["办公经费", 100, 100])
    _indicator_sheet(wb, ["一级指标", "三级指标", "预期指标值", "完成值", "权重", "指标分值"],
                     [["产出指标", "培训人次", 100, 100, 0.4, 40], ["效果指标", "就业率", 90, 90, 0.4, 40],
                      ["满意度指标", "满意度", 90, 90, 0.1, 10]])
    wb.close()
    # hebei-dept: 产出 40, 效益 40, 满意度 10, 执行率 10; rate 100 / 100 = 1 → 10.00;
    # every target met → 40 + 40 + 10 + 10 = 100.00. 效果指标 counts with 效益指标.
    data = evaluate(path, "hebei-dept").to_json()
    assert [(i["row"], i["score"]) for i in data["indicators"]] == [(2, "40.00"), (3, "40.00"), (4, "10.00")]
    assert [(lv["name"], lv["score"]) for lv in data["levels"]] == [
        ("产出指标", "40.00"), ("效益指标", "40.00"), ("满意度指标", "10.00")]
    assert data["total"] == "100.00"


@pytest.mark.parametrize("name", ["hebei-dept", "mof-project", "sichuan-project"])
def test_effect_is_the_benefit_level_in_every_three_level_profile(name: str) -> None:
    profile = builtin_profile(name)
    level = profile.first_level("三、效果指标（30分）")
    assert level == "效果指标" and profile.counted_level(level) == "效益指标"


def test_effect_is_the_benefit_category_under_mof_4level() -> None:
    # 效果 measures what the fourth category 效益 holds (项目效益, 满意度), never 产出's quantities.
    profile = builtin_profile("mof-4level")
    level = profile.first_level("效果指标")
    assert level == "效果" and profile.counted_level(level) == "效益"
