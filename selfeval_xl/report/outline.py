"""The 自评报告 as an outline of headings, paragraphs and tables, every sentence built from the
workbook and the profile (no document format here; report/docx.py lays it out).

Deterministic: every sentence is built from the workbook and the profile; where only a person
can supply the words, the draft says 【待填写】. The layout follows the GB/T 9704 conventions
for government documents: 方正小标宋简体 二号 title, 仿宋_GB2312 三号 body, 黑体 / 楷体_GB2312
headings, A4 with the standard margins and page numbers "— 1 —".
"""
from __future__ import annotations

import re
from collections import OrderedDict
from decimal import Decimal

from selfeval_xl.formatting import money, percent, score_text, shortened, weight_text, with_unit
from selfeval_xl.model import Cell, IndicatorResult, LineResult, Result
from selfeval_xl.read.reader import Reading
from selfeval_xl.rules.profiles import Profile
from selfeval_xl.rules.quantities import DateValue, Quantity, parse_text_date, parse_text_quantity

TODO = "【待填写】"
LOW_RATE = Decimal("0.9")
NAME_LIMIT = 200  # characters of a unit or project name in the title and the sentences that repeat it

TableContent = tuple[list[str], list[list[str]]]  # (header, rows)
Block = tuple[str, str | TableContent]  # (kind, content); kind: title, h1, h2, p, note or table


def _yuan(value: Decimal | None) -> str:
    return "—" if value is None else money(value)


def info_text(reading: Reading, key: str) -> str:
    cell: Cell | None = reading.input.info.get(key)
    return cell.text if cell is not None and not cell.blank else ""


def name_text(reading: Reading, key: str) -> str:
    """A name from 基本信息 as the report repeats it: a 32,767-character cell is not a title."""
    return shortened(info_text(reading, key), NAME_LIMIT)


def unit_name(result: Result) -> str:
    return shortened(result.unit, NAME_LIMIT) if result.unit else TODO


# --- content (plain text structure) -------------------------------------------------------------------

def outline(reading: Reading, result: Result, profile: Profile) -> list[Block]:
    """The report as (kind, content) blocks: title, h1, h2, p, table, note."""
    unit = unit_name(result)
    year = result.year or TODO
    blocks: list[Block] = []
    department = result.form == "department"
    name = f"{unit}{year}年度部门整体支出绩效自评价报告" if department else \
        f"{name_text(reading, '项目名称') or TODO}{year}年度项目支出绩效自评报告"
    blocks.append(("title", name))
    if not result.valid:
        blocks.append(("note", f"说明：自评表尚有 {len(result.errors)} 处错误未更正，以下得分和等级为暂评结果，"
                               "更正后请重新生成本报告。"))
    blocks.append(("p", f"根据预算绩效管理有关规定，遵循“科学性、规范性、客观性和公正性”的原则，对{unit}{year}年"
                        f"{'部门整体支出' if department else '项目支出'}情况实施了绩效自评价，形成本评价报告。"))
    blocks += _part_one(reading, result, department)
    blocks.append(("h1", "二、自评工作开展情况"))
    # the profile's own levels (决策、过程… under mof-4level), never a fixed list of three
    rule = f"预算执行率{profile.describe_rule()}。" if profile.execution_weight else ""
    blocks.append(("p", f"1、评价指标体系。总分设定为100分。一级指标权重设置为：{profile.describe_weights()}，"
                        f"共计100分（评价口径：{profile.title}"
                        f"{'，按表内印的分值' if profile.weights_from == 'form' else ''}）。{rule}"))
    blocks.append(("p", f"2、评价工作组织与过程：{TODO}"))
    blocks += _part_three(reading, result, department)
    blocks.append(("h1", "四、评价结论和评价等级"))
    bands = _bands_sentence(profile)
    blocks.append(("p", f"经综合评价，{unit}{year}年{'部门整体支出' if department else '项目支出'}绩效自评得分为"
                        f"{score_text(result.total, result.digits)}分，评价等级为“{result.grade}”"
                        f"{'（暂评）' if not result.valid else ''}。"
                        + (f"其中预算执行率得分{score_text(result.execution.score, result.digits)}分，"
                           if result.execution.weight else "其中")
                        + "，".join(f"{lv.name}得分{score_text(lv.score, result.digits)}分"
                                   for lv in result.levels if lv.indicator_weight)
                        + f"。评价等级分为{len(profile.grades)}个：{bands}"))
    blocks += _part_five(reading, result)
    blocks.append(("h1", "六、评价工作组人员名单及签字" if department else "六、评价工作组"))
    members = [m for m in re.split(r"[；;、，,\n]+", info_text(reading, "评价工作组")) if m.strip()]
    if members:
        rows = []
        role = ""
        for member in members:
            # 组长：李伟（书记）；成员：马智、王五 — the role label heads a group and holds for the names after it
            labelled = _ROLE.match(member)
            if labelled:
                role, member = labelled.group(1), member[labelled.end():]
            m = re.match(r"\s*(.+?)\s*[（(](.+?)[)）]\s*$", member)
            person, post = (m.group(1), m.group(2)) if m else (member.strip(), "")
            rows.append([person, unit, "、".join(x for x in (role, post) if x) or TODO, ""])
        blocks.append(("table", (["姓名", "工作单位", "职务", "签字"], rows)))
    else:
        blocks.append(("p", TODO))
    return blocks


