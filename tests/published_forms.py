"""A gallery of published 自评表 layouts (docs/workbook.md §8), written cell by cell as provinces print
them, never through the tool's template. One builder per layout family; each writes a workbook and
sits next to its EXPECTED record, whose numbers were worked out by hand from the specification
(docs/rules.md, docs/workbook.md) and are shown in the comment above it.

Rows and cells below are 1-based spreadsheet rows / A1 references, as a person reads the printout.
Where the specification leaves a case open, the choice made is written as "Choice:" in a comment.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.styles import Alignment, Border, Font, Side
from xlsxwriter.utility import xl_cell_to_rowcol


@dataclass(frozen=True)
class Expected:
    """What the specification says a layout scores. Strings are the JSON strings of Result.to_json()."""

    profile: str
    form: str
    total: str
    grade: str
    valid: bool
    execution: dict[str, str | None]
    levels: list[tuple[str, str | None, str]]  # (name, weight, score)
    indicators: list[tuple[int, str | None]]  # (row, score) for every indicator row, in sheet order
    codes: frozenset[str]  # the exact set of check codes
    skipped: frozenset[tuple[str, int]]  # (sheet, row)
    exit_code: int
    money_unit: str
    year: int | None = None
    unit: str | None = None
    cells: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (code, cell) that must be present
    cli_args: tuple[str, ...] = ()  # extra arguments for `check` (e.g. --profile)


# --- XlsxWriter helpers -----------------------------------------------------------------------------

class _Sheet:
    """A thin writer: put("B6", value) writes text as text (never a formula), numbers as numbers."""

    def __init__(self, wb: xlsxwriter.Workbook, name: str) -> None:
        self.wb = wb
        self.ws = wb.add_worksheet(name)
        self.cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter", "font_name": "宋体"})
        self.head = wb.add_format({"border": 1, "bold": True, "text_wrap": True, "align": "center",
                                   "valign": "vcenter", "font_name": "宋体"})
        self.title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "方正小标宋简体"})
        self.pct = wb.add_format({"border": 1, "num_format": "0.00%"})

    def put(self, ref: str, value: object, fmt: object = None) -> None:
        row, col = xl_cell_to_rowcol(ref)
        fmt = fmt or self.cell
        if value is None:
            self.ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            self.ws.write_string(row, col, value, fmt)
        else:
            self.ws.write_number(row, col, value, fmt)

    def merge(self, span: str, value: object, fmt: object = None) -> None:
        first, last = span.split(":")
        r1, c1 = xl_cell_to_rowcol(first)
        r2, c2 = xl_cell_to_rowcol(last)
        fmt = fmt or self.head
        if isinstance(value, str):
            self.ws.merge_range(r1, c1, r2, c2, value, fmt)
        else:
            self.ws.merge_range(r1, c1, r2, c2, "", fmt)
            self.put(first, value, fmt)

    def row(self, row: int, first_col: str, values: tuple[object, ...] | list[object], fmt: object = None) -> None:
        start = xl_cell_to_rowcol(f"{first_col}1")[1]
        for i, value in enumerate(values):
            if value is not None:
                ref = f"{_col(start + i)}{row}"
                self.put(ref, value, fmt)


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


# =====================================================================================================
# (a) The one-sheet 项目支出绩效自评表, Hebei / Ningxia print (财预〔2020〕10号 附件1 style)
# =====================================================================================================
#
# Layout (columns A–K):
#   1  项目支出绩效自评表 (merged A1:K1)            2  （2025年度）
#   3  项目名称 | 县农村供水保障工程                 4  主管部门 | 县水利局 | 实施单位 | 县农村供水管理站
#   5  项目资金（万元）(A5:A9) | | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
#   6     年度资金总额:   120   125     118.75   10   "95.00%"   9.5
#   7     其中：当年财政拨款 100  105   100.75
#   8     上年结转资金        20   20    18
#   9     其他资金            (no amounts: skipped, §3)
#  10  年度总体目标 (A10:A11) | 预期目标 (B10:F10) | 实际完成情况 (G10:K10)     11  the two texts
#  12  绩效指标 (A12:A25) | 一级指标 | 二级指标 | 三级指标 | 年度指标值 (E12:G12) | 实际完成值 | 分值 | 得分 | 偏差原因…
#  13                                                | 指标性质 | 指标值 | 度量单位   (two-row header, §2)
#  14–25 indicators, 一级指标 merged down (B14:B19, B20:B23, B24:B25); the 指标性质 column holds
#        the comparison (≥, ＝, ≤), so it is read as 比较方式 (contract §2)
#  26  总分 | … | 100 (分值 column I) | 98.18 (typed, 得分 column J)
#
# Hand-worked (mof-project: 产出 50, 效益 30, 满意度 10, 执行率 10, proportional; digits 2):
#   money: 全年预算数 = 105 + 20 = 125 (typed 125 agrees); 全年执行数 = 100.75 + 18 = 118.75 (agrees);
#          年初 100 + 20 = 120 (agrees).  rate = 118.75 / 125 = 0.95 exactly; typed "95.00%" agrees.
#          execution score = 10 × 0.95 = 9.50.
#   row 14 渠道长度      ≥ 12 公里, actual 12.5, w 15: 12.5 ≥ 12 → 15.00
#   row 15 "指标2："      no weight/target/actual/score → placeholder, skipped (§3)
#   row 16 验收合格率    ＝ 100 %, actual 100, w 15: = with target ≠ 0 scored as ≥ → 15.00
#   row 17 完成及时率    ≥ 100 %, actual 95, w 10: 10 × 95 / 100 = 9.50 (reason given)
#   row 18 每公里成本    ≤ 9.5 万元, actual 9.8, w 10: 9.5 < 9.8 < 19 → 10 × (1 − 0.3/9.5) = 92/9.5
#                        = 9.6842… → 9.68 (reason given)
#   row 19 "……"          placeholder, skipped
#   row 20 新增灌溉面积  ≥ 3000 亩, actual 3150, w 10 → 10.00
#   row 21 受益农户数    ≥ 800 户, actual 760, w 10: 10 × 760 / 800 = 9.50 (reason given)
#   row 22 节水率        ≥ 15 %, actual 18, w 10 → 10.00
#   row 23 "指标1"        placeholder, skipped
#   row 24 群众满意度    ≥ 90 %, actual 93, w 10 → 10.00
#   row 25 "指标2:"       placeholder, skipped
#   levels: 产出 15 + 15 + 9.50 + 9.68 = 49.18 (weights 15+15+10+10 = 50 ✓)
#           效益 10 + 9.50 + 10 = 29.50 (weights 30 ✓);  满意度 10.00 (weight 10 ✓)
#   weights: 50 + 30 + 10 + 10 (execution) = 100 ✓
#   total = 9.50 + 49.18 + 29.50 + 10.00 = 98.18 → 优 (≥ 90)
#   typed 总分 98.18 = computed → no TOTAL_MISMATCH; typed 98.5 → TOTAL_MISMATCH on J26 (|0.32| > 0.01).
#   Every typed 得分 equals the computed score (9.5 = 9.50, 9.68), so no SCORE_MISMATCH; the three
#   missed targets carry reasons; every comparison is explicit. Checks: none.
#   skipped: row 9 (其他资金, no amounts), rows 15, 19, 23, 25 (placeholders).

SHEET_A = "Sheet1"

A_INDICATORS = (
    # row, 一级 (None under a merge), 二级, 三级, 指标性质 (the operator), 指标值, 度量单位, 实际完成值,
    # 分值, 得分, 偏差原因
    (14, "产出指标", "数量指标", "指标1：新建灌溉渠道长度", "≥", 12, "公里", 12.5, 15, 15, None),
    (15, None, None, "指标2：", None, None, None, None, None, None, None),
    (16, None, "质量指标", "指标1：工程验收合格率", "＝", 100, "%", 100, 15, 15, None),
    (17, None, "时效指标", "指标1：项目完成及时率", "≥", 100, "%", 95, 10, 9.5, "2处渠段因汛期顺延验收"),
    (18, None, "成本指标", "指标1：每公里建设成本", "≤", 9.5, "万元", 9.8, 10, 9.68, "钢材涨价，下年加强造价控制"),
    (19, None, None, "……", None, None, None, None, None, None, None),
    (20, "效益指标", "经济效益指标", "指标1：新增灌溉面积", "≥", 3000, "亩", 3150, 10, 10, None),
    (21, None, "社会效益指标", "指标1：受益农户数", "≥", 800, "户", 760, 10, 9.5, "部分农户常年外出务工，未接入"),
    (22, None, "生态效益指标", "指标1：节水率", "≥", 15, "%", 18, 10, 10, None),
    (23, None, "可持续影响指标", "指标1", None, None, None, None, None, None, None),
    (24, "满意度指标", "服务对象满意度指标", "指标1：受益群众满意度", "≥", 90, "%", 93, 10, 10, None),
    (25, None, None, "指标2:", None, None, None, None, None, None, None),
)

EXPECTED_A = Expected(
    profile="mof-project", form="project", total="98.18", grade="优", valid=True,
    execution={"budget": "125.00", "executed": "118.75", "rate": "0.9500", "weight": "10", "score": "9.50"},
    levels=[("产出指标", "50", "49.18"), ("效益指标", "30", "29.50"), ("满意度指标", "10", "10.00")],
    indicators=[(14, "15.00"), (16, "15.00"), (17, "9.50"), (18, "9.68"), (20, "10.00"), (21, "9.50"),
                (22, "10.00"), (24, "10.00")],
    codes=frozenset(), skipped=frozenset({(SHEET_A, 9), (SHEET_A, 15), (SHEET_A, 19), (SHEET_A, 23), (SHEET_A, 25)}),
    exit_code=0, money_unit="万元", year=2025, unit="县农村供水管理站",
)


def hebei_one_sheet(path: Path, *, typed_total: float | None = 98.18) -> Path:
    """(a) One-sheet 项目支出绩效自评表 with `年度资金总额:`, a two-row indicator header, vertical merged
    first levels, placeholder rows and a 总分 row carrying the typed total."""
    wb = xlsxwriter.Workbook(str(path))
    s = _Sheet(wb, SHEET_A)
    s.ws.set_column("A:A", 10)
    s.ws.set_column("B:D", 16)
    s.ws.set_column("K:K", 28)
    s.merge("A1:K1", "项目支出绩效自评表", s.title)
    s.merge("A2:K2", "（2025年度）", wb.add_format({"align": "center"}))
    s.put("A3", "项目名称", s.head)
    s.merge("B3:K3", "县农村供水保障工程", s.cell)
    s.put("A4", "主管部门", s.head)
    s.merge("B4:E4", "县水利局", s.cell)
    s.put("F4", "实施单位", s.head)
    s.merge("G4:K4", "县农村供水管理站", s.cell)
    # money block
    s.merge("A5:A9", "项目资金（万元）")
    s.row(5, "B", ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], s.head)
    s.row(6, "B", ["年度资金总额:", 120, 125, 118.75, 10, "95.00%", 9.5])
    s.row(7, "B", ["其中：当年财政拨款", 100, 105, 100.75])
    s.row(8, "B", ["上年结转资金", 20, 20, 18])
    s.row(9, "B", ["其他资金"])
    for ref in ("C9", "D9", "E9", "F7", "F8", "F9", "G7", "G8", "G9", "H7", "H8", "H9"):
        s.put(ref, None)
    # overall goal block
    s.merge("A10:A11", "年度总体目标")
    s.merge("B10:F10", "预期目标")
    s.merge("G10:K10", "实际完成情况")
    s.merge("B11:F11", "新建灌溉渠道12公里，新增灌溉面积3000亩，保障800户农户生产生活用水", s.cell)
    s.merge("G11:K11", "建成渠道12.5公里，新增灌溉面积3150亩，受益农户760户", s.cell)
    # two-row indicator header
    s.merge("A12:A25", "绩效指标")
    for col, label in zip("BCD", ("一级指标", "二级指标", "三级指标"), strict=True):
        s.merge(f"{col}12:{col}13", label)
    s.merge("E12:G12", "年度指标值")
    s.row(13, "E", ["指标性质", "指标值", "度量单位"], s.head)
    for col, label in zip("HIJK", ("实际完成值", "分值", "得分", "偏差原因分析及改进措施"), strict=True):
        s.merge(f"{col}12:{col}13", label)
    # vertical merges of the levels as printed
    s.merge("B14:B19", "产出指标", s.cell)
    s.merge("B20:B23", "效益指标", s.cell)
    s.merge("B24:B25", "满意度指标", s.cell)
    s.merge("C14:C15", "数量指标", s.cell)
    s.merge("C18:C19", "成本指标", s.cell)
    s.merge("C24:C25", "服务对象满意度指标", s.cell)
    for row, _level1, level2, name, op, target, unit, actual, weight, score, reason in A_INDICATORS:
        if level2 and row not in (14, 18, 24):
            s.put(f"C{row}", level2)
        s.row(row, "D", [name, op, target, unit, actual, weight, score, reason])
        for col in "EFGHIJK":
            if row in (15, 19, 23, 25):
                s.put(f"{col}{row}", None)
    s.put("A26", "总分", s.head)
    s.put("I26", 100)
    if typed_total is not None:
        s.put("J26", typed_total)
    wb.close()
    return path


# =====================================================================================================
# (b) Sichuan-style export: 年初预算数(A) / 全年执行数(B) only, 全年实际值, 指标权重(分)
# =====================================================================================================
#
# Layout (columns A–I, sheet 项目支出绩效自评表):
#   1  项目支出绩效自评表        2  （2025年度）
#   3  填报单位：县农业农村局 (A3:E3) | 金额单位：万元 (G3:I3)   — information lines, not headers (§2)
#   4  项目名称 | 高素质农民培育项目      5  主管部门 | 县农业农村局 | 实施单位 | 县农业技术推广中心
#   6  项目资金 (A6:A9) | | 年初预算数(A) | 全年执行数(B) | 执行率(B/A)
#   7     年度资金总额     80   70   "87.50%"
#   8     其中：财政拨款   80   70
#   9     其他资金         (no amounts: skipped)
#  10–11 年度总体目标 | 预期目标 | 实际完成情况
#  12  绩效指标 (A12:A19) | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 全年实际值 | 指标权重(分) | 得分 |
#      未完成原因及拟采取的改进措施
#  13–16 产出 (B13:B16 merged); I13:I16 merged: the export's printed instruction
#        "偏差较大或未完成目标的需说明原因(100字以内)" — not a reason (§7)
#  17–18 效益 (B17:B18 merged); I17:I18 merged: a real reason, the reason of both rows (§7)
#  19    满意度
#  20  总分 | … | 100 (G20) | 96 (typed, H20)
#
# Scored with --profile sichuan-project (a Sichuan export names no profile; the default mof-project
# would reject the 55/25/10 split): free split of 90, 执行率 10 proportional, explain_below 0.9.
# Hand-worked:
#   money: no 全年预算数 column, a 年初预算数(A) column → the rate is B/A over 年初预算数 with
#          BUDGET_BASIS_INITIAL on C6 (§5). 年初 = 80, 执行 = 70 (typed totals agree);
#          rate = 70 / 80 = 0.875 (typed 87.50% agrees); score = 10 × 0.875 = 8.75.
#          0.875 < 0.9 and the money block has no reason column → EXECUTION_UNEXPLAINED.
#          Choice: with the 年初 basis the budget *is* the 年初预算数, so explain_adjustment finds no
#          adjustment (no BUDGET_ADJUSTED_UNEXPLAINED).
#   row 13 培训农民人次   ≥500人次, 520人次, w 20 → 20.00
#   row 14 培训合格率     ≥95%, 92%, w 15: 15 × 92 / 95 = 14.5263… → 14.53; the reason cell holds the
#                         instruction only → DEVIATION_UNEXPLAINED
#   row 15 资金拨付及时率 100%, 100%, w 10: no comparison; 及时率 is not a lower-is-better 率 (§9)
#                         → ≥ with OPERATOR_ASSUMED; 100 ≥ 100 → 10.00
#   row 16 人均培训成本   ≤600元, 580元, w 10 → 10.00
#   row 17 人均增收       ≥2000元, 1800元, w 10: 10 × 1800 / 2000 = 9.00 (merged reason)
#   row 18 带动就业人数   ≥100人, 90人, w 15: 15 × 90 / 100 = 13.50 (merged reason)
#   row 19 参训农民满意度 ≥90%, 95%, w 10 → 10.00
#   levels (weights free in sichuan-project → null): 产出 20 + 14.53 + 10 + 10 = 54.53;
#          效益 9 + 13.50 = 22.50; 满意度 10.00.  weights 55 + 25 + 10 + 10 = 100 ✓
#   total = 8.75 + 54.53 + 22.50 + 10.00 = 95.78 → 优; typed 96 → TOTAL_MISMATCH on H20 (0.22 > 0.01).
#   checks: BUDGET_BASIS_INITIAL, EXECUTION_UNEXPLAINED, OPERATOR_ASSUMED (row 15),
#           DEVIATION_UNEXPLAINED (row 14), TOTAL_MISMATCH.  skipped: row 9.
#
# basis="none" (the money block has only 全年执行数(B)): with neither budget column the execution
# scores 0 and VALUE_MISSING names 全年预算数 (§5); every other block is read as before (§4), so the
# indicators still give 54.53 + 22.50 + 10.00 = 87.03 → 良 (80 ≤ 87.03 < 90), an error → exit 1, and
# the typed 96 is still compared (TOTAL_MISMATCH).

SHEET_B = "项目支出绩效自评表"
SICHUAN_INSTRUCTION = "偏差较大或未完成目标的需说明原因(100字以内)"

EXPECTED_B = Expected(
    profile="sichuan-project", form="project", total="95.78", grade="优", valid=True,
    execution={"budget": "80.00", "executed": "70.00", "rate": "0.8750", "weight": "10", "score": "8.75"},
    levels=[("产出指标", None, "54.53"), ("效益指标", None, "22.50"), ("满意度指标", None, "10.00")],
    indicators=[(13, "20.00"), (14, "14.53"), (15, "10.00"), (16, "10.00"), (17, "9.00"), (18, "13.50"),
                (19, "10.00")],
    codes=frozenset({"BUDGET_BASIS_INITIAL", "EXECUTION_UNEXPLAINED", "OPERATOR_ASSUMED", "DEVIATION_UNEXPLAINED",
                     "TOTAL_MISMATCH"}),
    # Choice: the unit name is not asserted here: the spec does not say whether a 填报单位 line or the
    # 实施单位 field names the unit when both are printed.
    skipped=frozenset({(SHEET_B, 9)}), exit_code=0, money_unit="万元", year=2025,
    cells=frozenset({("BUDGET_BASIS_INITIAL", "C6"), ("TOTAL_MISMATCH", "H20")}),
    cli_args=("--profile", "sichuan-project"),
)


def sichuan_export(path: Path, *, basis: str = "initial") -> Path:
    """(b) The Sichuan export: 年初预算数(A)/全年执行数(B), 全年实际值, 指标权重(分), an instruction
    printed in the merged reason cell. basis="none" drops the 年初预算数(A) and 执行率 columns."""
    wb = xlsxwriter.Workbook(str(path))
    s = _Sheet(wb, SHEET_B)
    s.ws.set_column("A:I", 14)
    s.merge("A1:I1", "项目支出绩效自评表", s.title)
    s.merge("A2:I2", "（2025年度）", wb.add_format({"align": "center"}))
    s.merge("A3:E3", "填报单位：县农业农村局", wb.add_format({}))
    s.merge("G3:I3", "金额单位：万元", wb.add_format({"align": "right"}))
    s.put("A4", "项目名称", s.head)
    s.merge("B4:I4", "高素质农民培育项目", s.cell)
    s.put("A5", "主管部门", s.head)
    s.merge("B5:D5", "县农业农村局", s.cell)
    s.put("E5", "实施单位", s.head)
    s.merge("F5:I5", "县农业技术推广中心", s.cell)
    s.merge("A6:A9", "项目资金")
    if basis == "initial":
        s.row(6, "B", ["", "年初预算数(A)", "全年执行数(B)", "执行率(B/A)"], s.head)
        s.row(7, "B", ["年度资金总额", 80, 70, "87.50%"])
        s.row(8, "B", ["其中：财政拨款", 80, 70])
    else:
        s.row(6, "B", ["", "全年执行数(B)"], s.head)
        s.row(7, "B", ["年度资金总额", 70])
        s.row(8, "B", ["其中：财政拨款", 70])
    s.row(9, "B", ["其他资金"])
    s.merge("A10:A11", "年度总体目标")
    s.merge("B10:E10", "预期目标")
    s.merge("F10:I10", "实际完成情况")
    s.merge("B11:E11", "培训高素质农民500人次，带动就业100人", s.cell)
    s.merge("F11:I11", "培训520人次，带动就业90人", s.cell)
    s.merge("A12:A19", "绩效指标")
    s.row(12, "B", ["一级指标", "二级指标", "三级指标", "年度指标值", "全年实际值", "指标权重(分)", "得分",
                    "未完成原因及拟采取的改进措施"], s.head)
    s.merge("B13:B16", "产出指标", s.cell)
    s.merge("B17:B18", "效益指标", s.cell)
    rows = (
        (13, "数量指标", "培训农民人次", "≥500人次", "520人次", 20, 20),
        (14, "质量指标", "培训合格率", "≥95%", "92%", 15, 14.53),
        (15, "时效指标", "资金拨付及时率", "100%", "100%", 10, 10),
        (16, "成本指标", "人均培训成本", "≤600元", "580元", 10, 10),
        (17, "经济效益指标", "参训农民人均增收", "≥2000元", "1800元", 10, 9),
        (18, "社会效益指标", "带动就业人数", "≥100人", "90人", 15, 13.5),
        (19, "服务对象满意度指标", "参训农民满意度", "≥90%", "95%", 10, 10),
    )
    for row, level2, name, target, actual, weight, score in rows:
        s.row(row, "C", [level2, name, target, actual, weight, score])
    s.put("B19", "满意度指标")
    s.merge("I13:I16", SICHUAN_INSTRUCTION, s.cell)
    s.merge("I17:I18", "受农产品市场价格下行影响，增收和就业未达预期；下年加强产销对接", s.cell)
    s.put("I19", None)
    s.put("A20", "总分", s.head)
    s.put("G20", 100)
    s.put("H20", 96)
    wb.close()
    return path


EXPECTED_B_NO_BUDGET = Expected(
    profile="sichuan-project", form="project", total="87.03", grade="良", valid=False,
    execution={"budget": None, "executed": "70.00", "rate": None, "weight": "10", "score": "0.00"},
    levels=EXPECTED_B.levels, indicators=EXPECTED_B.indicators,
    # Choice: only the codes the spec fixes are asserted for this variant (see the test): whether a
    # rate that cannot be computed also counts as "below explain_below" is left open by the spec.
    codes=frozenset({"VALUE_MISSING", "OPERATOR_ASSUMED", "DEVIATION_UNEXPLAINED", "TOTAL_MISMATCH"}),
    skipped=frozenset(), exit_code=1, money_unit="万元", year=2025,  # skipped: not asserted (see the test)
    cli_args=("--profile", "sichuan-project"),
)


# =====================================================================================================
# (c) 决策 / 过程 / 产出 / 效益 (财预〔2020〕10号 附件2 framework used for self-evaluation) → mof-4level
# =====================================================================================================
#
# Layout (columns A–I, sheet 附件2):
#   1 项目支出绩效自评表   2 （2025年度）   3 项目名称 | …   4 主管部门 | … | 实施单位 | …
#   5  项目资金（万元）(A5:A9) | | 年初预算数 | 全年预算数 | 全年执行数 | 执行率   (no 分值/得分: the
#      rate is an indicator row under mof-4level)
#   6     年度资金总额        200  200  190  "95.00%"
#   7     其中：当年财政拨款  200  200  190
#   8     上年结转资金        (no amounts: skipped)
#   9     其他资金            (no amounts: skipped)
#  10–11 年度总体目标 | 预期目标 | 实际完成情况
#  12  绩效指标 (A12:A25) | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因…
#  13–15 项目决策（15分） (B13:B15): qualitative rows, targets in words (充分, 合理, 科学)
#  16–18 项目管理 (B16:B18; 管理 = 过程, leading 项目 dropped, §1/§6); row 16 = 预算执行率, target "—"
#  19–22 产出 (B19:B22);   23–25 效益 (B23:B25)
#  26  总分 | … | 100 (G26) | 97 (typed, H26)
#
# No profile named; the first levels include 决策 and 管理 → mof-4level (§6): levels free, only the
# total of 100 checked; no execution weight (JSON execution weight "0", score null, §13); grades
# 优 ≥90, 良 ≥80, 中 ≥60, 差.
# Hand-worked:
#   money: 全年预算数 200, 执行 190 (lines 200/190 agree with the typed total); rate = 190/200 = 0.95.
#   row 13 立项依据充分性  target 充分, actual 充分 (same text → 达成, §8), typed 5 in [4, 5] → 5.00
#   row 14 绩效目标合理性  合理 / 合理 → 达成, typed 4.5 in [0.8×5, 5] = [4, 5] → 4.50 (达成: no
#                          DEVIATION_UNEXPLAINED even below the weight, §8)
#   row 15 预算编制科学性  科学 / 达到预期 → 达成, no typed score → full weight 5.00
#   row 16 预算执行率      target "—" → against 100%; actual = the money block's 0.95 (typed 95%
#                          agrees); w 10: 10 × 95 / 100 = 9.50; reason given.
#                          Choice: the ≥ of the rate row is the profile's rule ("scored like any ≥
#                          indicator"), not an assumption, so no OPERATOR_ASSUMED on it.
#   row 17 资金使用合规性  合规 / 合规 → 达成, typed 5 → 5.00
#   row 18 管理制度健全性  健全 / 健全 → 达成, typed 5 → 5.00
#   row 19 厂房面积        ≥5000平方米, 5200平方米, w 15 → 15.00
#   row 20 验收合格率      ＝100%, 100%, w 10 → 10.00
#   row 21 完工时间        2025年11月30日前, 2025年11月25日, w 5: 前 = no later than → met → 5.00
#   row 22 项目总成本      ≤200万元, 190万元, w 10 → 10.00
#   row 23 入驻企业数量    ≥10家, 8家, w 10: 10 × 8 / 10 = 8.00 (reason given)
#   row 24 新增就业岗位    ≥200个, 230个, w 10 → 10.00
#   row 25 入驻企业满意度  ≥90%, 92%, w 5 → 5.00 (满意度 under 效益, §13)
#   levels: 决策 5 + 4.50 + 5 = 14.50 (label 15分 = 5+5+5 ✓); 过程 9.50 + 5 + 5 = 19.50;
#           产出 15 + 10 + 5 + 10 = 40.00; 效益 8 + 10 + 5 = 23.00.  weights 15+20+40+25 = 100 ✓
#   total = 14.50 + 19.50 + 40.00 + 23.00 = 97.00 → 优; typed 97 → no TOTAL_MISMATCH. Checks: none.
#   skipped: rows 8 and 9.
#   rate_actual="98%": the typed actual differs from the recomputed 95% → EXECUTION_RATE_MISMATCH on
#   F16, and the row still scores 9.50 (the money block's rate is what it scores), total 97.00.

SHEET_C = "附件2"

EXPECTED_C = Expected(
    profile="mof-4level", form="project", total="97.00", grade="优", valid=True,
    execution={"budget": "200.00", "executed": "190.00", "rate": "0.9500", "weight": "0", "score": None},
    levels=[("决策", None, "14.50"), ("过程", None, "19.50"), ("产出", None, "40.00"), ("效益", None, "23.00")],
    indicators=[(13, "5.00"), (14, "4.50"), (15, "5.00"), (16, "9.50"), (17, "5.00"), (18, "5.00"), (19, "15.00"),
                (20, "10.00"), (21, "5.00"), (22, "10.00"), (23, "8.00"), (24, "10.00"), (25, "5.00")],
    codes=frozenset(), skipped=frozenset({(SHEET_C, 8), (SHEET_C, 9)}), exit_code=0, money_unit="万元", year=2025,
    unit="县工业园区管理委员会",
)


def mof_four_levels(path: Path, *, rate_actual: str = "95%") -> Path:
    """(c) A 决策/过程/产出/效益 form with the 预算执行率 as an indicator row (target printed `—`)."""
    wb = xlsxwriter.Workbook(str(path))
    s = _Sheet(wb, SHEET_C)
    s.ws.set_column("A:I", 14)
    s.merge("A1:I1", "项目支出绩效自评表", s.title)
    s.merge("A2:I2", "（2025年度）", wb.add_format({"align": "center"}))
    s.put("A3", "项目名称", s.head)
    s.merge("B3:I3", "县农产品加工园区标准化厂房建设项目", s.cell)
    s.put("A4", "主管部门", s.head)
    s.merge("B4:D4", "县工业和信息化局", s.cell)
    s.put("E4", "实施单位", s.head)
    s.merge("F4:I4", "县工业园区管理委员会", s.cell)
    s.merge("A5:A9", "项目资金（万元）")
    s.row(5, "B", ["", "年初预算数", "全年预算数", "全年执行数", "执行率"], s.head)
    s.row(6, "B", ["年度资金总额", 200, 200, 190, "95.00%"])
    s.row(7, "B", ["其中：当年财政拨款", 200, 200, 190])
    s.row(8, "B", ["上年结转资金"])
    s.row(9, "B", ["其他资金"])
    s.merge("A10:A11", "年度总体目标")
    s.merge("B10:E10", "预期目标")
    s.merge("F10:I10", "实际完成情况")
    s.merge("B11:E11", "建成标准化厂房5000平方米，引进加工企业10家", s.cell)
    s.merge("F11:I11", "建成厂房5200平方米，入驻企业8家", s.cell)
    s.merge("A12:A25", "绩效指标")
    s.row(12, "B", ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                    "偏差原因分析及改进措施"], s.head)
    s.merge("B13:B15", "项目决策（15分）", s.cell)
    s.merge("B16:B18", "项目管理", s.cell)
    s.merge("B19:B22", "产出", s.cell)
    s.merge("B23:B25", "效益", s.cell)
    s.merge("C16:C17", "资金管理", s.cell)
    s.merge("C23:C24", "项目效益", s.cell)
    rows = (
        (13, "项目立项", "立项依据充分性", "充分", "充分", 5, 5, None),
        (14, "绩效目标", "绩效目标合理性", "合理", "合理", 5, 4.5, None),
        (15, "资金投入", "预算编制科学性", "科学", "达到预期", 5, None, None),
        (16, None, "预算执行率", "—", rate_actual, 10, 9.5, "部分设备尾款待竣工验收后支付"),
        (17, None, "资金使用合规性", "合规", "合规", 5, 5, None),
        (18, "组织实施", "管理制度健全性", "健全", "健全", 5, 5, None),
        (19, "产出数量", "新建标准化厂房面积", "≥5000平方米", "5200平方米", 15, 15, None),
        (20, "产出质量", "工程验收合格率", "＝100%", "100%", 10, 10, None),
        (21, "产出时效", "工程完工时间", "2025年11月30日前", "2025年11月25日", 5, 5, None),
        (22, "产出成本", "项目总成本", "≤200万元", "190万元", 10, 10, None),
        (23, None, "入驻企业数量", "≥10家", "8家", 10, 8, "两家企业因资金原因推迟至次年入驻"),
        (24, None, "新增就业岗位", "≥200个", "230个", 10, 10, None),
        (25, "满意度", "入驻企业满意度", "≥90%", "92%", 5, 5, None),
    )
    for row, level2, name, target, actual, weight, score, reason in rows:
        if level2:
            s.put(f"C{row}", level2)
        s.row(row, "D", [name, target, actual, weight, score, reason])
    s.put("A26", "总分", s.head)
    s.put("G26", 100)
    s.put("H26", 97)
    wb.close()
    return path


# =====================================================================================================
# (d) Department form with only 指标名称 (no 一级/二级 columns) → LEVELS_ABSENT; written with openpyxl
# =====================================================================================================
#
# Two sheets.
# 预算执行情况: 1 title, 2 金额单位：元, 3 header 支出类别 | 项目 | 年初预算数 | 全年预算数 | 全年执行数 |
#   执行率 | 备注; 4 基本支出 人员经费 1200000/1200000/1180000; 5 基本支出 日常公用经费 300000/300000/290000;
#   6 项目支出 农村公路养护 500000/500000/450000 (备注 given); 7 合计 2000000/2000000/1920000, 执行率 0.96
#   shown as 96.00%.
# 绩效指标完成情况: 1 2025年度部门整体支出绩效自评表, 2 填报单位：县交通运输局,
#   3 header 序号 | 指标名称 | 指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施, 4–9 six indicators.
#
# hebei-dept (the title says 部门整体 → department form): execution 10 proportional; level checks
# skipped (§6), weights + 10 must still be 100.
# Hand-worked:
#   money: lines 1200000 + 300000 + 500000 = 2000000 (typed 合计 agrees); 1180000 + 290000 + 450000
#          = 1920000 (agrees); rate = 1920000 / 2000000 = 0.96 (typed 96.00% agrees); score 9.60.
#   row 4 公文办理及时率       ≥95%, 98%, w 20 → 20.00
#   row 5 财政供养人员控制率   ≤100%, 100%, w 15 → 15.00
#   row 6 农村公路养护里程     ≥120公里, 108公里, w 20: 20 × 108 / 120 = 18.00 (reason given)
#   row 7 安全生产事故发生次数 ≤0次, 0次, w 10: target 0 under ≤, actual 0 → 10.00
#   row 8 投诉举报按时办结率   100%, 98%, w 15: no comparison; the last word 办结率 is higher-is-better
#                              (§9, although the name contains 投诉) → ≥ with OPERATOR_ASSUMED:
#                              15 × 98 / 100 = 14.70 (reason given). [The old 投诉 → ≤ would give 15.]
#   row 9 服务对象满意度       ≥90%, 94%, w 10 → 10.00
#   weights 20 + 15 + 20 + 10 + 15 + 10 = 90, + 10 = 100 ✓
#   indicators 20 + 15 + 18 + 10 + 14.70 + 10 = 87.70; total = 9.60 + 87.70 = 97.30 → 优秀 (≥ 85).
#   levels: [] (no level breakdown); checks: LEVELS_ABSENT on 绩效指标完成情况!B3 (the 指标名称
#   header, §13), OPERATOR_ASSUMED (row 8). skipped: none.

BUDGET_SHEET_D = "预算执行情况"
SHEET_D = "绩效指标完成情况"

EXPECTED_D = Expected(
    profile="hebei-dept", form="department", total="97.30", grade="优秀", valid=True,
    execution={"budget": "2000000.00", "executed": "1920000.00", "rate": "0.9600", "weight": "10", "score": "9.60"},
    levels=[],
    indicators=[(4, "20.00"), (5, "15.00"), (6, "18.00"), (7, "10.00"), (8, "14.70"), (9, "10.00")],
    codes=frozenset({"LEVELS_ABSENT", "OPERATOR_ASSUMED"}), skipped=frozenset(), exit_code=0, money_unit="元",
    year=2025, cells=frozenset({("LEVELS_ABSENT", "B3")}),
)


def department_without_levels(path: Path) -> Path:
    """(d) A department form listing only 指标名称, written with openpyxl (no cached formulas at all)."""
    wb = openpyxl.Workbook()
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    budget = wb.active
    budget.title = BUDGET_SHEET_D
    budget["A1"] = "2025年度部门整体支出预算执行情况表"
    budget["A1"].font = Font(bold=True, size=14)
    budget.merge_cells("A1:G1")
    budget["A2"] = "金额单位：元"
    rows = [
        ("支出类别", "项目", "年初预算数", "全年预算数", "全年执行数", "执行率", "备注"),
        ("基本支出", "人员经费", 1200000, 1200000, 1180000, None, None),
        ("基本支出", "日常公用经费", 300000, 300000, 290000, None, None),
        ("项目支出", "农村公路养护", 500000, 500000, 450000, None, "部分养护工程款待审计结算后支付"),
        ("合计", None, 2000000, 2000000, 1920000, 0.96, None),
    ]
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=1):
            cell = budget.cell(row=r, column=c, value=value)
            cell.border = box
            if c in (3, 4, 5) and r > 3:
                cell.number_format = "#,##0.00"
    budget["F7"].number_format = "0.00%"
    for col, width in zip("ABCDEFG", (12, 18, 14, 14, 14, 10, 30), strict=True):
        budget.column_dimensions[col].width = width

    ws = wb.create_sheet(SHEET_D)
    ws["A1"] = "2025年度部门整体支出绩效自评表"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:G1")
    ws["A2"] = "填报单位：县交通运输局"
    indicators = [
        ("序号", "指标名称", "指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"),
        (1, "公文办理及时率", "≥95%", "98%", 20, 20, None),
        (2, "财政供养人员控制率", "≤100%", "100%", 15, 15, None),
        (3, "农村公路养护里程", "≥120公里", "108公里", 20, 18, "雨季较长，部分路段养护顺延至次年"),
        (4, "安全生产事故发生次数", "≤0次", "0次", 10, 10, None),
        (5, "投诉举报按时办结率", "100%", "98%", 15, 14.7, "个别投诉涉及跨部门协调，办结超期"),
        (6, "服务对象满意度", "≥90%", "94%", 10, 10, None),
    ]
    for r, values in enumerate(indicators, start=3):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    for col, width in zip("ABCDEFG", (6, 24, 12, 12, 8, 8, 30), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(path)
    return path


# =====================================================================================================
# (e) Re-typed in WPS: line breaks and full-width brackets in labels, `/` and `—` rows, free text,
#     units to convert, a date target `2025年12月完成`
# =====================================================================================================
#
# Layout (columns A–I, sheet 自评表):
#   1 项目支出绩效自评表   2 （2025年度）   3 项目名称： | 农村户厕改造提升项目
#   4 主管部门： | 镇人民政府 | 实施单位（盖章）： | 镇农业综合服务中心      (colon and stamp note, §1)
#   5  项目资金\n（元） (A5:A8) | | 年初\n预算数 | 全年预算数\n（A） | 全年执行数\n（B） | 分值 | 执行率\n（B/A） | 得分
#   6     年度资金\n总额：   500000  500000  480000  10  0.96 (shown 96.00%)  9.6
#   7     其中：当年财政拨款 500000  500000  480000
#   8     上年结转资金       (no amounts: skipped)
#   9–10 年度总体\n目标 | 预期目标 | 实际完成情况
#  11  绩效\n指标 (A11:A21) | 一级\n指标 | 二级\n指标 | 三级指标 | 年度\n指标值 | 实际\n完成值 | 分值\n（分） |
#      自评\n得分 | 偏差原因分析\n及改进措施
#  12–16 产出指标\n（50分） (B12:B16);  17–20 效益指标\n（30分） (B17:B20);  21 满意度指标\n（10分）
#  22  总分 | … | 100 (G22) | 97.6 (typed, H22)
#
# mof-project. Hand-worked:
#   money: 500000 / 480000 (typed total agrees); rate = 480000 / 500000 = 0.96 (typed 96.00%
#          agrees); score = 10 × 0.96 = 9.60.
#   row 12 改造户厕数量      ≥50个, actual bare 52 → 52个 (§12), w 15 → 15.00
#   row 13 配套化粪池建设    target `/`, actual `/`, no weight → not applicable, skipped (§3)
#   row 14 验收合格率        ≥95%, 97%, w 10 → 10.00
#   row 15 项目完成时间      `2025年12月完成` = no later than 2025-12-31 (§11); actual 2025年11月28日
#                            → met → 10.00.  Choice: 完成 after a date fixes ≤ as 前 does (§11 "means
#                            no later than"), so no OPERATOR_ASSUMED.
#   row 16 项目总成本        ≤50万元 against 480000元 = 48万元 (§10) ≤ 50 → 15.00, no finding
#                            [unconverted, 480000 ≥ 2 × 50 would give 0]
#   row 17 农村人居环境      target 显著改善 (text → 定性, §8), actual 明显改善，群众反映良好 (free text),
#                            typed 9 → 9.00 with QUAL_FREE_TEXT; 9 < 10 and no reason →
#                            DEVIATION_UNEXPLAINED (§8)
#   row 18 带动群众增收      ≥20万元 against 180000元 = 18万元: 10 × 18 / 20 = 9.00 (reason given)
#                            [unconverted, 180000 ≥ 20 would give 10]
#   row 19 受益农户数        ≥500户 against 1600人: 户 and 人 do not convert → UNIT_INCOMPATIBLE (error),
#                            score null, counts 0; its typed 10 gives no SCORE_MISMATCH and no
#                            DEVIATION_UNEXPLAINED beside it (§8, last sentence)
#   row 20 长效管护机制      `—` / `—`, weight `-` → not applicable, skipped
#   row 21 受益群众满意度    ≥90%, 96%, w 10 → 10.00
#   levels: 产出 15 + 10 + 10 + 15 = 50.00 (weights 50 ✓, label 50分 ✓); 效益 9 + 9 + 0 = 18.00
#           (weights 30 ✓); 满意度 10.00.  weights 50 + 30 + 10 + 10 = 100 ✓
#   total = 9.60 + 50.00 + 18.00 + 10.00 = 87.60 → 良 (80 ≤ 87.60 < 90), provisional (an error) → exit 1;
#   typed 97.6 → TOTAL_MISMATCH on H22 (10.00 > 0.01).
#   checks: QUAL_FREE_TEXT, DEVIATION_UNEXPLAINED (row 17), UNIT_INCOMPATIBLE (row 19), TOTAL_MISMATCH.
#   skipped: rows 8, 13, 20.

SHEET_E = "自评表"

EXPECTED_E = Expected(
    profile="mof-project", form="project", total="87.60", grade="良", valid=False,
    execution={"budget": "500000.00", "executed": "480000.00", "rate": "0.9600", "weight": "10", "score": "9.60"},
    levels=[("产出指标", "50", "50.00"), ("效益指标", "30", "18.00"), ("满意度指标", "10", "10.00")],
    indicators=[(12, "15.00"), (14, "10.00"), (15, "10.00"), (16, "15.00"), (17, "9.00"), (18, "9.00"), (19, None),
                (21, "10.00")],
    codes=frozenset({"QUAL_FREE_TEXT", "DEVIATION_UNEXPLAINED", "UNIT_INCOMPATIBLE", "TOTAL_MISMATCH"}),
    skipped=frozenset({(SHEET_E, 8), (SHEET_E, 13), (SHEET_E, 20)}), exit_code=1, money_unit="元", year=2025,
    unit="镇农业综合服务中心", cells=frozenset({("TOTAL_MISMATCH", "H22")}),
)


def wps_retyped(path: Path) -> Path:
    """(e) Line breaks and full-width brackets in labels, `/` and `—` rows, a free-text qualitative row,
    万元 against 元, 户 against 人, and a date target `2025年12月完成`."""
    wb = xlsxwriter.Workbook(str(path))
    s = _Sheet(wb, SHEET_E)
    s.ws.set_column("A:I", 13)
    s.merge("A1:I1", "项目支出绩效自评表", s.title)
    s.merge("A2:I2", "（2025年度）", wb.add_format({"align": "center"}))
    s.put("A3", "项目名称：", s.head)
    s.merge("B3:I3", "农村户厕改造提升项目", s.cell)
    s.put("A4", "主管部门：", s.head)
    s.merge("B4:C4", "镇人民政府", s.cell)
    s.merge("D4:E4", "实施单位（盖章）：")
    s.merge("F4:I4", "镇农业综合服务中心", s.cell)
    s.merge("A5:A8", "项目资金\n（元）")
    s.row(5, "B", ["", "年初\n预算数", "全年预算数\n（A）", "全年执行数\n（B）", "分值", "执行率\n（B/A）", "得分"],
          s.head)
    s.row(6, "B", ["年度资金\n总额：", 500000, 500000, 480000, 10])
    s.put("G6", 0.96, s.pct)
    s.put("H6", 9.6)
    s.row(7, "B", ["其中：当年财政拨款", 500000, 500000, 480000])
    s.row(8, "B", ["上年结转资金"])
    s.merge("A9:A10", "年度总体\n目标")
    s.merge("B9:E9", "预期目标")
    s.merge("F9:I9", "实际完成情况")
    s.merge("B10:E10", "完成50户农村户厕改造，人居环境显著改善", s.cell)
    s.merge("F10:I10", "完成52户改造，11月底全部验收", s.cell)
    s.merge("A11:A21", "绩效\n指标")
    s.row(11, "B", ["一级\n指标", "二级\n指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值\n（分）",
                    "自评\n得分", "偏差原因分析\n及改进措施"], s.head)
    s.merge("B12:B16", "产出指标\n（50分）", s.cell)
    s.merge("B17:B20", "效益指标\n（30分）", s.cell)
    s.put("B21", "满意度指标\n（10分）")
    s.merge("C12:C13", "数量指标", s.cell)
    rows = (
        (12, None, "改造农村户厕数量", "≥50个", 52, 15, 15, None),
        (13, None, "配套化粪池建设", "/", "/", None, None, None),
        (14, "质量指标", "户厕改造验收合格率", "≥95%", "97%", 10, 10, None),
        (15, "时效指标", "项目完成时间", "2025年12月完成", "2025年11月28日", 10, 10, None),
        (16, "成本指标", "项目总成本", "≤50万元", "480000元", 15, 15, None),
        (17, "生态效益指标", "农村人居环境", "显著改善", "明显改善，群众反映良好", 10, 9, None),
        (18, "经济效益指标", "带动群众增收", "≥20万元", "180000元", 10, 9, "部分农户未参与后续管护务工"),
        (19, "社会效益指标", "受益农户数", "≥500户", "1600人", 10, 10, None),
        (20, "可持续影响指标", "长效管护机制", "—", "—", "-", None, None),
        (21, "服务对象满意度指标", "受益群众满意度", "≥90%", "96%", 10, 10, None),
    )
    for row, level2, name, target, actual, weight, score, reason in rows:
        if level2:
            s.put(f"C{row}", level2)
        s.row(row, "D", [name, target, actual, weight, score, reason])
    s.put("A22", "总分", s.head)
    s.put("G22", 100)
    s.put("H22", 97.6)
    wb.close()
    return path


# =====================================================================================================
# (f) NOT read: weights only at the first level, no per-indicator 分值 column
# =====================================================================================================
#
# A one-sheet form (Sheet1) whose indicator header is 一级指标 | 二级指标 | 三级指标 | 年度指标值 |
# 实际完成值 | 得分 | 偏差原因分析及改进措施, the weights printed only inside the first-level labels
# (产出指标（50分）…). The money block does print 分值 (the execution weight), on its own header row.
# docs/rules.md §12.3–§12.4: not scorable — exit 2, saying that the indicator table has no 分值 column;
# never a score. Expected: evaluate() raises SelfevalError whose message names 分值; `check --json`
# exits 2 with {"file", "error": {"code", "message"}} on stdout and no traceback.

SHEET_F = "Sheet1"


def weights_only_at_first_level(path: Path) -> Path:
    """(f) A form whose indicator table has no 分值 column: the tool must refuse it (exit 2)."""
    wb = xlsxwriter.Workbook(str(path))
    s = _Sheet(wb, SHEET_F)
    s.ws.set_column("A:H", 14)
    s.merge("A1:H1", "项目支出绩效自评表", s.title)
    s.merge("A2:H2", "（2025年度）", wb.add_format({"align": "center"}))
    s.put("A3", "项目名称", s.head)
    s.merge("B3:H3", "乡村道路硬化项目", s.cell)
    s.merge("A4:A6", "项目资金（万元）")
    s.row(4, "B", ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], s.head)
    s.row(5, "B", ["年度资金总额", 60, 60, 57, 10, "95.00%", 9.5])
    s.row(6, "B", ["其中：当年财政拨款", 60, 60, 57])
    s.merge("A7:A11", "绩效指标")
    s.row(7, "B", ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "得分", "偏差原因分析及改进措施"],
          s.head)
    s.merge("B8:B9", "产出指标（50分）", s.cell)
    s.row(8, "C", ["数量指标", "硬化道路长度", "≥3公里", "3.2公里", 30])
    s.row(9, "C", ["质量指标", "验收合格率", "≥100%", "100%", 20])
    s.row(10, "B", ["效益指标（30分）", "社会效益指标", "受益群众人数", "≥2000人", "2100人", 30])
    s.row(11, "B", ["满意度指标（10分）", "服务对象满意度指标", "群众满意度", "≥90%", "95%", 10])
    s.put("A12", "总分", s.head)
    s.put("G12", 99.5)
    wb.close()
    return path


# The builders of the layouts that are read, with what each must give.
READ = {
    "hebei_one_sheet": (hebei_one_sheet, EXPECTED_A),
    "sichuan_export": (sichuan_export, EXPECTED_B),
    "mof_four_levels": (mof_four_levels, EXPECTED_C),
    "department_without_levels": (department_without_levels, EXPECTED_D),
    "wps_retyped": (wps_retyped, EXPECTED_E),
}


def assert_read_as(data: dict, expected: object) -> None:
    """The JSON names the profile, form, money unit, year and unit a gallery case expects; the profile's
    label says when the form's own weights ruled (no profile named, docs/rules.md §14)."""
    label, want = data["profile"], vars(expected)
    assert label.endswith("（按表内分值）") == (data["weights_from"] == "form")
    assert (label.removesuffix("（按表内分值）"), data["form"], data["money_unit"]) == (
        want["profile"], want["form"], want["money_unit"])
    for key in ("year", "unit"):
        if want[key] is not None:
            assert data[key] == want[key]

