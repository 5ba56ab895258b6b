"""The check catalogue of docs/rules.md §11: stable codes, severities and Chinese messages.

Each message template says what is wrong and what to do. `Findings` collects them; it is plain
data and never raises.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from selfeval_xl.formatting import quoted, shortened
from selfeval_xl.model import Cell, Finding, Severity


@dataclass(frozen=True)
class Check:
    code: str
    severity: Severity
    title: str
    template: str


CATALOGUE: dict[str, Check] = {c.code: c for c in (
    Check("WEIGHT_TOTAL", "error", "分值合计不等于100",
          "指标分值合计 {indicators} 加预算执行率分值 {execution} 为 {total}，应为 100：请调整各指标分值。"),
    Check("WEIGHT_LEVEL", "error", "一级指标分值与口径不符",
          "{level}的指标分值合计为 {actual}，评价口径（{profile}）规定为 {expected}：请调整该一级指标下各指标的分值。"),
    Check("WEIGHTS_FROM_FORM", "warning", "按表内分值计分",
          "没有指定评价口径，各一级指标和预算执行率按表内印的分值计分（按表内分值：{split}），"
          "与推定口径的分值不同；如须按某一口径计分，请在基本信息中填写评价口径或用 --profile 指定。"),
    Check("WEIGHT_INVALID", "error", "分值缺失或无效",
          "分值{detail}：每个指标的分值应为大于 0 的数字，请填写。"),
    Check("LEVEL_UNKNOWN", "error", "一级指标名称无法识别",
          "一级指标“{value}”不是{levels}之一：请从下拉列表中选择。"),
    Check("LEVEL2_MISMATCH", "warning", "二级指标不属于其一级指标",
          "二级指标“{value}”不属于{level}（应为{allowed}之一）：请核对一级、二级指标的对应关系。"),
    Check("BUDGET_TOTAL_MISMATCH", "error", "合计数与明细之和不符",
          "{row}的{column}填写为 {typed}，明细之和为 {computed}（相差 {diff}）：已按明细之和计算，请更正合计数。"),
    Check("EXECUTION_OVER_BUDGET", "error", "执行数超过预算数",
          "合计全年执行数 {executed} 超过全年预算数 {budget}：请核对预算调整或执行数（得分按满分计算）。"),
    Check("LINE_OVER_BUDGET", "warning", "单行执行数超过预算数",
          "“{name}”的全年执行数 {executed} 超过全年预算数 {budget}：请核对。"),
    Check("EXECUTION_RATE_MISMATCH", "warning", "填写的执行率与重算不符",
          "“{name}”填写的执行率为 {typed}，按执行数÷预算数重算为 {computed}：请更正或改为公式。"),
    Check("EXECUTION_UNEXPLAINED", "warning", "执行率偏低未说明原因",
          "预算执行率 {rate} 低于 {threshold}：请在原因说明中写明原因。"),
    Check("BUDGET_ADJUSTED_UNEXPLAINED", "warning", "预算调整未说明原因",
          "“{name}”的全年预算数 {budget} 与年初预算数 {initial} 不同：请在原因说明中写明调整原因。"),
    Check("VALUE_MISSING", "error", "必填项为空",
          "{what}为空：请填写。"),
    Check("VALUE_NOT_NUMBER", "error", "不是数字或日期",
          "{what}“{value}”不能识别为{kind}：请填写{hint}。"),
    Check("OPERATOR_UNKNOWN", "error", "比较方式矛盾或无法识别",
          "{detail}：请在比较方式中选择 ≥、≤ 或 ＝，并与指标值中的符号保持一致（该指标暂按 0 分计）。"),
    Check("OPERATOR_ASSUMED", "warning", "未写比较方式，按默认处理",
          "“{name}”未写比较方式，已按“{op}”计分：如不正确，请在比较方式中选择。"),
    Check("UNIT_MISMATCH", "warning", "计量单位不一致",
          "{detail}：请核对计量单位与数值的写法。"),
    Check("QUAL_LABEL_UNKNOWN", "error", "定性指标完成情况无法识别",
          "定性指标的实际完成值“{value}”不是“达成年度指标”“部分达成年度指标并具有一定效果”“未达成年度指标且效果较差”之一：请从下拉列表中选择。"),
    Check("QUAL_FREE_TEXT", "warning", "定性指标完成情况为自由文字",
          "定性指标的实际完成值“{value}”不是三个完成档次之一，已采用自评得分 {score}：如需按档次区间核对得分，请改选"
          "“达成年度指标”“部分达成年度指标并具有一定效果”或“未达成年度指标且效果较差”。"),
    Check("UNIT_INCOMPATIBLE", "error", "计量单位不一致且无法换算",
          "“{name}”的指标值单位为“{target}”，实际完成值单位为“{actual}”，两者无法换算：请统一计量单位"
          "（该指标暂按 0 分计）。"),
    Check("QUAL_SCORE_MISSING", "error", "定性指标缺少自评得分",
          "“{label}”须由评价人在 {band}范围内打分：请填写自评得分（暂按 0 分计）。"),
    Check("QUAL_SCORE_OUT_OF_BAND", "error", "定性指标得分超出档次区间",
          "自评得分 {score} 不在“{label}”对应的 {band}范围内：请调整得分或完成情况。"),
    Check("SCORE_OVER_WEIGHT", "error", "自评得分超过分值",
          "自评得分 {score} 超过该指标分值 {weight}：请更正。"),
    Check("SCORE_MISMATCH", "warning", "自评得分与重算不符",
          "自评得分 {score} 与按规则重算的 {computed} 不符：以重算结果为准，请核对。"),
    Check("TOTAL_MISMATCH", "warning", "填写的总分与重算不符",
          "填写的总分 {typed} 与重算的 {computed} 不符：以重算结果为准，请核对。"),
    Check("DEVIATION_UNEXPLAINED", "warning", "未完成目标未说明原因",
          "“{name}”未完全达成目标：请填写偏差原因分析及改进措施。"),
    Check("OVERSHOOT_UNEXPLAINED", "warning", "大幅超额未说明原因",
          "“{name}”实际完成值达到指标值的 {ratio} 倍以上：请说明超额原因（目标是否设定过低）。"),
    Check("NEGATIVE_VALUE", "warning", "出现负数",
          "{what}为负数 {value}：{effect}，请核对。"),
    Check("FORMULA_NOT_CACHED", "warning", "公式没有保存计算结果",
          "该单元格是公式，文件中没有保存计算结果且无法自动计算：请在 Excel/WPS 中打开并保存一次，或直接填写数值。"),
    Check("LEVELS_ABSENT", "warning", "指标表没有一级指标",
          "绩效指标表没有一级指标列：各指标逐项计分，只核对分值合计 100，未核对各一级指标的分值；"
          "如有一级、二级指标，请补上这两列。"),
    Check("BUDGET_BASIS_INITIAL", "warning", "按年初预算数计算执行率",
          "预算执行表没有全年预算数（调整后预算数）列，执行率按年初预算数计算：如年中有预算调整，"
          "请补上全年预算数列。"),
    Check("FORMULA_RESULT_STALE", "error", "公式保存的结果与公式不符",
          "该单元格的公式算得 {computed}，文件里保存的结果却是 {stored}（保存前没有重算，或结果被改过）："
          "评分按保存的 {stored} 计算，而 Excel、WPS 重算后显示 {computed}。请在 Excel/WPS 中按 F9 重算并保存后再评分，"
          "或直接填写数值。"),
    Check("FORMAT_HIDES_VALUE", "error", "数字格式显示的不是单元格里的数",
          "该单元格里的数是 {value}，但它的数字格式（自定义格式，如带条件或写死的文字、数字）让表上显示成别的内容："
          "评分按单元格里的 {value} 计算，与看到的不一致。请把数字格式改回“常规”或“数值”，直接填写要报的数。"),
    Check("FORMULA_EXTERNAL", "warning", "公式引用外部数据或随时变化",
          "该单元格的公式引用其他工作簿、网络或外部程序，或每次重算都会变化（如 RAND、NOW）："
          "评分采用文件中保存的值，请改为直接填写数值。"),
    Check("UNIT_UNNAMED", "warning", "未填写单位名称",
          "工作簿中找不到单位名称（基本信息、填报单位或单位（盖章）一行、标题和实施单位都没有）："
          "请在基本信息的“单位名称”中填写，汇总时才能认出是哪个单位报送的。"),
    Check("YEAR_UNKNOWN", "warning", "未填写评价年度",
          "工作簿中找不到评价年度（基本信息、标题和表头上方各行都没有）：请在基本信息的“评价年度”中填写四位年份"
          "（如 2025），汇总时才能区分年度，不带年份的日期也才能按该年度比较。"),
)}


# Fields that are phrases built around cell texts (“{name}”的实际完成值) rather than one value: each
# quotation in them is shortened, and the phrase as a whole kept to PHRASE_LIMIT characters.
PHRASES = frozenset({"what", "detail", "allowed", "band", "effect"})
PHRASE_LIMIT = 200
_QUOTATION = re.compile("“([^“”]*)”")


def message(check: Check, fields: dict[str, object]) -> str:
    """The check's message with every text field shortened: a 32,767-character cell is quoted by its
    first characters and "…", never whole."""
    shown: dict[str, object] = {}
    for key, value in fields.items():
        if isinstance(value, str):
            if key in PHRASES:
                value = shortened(_QUOTATION.sub(lambda m: "“" + quoted(m.group(1)) + "”", value), PHRASE_LIMIT)
            else:
                value = quoted(value)
        shown[key] = value
    return check.template.format(**shown)


class Findings:
    """An ordered, de-duplicated list of findings."""

    def __init__(self) -> None:
        self._items: list[Finding] = []
        self._seen: set[tuple[str, str | None, str | None]] = set()

    def add(self, code: str, cell: Cell | None, **fields: object) -> None:
        check = CATALOGUE[code]
        sheet = cell.sheet if cell is not None else None
        coord = cell.coord if cell is not None else None
        key = (code, sheet, coord)
        if coord is not None and key in self._seen:
            return
        self._seen.add(key)
        self._items.append(Finding(code, check.severity, sheet, coord, message(check, fields)))

    def at(self, code: str, sheet: str | None, **fields: object) -> None:
        """A finding tied to a sheet but no cell (or to the workbook when sheet is None)."""
        check = CATALOGUE[code]
        self._items.append(Finding(code, check.severity, sheet, None, message(check, fields)))

    def near(self, code: str, cell: Cell | None, sheet: str | None, **fields: object) -> None:
        """On `cell` when it is a place in the workbook, else on `sheet` as a whole."""
        if cell is not None and cell.coord:
            self.add(code, cell, **fields)
        else:
            self.at(code, sheet, **fields)

    def items(self) -> tuple[Finding, ...]:
        return tuple(self._items)


# What VALUE_NOT_NUMBER asks for, by the kind of cell: an amount is told how money is written, not
# given the indicator's example of 95% (docs/rules.md §13.1).
NOT_NUMBER_HINTS = {
    "value": ("数字或日期", "数字（可带单位，如 95%、12个）或日期（如 2025年12月31日）"),
    "money": ("金额", "金额，如 280000 或 28万元（没有金额的留空或填“—”）"),
    "rate": ("百分比", "百分比，如 95% 或 0.95"),
    "score": ("分数", "分数，如 4 或 3.5"),
}


def not_number(kind: str) -> dict[str, str]:
    """The kind and hint fields of VALUE_NOT_NUMBER for a cell of this kind (value, money, rate, score)."""
    what, hint = NOT_NUMBER_HINTS[kind]
    return {"kind": what, "hint": hint}