def _part_one(reading: Reading, result: Result, department: bool) -> list[Block]:
    unit = unit_name(result)
    ex = result.execution
    blocks: list[Block] = [("h1", "一、部门基本情况" if department else "一、项目基本情况")]
    if department:
        blocks.append(("h2", "（一）部门概况"))
        dept = name_text(reading, "主管部门")
        blocks.append(("p", f"{unit}" + (f"，主管部门为{dept}" if dept else "") + f"。部门主要职能：{TODO}"))
        blocks.append(("h2", "（二）部门收支预决算情况"))
        lines = [lr for lr in ex.lines if lr.kind == "line"]
        groups: OrderedDict[str, list[LineResult]] = OrderedDict()
        for lr in lines:
            groups.setdefault(lr.group or "", []).append(lr)
        unit_word = result.money_unit
        sentence = f"{result.year or TODO}年支出预算{_yuan(ex.budget)}{unit_word}"
        basic, project = groups.get("基本支出", []), groups.get("项目支出", [])
        parts = []
        if basic:
            total = sum((lr.budget or Decimal(0) for lr in basic), Decimal(0))
            parts.append(f"基本支出{_yuan(total)}{unit_word}，包括" +
                         "和".join(f"{lr.name}{_yuan(lr.budget)}{unit_word}" for lr in basic))
        if project:
            total = sum((lr.budget or Decimal(0) for lr in project), Decimal(0))
            parts.append(f"项目支出{_yuan(total)}{unit_word}，主要为" +
                         "、".join(f"{lr.name}{_yuan(lr.budget)}{unit_word}" for lr in project))
        sentence += ("，其中" + "；".join(parts) if parts else "") + "。"
        rate = "—" if ex.rate is None else percent(ex.rate)
        sentence += f"全年执行{_yuan(ex.executed)}{unit_word}，预算执行率{rate}。"
        blocks.append(("p", sentence))
        blocks.append(("h2", "（三）部门整体支出绩效目标"))
    else:
        blocks.append(("h2", "（一）项目概况"))
        blocks.append(("p", f"项目名称：{name_text(reading, '项目名称') or TODO}；"
                            f"主管部门：{name_text(reading, '主管部门') or TODO}；"
                            f"实施单位：{name_text(reading, '实施单位') or unit}。"))
        rate = "—" if ex.rate is None else percent(ex.rate)
        funding = "、".join(f"{lr.name}{_yuan(lr.budget)}{result.money_unit}" for lr in ex.lines if lr.kind == "line")
        blocks.append(("p", f"年度资金总额{_yuan(ex.budget)}{result.money_unit}" + (f"（{funding}）" if funding else "")
                            + f"，全年执行{_yuan(ex.executed)}{result.money_unit}，预算执行率{rate}。"))
        blocks.append(("h2", "（二）项目绩效目标"))
    blocks.append(("p", info_text(reading, "年度总体目标（预期目标）") or TODO))
    return blocks


def _part_three(reading: Reading, result: Result, department: bool) -> list[Block]:
    d = result.digits
    blocks: list[Block] = [
        ("h1", "三、部门整体支出绩效目标实现情况及指标分析" if department else "三、绩效目标实现情况及指标分析"),
        ("h2", "（一）总体绩效目标实现情况"),
        ("p", info_text(reading, "年度总体目标实际完成情况") or TODO),
        ("h2", "（二）分项绩效目标实现情况及指标分析"),
    ]
    areas: OrderedDict[str, list[IndicatorResult]] = OrderedDict()
    for ind in result.indicators:
        areas.setdefault(ind.area or "绩效指标", []).append(ind)
    for i, (area, items) in enumerate(areas.items(), start=1):
        blocks.append(("p", f"{i}、{area}"))
        names = "、".join(dict.fromkeys(ind.name for ind in items))
        blocks.append(("p", f"绩效指标：{names}。"))
        rows = [[ind.level, ind.name, target_text(ind), actual_text(ind),
                 weight_text(ind.weight) or "—", score_text(ind.score, d) or "—"] for ind in items]
        blocks.append(("table", (["一级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"], rows)))
    ex = result.execution
    rate = "—" if ex.rate is None else percent(ex.rate)
    blocks.append(("p", f"预算执行情况：全年预算数{_yuan(ex.budget)}{result.money_unit}，全年执行数{_yuan(ex.executed)}"
                        f"{result.money_unit}，预算执行率{rate}，得分{score_text(ex.score, d)}分"
                        f"（分值{weight_text(ex.weight)}分）。"))
    return blocks


