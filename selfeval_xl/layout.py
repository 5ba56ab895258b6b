"""The workbook contract as data: sheet names, columns, header labels and their synonyms.

The template writer lays sheets out from these tables and the reader finds them by the same
labels, so a label changes in one place only (docs/workbook.md).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from selfeval_xl.vocabulary import label_key

SHEET_GUIDE = "填表说明"
SHEET_INFO = "基本信息"
SHEET_BUDGET = "预算执行"
SHEET_INDICATORS = "绩效指标"
SHEET_SCORE = "评分"
SHEET_LISTS = "下拉列表"
SHEET_META = "_selfeval_meta"
SHEET_SUMMARY = "评分汇总"
TEMPLATE_VERSION = "1"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    width: int = 12
    required: bool = False
    # Bare words a form may print beside a more specific label of the same meaning (权重 beside 分值,
    # 完成值 beside 单项指标实际完成值): read only where no other label of this column stands.
    generic: tuple[str, ...] = ()

    def matches(self, header: object) -> bool:
        key = label_key(header)
        return bool(key) and key in self.keys

    @functools.cached_property
    def keys(self) -> frozenset[str]:
        # compared as printed labels are (docs/workbook.md §4): 全年预算数（A） is 全年预算数
        return frozenset(label_key(x) for x in (self.label, *self.synonyms, *self.generic))

    def rank(self, key: str) -> int:
        """How specific a label key is for this column: 0 its own label, 1 a synonym, 2 a bare word."""
        if key == label_key(self.label):
            return 0
        return 2 if key in {label_key(x) for x in self.generic} else 1


BUDGET_COLUMNS = (
    Column("category", "类别", ("支出类别", "支出性质"), 12),
    Column("name", "名称", ("项目名称", "支出项目", "明细", "项目", "资金来源"), 46, required=True),
    Column("initial", "年初预算数", ("年初预算", "年初数"), 16),
    Column("budget", "全年预算数", ("全年预算数（A）", "调整后预算数", "调整预算数（A）", "全年数", "预算数",
                                  "全年（调整）预算数", "调整后预算数（A）"), 16, required=True),
    Column("executed", "全年执行数", ("全年执行数（B）", "预算执行数", "执行数", "决算数", "实际支出数", "支出数",
                                  "执行数（B）", "全年实际支出"), 16, required=True),
    Column("rate", "执行率", ("执行率（B/A）", "预算执行率"), 11),
    Column("reason", "原因说明", ("备注", "说明", "原因", "未执行原因"), 40),
)
BUDGET_WEIGHT_COLUMN = Column("weight", "分值", ("权重", "参考分值"))

INDICATOR_COLUMNS = (
    Column("seq", "序号", (), 6),
    Column("area", "工作分项", ("工作任务", "分项"), 14),
    Column("level1", "一级指标", (), 12, required=True),
    Column("level2", "二级指标", (), 18),
    Column("name", "三级指标", ("指标名称",), 28, required=True),
    Column("nature", "指标性质", ("指标类型",), 10),
    # The words of the provinces' system exports (预期指标值, 单项指标实际完成值, 符号 …) are synonyms
    # too (docs/workbook.md §4).
    Column("operator", "比较方式", ("计算符号", "比较符", "运算符"), 10, generic=("符号",)),
    Column("target", "年度指标值", ("年度指标值（A）", "指标值（A）", "年初目标值", "年初指标值", "预期指标值",
                                 "指标值（预期）", "年度目标值"), 14, required=True, generic=("指标值", "目标值")),
    Column("unit", "计量单位", ("度量单位", "单位"), 10),
    Column("actual", "实际完成值", ("实际完成值（B）", "全年实际值（B）", "全年实际值", "全年完成值", "实际完成情况",
                                 "单项指标实际完成值"), 16, required=True, generic=("完成值", "实际值")),
    Column("weight", "分值", ("参考分值", "指标权重", "权重（分）", "指标分值", "权重分"), 8, required=True,
           generic=("权重",)),
    Column("self_score", "自评得分", ("得分", "指标得分", "自评分"), 10),
    Column("reason", "偏差原因分析及改进措施", ("偏差原因", "未完成原因分析", "未完成原因分析及改进措施",
                                         "未完成原因及拟采取的改进措施", "偏差原因分析", "未完成原因及改进措施",
                                         "存在问题及改进措施"), 40),
)
DIRECTION_COLUMN = Column("direction", "指标方向", ("方向",))
# Where a form prints both 年初指标值 and 调整指标值, the adjusted one is the target wherever it is filled.
ADJUSTED_TARGET_COLUMN = Column("target_adjusted", "调整指标值", ("调整后指标值",))
# Columns the reader knows but the template does not lay out.
INDICATOR_EXTRA = (DIRECTION_COLUMN, ADJUSTED_TARGET_COLUMN)
# What a reader needs to score an indicator table; 一级指标 is optional (docs/rules.md §12.3).
INDICATOR_REQUIRED = ("name", "target", "actual", "weight")
CALC_SCORE_LABEL = "系统测算得分"

INFO_FIELDS_COMMON = (
    "单位名称", "主管部门", "评价年度", "评价类型", "评价口径", "填报人", "联系电话", "填报日期",
    "年度总体目标（预期目标）", "年度总体目标实际完成情况", "评价工作组", "单位负责人", "财务负责人",
)
INFO_FIELDS_PROJECT = ("项目名称", "实施单位")
INFO_SYNONYMS = {
    "单位名称": ("单位", "部门名称", "预算单位", "单位（盖章）", "填报单位"),
    "主管部门": ("主管部门及代码",),
    "评价年度": ("年度", "评价年份"),
    "年度总体目标（预期目标）": ("年度总体目标", "预期目标", "总体目标"),
    "年度总体目标实际完成情况": ("实际完成情况", "总体目标完成情况", "年度总体目标完成情况"),
    "评价口径": ("评分口径", "规则口径"),
}
FORM_TYPE_LABELS = {"department": "部门整体支出", "project": "项目支出"}

BUDGET_GROUPS = {"department": ("基本支出", "项目支出"), "project": ("当年财政拨款", "上年结转资金", "其他资金")}
TOTAL_NAMES = ("合计", "总计", "年度资金总额", "年度财政资金总额", "资金总额", "总额")
# The first-column labels of a one-sheet form's blocks (docs/workbook.md §6): its money block, and
# the labels that start the next block and so end the money block.
MONEY_BLOCK_LABELS = ("项目资金", "资金情况", "年度预算数", "预算资金")
BLOCK_STARTS = ("年度总体目标", "年度总体目标完成情况", "总体目标", "年度绩效目标", "年度绩效指标完成情况", "绩效指标",
                "总分")
GOAL_HEADINGS = ("预期目标", "实际完成情况")
# The row or header holding the typed total (docs/workbook.md §6).
TOTAL_SCORE_NAMES = ("总分", "自评总分", "合计得分", "自评得分合计", "项目总得分", "总得分")
SUBTOTAL_SUFFIX = "小计"

NATURES = ("定量", "定性")
OPERATOR_CHOICES = ("≥", "≤", "＝")
UNIT_CHOICES = ("%", "个", "次", "人", "人次", "户", "项", "件", "天", "元", "万元", "平方米", "公里", "栋", "分")

