"""Profile + layout → the template workbook to fill (docs/workbook.md §1). Owns XlsxWriter.

The workbook is written twice: once without cached values, which the tool's own reader and
scoring then evaluate, and again with those results stored as the cached value of every
formula, so a viewer that does not recalculate still shows the right numbers.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from selfeval_xl import __version__
from selfeval_xl import layout as L
from selfeval_xl.cellref import column_letter
from selfeval_xl.formatting import plain, wrapped_height
from selfeval_xl.model import Result
from selfeval_xl.read.reader import read_bytes
from selfeval_xl.rules.assess import assess
from selfeval_xl.rules.profiles import BUILTIN_NAMES, Profile
from selfeval_xl.vocabulary import QUAL_LABELS
from selfeval_xl.write import example as EX
from selfeval_xl.write.appearance import new_workbook
from selfeval_xl.write.atomic import write_atomically
from selfeval_xl.write.template_formulas import (
    BUDGET_COL,
    BUDGET_HEADER_ROW,
    CALC_COL,
    FIXED_TIMESTAMP,
    HELPER_COL,
    HELPERS,
    IND_COL,
    INDICATOR_HEADER_ROW,
    RATE_ROW_NOTE,
    BudgetRows,
    budget_rows,
    execution_score_formula,
    grade_formula,
    helper_formula,
    helper_value,
    indicator_rows,
    indicator_score_formula,
    score_cells,
)
from selfeval_xl.write.template_look import (
    GUIDE_WIDTH,
    INFO_VALUE_WIDTH,
    SCORE_WIDTHS,
    Formats,
    fit_row,
    note,
    print_setup,
    protect,
)
from selfeval_xl.write.template_shared import share_copied_formulas


@dataclass(frozen=True)
class TemplateSpec:
    form: str
    profile: Profile
    example: bool


def write_template(target: io.BytesIO, spec: TemplateSpec, result: Result | None = None) -> None:
    written = io.BytesIO()
    wb = new_workbook(written)
    wb.set_properties({"title": "预算绩效自评表", "subject": L.FORM_TYPE_LABELS[spec.form] + "绩效自评",
                       "author": "selfeval-xl", "created": FIXED_TIMESTAMP,
                       "comments": f"selfeval-xl {__version__} 模板"})
    wb.set_custom_property("selfeval_template_version", L.TEMPLATE_VERSION)
    fmt = Formats(wb)
    sheets = {name: wb.add_worksheet(name) for name in
              (L.SHEET_GUIDE, L.SHEET_INFO, L.SHEET_BUDGET, L.SHEET_INDICATORS, L.SHEET_SCORE, L.SHEET_LISTS,
               L.SHEET_META)}
    _lists(wb, sheets[L.SHEET_LISTS], spec, fmt)
    _guide(sheets[L.SHEET_GUIDE], spec, fmt)
    _info(sheets[L.SHEET_INFO], spec, fmt)
    _budget(sheets[L.SHEET_BUDGET], spec, fmt, result)
    _indicators(sheets[L.SHEET_INDICATORS], spec, fmt, result)
    _score(sheets[L.SHEET_SCORE], spec, fmt, result)
    _meta(sheets[L.SHEET_META], spec)
    sheets[L.SHEET_INFO].activate()
    sheets[L.SHEET_GUIDE].set_first_sheet()
    wb.close()
    target.write(share_copied_formulas(written.getvalue(), spec.form))


LISTS = {
    "lst_category": "类别",
    "lst_level1": "一级指标",
    "lst_level2": "二级指标",
    "lst_nature": "指标性质",
    "lst_operator": "比较方式",
    "lst_unit": "计量单位",
    "lst_qual": "定性完成情况",
    "lst_form": "评价类型",
    "lst_profile": "评价口径",
}


def _lists(wb: xlsxwriter.Workbook, ws: Worksheet, spec: TemplateSpec, fmt: Formats) -> None:
    p = spec.profile
    # The drop-downs offer the profile's own levels (and the aliases counted with them).
    level2 = [name for _, names in p.second_levels for name in names]
    profiles = list(BUILTIN_NAMES) + ([p.name] if p.name not in BUILTIN_NAMES else [])
    values = {
        "lst_category": list(L.BUDGET_GROUPS[spec.form]),
        "lst_level1": [*p.levels, *(alias for alias, _ in p.level_aliases)],
        "lst_level2": list(dict.fromkeys(level2)),
        "lst_nature": list(L.NATURES),
        "lst_operator": list(L.OPERATOR_CHOICES),
        "lst_unit": list(L.UNIT_CHOICES),
        "lst_qual": list(QUAL_LABELS),
        "lst_form": list(L.FORM_TYPE_LABELS.values()),
        "lst_profile": profiles,
    }
    for col, (name, title) in enumerate(LISTS.items()):
        ws.write(0, col, title, fmt.header)
        for row, value in enumerate(values[name], start=1):
            ws.write_string(row, col, value)
        letter = column_letter(col + 1)
        wb.define_name(name, f"='{L.SHEET_LISTS}'!${letter}$2:${letter}${len(values[name]) + 1}")
    ws.set_column(0, len(LISTS) - 1, 24)
    ws.hide()


def _validation(ws: Worksheet, first_row: int, col: int, last_row: int, list_name: str, *, strict: bool = True,
                message: str = "") -> None:
    options = {"validate": "list", "source": f"={list_name}", "ignore_blank": True, "show_error": strict}
    if message:
        options.update({"input_title": "填写提示", "input_message": message[:255]})
    if not strict:
        options.update({"error_type": "information"})
    ws.data_validation(first_row - 1, col, last_row - 1, col, options)


def _guide(ws: Worksheet, spec: TemplateSpec, fmt: Formats) -> None:
    p = spec.profile
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, GUIDE_WIDTH)
    ws.write(0, 1, f"{L.FORM_TYPE_LABELS[spec.form]}绩效自评表 填表说明", fmt.title)
    lines = [
        "1. 按顺序填写“基本信息”“预算执行”“绩效指标”三张表；“评分”表根据所填内容实时测算暂评得分。",
        "2. 浅黄色单元格为填写项，灰色单元格为公式自动计算（已锁定，防止误改；工作表保护无密码，可随时撤销）。",
        "3. 预算执行：每行一个支出项目，金额单位见表头；执行率＝全年执行数÷全年预算数，按合计计算得分。"
        "执行率明显偏低的请填写原因说明。全年预算数填调整后的全年预算，不能空着（空着报缺少数据，不用年初预算数代替；"
        "只有表上根本没有全年预算数列时，执行率才按年初预算数计算并提示）。只有名称、没有金额的行（如其他资金）不计。",
        "4. 绩效指标：定量指标的年度指标值、实际完成值填数字（百分比指标填 95 并在计量单位选 %），"
        "比较方式选 ≥、≤ 或 ＝；"
        "定性指标的实际完成值从下拉列表选择三档之一（完全达到的也可写“达成”），“部分达成”“未达成”须填写自评得分；"
        "写成其他文字的，工具采用所填自评得分并提示改选三档之一。未完成目标的请填写偏差原因分析及改进措施。",
        "   用不到的指标行可以空着；不适用的指标在年度指标值、实际完成值填 /，分值空着，该行不计分。"
        "指标值与实际完成值单位不同的（如万元与元）自动换算，不能换算的（如户与人）不计分。",
        "5. 需要增加行时，请在表格中间插入行，公式会自动覆盖新行。",
        "6. 填好后运行 selfeval-xl score 本文件.xlsx，工具会重新计算全部合计、执行率和得分，校验分值，"
        "并生成带“评分汇总”的评分副本，"
        "在有问题的单元格上标注。评分表中的暂评结果仅供参考，以工具重算结果为准。",
        "",
        f"评价口径：{p.name}（{p.title}）",
        f"分值设置：{p.describe_weights()}，合计 100 分。",
        f"预算执行率计分：{p.describe_rule()}。",
        f"等级划分：{p.describe_grades()}。",
        "定性指标得分区间：达成年度指标 80%–100%；部分达成年度指标并具有一定效果 60%–80%；"
        "未达成年度指标且效果较差 0–60%（按该指标分值计）。",
    ]
    if spec.example:
        lines.insert(0, "【示例数据】本工作簿为南障城镇 2025 年部门整体支出绩效自评的示例："
                        "预算科目和工作分项取自该镇自评报告，执行数、指标值、实际完成值和分值为演示而设。")
    for i, line in enumerate(lines, start=2):
        ws.write(i, 1, line, fmt.text)
        ws.set_row(i, wrapped_height(line, GUIDE_WIDTH))
    row = len(lines) + 3
    ws.write(row, 0, "", fmt.legend_input)
    ws.write(row, 1, "填写项", fmt.text)
    ws.write(row + 1, 0, "", fmt.legend_calc)
    ws.write(row + 1, 1, "自动计算（公式）", fmt.text)
    print_setup(ws)
    ws.set_portrait()


def _info_fields(form: str) -> tuple[str, ...]:
    fields: tuple[str, ...] = L.INFO_FIELDS_COMMON
    if form == "project":
        fields = fields[:2] + L.INFO_FIELDS_PROJECT + fields[2:]
    return fields


def _info(ws: Worksheet, spec: TemplateSpec, fmt: Formats) -> None:
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, INFO_VALUE_WIDTH)
    ws.write(0, 0, f"{L.FORM_TYPE_LABELS[spec.form]}绩效自评 基本信息", fmt.title)
    values: dict[str, object] = {"评价类型": L.FORM_TYPE_LABELS[spec.form], "评价口径": spec.profile.name}
    if spec.example:
        values.update(EX.INFO)
        values["评价口径"] = spec.profile.name
    for i, name in enumerate(_info_fields(spec.form), start=2):
        ws.write(i, 0, name, fmt.label)
        value = values.get(name)
        if isinstance(value, int):
            ws.write_number(i, 1, value, fmt.input)
        elif value:
            ws.write_string(i, 1, str(value), fmt.input)
        else:
            ws.write_blank(i, 1, None, fmt.input)
        if name in ("年度总体目标（预期目标）", "年度总体目标实际完成情况"):
            fit_row(ws, i, [(value, INFO_VALUE_WIDTH)], least=90)
        else:
            fit_row(ws, i, [(value, INFO_VALUE_WIDTH)])
        if name == "评价类型":
            _validation(ws, i + 1, 1, i + 1, "lst_form")
        if name == "评价口径":
            _validation(ws, i + 1, 1, i + 1, "lst_profile", strict=False,
                        message="规则口径：决定各一级指标分值、执行率计分方式和等级划分。")
        if name == "评价年度":
            ws.data_validation(i, 1, i, 1, {"validate": "integer", "criteria": "between", "minimum": 2000,
                                            "maximum": 2100, "error_message": "请填写四位年份，如 2025"})
    protect(ws)
    print_setup(ws)
    ws.set_portrait()
    ws.freeze_panes(2, 0)


def _budget(ws: Worksheet, spec: TemplateSpec, fmt: Formats, result: Result | None) -> None:
    rows = budget_rows(spec.form)
    col = {c.key: i for i, c in enumerate(L.BUDGET_COLUMNS)}
    for i, c in enumerate(L.BUDGET_COLUMNS):
        ws.set_column(i, i, c.width)
    ws.write(0, 0, "预算执行情况", fmt.title)
    ws.write(1, 0, "金额单位：元", fmt.note)
    for i, c in enumerate(L.BUDGET_COLUMNS):
        ws.write(BUDGET_HEADER_ROW - 1, i, c.label, fmt.header)
    lines = EX.BUDGET_LINES if spec.example else ()
    line_results = {lr.row: lr for lr in result.execution.lines} if result else {}
    for row in range(rows.first_line, rows.last_line + 1):
        r = row - 1
        data = lines[row - rows.first_line] if row - rows.first_line < len(lines) else None
        if data:
            category, name, budget, executed, reason = data
            ws.write_string(r, col["category"], category, fmt.input)
            ws.write_string(r, col["name"], name, fmt.input)
            ws.write_number(r, col["initial"], float(budget), fmt.input_money)
            ws.write_number(r, col["budget"], float(budget), fmt.input_money)
            ws.write_number(r, col["executed"], float(executed), fmt.input_money)
            ws.write(r, col["reason"], reason or None, fmt.input)
            fit_row(ws, r, [(name, L.BUDGET_COLUMNS[col["name"]].width),
                             (reason, L.BUDGET_COLUMNS[col["reason"]].width)])
        else:
            for key in ("category", "name", "reason"):
                ws.write_blank(r, col[key], None, fmt.input)
            for key in ("initial", "budget", "executed"):
                ws.write_blank(r, col[key], None, fmt.input_money)
        b, e = f"{BUDGET_COL['budget']}{row}", f"{BUDGET_COL['executed']}{row}"
        lr = line_results.get(row)
        ws.write_formula(r, col["rate"], f'=IF(N({b})=0,"",N({e})/{b})', fmt.calc_rate,
                         float(lr.rate) if lr is not None and lr.rate is not None else "")
    _validation(ws, rows.first_line, col["category"], rows.last_line, "lst_category")

    def column_range(key: str) -> str:
        letter = BUDGET_COL[key]
        return f"${letter}${rows.first_line}:${letter}${rows.last_line}"

    totals = {lr.row: lr for lr in result.execution.lines} if result else {}
    summary_rows = [(g, r) for g, r in rows.subtotals.items()] + [("total", rows.total)]
    for group, row in summary_rows:
        r = row - 1
        name = f"{group}小计" if group != "total" else ("合计" if spec.form == "department" else "年度资金总额")
        ws.write(r, col["category"], "", fmt.calc_label)
        ws.write(r, col["name"], name, fmt.calc_label)
        lr = totals.get(row)
        for key in ("initial", "budget", "executed"):
            letter = BUDGET_COL[key]
            if group == "total":
                formula = f"=SUM({column_range(key)})"
            else:
                formula = (f'=SUMIF({column_range("category")},"{group}",'
                           f'{letter}${rows.first_line}:{letter}${rows.last_line})')
            ws.write_formula(r, col[key], formula, fmt.calc_money, _cached_sum(result, key, group, rows))
        b, e = f"{BUDGET_COL['budget']}{row}", f"{BUDGET_COL['executed']}{row}"
        ws.write_formula(r, col["rate"], f'=IF(N({b})=0,"",N({e})/{b})', fmt.calc_rate,
                         float(lr.rate) if lr is not None and lr.rate is not None else "")
        ws.write(r, col["reason"], None, fmt.input)
    protect(ws)
    print_setup(ws, (BUDGET_HEADER_ROW, BUDGET_HEADER_ROW))
    ws.freeze_panes(BUDGET_HEADER_ROW, 2)


def _cached_sum(result: Result | None, key: str, group: str, rows: BudgetRows) -> float:
    if result is None:
        return 0
    total = Decimal(0)
    for lr in result.execution.lines:
        if lr.kind != "line" or (group != "total" and lr.group != group):
            continue
        value = {"budget": lr.budget, "executed": lr.executed, "initial": lr.initial}[key]
        total += value or 0
    return float(total)


def _indicators(ws: Worksheet, spec: TemplateSpec, fmt: Formats, result: Result | None) -> None:
    first, last = indicator_rows(spec.form)
    col = {c.key: i for i, c in enumerate(L.INDICATOR_COLUMNS)}
    calc, rate_row = len(L.INDICATOR_COLUMNS), not spec.profile.execution_weight
    for i, c in enumerate(L.INDICATOR_COLUMNS):
        ws.set_column(i, i, c.width)
    ws.set_column(calc, calc, 12)
    ws.write(0, 0, "绩效指标完成情况", fmt.title)
    note(ws, 1, "定量指标填数字；定性指标的实际完成值从下拉列表选择。最后一列由公式实时测算，仅供参考。",
          [c.width for c in L.INDICATOR_COLUMNS], fmt)
    for i, c in enumerate(L.INDICATOR_COLUMNS):
        ws.write(INDICATOR_HEADER_ROW - 1, i, c.label, fmt.header)
    ws.write(INDICATOR_HEADER_ROW - 1, calc, L.CALC_SCORE_LABEL, fmt.header)
    for i, label in enumerate(HELPERS.values(), start=calc + 1):
        ws.write(INDICATOR_HEADER_ROW - 1, i, label, fmt.header)
    ws.set_column(calc + 1, calc + len(HELPERS), 12, None, {"hidden": True})
    data = EX.INDICATORS if spec.example else ()
    scores = {ind.row: ind.score for ind in result.indicators} if result else {}
    for row in range(first, last + 1):
        r = row - 1
        item = data[row - first] if row - first < len(data) else None
        if item:
            area, l1, l2, name, nature, op, target, unit, actual, weight, reason = item
            values = {"seq": row - first + 1, "area": area, "level1": l1, "level2": l2, "name": name, "nature": nature,
                      "operator": op, "target": target, "unit": unit, "actual": actual, "weight": weight,
                      "self_score": None, "reason": reason}
        else:
            values = {}
        for key, i in col.items():
            value = values.get(key)
            style = (fmt.input_score if key == "self_score"
                     else fmt.input_number if key in ("target", "actual", "weight") else fmt.input)
            if key == "seq" and not item:
                ws.write_blank(r, i, None, style)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r, i, value, style)
            elif value:
                ws.write_string(r, i, str(value), style)
            else:
                ws.write_blank(r, i, None, style)
        fit_row(ws, r, [(values.get(c.key), c.width) for c in L.INDICATOR_COLUMNS])
        score = scores.get(row)
        ws.write_formula(r, calc, indicator_score_formula(row, spec.profile.digits), fmt.calc_score,
                         float(score) if score is not None else "")
        for i, key in enumerate(HELPERS, start=calc + 1):
            ws.write_formula(r, i, helper_formula(key, row, rate_row), fmt.calc_text,
                             helper_value(key, values, rate_row))
    _validation(ws, first, col["level1"], last, "lst_level1")
    _validation(ws, first, col["level2"], last, "lst_level2")
    _validation(ws, first, col["nature"], last, "lst_nature")
    _validation(ws, first, col["operator"], last, "lst_operator",
                message="≥ 越高越好；≤ 越低越好（成本、发生率等）；＝ 等于。")
    _validation(ws, first, col["unit"], last, "lst_unit", strict=False)
    _validation(ws, first, col["actual"], last, "lst_qual", strict=False,
                message="定量指标填数字；定性指标从列表中选择完成情况。")
    ws.data_validation(first - 1, col["weight"], last - 1, col["weight"],
                       {"validate": "decimal", "criteria": ">", "value": 0, "error_message": "分值应为大于 0 的数字"})
    protect(ws)
    print_setup(ws, (INDICATOR_HEADER_ROW, INDICATOR_HEADER_ROW))
    ws.freeze_panes(INDICATOR_HEADER_ROW, 0)


def _score(ws: Worksheet, spec: TemplateSpec, fmt: Formats, result: Result | None) -> None:
    """The live provisional score: the rate from the budget's total row, each level from the indicator
    rows (rescaled as the tool does), the total and the grade, all formulas with cached values."""
    for i, width in enumerate(SCORE_WIDTHS):
        ws.set_column(i, i, width)
    ws.write(0, 0, "评分（实时暂评）", fmt.title)
    note(ws, 1, "本表由公式根据所填内容实时测算，仅供填报时参考；正式得分以 selfeval-xl score 重算结果为准。",
         SCORE_WIDTHS, fmt)
    _score_execution(ws, spec, fmt, result)
    _score_levels(ws, spec, fmt, result)
    _score_total(ws, spec, fmt, result)
    protect(ws)
    print_setup(ws)
    ws.set_portrait()


_IND = f"'{L.SHEET_INDICATORS}'!"
LEVEL_COL = f"{_IND}${IND_COL['level1']}:${IND_COL['level1']}"
WEIGHT_COL = f"{_IND}${HELPER_COL['weight']}:${HELPER_COL['weight']}"
SCORE_COL = f"{_IND}${CALC_COL}:${CALC_COL}"


def _score_execution(ws: Worksheet, spec: TemplateSpec, fmt: Formats, result: Result | None) -> None:
    p = spec.profile
    cells = score_cells(p)
    rows = budget_rows(spec.form)
    ws.write(3, 0, "预算执行（按合计）", fmt.header)
    ws.write(3, 1, "数值", fmt.header)
    ex = result.execution if result else None
    total_row = rows.total
    ws.write(4, 0, "全年预算数", fmt.label)
    ws.write_formula(cells.budget, f"=N('{L.SHEET_BUDGET}'!{BUDGET_COL['budget']}{total_row})", fmt.calc_money,
                     float(ex.budget) if ex and ex.budget is not None else 0)
    ws.write(5, 0, "全年执行数", fmt.label)
    ws.write_formula(cells.executed, f"=N('{L.SHEET_BUDGET}'!{BUDGET_COL['executed']}{total_row})", fmt.calc_money,
                     float(ex.executed) if ex and ex.executed is not None else 0)
    ws.write(6, 0, "预算执行率", fmt.label)
    ws.write_formula(cells.rate, f'=IF({cells.budget}=0,"",{cells.executed}/{cells.budget})', fmt.calc_rate,
                     float(ex.rate) if ex and ex.rate is not None else "")
    ws.write(7, 0, f"预算执行率得分（分值 {plain(p.execution_weight)}）" if p.execution_weight
             else "预算执行率得分（不单独计分）", fmt.label)
    ws.write_formula(cells.execution_score, execution_score_formula(p, cells.rate), fmt.calc_score,
                     float(ex.score) if ex else 0)


def _score_levels(ws: Worksheet, spec: TemplateSpec, fmt: Formats, result: Result | None) -> None:
    p = spec.profile
    cells = score_cells(p)
    ws.write(9, 0, "一级指标", fmt.header)
    ws.write(9, 1, "口径分值", fmt.header)
    ws.write(9, 2, "指标分值合计", fmt.header)
    ws.write(9, 3, "得分", fmt.header)
    levels = {lv.name: lv for lv in result.levels} if result else {}
    level_col, weight_col, calc_col = LEVEL_COL, WEIGHT_COL, SCORE_COL
    for i, level in enumerate(p.levels):
        r = cells.first_level_row - 1 + i
        names = [level] + [alias for alias, target in p.level_aliases if target == level]
        ws.write(r, 0, level, fmt.label)
        weight = p.weight_of(level)
        if weight is None:
            ws.write(r, 1, "自由分配", fmt.calc_text)
        else:
            ws.write_number(r, 1, float(weight), fmt.calc_score)
        lv = levels.get(level)
        ws.write_formula(r, 2, "=" + "+".join(f'SUMIF({level_col},"{n}",{weight_col})' for n in names), fmt.calc_score,
                         float(lv.indicator_weight) if lv else 0)
        level_sum = "+".join(f'SUMIF({level_col},"{n}",{calc_col})' for n in names)
        # rows weighing otherwise than the level: rescaled to its weight, as the tool does (docs/rules.md §14)
        rows_weight, w = f"C{r + 1}", plain(weight) if weight is not None else ""
        level_score = (f"=IF(OR({rows_weight}=0,AND({rows_weight}>={w}-0.001,{rows_weight}<={w}+0.001)),"
                       f"MIN({w},{level_sum}),"
                       f"MIN({w},ROUND(({level_sum})*{w}/{rows_weight},{p.digits})))"
                       if weight is not None else f"={level_sum}")
        ws.write_formula(r, 3, level_score, fmt.calc_score, float(lv.score) if lv else 0)


def _score_total(ws: Worksheet, spec: TemplateSpec, fmt: Formats, result: Result | None) -> None:
    p = spec.profile
    cells = score_cells(p)
    ex = result.execution if result else None
    level_col, weight_col, calc_col = LEVEL_COL, WEIGHT_COL, SCORE_COL
    r = cells.execution_row - 1
    ws.write(r, 0, "预算执行率", fmt.label)
    ws.write_number(r, 1, float(p.execution_weight), fmt.calc_score)
    ws.write_number(r, 2, float(p.execution_weight), fmt.calc_score)
    ws.write_formula(r, 3, f"={cells.execution_score}", fmt.calc_score, float(ex.score) if ex else 0)
    weight_sum = ((sum((lv.indicator_weight for lv in result.levels), Decimal(0)) + p.execution_weight) if result
                  else p.execution_weight)
    ws.write(r + 1, 0, "合计（分值应为 100）", fmt.label)
    ws.write_number(r + 1, 1, 100, fmt.calc_score)
    ws.write_formula(cells.weight_total, f"=SUM({weight_col})+{plain(p.execution_weight)}", fmt.calc_score,
                     float(weight_sum))
    ws.conditional_format(cells.weight_total, {"type": "cell", "criteria": "!=", "value": 100, "format": fmt.warn})
    ws.write(r + 3, 0, "总分（暂评）", fmt.label)
    total = result.total if result else Decimal(0)
    first_level, last_level = cells.first_level_row, cells.execution_row - 1
    known = [*p.levels, *(alias for alias, _ in p.level_aliases)]
    # the (capped) level scores, plus the rows under no known level, as the tool totals them
    unleveled = f"SUM({calc_col})-" + "-".join(f'SUMIF({level_col},"{n}",{calc_col})' for n in known)
    ws.write_formula(cells.total, f"=ROUND({cells.execution_score}+SUM(D{first_level}:D{last_level})+{unleveled},"
                                  f"{p.digits})", fmt.big, float(total))
    ws.write(r + 4, 0, "等级（暂评）", fmt.label)
    ws.write_formula(cells.grade, grade_formula(p, cells.total), fmt.big_text, p.grade_for(total))
    note(ws, r + 6, f"等级划分：{p.describe_grades()}", SCORE_WIDTHS, fmt)
    if not p.execution_weight:
        note(ws, r + 7, RATE_ROW_NOTE, SCORE_WIDTHS, fmt)


def _meta(ws: Worksheet, spec: TemplateSpec) -> None:
    rows = [("generator", f"selfeval-xl {__version__}"), ("template_version", L.TEMPLATE_VERSION),
            ("form", spec.form), ("profile", spec.profile.name), ("example", "1" if spec.example else "0")]
    if not spec.profile.builtin:
        text = spec.profile.source
        rows += [("profile_toml", text[i:i + 30000]) for i in range(0, len(text), 30000)]
    for i, (key, value) in enumerate(rows):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
    ws.very_hidden()


def build_template(out: Path, form: str, profile: Profile, example: bool) -> Result:
    """Write the template to `out` with correct cached values; returns the result it carries."""
    spec = TemplateSpec(form, profile, example)
    draft = io.BytesIO()
    write_template(draft, spec)
    reading = read_bytes(Path(out.name), draft.getvalue(), profile)
    result = assess(reading.input, reading.profile)
    final = io.BytesIO()
    write_template(final, spec, result)
    write_atomically(out, final.getvalue())
    return result
