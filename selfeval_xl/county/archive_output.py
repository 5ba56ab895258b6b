"""The archive's review written out: a workbook the finance bureau prints (复核.xlsx) and the same data as
JSON. Every text is written as text (never a formula) and cleaned as the rollup's are."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.worksheet import Worksheet

from selfeval_xl.county.archive_review import (
    CHANGED_AFTER_SCORING,
    JUMP,
    JUMP_POINTS,
    LOW_RATE_EXCELLENT,
    LOWERED_TARGET,
    LOWERED_TARGET_MOST,
    NOT_VALID,
    SELF_ABOVE,
    SELF_ABOVE_MOST,
    Review,
    UnitReview,
)
from selfeval_xl.county.rollup_output import print_setup
from selfeval_xl.formatting import clean_text, wrapped_lines
from selfeval_xl.layout import FORM_TYPE_LABELS
from selfeval_xl.write.appearance import new_workbook
from selfeval_xl.write.atomic import write_atomically

RISK_RULES = (
    f"评分副本在评分后被改动（verify 发现）：+{CHANGED_AFTER_SCORING}",
    f"每个指标的年度目标低于上年同一指标（一级指标和名称相同）的实际完成值（单位换算后；“≤”类指标为高于）："
    f"+{LOWERED_TARGET}，最多 +{LOWERED_TARGET_MOST}",
    f"每个指标的自评得分高于工具重算的得分（超过 0.01 分）：+{SELF_ABOVE}，最多 +{SELF_ABOVE_MOST}",
    f"重算总分比上年提高 {JUMP} 分及以上：+{JUMP_POINTS}",
    f"校验未通过（有错误，等级为暂评）：+{NOT_VALID}",
    f"预算执行率低于 90% 而等级为优秀：+{LOW_RATE_EXCELLENT}",
    "抽样：每个单位被抽中的机会与“风险分 + 1”成正比，不放回；同一档案库和同一随机种子抽出的名单相同。",
)
# The custom document property that says "this is a review selfeval-xl wrote": `archive review -o` may replace
# such a file, never another workbook, and `archive add` passes over it in an inbox.
REVIEW_MARK = "selfeval_review"
SIX_PLACES = Decimal("0.000001")
UNIT_COLUMNS = (("rank", "序号", 6), ("unit", "单位名称", 24), ("risk", "风险分", 7), ("reasons", "理由", 44),
                ("total", "重算总分", 9), ("last_total", "上年总分", 9), ("total_change", "总分变化", 9),
                ("grade", "等级", 7), ("last_grade", "上年等级", 8), ("rate", "预算执行率", 10),
                ("last_rate", "上年执行率", 10), ("verified", "评分后是否改动", 14), ("department", "主管部门", 16),
                ("form", "表样", 10), ("project", "项目名称", 16), ("file_name", "文件", 22))
# Columns written as numbers (sortable in Excel), shown as scores or percentages
SCORE_KEYS = frozenset({"total", "last_total", "total_change", "self_score", "score"})
RATE_KEYS = frozenset({"rate", "last_rate", "rate_change"})


def unit_json(unit: UnitReview, rank: int) -> dict[str, Any]:
    return {"rank": rank, "unit": unit.unit, "department": unit.department, "form": unit.form,
            "project": unit.project, "file_name": unit.file_name, "risk": unit.risk, "reasons": list(unit.reasons),
            "total": _text(unit.total), "last_total": _text(unit.last_total), "total_change": _text(unit.total_change),
            "grade": unit.grade, "last_grade": unit.last_grade, "rate": _rate(unit.rate),
            "last_rate": _rate(unit.last_rate), "rate_change": _rate(unit.rate_change), "verified": unit.verified}


def review_json(result: Review) -> dict[str, Any]:
    return {
        "year": result.year, "risk_rules": list(RISK_RULES),
        "units": [unit_json(u, i) for i, u in enumerate(result.units, start=1)],
        "lowered_targets": [{"unit": t.unit, "area": t.area, "level1": t.level1, "name": t.name, "operator": t.operator,
                             "target": t.target, "last_actual": t.last_actual, "target_value": str(t.target_value),
                             "last_value": str(t.last_value)} for t in result.lowered],
        "self_above": [{"unit": s.unit, "level1": s.level1, "name": s.name, "self_score": str(s.self_score),
                        "score": str(s.score)} for s in result.self_above],
        "changed_after_scoring": [unit_json(u, i) for i, u in enumerate(result.units, start=1)
                                  if u.verified.startswith("已改动")],
        "sample": None if result.seed is None else {"seed": result.seed, "units": [
            unit_json(u, i) for i, u in enumerate(result.sample, start=1)]},
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _rate(value: Decimal | None) -> str | None:
    """A rate to six places (0.982631): the rules keep 28 digits, which no reader needs."""
    return None if value is None else format(value.quantize(SIX_PLACES), "f")


def write_review(result: Review, target: Path) -> None:
    out = io.BytesIO()
    wb = new_workbook(out)
    wb.set_properties({"title": f"{result.year} 年度绩效自评复核", "author": "selfeval-xl",
                       "created": dt.datetime(2025, 1, 1)})
    wb.set_custom_property(REVIEW_MARK, "selfeval-xl")
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "vcenter"})
    text = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    title = wb.add_format({"bold": True, "font_size": 14, "text_wrap": True})
    numbers = {"score": wb.add_format({"border": 1, "valign": "top", "num_format": "0.00"}),
               "rate": wb.add_format({"border": 1, "valign": "top", "num_format": "0.00%"})}
    data = review_json(result)
    units = f"{result.year} 年度抽查名单：按风险分从高到低，共 {len(result.units)} 个单位"
    sheets: list[tuple[str, str, Any, tuple[tuple[str, str, int], ...]]] = [
        ("抽查名单", units, data["units"], UNIT_COLUMNS)]
    if data["sample"] is not None:
        sheets.append(("抽样", f"按风险加权抽取 {len(result.sample)} 个单位（随机种子 {result.seed}）",
                       data["sample"]["units"], UNIT_COLUMNS))
    sheets += [
        ("目标偏低", "年度目标低于上年实际完成值的指标（“≤”类为高于）", data["lowered_targets"],
         (("unit", "单位名称", 24), ("area", "工作分项", 12), ("level1", "一级指标", 12), ("name", "指标", 22),
          ("operator", "比较", 6),
          ("target", "本年目标", 14), ("last_actual", "上年实际完成值", 14), ("target_value", "本年目标（数值）", 12),
          ("last_value", "上年实际（换算到本年单位）", 14))),
        ("自评高于重算", "自评得分高于重算得分的指标", data["self_above"],
         (("unit", "单位名称", 24), ("level1", "一级指标", 12), ("name", "指标", 30), ("self_score", "自评得分", 10),
          ("score", "重算得分", 10))),
        ("评分后改动", "评分副本在评分后被改动的单位", data["changed_after_scoring"],
         (("unit", "单位名称", 24), ("verified", "评分后是否改动", 16), ("file_name", "文件", 30),
          ("risk", "风险分", 8))),
    ]
    for name, heading, rows, columns in sheets:
        _table(wb.add_worksheet(name), heading, rows, columns, (head, text, title, numbers))
    rules = wb.add_worksheet("风险分说明")
    rules.set_column(0, 0, 110)
    for i, line in enumerate(("风险分的计算（见 docs/archive.md）", *RISK_RULES)):
        rules.write_string(i, 0, line, title if i == 0 else text)
    print_setup(rules, None, "风险分说明", first_column=False)
    wb.close()
    write_atomically(target, out.getvalue())


def _table(ws: Worksheet, heading: str, rows: list[dict[str, Any]], columns: tuple, formats: tuple) -> None:
    head, text, title, numbers = formats
    ws.merge_range(0, 0, 0, min(len(columns), 6) - 1, heading, title)
    ws.set_row(0, 24)
    for col, (_, label, width) in enumerate(columns):
        ws.set_column(col, col, width)
        ws.write_string(2, col, label, head)
    for r, row in enumerate(rows, start=3):
        lines = 1
        for col, (key, _, width) in enumerate(columns):
            value = row.get(key)
            if key == "form":
                value = FORM_TYPE_LABELS.get(str(value), value)
            if isinstance(value, list):
                value = "；".join(value)
            if value is None or value == "":
                ws.write_blank(r, col, None, text)
            elif key in SCORE_KEYS or key in RATE_KEYS:  # the exact text, as a number Excel sorts
                ws.write_number(r, col, float(value), numbers["score" if key in SCORE_KEYS else "rate"])
            elif isinstance(value, int) and not isinstance(value, bool):
                ws.write_number(r, col, value, text)
            else:
                shown = clean_text(str(value))
                ws.write_string(r, col, shown, text)
                if len(shown) * 2 > width:  # a text that may wrap (a Chinese character is two columns wide)
                    lines = max(lines, wrapped_lines(shown, width))
        if lines > 1:
            ws.set_row(r, lines * 15 + 3)
    ws.freeze_panes(3, 2 if columns[0][0] == "rank" else 1)
    print_setup(ws, 2, heading[:40])
