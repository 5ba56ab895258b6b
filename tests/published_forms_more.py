"""More published 自评表, each re-typed from one form a local government published (issue 23's gallery,
issue 19's "collect forms yourself"). The first gallery is tests/published_forms.py; none of these
forms is in it.

Every builder writes the form's own sheet layout, header words, weight split and the kinds of values
as typed on the page, and cites the page the search tool gave. Where the page cuts a form off or left
it unfilled, the values chosen are marked "Choice:". Personal names and telephone numbers printed on
a page are left out. Each EXPECTED record was worked out by hand from the specification
(docs/rules.md, docs/workbook.md) before the tool
was run; the arithmetic is in the comment above it.

Rows and cells are 1-based spreadsheet rows / A1 references, as a person reads the printout.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import xlsxwriter

from published_forms import _Sheet


@dataclass(frozen=True)
class Case:
    """What the specification says a published form scores. Strings are Result.to_json() strings."""

    profile: str
    form: str
    total: str
    grade: str
    valid: bool
    execution: dict[str, str | None]
    # (name, weight, score); weight None = not asserted (the spec leaves it open, see the case)
    levels: list[tuple[str, str | None, str]]
    indicators: list[tuple[int, str | None]]  # (row, score) for every indicator row, in sheet order
    codes: frozenset[str]  # codes that must be present, and with `maybe` the only ones allowed
    skipped: frozenset[tuple[str, int]]
    money_unit: str
    year: int | None = None
    unit: str | None = None
    weights_from: str | None = None  # "form" where §14 says the printed split rules, else not asserted
    maybe: frozenset[str] = frozenset()  # codes the spec leaves open for this form (see "Choice:")
    cells: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (code, cell) that must be present
    exit_code: int = 0


# =====================================================================================================
# (g) 安徽 池州市贵池区棠溪镇, 2022: 项目支出绩效自评表 “委托业务项目”, the 10号 one-sheet form as the
#     township printed it: a 年度资金总额 row left at 0 above a line that holds the money
# =====================================================================================================
#
# Source: pages corpus, http://www.anthempetcare.com/upload_cz/download?id=502364&siteId=2 — "附件:
# 项目支出绩效自评表 (2022年度) 项目名称 委托业务项目 主管部门 219-池州市贵池区棠溪镇人民政府 …".
# As printed: the 年度资金总额: row reads 0 0 0 10 0 0 while 其中:本年财政拨款 reads 90 89.974 89.974;
# `≥100百分比` against a bare 100; qualitative rows answered 达成预期指标; an 经济效益指标 row with no
# indicator; weights 8/8/8/8/8/10 under 产出指标(50分). Choice: the page is cut after 公众满…; the
# 满意度 row (公众满意度 ≥90%, 95%, 10, 10) and the 总分 row (100, 100) are completed as such forms print.
#
# Layout (columns A–I, sheet 附件):
#   1 附件：  2 项目支出绩效自评表  3 （2022年度）  4 项目名称  5 主管部门 | … | 实施单位 | …
#   6  项目资金\n（万元） (A6:A10) | | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
#   7     年度资金总额:        0   0   0   10   0   0
#   8     其中:本年财政拨款   90   89.974   89.974
#   9     上年结转资金   10 其他资金        (no amounts)
#  11–12 年度总体目标 | 预期目标 | 实际完成情况
#  13  绩效指标 (A13:A24) | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因…
#  14–19 产出指标(50分)   20–23 效益指标(30分)   24 满意度指标(10分)   25 总分 | 100 | 100
#
# No profile named; the project form (项目名称) picks mof-project; the printed split 50/30/10 + 10 is
# the profile's own, so no WEIGHTS_FROM_FORM.
# Hand-worked:
#   money: lines: 年初 90, 全年 89.974, 执行 89.974 (上年结转资金, 其他资金: no amounts, skipped).
#          The typed total row says 0 / 0 / 0: differs from the lines' sums by far more than 0.005 万元
#          → BUDGET_TOTAL_MISMATCH (error) on the typed total cells, and the sums are used.
#          rate = 89.974 / 89.974 = 1 → score 10 × 1 = 10.00. The typed 执行率 0 ≠ 1 →
#          EXECUTION_RATE_MISMATCH (warning). (The typed 得分 0 of the money row is not compared.)
#   row 14 项目数量    ≥50个 against 50: 50 ≥ 50 → 8.00
#   row 15 报告合格率  ≥100百分比 (百分比 = %) against a bare 100 → 100 % (§12): met → 8.00
#   row 16 经费支出合规性 target 严格执行相关制度规定 (text → 定性), 达成预期指标, typed 8 in [6.4, 8] → 8.00
#   row 17 提交报告及时性 target 在项目计划完成时间内完成 (text, no date → 定性), 达成预期指标, 8 → 8.00
#   row 18 项目总成本  ≤90万元 against a bare 90 → 90万元 ≤ 90万元 → 8.00
#   row 19 单项业务成本 符合相关规定 / 达成预期指标, typed 10 → 10.00
#   rows 20–22 效果明显 / 达成预期指标, typed 10 each → 10.00 ×3
#   row 23 经济效益指标 with no indicator: only the level names → placeholder, skipped
#   row 24 公众满意度  ≥90% against 95% → 10.00
#   levels: 产出 8×5 + 10 = 50.00 (weights 50, label 50分 ✓); 效益 30.00; 满意度 10.00
#   weights 50 + 30 + 10 + 10 = 100 ✓.  total = 10.00 + 50 + 30 + 10 = 100.00 → 优, provisional
#   (BUDGET_TOTAL_MISMATCH is an error) → valid false; typed 总分 100 = 100.00: no TOTAL_MISMATCH.
#   checks: BUDGET_TOTAL_MISMATCH, EXECUTION_RATE_MISMATCH.  skipped: rows 9, 10, 23.

SHEET_G = "附件"

EXPECTED_G = Case(
    profile="mof-project", form="project", total="100.00", grade="优", valid=False,
    execution={"budget": "89.974", "executed": "89.974", "rate": "1.0000", "weight": "10", "score": "10.00"},
    levels=[("产出指标", "50", "50.00"), ("效益指标", "30", "30.00"), ("满意度指标", "10", "10.00")],
    indicators=[(14, "8.00"), (15, "8.00"), (16, "8.00"), (17, "8.00"), (18, "8.00"), (19, "10.00"),
                (20, "10.00"), (21, "10.00"), (22, "10.00"), (24, "10.00")],
    codes=frozenset({"BUDGET_TOTAL_MISMATCH", "EXECUTION_RATE_MISMATCH"}),
    skipped=frozenset({(SHEET_G, 9), (SHEET_G, 10), (SHEET_G, 23)}), money_unit="万元", year=2022,
    cells=frozenset({("BUDGET_TOTAL_MISMATCH", "D7"), ("BUDGET_TOTAL_MISMATCH", "E7")}), exit_code=1,
)


def anhui_tangxi_2022(path: Path) -> Path:
    """(g) Anhui 2022 one-sheet form: a 年度资金总额 row typed 0 above the real line, `≥100百分比`."""
    wb = xlsxwriter.Workbook(str(path))
    s = _Sheet(wb, SHEET_G)
    s.ws.set_column("A:I", 14)
    s.put("A1", "附件：", wb.add_format({}))
    s.merge("A2:I2", "项目支出绩效自评表", s.title)
    s.merge("A3:I3", "（2022年度）", wb.add_format({"align": "center"}))
    s.put("A4", "项目名称", s.head)
    s.merge("B4:I4", "委托业务项目", s.cell)
    s.put("A5", "主管部门", s.head)
    s.merge("B5:D5", "219-池州市贵池区棠溪镇人民政府", s.cell)
    s.put("E5", "实施单位", s.head)
    s.merge("F5:I5", "219001-池州市贵池区棠溪镇人民政府", s.cell)
    s.merge("A6:A10", "项目资金\n（万元）")
    s.row(6, "B", ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], s.head)
    s.row(7, "B", ["年度资金总额:", 0, 0, 0, 10, 0, 0])
    s.row(8, "B", ["其中:本年财政拨款", 90, 89.974, 89.974])
    s.row(9, "B", ["上年结转资金"])
    s.row(10, "B", ["其他资金"])
    s.merge("A11:A12", "年度总体目标")
    s.merge("B11:E11", "预期目标")
    s.merge("F11:I11", "实际完成情况")
    s.merge("B12:E12", "本项目共申请预算资金90万元。其中：30万元用于基建工程项目预算编制；30万元用于基建工程"
                       "项目审计；30万元用于基建工程项目设计、规划、测绘。", s.cell)
    s.merge("F12:I12", "本项目共完成预算资金89.97万元。其中：30万元用于基建工程项目预算编制；30万元用于基建"
                       "工程项目审计；29.99万元用于基建工程项目设计、规划、测绘。", s.cell)
    s.merge("A13:A24", "绩效指标")
    s.row(13, "B", ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                    "偏差原因分析及改进措施"], s.head)
    s.merge("B14:B19", "产出指标(50分)", s.cell)
    s.merge("B20:B23", "效益指标(30分)", s.cell)
    s.put("B24", "满意度指标(10分)")
    s.merge("C15:C16", "质量指标", s.cell)
    s.merge("C18:C19", "成本指标", s.cell)
    rows = (
        (14, "数量指标", "基建工程委托业务项目数量", "≥50个", 50, 8, 8),
        (15, None, "委托业务报告合格率", "≥100百分比", 100, 8, 8),
        (16, None, "经费支出合规性", "严格执行相关制度规定", "达成预期指标", 8, 8),
        (17, "时效指标", "提交报告及时性", "在项目计划完成时间内完成", "达成预期指标", 8, 8),
        (18, None, "项目总成本", "≤90万元", 90, 8, 8),
        (19, None, "单项业务成本", "符合相关规定", "达成预期指标", 10, 10),
        (20, "社会效益指标", "对维护基建市场公平的影响程度", "效果明显", "达成预期指标", 10, 10),
        (21, "生态效益指标", "对控制基建项目成本影响程度", "效果明显", "达成预期指标", 10, 10),
        (22, "可持续影响指标", "对推动基建项目“四项制度”健全和落实的持续性影响", "效果明显", "达成预期指标", 10, 10),
        (24, "满意度指标", "公众满意度", "≥90%", "95%", 10, 10),
    )
    for row, level2, name, target, actual, weight, score in rows:
        if level2:
            s.put(f"C{row}", level2)
        s.row(row, "D", [name, target, actual, weight, score])
    s.put("C23", "经济效益指标")
    for col in "DEFGHI":
        s.put(f"{col}23", None)
    s.put("A25", "总分", s.head)
    s.put("G25", 100)
    s.put("H25", 100)
    wb.close()
    return path


# =====================================================================================================
# The Sichuan system export “部门预算项目支出绩效自评表” (报表编号 510000_0013zp), printed by many
# counties' 决算 notices: 预算执行情况(10分) | 年度预算数(万元) | 年初预算 | 调整后预算数 | 预算执行数 |
# 预算执行率 | 权重 | 得分 | 原因, a 总额 row, lines 其中:财政资金 / 财政专户管理资金 / 单位资金 / 其他资金
# with `/` in 权重 and 得分; 绩效指标(90分) | 一级 | 二级 | 三级 | 指标性质 (holding =, ≤) | 指标值 |
# 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析; 合计; 评价结论 / 存在问题 / 改进措施.
# =====================================================================================================
#
# Layout (columns A–K, sheet 项目支出绩效自评表), for n money lines and k indicator rows:
#   1 报表编号:510000_0013zp   2 部门预算项目支出绩效自评表(2023年度)   3 项目名称
#   4 主管部门 | … | 实施单位 (盖章) | …   5–7 项目基本情况 (goal, completion, what was done)
#   8  预算执行情况(10分) (A8:A8+n) | 年度预算数(万元) | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 |
#      权重 | 得分 | 原因 (I:K)
#   9…8+n  总额 and the lines; the printed instruction merged in I9:K8+n is no reason (§7)
#   9+n  绩效指标(90分) (A) | the indicator header;  10+n … 9+n+k the indicators;  then 合计 (A:H) |
#        权重 total (I) | 得分 total (J);  评价结论, 存在问题, 改进措施, 项目负责人: / 财务负责人:

SHEET_EXPORT = "项目支出绩效自评表"
SICHUAN_MONEY_NOTE = ("1.预算执行率=预算执行数/调整后预算数,预算执行率未达到90%的需说明原因(100字以内);"
                      "2.年中发生预算调整的(追加或调减),应单独说明理由;3.其他资金包括:社会投入资金、银行贷款.")


@dataclass(frozen=True)
class ExportForm:
    project: str
    department: str
    unit: str
    goal: str
    done: str
    process: str
    money: tuple[tuple[object, ...], ...]  # (name, 年初预算, 调整后预算数, 预算执行数, 预算执行率, 权重, 得分)
    indicators: tuple[tuple[object, ...], ...]  # (一级, 二级, 三级, 性质, 指标值, 单位, 完成值, 权重, 得分, 原因)
    merges: tuple[tuple[str, str], ...]  # (span, text) of merged 一级/二级 cells as printed
    total: tuple[object, object]  # (权重 total, 得分 total) on the 合计 row
    conclusion: str = "无"


def _sichuan_export(path: Path, form: ExportForm) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    s = _Sheet(wb, SHEET_EXPORT)
    s.ws.set_column("A:K", 13)
    s.merge("A1:K1", "报表编号:510000_0013zp", wb.add_format({"align": "right"}))
    s.merge("A2:K2", "部门预算项目支出绩效自评表(2023年度)", s.title)
    s.put("A3", "项目名称", s.head)
    s.merge("B3:K3", form.project, s.cell)
    s.put("A4", "主管部门", s.head)
    s.merge("B4:E4", form.department, s.cell)
    s.put("F4", "实施单位 (盖章)", s.head)
    s.merge("G4:K4", form.unit, s.cell)
    s.merge("A5:A7", "项目基本情况")
    s.merge("B5:B6", "1.项目年度目标完成情况")
    s.merge("C5:F5", "项目年度目标")
    s.merge("G5:K5", "年度目标完成情况")
    s.merge("C6:F6", form.goal, s.cell)
    s.merge("G6:K6", form.done, s.cell)
    s.put("B7", "2.项目实施内容及过程概述", s.head)
    s.merge("C7:K7", form.process, s.cell)
    last_money = 8 + len(form.money)
    s.merge(f"A8:A{last_money}", "预算执行情况(10分)")
    s.row(8, "B", ["年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分"], s.head)
    s.merge("I8:K8", "原因")
    for offset, line in enumerate(form.money):
        s.row(9 + offset, "B", list(line))
    s.merge(f"I9:K{last_money}", SICHUAN_MONEY_NOTE, s.cell)
    header = last_money + 1
    last = header + len(form.indicators)
    s.merge(f"A{header}:A{last}", "绩效指标(90分)")
    s.row(header, "B", ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重",
                        "得分", "未完成原因分析"], s.head)
    for offset, values in enumerate(form.indicators):
        s.row(header + 1 + offset, "B", list(values))
    for span, text in form.merges:
        s.merge(span, text, s.cell)
    s.merge(f"A{last + 1}:H{last + 1}", "合计")
    s.row(last + 1, "I", list(form.total))
    for offset, (label, text) in enumerate((("评价结论", form.conclusion), ("存在问题", "无"), ("改进措施", "无"))):
        s.put(f"A{last + 2 + offset}", label, s.head)
        s.merge(f"B{last + 2 + offset}:K{last + 2 + offset}", text, s.cell)
    s.merge(f"A{last + 5}:E{last + 5}", "项目负责人:", wb.add_format({}))
    s.merge(f"F{last + 5}:K{last + 5}", "财务负责人:", wb.add_format({}))
    wb.close()
    return path


def _zero_lines() -> tuple[tuple[object, ...], ...]:
    """The export's lines with no money: typed 0.00 (a rate 0.00%, no rate to a careful reader), and
    其他资金 with nothing but `/` in 权重 and 得分."""
    return (("财政专户管理资金", 0, 0, 0, "0.00%", "/", "/"),
            ("单位资金", 0, 0, 0, "0.00%", "/", "/"),
            ("其他资金", None, None, None, None, "/", "/"))


# =====================================================================================================
# (h) 四川 青神县发展和改革局, 2023: “工资性支出”, levels 60 / 30 + 10 (no 满意度) → WEIGHTS_FROM_FORM
# =====================================================================================================
#
# Source: pages corpus, https://www.scqs.gov.cn/info/13206/211004.htm — "报表编号:510000_0013zp |
# 部门预算项目支出绩效自评表(2023年度) | 项目名称 | 51000021R000000019951-工资性支出 | …". As printed:
# 总额 238.93 / 251.89 / 251.89 / 100.00% / 权重 10; 其中:财政资金 the same with `/ /`; 财政专户管理资金
# and 单位资金 0.00 0.00 0.00 0.00%; 其他资金 empty with `/ /`; 发放(缴纳)覆盖率 = 100 % 权重 60 (产出);
# 足额保障率(参保率) = 100 % 权重 30 (效益); 合计 100. Choice: the page was published unfilled (完成值,
# 得分 empty, the goal's completion an instruction); they are filled here as the unit would: 100, 100,
# 60, 30, 得分 10 on 总额, 合计 得分 100.
#
# Rows: money header 8, 总额 9, lines 10–13; indicator header 14, rows 15–16, 合计 17.
# No profile named; 项目名称 → project form → mof-project picked (产出 50, 效益 30, 满意度 10 optional,
# 执行率 10). The form prints 产出 60 + 效益 30 + 执行率 权重 10 = 100 → a consistent scheme (§14):
# the weights are the form's, each level weighs its rows, no WEIGHT_LEVEL, nothing cut.
# Choice: 满意度指标, absent from the form, is no level of it. Whether WEIGHTS_FROM_FORM is raised is
# left open: mof-project marks 满意度 optional, and an absent optional level frees its weight for the
# others (docs/profiles.md), so 60 / 30 may count as the profile's own split or as one that
# differs from 50 / 30 / 10 (§14). Either way the levels score 60.00 and 30.00, never cut to 50.
# Hand-worked:
#   money (万元, from 年度预算数(万元)): lines 财政资金 251.89 + 0 + 0 = 251.89 (typed 总额 agrees);
#          年初 238.93 + 0 + 0 = 238.93 (agrees); executed 251.89. rate = 251.89 / 251.89 = 1 →
#          10 × 1 = 10.00 (typed 100.00% agrees). The adjustment 238.93 → 251.89 needs no reason under
#          mof-project. The 0.00 lines have a budget of 0: no rate, nothing executed, no finding (their
#          typed 0.00% is no claim a careful reader can check). 其他资金: no amounts, skipped.
#   row 15 发放(缴纳)覆盖率 = 100 %, 完成值 100, 权重 60: "=" with a target ≠ 0 scores as ≥ → 60.00
#   row 16 足额保障率      = 100 %, 100, 权重 30 → 30.00
#   levels: 产出 60.00 (weight 60), 效益 30.00 (weight 30).  total = 10.00 + 60 + 30 = 100.00 → 优;
#   typed 合计 得分 100 agrees.  checks: none required (WEIGHTS_FROM_FORM allowed).  skipped: row 13.

QINGSHEN = ExportForm(
    project="51000021R000000019951-工资性支出", department="青神县发展和改革局本级", unit="青神县发展和改革局",
    goal="严格执行相关政策，保障工资及时、足额发放或社保及时、足额缴纳，预算编制科学合理，减少结余资金。",
    done="工资及社保按月足额发放、缴纳，无结余资金。", process="按月发放在职人员工资，按时缴纳社会保险费。",
    money=(("总额", 238.93, 251.89, 251.89, "100.00%", 10, 10),
           ("其中:财政资金", 238.93, 251.89, 251.89, "100.00%", "/", "/")) + _zero_lines(),
    indicators=(("产出指标", "数量指标", "发放(缴纳)覆盖率", "=", 100, "%", 100, 60, 60, None),
                ("效益指标", "社会效益指标", "足额保障率(参保率)", "=", 100, "%", 100, 30, 30, None)),
    merges=(), total=(100, 100),
    conclusion="工资及社保足额发放、缴纳，自评100分。",
)

EXPECTED_H = Case(
    profile="mof-project", form="project", total="100.00", grade="优", valid=True,
    execution={"budget": "251.89", "executed": "251.89", "rate": "1.0000", "weight": "10", "score": "10.00"},
    levels=[("产出指标", "60", "60.00"), ("效益指标", "30", "30.00")],
    indicators=[(15, "60.00"), (16, "30.00")],
    codes=frozenset(), maybe=frozenset({"WEIGHTS_FROM_FORM"}), skipped=frozenset({(SHEET_EXPORT, 13)}),
    money_unit="万元", year=2023, unit="青神县发展和改革局",
)


def sichuan_qingshen_2023(path: Path) -> Path:
    """(h) Sichuan export, 产出 60 / 效益 30 + 执行率 10, 0.00 lines and a `/`-only 其他资金 line."""
    return _sichuan_export(path, QINGSHEN)


# =====================================================================================================
# (i) 四川 大英县司法局, 2023: the export with one 经济成本指标 row weighing 90, its 完成值 typed 完成
# =====================================================================================================
#
# Source: pages corpus, https://dyxrmt.cn/article-157795-21.html — "绩效指标(90分) | 一级指标 | … |
# 产出指标 | 经济成本指标 | 成本控制数 | ≤ | 30 | 万元 | 完成 | 90 | 90 | | 合计 | 100 | … 评价结论 |
# 根据财政局资金下达的管理办法,将资金支付给项目施工方。". Choice: the page cuts this form's money
# block off; it is given as the next form on the page prints its own (年初预算 0.00, the money
# arriving during the year): 总额 0.00 / 30.00 / 30.00 / 100.00% / 10 / 10. The project's name is not
# on the excerpt: “项目支出（成本控制数）” stands for it.
#
# Rows: money 8–13 (总额 9); indicator header 14, row 15, 合计 16 (权重 100, 得分 empty as printed).
# No profile named → mof-project picked. Printed: 产出 90 + 执行率 10 = 100, consistent (§14) → the
# form's weights, differing from 50/30/10 → WEIGHTS_FROM_FORM; no WEIGHT_LEVEL. Choice: 效益指标, which
# the form does not have, is no level of it (the printed split rules).
# Hand-worked:
#   money: 财政资金 30.00 (+0 +0) = 30.00 (typed 总额 agrees), executed 30.00, rate 1 → 10.00.
#   row 15 成本控制数 ≤ 30 万元: the target is a number, so the row is quantitative; its 完成值 `完成`
#          is not a number or a date → VALUE_NOT_NUMBER (error) on H15; score null, counts 0. Its typed
#          得分 90 gets no SCORE_MISMATCH beside the null (§8).
#   levels: 产出 0.00 (weight 90).  total = 10.00 + 0 = 10.00 → 差 (< 60), provisional → valid false.
#   合计 row: 合计 and 100 only (no 得分, two cells) → no typed total.
#   checks: VALUE_NOT_NUMBER, WEIGHTS_FROM_FORM.  skipped: row 13.

DAYING_COST = ExportForm(
    project="项目支出（成本控制数）", department="大英县司法局部门", unit="大英县司法局",
    goal="按财政局资金下达的管理办法，及时将资金支付给项目施工方。", done="完成",
    process="根据财政局资金下达的管理办法，将资金支付给项目施工方。",
    money=(("总额", 0, 30, 30, "100.00%", 10, 10),
           ("其中:财政资金", 0, 30, 30, "100.00%", "/", "/")) + _zero_lines(),
    indicators=(("产出指标", "经济成本指标", "成本控制数", "≤", 30, "万元", "完成", 90, 90, None),),
    merges=(), total=(100, None),
    conclusion="根据财政局资金下达的管理办法,将资金支付给项目施工方。",
)

EXPECTED_I = Case(
    profile="mof-project", form="project", total="10.00", grade="差", valid=False,
    execution={"budget": "30.00", "executed": "30.00", "rate": "1.0000", "weight": "10", "score": "10.00"},
    levels=[("产出指标", "90", "0.00")],
    indicators=[(15, None)],
    codes=frozenset({"VALUE_NOT_NUMBER", "WEIGHTS_FROM_FORM"}), skipped=frozenset({(SHEET_EXPORT, 13)}),
    money_unit="万元", year=2023, unit="大英县司法局", weights_from="form",
    cells=frozenset({("VALUE_NOT_NUMBER", "H15")}), exit_code=1,
)


def sichuan_daying_cost_2023(path: Path) -> Path:
    """(i) Sichuan export whose only indicator (weight 90) has 完成 typed as its 完成值."""
    return _sichuan_export(path, DAYING_COST)


# =====================================================================================================
# (j) 四川 大英县司法局, 2023: “2023年全县安可替代补助资金项目”, 年初预算 0.00, one 质量指标 weighing 90
# =====================================================================================================
#
# Source: the same page, https://dyxrmt.cn/article-157795-21.html — "部门预算项目支出绩效自评表(2023年度)
# | 项目名称 | 51092324T000010263357-2023年全县安可替代补助资金项目 | 主管部门 | 大英县司法局部门 | 实施单位
# | 大英县司法局 | … | 总额 | 0.00 | 3.36 | 3.36 | 100.00% | 10 | 10 | … | 其中:财政资金 | 0.00 | 3.36 |
# 3.36 | 100.00% | / | / | … | 产出指标 | 质量指标 | 完成安可产品购买并按要求支付资金 | = | 100 |".
# Choice: the page is cut after the 指标值; the row ends `% | 100 | 90 | 90`, the 合计 row `100 | 100`.
#
# Rows as (i). No profile named → mof-project; 产出 90 + 10 = 100 → the form's weights, WEIGHTS_FROM_FORM.
# Hand-worked:
#   money: 3.36 (+0 +0) = 3.36 (agrees), executed 3.36 → rate 1 → 10.00 (typed 100.00%, 10 agree);
#          年初 0.00 → 3.36 needs no reason under mof-project.
#   row 15 = 100 %, 100, 权重 90 → 90.00.   levels: 产出 90.00 (weight 90).
#   total = 10.00 + 90.00 = 100.00 → 优; typed 合计 100 agrees.  checks: WEIGHTS_FROM_FORM (效益指标,
#   required in mof-project, is not on the form, so the split differs whichever way 满意度's 10 goes;
#   the message names the split, 产出指标 90).  skipped: 13.

DAYING_ANKE = ExportForm(
    project="51092324T000010263357-2023年全县安可替代补助资金项目", department="大英县司法局部门",
    unit="大英县司法局", goal="根据要求购买安可设备,并完成项目资金支付。", done="完成",
    process="2023年购买13台安可电脑,并于12月前完成资金支付。",
    money=(("总额", 0, 3.36, 3.36, "100.00%", 10, 10),
           ("其中:财政资金", 0, 3.36, 3.36, "100.00%", "/", "/")) + _zero_lines(),
    indicators=(("产出指标", "质量指标", "完成安可产品购买并按要求支付资金", "=", 100, "%", 100, 90, 90, None),),
    merges=(), total=(100, 100),
    conclusion="按要求购买安可设备并完成资金支付。",
)

EXPECTED_J = Case(
    profile="mof-project", form="project", total="100.00", grade="优", valid=True,
    execution={"budget": "3.36", "executed": "3.36", "rate": "1.0000", "weight": "10", "score": "10.00"},
    levels=[("产出指标", "90", "90.00")],
    indicators=[(15, "90.00")],
    codes=frozenset({"WEIGHTS_FROM_FORM"}), skipped=frozenset({(SHEET_EXPORT, 13)}), money_unit="万元",
    year=2023, unit="大英县司法局", weights_from="form",
)


def sichuan_daying_anke_2023(path: Path) -> Path:
    """(j) Sichuan export: 年初预算 0.00, one indicator weighing 90."""
    return _sichuan_export(path, DAYING_ANKE)


# =====================================================================================================
# (k) 四川 德阳 (dyrmt.com), the export with four rows of 22.5: 产出 67.5 / 效益 22.5 + 10
# =====================================================================================================
#
# Source: pages corpus, https://dyrmt.com/article-132779-22.html — "产出指标数量指标足额保障率=100% 22.5
# 科目调整次数≤10次 22.5 时效指标按时发放率=100% 22.5 效益指标经济效益指标结余率(计算方法为:结余数/
# 预算数)≤5% 22.5 合计100 评价结论及时、足额缴纳。存在问题暂无改进措施暂无项目负责人:财务负责人:".
# Choice: the excerpt shows the indicator rows only; the year (2023, the export's), project, unit
# and money are chosen: 总额 120.00 / 126.50 / 118.91 / 94.00% / 10 / 9.4, and the actuals 100, 3 次,
# 100, 6.2 % (one missed, with its reason). 产出指标 is merged over rows 15–17, 数量指标 over 15–16.
#
# Rows: money 8–13; indicator header 14, rows 15–18, 合计 19.
# No profile named → mof-project; printed 67.5 + 22.5 + 10 = 100 → the form's weights (decimal weights
# as printed), never cut to 50. Choice: as in (h), 满意度 is absent and optional in mof-project, so
# WEIGHTS_FROM_FORM is allowed, not required.
# Hand-worked:
#   money: 财政资金 126.50 (+0 +0) = 126.50, 年初 120.00, executed 118.91 (typed 总额 agrees);
#          rate = 118.91 / 126.50 = 0.94 exactly (126.5 × 0.94 = 118.91); score 10 × 0.94 = 9.40
#          (typed 94.00% and 9.4 agree).
#   row 15 足额保障率  = 100 %, 100 → 22.50
#   row 16 科目调整次数 ≤ 10 次, 3 → 3 ≤ 10 → 22.50
#   row 17 按时发放率  = 100 %, 100 → 22.50
#   row 18 结余率(…)   ≤ 5 %, 6.2: 5 < 6.2 < 10 → 22.5 × (1 − (6.2 − 5) / 5) = 22.5 × 0.76 = 17.10
#          (typed 17.1 agrees; reason given → no DEVIATION_UNEXPLAINED)
#   levels: 产出 22.5 × 3 = 67.50 (weight 67.5); 效益 17.10 (weight 22.5).
#   total = 9.40 + 67.50 + 17.10 = 94.00 → 优; typed 合计 得分 94 agrees.
#   checks: none required (WEIGHTS_FROM_FORM allowed).  skipped: row 13.

DEYANG = ExportForm(
    project="机关事业单位养老保险缴费", department="（页面未显示）", unit="德阳市某单位",
    goal="按时足额缴纳养老保险费，减少结余。", done="全年按时足额缴纳。", process="按月缴纳养老保险费。",
    money=(("总额", 120, 126.5, 118.91, "94.00%", 10, 9.4),
           ("其中:财政资金", 120, 126.5, 118.91, "94.00%", "/", "/")) + _zero_lines(),
    indicators=(("产出指标", "数量指标", "足额保障率", "=", 100, "%", 100, 22.5, 22.5, None),
                (None, None, "科目调整次数", "≤", 10, "次", 3, 22.5, 22.5, None),
                (None, "时效指标", "按时发放率", "=", 100, "%", 100, 22.5, 22.5, None),
                ("效益指标", "经济效益指标", "结余率(计算方法为:结余数/预算数)", "≤", 5, "%", 6.2, 22.5, 17.1,
                 "年中人员调出，缴费基数下降形成结余；下年据实编制预算")),
    merges=(("B15:B17", "产出指标"), ("C15:C16", "数量指标")), total=(100, 94),
    conclusion="及时、足额缴纳。",
)

EXPECTED_K = Case(
    profile="mof-project", form="project", total="94.00", grade="优", valid=True,
    execution={"budget": "126.50", "executed": "118.91", "rate": "0.9400", "weight": "10", "score": "9.40"},
    levels=[("产出指标", "67.5", "67.50"), ("效益指标", "22.5", "17.10")],
    indicators=[(15, "22.50"), (16, "22.50"), (17, "22.50"), (18, "17.10")],
    codes=frozenset(), maybe=frozenset({"WEIGHTS_FROM_FORM"}), skipped=frozenset({(SHEET_EXPORT, 13)}),
    money_unit="万元", year=2023, unit="德阳市某单位",
)


def sichuan_deyang_22_5(path: Path) -> Path:
    """(k) Sichuan export with four indicators of 22.5 (产出 67.5, 效益 22.5)."""
    return _sichuan_export(path, DEYANG)


# =====================================================================================================
# (l) 四川 中江县水利局, 2022: 绩效目标自评表, 分值 before 年度指标值, levels 70 / 20 / 10 + 执行率 10 = 110
# =====================================================================================================
#
# Source: pages corpus, https://chacewang.com/newsdetail/news242266.html — "绩效目标自评表(2022年度)
# 项目名称 中江县农业水价综合改革精准补贴和节水奖励项目小型水库水标尺制作安装 … 资金情况(万元) 全年预算数(A)
# 全年执行数(B) 分值 执行率(B/A) 得分 年度资金总额:20 20 10 100.00% 10 其中:本年财政拨款 20 20 其他资金 …
# 一级指标 二级指标 三级指标 分值 年度指标值 全年实际值 得分 未完成原因及拟采取的改进措施 产出指标(70分) …
# 总分 100 100 注:1.一级指标分值统一设置为:产出指标50分、效益指标30分、满意度指标10分、预算资金执行率10分…".
# As printed: the actuals repeat the targets with their signs (`≥266米`, `≥90%`); `100%` and `20万元`
# without a sign; 显著提升 / 显著提升; an empty 经济效益指标 row; a `……` row; the weights make 70 + 20 + 10
# = 100 before the rate's 10, although the form's own note says 50 / 30 / 10 + 10. The person and
# telephone of 项目负责人及电话 are left out.
#
# Layout (columns A–I, sheet 绩效目标自评表):
#   6 资金情况（万元） (A6:A9) | | 全年预算数(A) | 全年执行数(B) | 分值 | 执行率(B/A) | 得分
#   7 年度资金总额: 20 20 10 100.00% 10   8 其中:本年财政拨款 20 20   9 其他资金
#  10–11 年度总体目标 | 年初设定目标 | 年度总体目标完成情况综述
#  12 绩效指标 | 一级指标 | 二级指标 | 三级指标 | 分值 | 年度指标值 | 全年实际值 | 得分 | 未完成原因…
#  13–18 产出指标(70分)  19–21 效益指标(20分)  22–23 满意度指标(10分)  24 总分 | 100 (E) | 100 (H)  25 注
#
# No profile named → mof-project picked. The printed weights do not make 100 (100 + 10 = 110), so they
# are no consistent scheme (§14): WEIGHT_TOTAL (error); the total is the plain sum, never cut; grade
# provisional; a total above 100 is shown as computed. Choice: whether WEIGHT_LEVEL (产出 70 ≠ 50,
# 效益 20 ≠ 30) also appears beside WEIGHT_TOTAL is left open by §14, so it is allowed, not required;
# the levels' weights are not asserted, their scores are (plain sums).
# Hand-worked:
#   money: 20 / 20 (line 20 / 20 agrees), rate 1 → 10 × 1 = 10.00 (printed 分值 10 = mof-project's).
#   row 13 安装坡面水标尺 ≥266米 against `≥266米`: the actual reads 266米 (a sign before a number is
#          read as the number, rules §4.7 `≥95%`) → met → 10.00
#   row 14 水标尺宽度     ≥50厘米 against `≥50厘米` → 50 ≥ 50 → 10.00
#   row 15 验收合格率     100% against 100%, no sign: 合格率 is higher-is-better → ≥ with OPERATOR_ASSUMED
#          → 20.00
#   row 16 开工率 ≥90% / `≥90%` → 10.00;  row 17 完工率 → 10.00
#   row 18 项目计划总投资 20万元 / 20万元, no sign, a 成本指标 row → ≤ with OPERATOR_ASSUMED; 20 ≤ 20 → 10.00
#   row 19 经济效益指标 only → placeholder, skipped
#   row 20 受益人口数 ≥1000人 / `≥1000人` → 10.00
#   row 21 改善状况 显著提升 / 显著提升: text target → 定性; the same text → 达成; typed 10 → 10.00
#   row 22 满意度 ≥95% / `≥95%` → 10.00;   row 23 `……` → placeholder, skipped
#   levels: 产出 10 + 10 + 20 + 10 + 10 + 10 = 70.00; 效益 10 + 10 = 20.00; 满意度 10.00
#   total = 10.00 + 70 + 20 + 10 = 110.00 (plain sum) → 优 (≥ 90), provisional → valid false.
#   typed 总分 100 ≠ 110.00 → TOTAL_MISMATCH on H24.
#   checks: WEIGHT_TOTAL, TOTAL_MISMATCH, OPERATOR_ASSUMED (rows 15, 18); maybe WEIGHT_LEVEL.
#   skipped: rows 9, 19, 23.

SHEET_L = "绩效目标自评表"

EXPECTED_L = Case(
    profile="mof-project", form="project", total="110.00", grade="优", valid=False,
    execution={"budget": "20.00", "executed": "20.00", "rate": "1.0000", "weight": "10", "score": "10.00"},
    levels=[("产出指标", None, "70.00"), ("效益指标", None, "20.00"), ("满意度指标", None, "10.00")],
    indicators=[(13, "10.00"), (14, "10.00"), (15, "20.00"), (16, "10.00"), (17, "10.00"), (18, "10.00"),
                (20, "10.00"), (21, "10.00"), (22, "10.00")],
    codes=frozenset({"WEIGHT_TOTAL", "TOTAL_MISMATCH", "OPERATOR_ASSUMED"}), maybe=frozenset({"WEIGHT_LEVEL"}),
    skipped=frozenset({(SHEET_L, 9), (SHEET_L, 19), (SHEET_L, 23)}), money_unit="万元", year=2022,
    unit="中江县水利局", cells=frozenset({("TOTAL_MISMATCH", "H24")}), exit_code=1,
)


def sichuan_zhongjiang_2022(path: Path) -> Path:
    """(l) 绩效目标自评表 whose printed weights make 110, 分值 printed before 年度指标值."""
    wb = xlsxwriter.Workbook(str(path))
    s = _Sheet(wb, SHEET_L)
    s.ws.set_column("A:I", 14)
    s.merge("A1:I1", "绩效目标自评表", s.title)
    s.merge("A2:I2", "（2022年度）", wb.add_format({"align": "center"}))
    s.put("A3", "项目名称", s.head)
    s.merge("B3:I3", "中江县农业水价综合改革精准补贴和节水奖励项目小型水库水标尺制作安装", s.cell)
    s.put("A4", "项目负责人及电话", s.head)
    s.merge("B4:I4", "（略）", s.cell)
    s.put("A5", "主管部门", s.head)
    s.merge("B5:D5", "中江县水利局", s.cell)
    s.put("E5", "实施单位", s.head)
    s.merge("F5:I5", "中江县水利局", s.cell)
    s.merge("A6:A9", "资金情况（万元）")
    s.row(6, "B", ["", "全年预算数(A)", "全年执行数(B)", "分值", "执行率(B/A)", "得分"], s.head)
    s.row(7, "B", ["年度资金总额:", 20, 20, 10, "100.00%", 10])
    s.row(8, "B", ["其中:本年财政拨款", 20, 20])
    s.row(9, "B", ["其他资金"])
    s.merge("A10:A11", "年度总体目标")
    s.merge("B10:E10", "年初设定目标")
    s.merge("F10:I10", "年度总体目标完成情况综述")
    goal = "对农村地区供水计量设施设备进行改进，对项目区农业用水计量，为项目区农业生产夯实基础"
    s.merge("B11:E11", goal, s.cell)
    s.merge("F11:I11", goal, s.cell)
    s.merge("A12:A23", "绩效指标")
    s.row(12, "B", ["一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分",
                    "未完成原因及拟采取的改进措施"], s.head)
    s.merge("B13:B18", "产出指标(70分)", s.cell)
    s.merge("B19:B21", "效益指标(20分)", s.cell)
    s.merge("B22:B23", "满意度指标(10分)", s.cell)
    s.merge("C13:C14", "数量指标", s.cell)
    s.merge("C16:C17", "时效指标", s.cell)
    s.merge("C20:C21", "社会效益指标", s.cell)
    s.merge("C22:C23", "服务对象满意度指标", s.cell)
    rows = (
        (13, None, "安装坡面水标尺", 10, "≥266米", "≥266米", 10),
        (14, None, "水标尺宽度", 10, "≥50厘米", "≥50厘米", 10),
        (15, "质量指标", "项目（工程）验收合格率", 20, "100%", "100%", 20),
        (16, None, "及时（按期）开工率", 10, "≥90%", "≥90%", 10),
        (17, None, "及时（按期）完工率", 10, "≥90%", "≥90%", 10),
        (18, "成本指标", "项目计划总投资", 10, "20万元", "20万元", 10),
        (20, None, "受益脱贫（含监测对象）户人口数", 10, "≥1000人", "≥1000人", 10),
        (21, None, "群众生产生活条件改善状况", 10, "显著提升", "显著提升", 10),
        (22, None, "受益脱贫（含监测对象）户满意度", 10, "≥95%", "≥95%", 10),
    )
    for row, level2, name, weight, target, actual, score in rows:
        if level2:
            s.put(f"C{row}", level2)
        s.row(row, "D", [name, weight, target, actual, score])
    s.put("C19", "经济效益指标")
    s.put("D23", "……")
    s.put("A24", "总分", s.head)
    s.put("E24", 100)
    s.put("H24", 100)
    s.merge("A25:I25", "注：1.一级指标分值统一设置为：产出指标50分、效益指标30分、满意度指标10分、预算资金执行率10分，"
                       "各部门根据各项指标重要程度确定三级指标的分值。", wb.add_format({"text_wrap": True}))
    wb.close()
    return path


# =====================================================================================================
# NOT read (exit 2): two published tables that look like 自评表 and are not
# =====================================================================================================
#
# (m) 湖北 湖北工程学院 “学生资助项目绩效目标自评表”. Source: pages corpus,
# https://m.777doc.com/doc-4336759.html — "年学生资助项目绩效目标自评表 填报日期: 总分: 分 项目名称 …
# 主管部门 湖北省教育厅 项目实施单位 湖北工程学院 … 预算执行情况(万元) (分) 预算数( ) 执行数( ) 执行率( )
# 得分(分*执行率) 年度财政资金总额 … 一级指标 二级指标 三级指标 年初目标值( ) 实际完成值( ) 得分 产出指标
# 数量 国家奖学金人数 … 效益指标(分) … 过程指标 评审程序是否公正 是 是". The weights stand only in the
# level labels (产出指标（…分）); no 分值 column per indicator. Choice: the year is not legible on the
# page (“1/1年”): 2017 is typed; the blank `(分)` labels are filled 50 / 30 / 10, the figures chosen.
# Expected (docs/rules.md §12.3–§12.4): not scorable — evaluate() raises SelfevalError whose message
# names 分值; `check` exits 2.
#
# (n) 四川 达州 “项目支出绩效评价评分表”. Source: pages corpus, http://nyj.dazhou.gov.cn/xxgk-show-16453.html —
# "单位名称/ 项目名称 | 一级 指标 | 二级 指标 | 三级指标 | 分值 | 得分 | (20分) | (10分) | 必要性 | 5 | … 可行性 |
# 5 | … 明确性 | 5 | 合理性 | 5 | … 资金分配 | 3 | 资金使用 | 4 | … 执行规范 | 3 | … 完成数量 | 5 | 完成质量 | 5 |
# 完成时效 | 5 | 完成成本 | 5 | … 经济效益(可选项) | 40 |". The level names the page lost are those of the
# same table on https://wanglu.net/thread/t12-491155-4.html (项目决策, 科学决策, 绩效目标, 项目管理, 资金管理,
# 项目执行, 项目绩效, 项目完成, 项目效益). A scoring sheet of an evaluation: 分值 and 得分, no 年度指标值 and
# no 实际完成值. Expected (workbook.md §2): not a 自评表 — SelfevalError naming the headers it looked
# for (年度指标值, 实际完成值); `check` exits 2.

SHEET_M = "自评表"
SHEET_N = "评分表"


def hubei_student_aid(path: Path) -> Path:
    """(m) Hubei 绩效目标自评表 with the weights only in the level labels: refused (exit 2)."""
    wb = xlsxwriter.Workbook(str(path))
    s = _Sheet(wb, SHEET_M)
    s.ws.set_column("A:G", 16)
    s.merge("A1:G1", "2017年学生资助项目绩效目标自评表", s.title)
    s.merge("A2:D2", "填报日期：2018年3月", wb.add_format({}))
    s.merge("E2:G2", "总分：97分", wb.add_format({}))
    s.put("A3", "项目名称", s.head)
    s.merge("B3:G3", "湖北工程学院2017年学生资助项目", s.cell)
    s.put("A4", "主管部门", s.head)
    s.merge("B4:C4", "湖北省教育厅", s.cell)
    s.put("D4", "项目实施单位", s.head)
    s.merge("E4:G4", "湖北工程学院", s.cell)
    s.put("A5", "项目类别", s.head)
    s.merge("B5:G5", "部门预算项目☑、省直专项□、省对下转移支付项目□", s.cell)
    s.merge("A6:B6", "预算执行情况（万元）（10分）")
    s.row(6, "C", ["预算数（A）", "执行数（B）", "执行率（B/A）", "得分（分*执行率）"], s.head)
    s.merge("A7:B7", "年度财政资金总额", s.cell)
    s.row(7, "C", [1200, 1164, "97%", 9.7])
    s.row(8, "A", ["一级指标", "二级指标", "三级指标", "年初目标值（A）", "实际完成值（B）", "得分", "备注"], s.head)
    s.merge("A9:A12", "产出指标（50分）", s.cell)
    s.merge("A13:A14", "效益指标（30分）", s.cell)
    rows = (
        (9, "数量", "国家奖学金人数", "30人", "29人", 14, "因全校总人数减少，总指标数减少，但奖励、资助比例没减少"),
        (10, None, "国家励志奖学金人数", "420人", "420人", 12, None),
        (11, "成本指标", "国家奖学金人均资助", "8000元", "8000元", 12, None),
        (12, None, "国家助学金人均资助", "3000元", "3000元", 12, None),
        (13, "社会效益指标", "资金发放率", "100%", "100%", 15, None),
        (14, None, "困难生完成学业率", "≥95%", "98%", 15, None),
        (15, "服务对象满意度指标（10分）", "受助学生满意度", "≥90%", "96%", 10, None),
        (16, "过程指标", "评审程序是否公正", "是", "是", None, None),
    )
    for row, level2, name, target, actual, score, note in rows:
        if level2:
            s.put(f"B{row}", level2)
        s.row(row, "C", [name, target, actual, score, note])
    wb.close()
    return path


def dazhou_score_sheet(path: Path) -> Path:
    """(n) Sichuan 绩效评价评分表: 分值 and 得分 without targets or actuals — not a 自评表 (exit 2)."""
    wb = xlsxwriter.Workbook(str(path))
    s = _Sheet(wb, SHEET_N)
    s.ws.set_column("A:E", 16)
    s.merge("A1:E1", "项目支出绩效评价评分表", s.title)
    s.put("A2", "单位名称/项目名称", s.head)
    s.merge("B2:E2", "达州市农业农村局/农业产业发展项目", s.cell)
    s.row(3, "A", ["一级指标", "二级指标", "三级指标", "分值", "得分"], s.head)
    rows = (
        ("项目决策（20分）", "科学决策（10分）", "必要性", 5, 5), (None, None, "可行性", 5, 5),
        (None, "绩效目标（10分）", "明确性", 5, 5), (None, None, "合理性", 5, 5),
        ("项目管理（10分）", "资金管理（7分）", "资金分配", 3, 3), (None, None, "资金使用", 4, 4),
        (None, "项目执行（3分）", "执行规范", 3, 2),
        ("项目绩效（70分）", "项目完成（20分）", "完成数量", 5, 5), (None, None, "完成质量", 5, 4),
        (None, None, "完成时效", 5, 5), (None, None, "完成成本", 5, 5),
        (None, "项目效益（50分）", "经济效益（可选项）", 40, 38), (None, None, "服务对象满意度", 10, 10),
    )
    for offset, values in enumerate(rows):
        s.row(4 + offset, "A", list(values))
    s.put("A17", "总分", s.head)
    s.row(17, "D", [100, 96])
    wb.close()
    return path


# The builders of the forms that are read, with what each must give.
READ: dict[str, tuple[Callable[[Path], Path], Case]] = {
    "anhui_tangxi_2022": (anhui_tangxi_2022, EXPECTED_G),
    "sichuan_qingshen_2023": (sichuan_qingshen_2023, EXPECTED_H),
    "sichuan_daying_cost_2023": (sichuan_daying_cost_2023, EXPECTED_I),
    "sichuan_daying_anke_2023": (sichuan_daying_anke_2023, EXPECTED_J),
    "sichuan_deyang_22_5": (sichuan_deyang_22_5, EXPECTED_K),
    "sichuan_zhongjiang_2022": (sichuan_zhongjiang_2022, EXPECTED_L),
}

# The forms that must be refused (exit 2), with words the refusal must name.
REFUSED: dict[str, tuple[Callable[[Path], Path], tuple[str, ...]]] = {
    "hubei_student_aid": (hubei_student_aid, ("分值",)),
    "dazhou_score_sheet": (dazhou_score_sheet, ("年度指标值", "实际完成值")),
}