def _part_five(reading: Reading, result: Result) -> list[Block]:
    problems, measures = [], []
    for ind in result.indicators:
        if ind.score is not None and ind.weight is not None and ind.score < ind.weight:
            reason = ind.reason.strip()
            if ind.qualitative:
                # a qualitative row has a label for its actual, and often no target at all
                facts = (f"年度指标值为“{ind.target}”，" if ind.target else "") + f"自评为“{ind.actual}”，"
            else:
                facts = f"年度指标值{target_text(ind)}，实际完成{actual_text(ind)}，"
            problems.append(f"“{ind.name}”（{ind.area or ind.level}）未完全达成目标：{facts}"
                            f"得分{score_text(ind.score, result.digits)}分"
                            f"（分值{weight_text(ind.weight)}分）。"
                            + (f"原因：{_cause(reason)}" if reason else f"原因：{TODO}"))
            measures.append(_measure(reason) or f"针对“{ind.name}”：{TODO}")
    for row, lr in ((r, lr) for r in reading.input.budget_rows for lr in result.execution.lines
                    if lr.row == r.row and lr.kind == "line"):
        if lr.rate is not None and lr.rate < LOW_RATE:
            reason = row.reason.text
            problems.append(f"“{lr.name}”预算执行率{percent(lr.rate)}（预算{_yuan(lr.budget)}{result.money_unit}，"
                            f"执行{_yuan(lr.executed)}{result.money_unit}）。"
                            + (f"原因：{reason}" if reason else f"原因：{TODO}"))
            measures.append(f"加快“{lr.name}”的资金支付进度，" + (f"针对{reason}，" if reason else "")
                            + "及时跟进、按期拨付。")
    blocks: list[Block] = [("h1", "五、存在的问题及改进措施"), ("h2", "（一）存在的主要问题")]
    blocks += ([("p", f"（{i}）{text}") for i, text in enumerate(problems, start=1)]
               or [("p", f"各项指标均已完成。{TODO}")])
    blocks.append(("h2", "（二）针对问题提出具体的改进措施或建议"))
    blocks += [("p", f"（{i}）{text}") for i, text in enumerate(dict.fromkeys(measures), start=1)] or [("p", TODO)]
    return blocks


_ROLE = re.compile(r"\s*((?:副)?组长|成员|组员)\s*[:：]\s*")


def target_text(ind: IndicatorResult) -> str:
    """The target as a form prints it: its comparison (unless the cell already wrote one) and its unit."""
    written: Quantity | DateValue | str | None = parse_text_quantity(ind.target)
    if not isinstance(written, Quantity):
        written = parse_text_date(ind.target, None)
    has_op = isinstance(written, (Quantity, DateValue)) and written.op is not None
    op = "" if ind.qualitative or has_op or not ind.operator else ("＝" if ind.operator == "=" else ind.operator)
    return op + with_unit(ind.target, _unit(ind))


def actual_text(ind: IndicatorResult) -> str:
    return with_unit(ind.actual, _unit(ind))


def _unit(ind: IndicatorResult) -> str:
    return "" if ind.qualitative else ind.unit


def _cause(reason: str) -> str:
    return re.split(r"[；;]", reason, maxsplit=1)[0].rstrip("。") + "。"


def _measure(reason: str) -> str:
    parts = re.split(r"[；;]", reason, maxsplit=1)
    return parts[1].strip() if len(parts) > 1 and parts[1].strip() else ""


def _bands_sentence(profile: Profile) -> str:
    def band(name: str, low: Decimal | None, high: Decimal | None) -> str:
        if high is None:
            return f"得分≥{weight_text(low)}分为{name}"
        if low is None:
            return f"得分＜{weight_text(high)}分为{name}"
        return f"{weight_text(low)}≤得分＜{weight_text(high)}分为{name}"
    return "；".join(band(*b) for b in profile.bands()) + "。"


# --- rendering with python-docx ---------------------------------------------------------------------------
