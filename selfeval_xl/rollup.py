"""rollup: one table over many units' workbooks, for the county finance bureau.

Each workbook is read once, in a worker process (both cores), into a plain dict; the table
work (sorting, grouping, duplicates, target comparison) is pandas; the workbook is XlsxWriter.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

from .profile import KNOWN_LEVELS

PATTERNS = ("*.xlsx", "*.xlsm", "*.xls", "*.ods")
COLUMNS = [
    ("unit", "单位名称"), ("department", "主管部门"), ("year", "年度"), ("form", "表样"), ("project", "项目名称"),
    ("profile", "口径"),
    ("total", "重算总分"), ("typed_total", "单位自报总分"), ("difference", "自报−重算"), ("grade", "等级"),
    ("valid", "校验"), ("rate", "预算执行率"), ("execution_score", "执行率得分"),
    *[(f"level:{lv}", lv) for lv in KNOWN_LEVELS],
    ("errors", "错误数"), ("warnings", "警告数"), ("verified", "评分后是否改动"), ("target_flags", "目标变动"),
    ("file", "文件"), ("note", "说明"),
]
GRADE_ORDER = ("优秀", "良好", "一般", "较差", "优", "良", "中", "差")


def collect(paths: Iterable[str | Path], exclude: Path | None = None) -> list[Path]:
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            for pattern in PATTERNS:
                files += [p for p in path.rglob(pattern) if not p.name.startswith(("~$", ".~lock", ".selfeval-"))]
        else:
            files.append(path)
    unique = sorted({p.resolve(): p for p in files}.values(), key=lambda p: str(p))
    return [p for p in unique if exclude is None or p.resolve() != exclude.resolve()]


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def summarize(path_text: str) -> dict[str, object]:
    """One workbook → a plain, picklable row (never raises for a bad file)."""
    from .errors import SelfevalError
    from .numbers import Quantity, normalize_label, read_value
    from .reader import open_workbook
    from .verify import verify_book
    path = Path(path_text)
    row: dict[str, object] = {"file": path.name, "path": str(path), "mtime": _mtime(path)}
    from .api import paused_gc
    try:
        with paused_gc():
            verification = verify_book(open_workbook(path))
        result, reading = verification.result, verification.reading
        if not verification.scored:
            row["verified"] = "未评分"
        else:
            row["verified"] = "未改动" if verification.untouched else f"已改动（{len(verification.changes)} 处）"
    except SelfevalError as exc:
        row["note"] = exc.message
        return row
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the run
        row["note"] = f"无法读取（{type(exc).__name__}）"
        return row
    info = reading.input.info
    department = info.get("主管部门")
    project = info.get("项目名称")
    self_scores = [ind.self_score for ind in result.indicators]
    typed = result.typed_total
    if typed is None and result.indicators and all(s is not None for s in self_scores):
        typed = result.execution.score + sum(self_scores, Decimal(0))  # type: ignore[arg-type]
    row.update({
        "unit": result.unit, "department": department.text if department is not None else "", "year": result.year,
        "form": result.form, "project": project.text if project is not None and result.form == "project" else "",
        "profile": result.profile, "total": _num(result.total), "typed_total": _num(typed),
        "difference": None if typed is None else _num(typed - result.total), "grade": result.grade,
        "valid": "通过" if result.valid else "未通过（暂评）",
        "rate": None if result.execution.rate is None else round(float(result.execution.rate), 6),
        "execution_score": _num(result.execution.score),
        "errors": len(result.errors), "warnings": len(result.warnings), "note": "",
    })
    for lv in result.levels:
        row[f"level:{lv.name}"] = _num(lv.score)
    indicators = []
    for ind in reading.input.indicators:
        target = read_value(ind.target, reading.input.year)
        indicators.append({
            "key": "|".join(normalize_label(x) for x in (ind.area, ind.level1.text, ind.name.text)),
            "name": ind.name.text, "area": ind.area, "cell": f"{ind.target.sheet}!{ind.target.coord}",
            "weight_cell": f"{ind.weight.sheet}!{ind.weight.coord}",
            "target_text": ind.target.text, "target": float(target.value) if isinstance(target, Quantity) else None,
            "op": next((r.operator for r in result.indicators if r.row == ind.row), None),
            "weight": next((_num(r.weight) for r in result.indicators if r.row == ind.row), None),
        })
    row["indicators"] = indicators
    return row


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def summarize_all(files: list[Path], progress: Callable[[int], None] | None = None,
                  workers: int | None = None) -> list[dict]:
    workers = workers or min(2, os.cpu_count() or 1)
    texts = [str(p) for p in files]
    rows: list[dict] = []
    if workers <= 1 or len(texts) < 8:
        for text in texts:
            rows.append(summarize(text))
            if progress:
                progress(1)
        return rows
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for row in pool.map(summarize, texts, chunksize=max(1, min(32, len(texts) // (workers * 8)))):
            rows.append(row)
            if progress:
                progress(1)
    return rows


@dataclass
class Rollup:
    units: list[dict] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)
    target_flags: list[dict] = field(default_factory=list)

    def grade_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.units:
            if row.get("grade"):
                counts[row["grade"]] = counts.get(row["grade"], 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: GRADE_ORDER.index(kv[0]) if kv[0] in GRADE_ORDER else 99))

    def to_json(self) -> dict[str, object]:
        keep = [k for k, _ in COLUMNS]
        return {
            "units": [{k: u.get(k) for k in keep} for u in self.units],
            "dropped": self.dropped, "grades": self.grade_counts(), "target_flags": self.target_flags,
        }


def build(rows: list[dict], approved: list[dict] | None = None) -> Rollup:
    import pandas as pd
    frame = pd.DataFrame(rows)
    for key, _ in COLUMNS:
        if key not in frame.columns:
            frame[key] = None
    frame["readable"] = frame["unit"].notna()
    dropped: list[dict] = []
    readable = frame[frame["readable"] & (frame["unit"].fillna("") != "")]
    if not readable.empty:
        ordered = readable.sort_values("mtime", ascending=False)
        # A unit files one department evaluation and one per project each year: those are not duplicates.
        same = ["unit", "year", "form", "project"]
        ordered = ordered.assign(**{k: ordered[k].fillna("") for k in same})
        duplicated = ordered.duplicated(subset=same, keep="first")
        for index, row in ordered[duplicated].iterrows():
            newest = ordered[(ordered[same] == row[same]).all(axis=1)].iloc[0]
            dropped.append({"file": row["file"], "unit": row["unit"], "year": _plain(row["year"], "year"),
                            "kept": newest["file"], "reason": f"同一单位同一年度重复提交，保留较新的 {newest['file']}"})
            frame = frame.drop(index)
    frame = frame.sort_values(["readable", "total"], ascending=[False, False], na_position="last")
    units = [{k: _plain(v, k) for k, v in rec.items()} for rec in frame.to_dict("records")]
    result = Rollup(units=units, dropped=dropped)
    if approved is not None:
        result.target_flags = compare_targets(units, approved)
        counts: dict[tuple[object, object], int] = {}
        for flag in result.target_flags:
            counts[(flag["unit"], flag["year"])] = counts.get((flag["unit"], flag["year"]), 0) + 1
        for unit in units:
            if unit.get("unit"):
                unit["target_flags"] = counts.get((unit["unit"], unit.get("year")), 0)
    return result


WHOLE_NUMBERS = ("year", "errors", "warnings", "target_flags")


def _plain(value: object, key: str = "") -> object:
    """A pandas/numpy cell → a plain Python value (NaN → None, 2025.0 → 2025 for whole-number columns)."""
    if key in WHOLE_NUMBERS and isinstance(value, float) and value == value:
        return int(value)
    try:
        import pandas as pd
        if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()  # numpy scalar → Python
    return value


def compare_targets(units: list[dict], approved: list[dict]) -> list[dict]:
    """Targets lowered, weights moved or indicators dropped since the year-start approval."""
    by_unit = {(a.get("unit"), a.get("year")): a for a in approved if a.get("unit")}
    flags: list[dict] = []
    for unit in units:
        base = by_unit.get((unit.get("unit"), unit.get("year")))
        if base is None or not unit.get("indicators"):
            continue
        now = {i["key"]: i for i in unit["indicators"]}
        for old in base.get("indicators") or []:
            cur = now.get(old["key"])
            flag = {"unit": unit["unit"], "year": unit.get("year"), "file": unit["file"], "indicator": old["name"],
                    "area": old["area"], "cell": None if cur is None else cur["cell"],
                    "approved_target": old["target_text"], "target": None if cur is None else cur["target_text"],
                    "approved_weight": old["weight"], "weight": None if cur is None else cur["weight"]}
            if cur is None:
                flags.append({**flag, "kind": "指标删除", "detail": "年初批复的指标在自评表中不见了"})
                continue
            if old["target"] is not None and cur["target"] is not None and old["target"] != cur["target"]:
                higher_is_better = (cur.get("op") or old.get("op")) != "≤"
                lowered = cur["target"] < old["target"] if higher_is_better else cur["target"] > old["target"]
                if lowered:
                    flags.append({**flag, "kind": "目标调低",
                                  "detail": f"年度指标值由 {old['target_text']} 改为 {cur['target_text']}"})
            elif old["target"] is None and old["target_text"] != cur["target_text"]:
                flags.append({**flag, "kind": "目标改动",
                              "detail": f"年度指标值由 {old['target_text']} 改为 {cur['target_text']}"})
            if old["weight"] is not None and cur["weight"] is not None and old["weight"] != cur["weight"]:
                flags.append({**flag, "kind": "分值调整", "cell": cur.get("weight_cell"),
                              "detail": f"分值由 {old['weight']:g} 改为 {cur['weight']:g}"})
    return flags


# --- output -----------------------------------------------------------------------------------------

def write_csv(rollup: Rollup, target: Path) -> None:
    import pandas as pd

    from .atomic import write_atomically
    # dtype=object keeps 2025 and 3 as written; a column with blanks would otherwise turn them into 2025.0.
    frame = pd.DataFrame([{label: u.get(key) for key, label in COLUMNS} for u in rollup.units],
                         columns=[c for _, c in COLUMNS], dtype=object)
    # Excel opens UTF-8 CSV with Chinese intact only when it starts with a BOM.
    write_atomically(target, frame.to_csv(index=False).encode("utf-8-sig"))


def write_xlsx(rollup: Rollup, target: Path) -> None:
    import io

    import xlsxwriter

    from .atomic import write_atomically
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": "预算绩效自评汇总", "author": "selfeval-xl", "created": dt.datetime(2025, 1, 1)})
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "vcenter"})
    num = wb.add_format({"num_format": "0.00", "border": 1})
    pct = wb.add_format({"num_format": "0.00%", "border": 1})
    text = wb.add_format({"border": 1})
    bad = wb.add_format({"border": 1, "bg_color": "#FFC7CE"})
    title = wb.add_format({"bold": True, "font_size": 14})

    def table(ws, first_row: int, units: list[dict]) -> int:
        for col, (_, label) in enumerate(COLUMNS):
            ws.write(first_row, col, label, head)
        row = first_row
        for unit in units:
            row += 1
            for col, (key, _) in enumerate(COLUMNS):
                value = unit.get(key)
                fmt = (pct if key == "rate"
                       else num if (key in ("total", "typed_total", "difference", "execution_score")
                                    or key.startswith("level:"))
                       else text)
                if not unit.get("unit") and key == "note":
                    fmt = bad
                if value is None or value == "":
                    ws.write_blank(row, col, None, fmt)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(row, col, value, fmt)
                else:
                    ws.write_string(row, col, str(value), fmt)
        return row

    ws = wb.add_worksheet("汇总")
    ws.write(0, 0, f"预算绩效自评汇总（{len(rollup.units)} 个文件，按重算总分排序）", title)
    last = table(ws, 2, rollup.units)
    ws.freeze_panes(3, 1)
    ws.autofilter(2, 0, max(last, 3), len(COLUMNS) - 1)
    ws.set_column(0, 1, 26)
    ws.set_column(2, len(COLUMNS) - 3, 11)
    ws.set_column(len(COLUMNS) - 2, len(COLUMNS) - 1, 40)
    ws.conditional_format(3, 7, max(last, 3), 7, {"type": "cell", "criteria": ">", "value": 1, "format": bad})

    ws = wb.add_worksheet("按主管部门")
    row = 0
    groups: dict[str, list[dict]] = {}
    for unit in rollup.units:
        groups.setdefault(unit.get("department") or "（未填主管部门或无法读取）", []).append(unit)
    for department, units in sorted(groups.items()):
        ws.write(row, 0, f"{department}（{len(units)} 个单位）", title)
        row = table(ws, row + 1, units) + 2
    ws.set_column(0, 1, 26)
    ws.set_column(len(COLUMNS) - 2, len(COLUMNS) - 1, 40)

    ws = wb.add_worksheet("等级分布")
    counts = rollup.grade_counts()
    ws.write_row(0, 0, ["等级", "单位数"], head)
    for i, (grade, count) in enumerate(counts.items(), start=1):
        ws.write(i, 0, grade, text)
        ws.write_number(i, 1, count, text)
    if counts:
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": "单位数", "categories": ["等级分布", 1, 0, len(counts), 0],
                          "values": ["等级分布", 1, 1, len(counts), 1], "data_labels": {"value": True}})
        chart.set_title({"name": "等级分布"})
        chart.set_legend({"none": True})
        ws.insert_chart("D2", chart)

    if rollup.target_flags:
        ws = wb.add_worksheet("目标变动")
        keys = [("unit", "单位名称"), ("year", "年度"), ("area", "工作分项"), ("indicator", "指标"), ("kind", "变动"),
                ("approved_target", "年初批复指标值"), ("target", "自评表指标值"), ("approved_weight", "批复分值"),
                ("weight", "自评分值"), ("cell", "单元格"), ("file", "文件"), ("detail", "说明")]
        ws.write_row(0, 0, [label for _, label in keys], head)
        for r, flag in enumerate(rollup.target_flags, start=1):
            for c, (key, _) in enumerate(keys):
                value = flag.get(key)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(r, c, value, text)
                else:
                    ws.write_string(r, c, "" if value is None else str(value), text)
        ws.set_column(0, len(keys) - 1, 16)

    if rollup.dropped:
        ws = wb.add_worksheet("重复提交")
        ws.write_row(0, 0, ["单位名称", "年度", "未采用的文件", "采用的文件", "说明"], head)
        for r, item in enumerate(rollup.dropped, start=1):
            ws.write_row(r, 0, [item["unit"], str(item["year"] or ""), item["file"], item["kept"], item["reason"]],
                         text)
        ws.set_column(0, 4, 30)
    wb.close()
    write_atomically(target, out.getvalue())


def progress_bar(total: int):
    """A progress bar on stderr for a terminal; silent otherwise."""
    import click
    if not sys.stderr.isatty() or total < 20:
        return None
    return click.progressbar(length=total, label="汇总中", file=sys.stderr)
