"""rollup: one table over many units' workbooks, for the county finance bureau.

Each workbook is read once, in a worker process (both cores), into a plain dict; the table
work (sorting, grouping, duplicates, target comparison) is pandas; the workbook is XlsxWriter.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd

from selfeval_xl.county.verify import verify_book
from selfeval_xl.errors import SelfevalError
from selfeval_xl.read.reader import open_workbook, paused_gc
from selfeval_xl.rules.profiles import KNOWN_LEVELS
from selfeval_xl.rules.quantities import Quantity, read_value
from selfeval_xl.vocabulary import normalize_label

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
    path = Path(path_text)
    row: dict[str, object] = {"file": path.name, "path": str(path), "mtime": _mtime(path)}
    try:
        with paused_gc():
            verification = verify_book(open_workbook(path))
        result, reading = verification.result, verification.reading
        assert reading is not None, "verify_book always returns the Reading"
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
        typed = result.execution.score + sum((s for s in self_scores if s is not None), Decimal(0))
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

    @property
    def unreadable(self) -> list[dict]:
        """The rows of files that could not be read as a form (their note says why)."""
        return [u for u in self.units if not u.get("form")]

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


def _plain(value: Any, key: str = "") -> object:  # Any: whatever pandas or numpy holds in a cell
    """A pandas/numpy cell → a plain Python value (NaN → None, 2025.0 → 2025 for whole-number columns)."""
    if key in WHOLE_NUMBERS and isinstance(value, float) and value == value:
        return int(value)
    try:
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
