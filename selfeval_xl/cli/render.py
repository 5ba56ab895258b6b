"""Result → the text people read in a console. Plain strings; the CLI decides where they go.

Whatever reaches the console passes `visible` (text) or `json_text` (JSON) on its way out (cli/app.py
calls them in one place), so a workbook's text stays data: a unit name cannot move the cursor,
recolour the terminal, set its title or reorder a line, and a lone surrogate cannot stop the output.
"""
from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from selfeval_xl.formatting import percent, quoted, score_text, shortened, weight_text, without_surrogates
from selfeval_xl.layout import FORM_TYPE_LABELS
from selfeval_xl.model import Result

if TYPE_CHECKING:  # the rules and county modules load only for the commands that use them (an error
    # message is shown through `visible` whatever failed to load)
    from selfeval_xl.county.verify import Verification
    from selfeval_xl.read.headers import ColumnReport
    from selfeval_xl.rules.profiles import Profile

# C0 controls but newline and tab, DEL, C1 controls (U+009B is a one-character ESC [), the bidi
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), and lone surrogates.
_UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What json.dumps(ensure_ascii=False) leaves raw: it escapes only the C0 controls.
_JSON_UNSHOWN = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
UNIT_LIMIT = 80  # characters of a unit name on the console (the JSON carries it whole)


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Text for a terminal: each control character (but newline and tab), bidi override and lone
    surrogate shown as an escape a person can read, ESC as \\x1b and U+202E as \\u202e."""
    return _UNSHOWN.sub(_escape, text)


def json_safe(data: object) -> object:
    """The data with every lone surrogate (keys included) replaced by U+FFFD, so that it encodes."""
    if isinstance(data, str):
        return without_surrogates(data)
    if isinstance(data, dict):
        return {json_safe(k): json_safe(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_safe(v) for v in data]
    return data


def json_text(data: object, *, ascii_only: bool) -> str:
    """Valid JSON with nothing a terminal acts on: json.dumps escapes the C0 controls; DEL, the C1
    controls and the bidi overrides are escaped here (as \\u009b, \\u202e: still JSON strings)."""
    text = json.dumps(json_safe(data), ensure_ascii=ascii_only, indent=2)
    return text if ascii_only else _JSON_UNSHOWN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def result_text(result: Result) -> str:
    d = result.digits
    ex = result.execution
    rate = "—（全年预算数为 0 或未填）" if ex.rate is None else percent(ex.rate)
    lines = [
        f"文件：{result.file}（{FORM_TYPE_LABELS[result.form]}，口径 {result.profile}）",
        f"单位：{shortened(result.unit, UNIT_LIMIT) if result.unit else '（未填写）'}"
        f"　年度：{result.year or '（未填写）'}",
        f"预算执行率：{rate}　得分 {score_text(ex.score, d)}/{weight_text(ex.weight)}",
        "　".join(f"{lv.name} {score_text(lv.score, d)}/{weight_text(lv.weight) or weight_text(lv.indicator_weight)}"
                 for lv in result.levels),
        f"总分 {score_text(result.total, d)}　等级 {result.grade}"
        f"（{'校验通过' if result.valid else '校验未通过，等级为暂评'}）",
        f"问题：错误 {len(result.errors)} 个，警告 {len(result.warnings)} 个",
    ]
    for f in [*result.errors, *result.warnings]:
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "整个工作簿")
        lines.append(f"  [{'错误' if f.severity == 'error' else '警告'}] {where} {f.code}：{f.message}")
    return "\n".join(lines)


def columns_text(columns: tuple[ColumnReport, ...]) -> str:
    """Which printed label the reader took for which column, table by table (check --explain)."""
    lines = ["表头识别："]
    table = None
    for c in columns:
        if (c.table, c.sheet) != table:
            table = (c.table, c.sheet)
            lines.append(f"  {c.table}（工作表“{c.sheet}”）")
        label = f"“{quoted(c.label)}”" if c.label else "（空）"
        lines.append(f"    {c.column} 列 {c.header} {label} → {c.meaning}（{c.why}）")
    if table is None:
        lines.append("  （没有认出任何表头）")
    return "\n".join(lines)


def profiles_text(profiles: list[Profile]) -> str:
    lines = []
    for p in profiles:
        lines.append(f"{p.name}（{FORM_TYPE_LABELS[p.form]}）：{p.title}")
        lines.append(f"  分值：{p.describe_weights()}")
        lines.append(f"  执行率：{p.describe_rule()}")
        lines.append(f"  等级：{p.describe_grades()}")
    return "\n".join(lines)


def profile_text(p: Profile) -> str:
    """One built-in profile in full (profiles --show), in the words the profiles list uses."""
    lines = [f"{p.name}：{p.title}",
             f"  表样：{FORM_TYPE_LABELS[p.form]}",
             f"  一级指标：{p.describe_levels()}"]
    for level, seconds in p.second_levels:
        lines.append(f"    {level}下的二级指标：{'、'.join(seconds)}")
    if p.optional:
        lines.append(f"  可以没有的一级指标：{'、'.join(p.optional)}（表中没有时只核对总分 100）")
    lines.append(f"  分值：{p.describe_weights()}")
    lines.append(f"  执行率：{p.describe_rule()}")
    if p.explain_below is not None:
        lines.append(f"  执行率低于 {weight_text(p.explain_below * 100)}% 且没写原因说明：报问题")
    if p.explain_adjustment:
        lines.append("  全年预算数与年初预算数不同而没写原因说明：报问题")
    if p.overshoot_ratio is not None:
        lines.append(f"  实际完成值达到目标的 {weight_text(p.overshoot_ratio)} 倍以上而没写偏差原因：报问题")
    lines.append(f"  等级：{p.describe_grades()}")
    lines.append(f"  得分保留 {p.digits} 位小数" if p.digits else "  得分按整数计")
    lines.append(f"以它为底稿写本县口径：selfeval-xl profiles --show {p.name} --toml -o 我县口径.toml")
    return "\n".join(lines)


def profile_json(p: Profile) -> dict[str, object]:
    return {
        "name": p.name, "title": p.title, "form": p.form, "digits": p.digits,
        "execution": {"weight": weight_text(p.execution_weight), "rule": p.rule,
                      "steps": [[weight_text(s.threshold), weight_text(s.score)] for s in p.steps]},
        "weights": {level: weight_text(w) for level, w in p.weights},
        "optional": list(p.optional),
        "grades": [{"name": g.name, "min": weight_text(g.min)} for g in p.grades],
    }


def verification_text(v: Verification) -> str:
    if not v.scored:
        lines = [f"文件：{v.file} 没有评分记录（未经 selfeval-xl score 评分，或评分汇总表已被删除）。"]
        if v.result is not None:
            lines.append(f"按当前数据重算：总分 {score_text(v.result.total, v.result.digits)}，等级 {v.result.grade}。")
        return "\n".join(lines)
    head = f"文件：{v.file}（评分于 {v.scored_on or '未知日期'}，口径 {v.profile}）"
    if v.untouched:
        return head + "\n评分后未被改动：输入和评分结果与评分时一致。"
    lines = [head, f"评分后已被改动：{len(v.changes)} 个输入单元格变化，{len(v.mismatches)} 项结果不一致。"]
    for c in v.changes:
        lines.append(f"  {c.sheet}!{c.cell}：{quoted(str(c.old)) if c.old not in (None, '') else '（空）'} → "
                     f"{quoted(str(c.new)) if c.new not in (None, '') else '（空）'}")
    for m in v.mismatches:
        if m.recorded is None:  # a difference found by looking, with nothing recorded to compare
            lines.append(f"  {m.item}：{quoted(str(m.current))}")
        else:
            lines.append(f"  {m.item}：评分时 {quoted(str(m.recorded))}，现在 {quoted(str(m.current))}")
    return "\n".join(lines)
