"""rollup: one table over many units' workbooks, for the county finance bureau.

Each workbook is read once, in a worker process (both cores) with a time and a memory limit
(read/sandbox.py), into a plain dict; a file that cannot be read, hangs or kills its worker is a
row that says why. The table work (sorting, grouping, duplicates, target comparison) is pandas;
every string is cleaned before it reaches the .xlsx, CSV or JSON; the workbook is XlsxWriter.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import orjson
import pandas as pd

from selfeval_xl.county.target_changes import compare_targets
from selfeval_xl.county.unit_read import OUT_OF_MEMORY, read_unit
from selfeval_xl.errors import os_reason
from selfeval_xl.formatting import CELL_LIMIT, SURROGATE, clean_text
from selfeval_xl.model import Cell
from selfeval_xl.read.limits import TREE_MEMORY, WORKER_SECONDS
from selfeval_xl.read.sandbox import Failure, run_each, share_of
from selfeval_xl.read.sniff import LOCK_PREFIX
from selfeval_xl.rules.profiles import Profile
from selfeval_xl.rules.quantities import Quantity, read_value
from selfeval_xl.vocabulary import normalize_label
from selfeval_xl.write.record import recorded_inputs

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
# LibreOffice's lock files and the tool's own temporary files. Excel's and WPS's ~$ lock files are rows:
# the reader says what they are and names the workbook to pick (read/sniff.py), so a unit that sent the
# lock file instead of its workbook is never lost without a word.
IGNORED = (".~lock", ".selfeval-")
# The columns a county reads first come first (they fit one printed page width, docs/workbook.md §9);
# the rest follow for sorting and filtering.
KEY_COLUMNS = [("unit", "单位名称"), ("total", "重算总分"), ("grade", "等级"), ("valid", "校验"), ("errors", "错误数"),
               ("rate", "预算执行率"), ("note", "说明")]
COLUMNS = [
    *KEY_COLUMNS,
    ("department", "主管部门"), ("year", "年度"), ("form", "表样"), ("project", "项目名称"),
    ("profile", "口径"), ("unit_profile", "单位所填口径"), ("typed_total", "单位自报总分"), ("difference", "自报−重算"),
    ("execution_score", "执行率得分"),
    # here: one column per first level, those of the profiles the units were scored with (Rollup.columns)
    ("warnings", "警告数"), ("verified", "评分后是否改动"), ("target_flags", "目标变动"),
    ("file", "文件"), ("path", "路径"),
]

PASSED, PROVISIONAL, UNREADABLE = "通过", "未通过（暂评）", "无法读取"
NOT_REGULAR = "不是普通文件，已跳过"
SYMLINK_LOOP = "符号链接循环，已跳过"
DIED = "读取时进程异常退出（可能内存不足或文件损坏），已跳过"
WPS_FORMAT = "WPS 格式，请另存为 .xlsx，已跳过"


def timed_out(seconds: float) -> str:
    return f"读取超时（超过 {seconds:g} 秒），已跳过"


# --- finding the files ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """A file found for the rollup: where it is, the path the table shows, and why it is not read (if so)."""
    path: Path
    shown: str
    note: str = ""


def collect(paths: Iterable[str | Path], exclude: Path | None = None) -> list[Entry]:
    """The workbooks in the files and folders given, each once, sorted by the path shown.

    Folders are walked without following a symbolic link back into a folder already walked;
    nothing found is opened: a FIFO, device or socket named like a workbook, a symlink loop or a
    folder that cannot be listed is an Entry with a note, and so is a WPS .et file (never readable).
    LibreOffice's lock files are left out; Excel's and WPS's ~$ lock files are read (and refused)."""
    items = [Path(p) for p in paths]
    seen: set[tuple[int, int]] = set()
    entries: list[Entry] = []
    for item in items:
        if os.path.isdir(item):
            entries += _walk(item, item.name if len(items) > 1 else "", seen)
        else:
            entries.append(_entry(item, str(item)))
    skip = _identity(Entry(exclude, "")) if exclude is not None and os.path.exists(exclude) else None
    found: dict[object, Entry] = {}
    for entry in sorted(entries, key=lambda e: e.shown):
        identity = _identity(entry)
        if identity != skip:
            found.setdefault(identity, entry)
    return list(found.values())


def _walk(root: Path, prefix: str, seen: set[tuple[int, int]]) -> Iterator[Entry]:
    stack = [(root, prefix)]
    while stack:
        folder, shown = stack.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen:
                continue  # a symlink back into a folder already walked (or the same folder given twice)
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda child: child.name)
        except OSError as exc:
            yield Entry(folder, shown or str(folder), f"无法读取文件夹（{os_reason(exc)}），已跳过")
            continue
        for child in reversed(children):  # the stack gives the folders back in name order
            inner = os.path.join(shown, child.name) if shown else child.name
            try:
                is_dir = child.is_dir()  # follows a symlink; a loop back is caught by `seen`
            except OSError:
                is_dir = False
            if is_dir:
                stack.append((Path(child.path), inner))
            elif child.name.lower().endswith(SUFFIXES) and not child.name.startswith(IGNORED):
                yield _entry(Path(child.path), inner)


def _entry(path: Path, shown: str) -> Entry:
    """Stat, never open: only a regular file is read (a FIFO would block the reader for ever)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return Entry(path, shown)  # the reader says it is not there, in its own words
    except OSError as exc:
        return Entry(path, shown, SYMLINK_LOOP if exc.errno == errno.ELOOP else f"无法访问（{os_reason(exc)}），已跳过")
    if not stat.S_ISREG(info.st_mode):
        return Entry(path, shown, NOT_REGULAR)
    if path.name.lower().endswith(".et") and not path.name.startswith(LOCK_PREFIX):
        return Entry(path, shown, WPS_FORMAT)  # a ~$….et is WPS's lock file: the reader says so
    return Entry(path, shown)


def _identity(entry: Entry) -> object:
    if not entry.note:
        try:
            info = os.stat(entry.path)
            return info.st_dev, info.st_ino  # the same file through two links is one row
        except OSError:
            pass
    return os.path.abspath(entry.path)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def summarize(path_text: str, county_profile: Profile | None = None) -> dict[str, object]:
    """One workbook → a plain, picklable row (never raises for a bad file). With the county's own
    profile every unit is scored by it, whatever its workbook names, and a unit that named another
    is flagged."""
    path = Path(path_text)
    row: dict[str, object] = {"file": path.name, "mtime": _mtime(path)}
    unit = read_unit(path, county_profile)
    if isinstance(unit, str):
        row["note"] = unit
        return row
    row["verified"] = unit.verified
    if unit.unit_profile is not None:
        row["unit_profile"] = unit.unit_profile
    reading, result = unit.reading, unit.result
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
        "valid": PASSED if result.valid else PROVISIONAL,
        "rate": None if result.execution.rate is None else round(float(result.execution.rate), 6),
        "execution_score": _num(result.execution.score),
        "errors": len(result.errors), "warnings": len(result.warnings), "note": "",
        "provisional": not result.valid, "grade_names": [g.name for g in reading.profile.grades],
    })
    for lv in result.levels:
        row[f"{LEVEL_PREFIX}{lv.name}"] = _num(lv.score)
    indicators = []
    scored = {r.row: r for r in result.indicators}  # by row: a lookup per indicator kept this linear
    for ind in reading.input.indicators:
        target = read_value(ind.target, reading.input.year)
        scored_row = scored.get(ind.row)
        indicators.append({
            "key": "|".join(normalize_label(x) for x in (ind.area, ind.level1.text, ind.name.text)),
            "name": ind.name.text, "area": ind.area, "cell": f"{ind.target.sheet}!{ind.target.coord}",
            "weight_cell": f"{ind.weight.sheet}!{ind.weight.coord}",
            "target_text": ind.target.text, "target": float(target.value) if isinstance(target, Quantity) else None,
            "op": scored_row.operator if scored_row is not None else None,
            "weight": _num(scored_row.weight) if scored_row is not None else None,
        })
    row["indicators"] = indicators
    row["content"] = content_key(reading.input_cells)
    return row


def content_key(cells: Iterable[Cell]) -> str:
    """A hash of what the unit typed: the scored copy's record of inputs (write/record.py), so a copy of
    one workbook under another name, or saved again by another application, hashes alike."""
    values = recorded_inputs(cells)
    return hashlib.sha256(orjson.dumps(values, option=orjson.OPT_SORT_KEYS)).hexdigest()  # compared within a run only


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


# Small files a worker takes at once (read/sandbox.py): the pool's own cost of a hand-over, about a
# quarter of a millisecond, was one thirtieth of reading an example-sized form.
BATCH = 8


def summarize_all(files: Sequence[Entry | Path], progress: Callable[[int], None] | None = None,
                  workers: int | None = None, *, file_timeout: float = WORKER_SECONDS,
                  memory_limit: int | None = None, memory_total: int = TREE_MEMORY,
                  task: Callable[[str], dict[str, object]] = summarize, batch: int = BATCH,
                  on_row: Callable[[int, dict], None] | None = None) -> list[dict]:
    """One row per file, in order: each read by `task` in a worker process (read/sandbox.py).

    A file still being read after `file_timeout` seconds, or whose worker dies twice, is a row that
    says so; `progress(1)` is called as each file is done. `task` must be a module-level function
    (it is sent to the workers by name): summarize, or a test's stand-in. The tree of processes stays
    within `memory_total` (workers.share_of), unless `memory_limit` gives each worker its own cap.
    `on_row(i, row)` is called with each row as it is done (the archive stores it there and then)."""
    entries = [f if isinstance(f, Entry) else Entry(Path(f), str(f)) for f in files]
    rows: list[dict] = [{} for _ in entries]

    def done(index: int, outcome: dict[str, object] | Failure) -> None:
        entry = entries[index]
        row = outcome if isinstance(outcome, dict) else {"file": entry.path.name, "mtime": _mtime(entry.path),
                                                         "note": _reason(outcome, file_timeout)}
        row["file"], row["path"] = _display(entry.path.name), _display(entry.shown)
        rows[index] = row
        if on_row is not None:
            on_row(index, row)
        if progress:
            progress(1)

    to_read = []
    for index, entry in enumerate(entries):
        if entry.note:
            done(index, {"file": entry.path.name, "mtime": 0.0, "note": entry.note})
        else:
            to_read.append(index)
    count, share = share_of(memory_total, workers or min(2, os.cpu_count() or 1))
    run_each(task, [str(entries[i].path) for i in to_read], lambda k, outcome: done(to_read[k], outcome),
             workers=count, timeout=file_timeout, memory_limit=memory_limit or share, batch=batch,
             sizes=[_size(entries[i].path) for i in to_read])
    for index in to_read:
        if not rows[index]:  # never reported (a pool that broke past recovery): still its own row
            done(index, Failure("died"))
    return rows


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 1 << 62  # not known: read alone


def _reason(failure: Failure, timeout: float) -> str:
    if failure.kind == "timeout":
        return timed_out(timeout)
    if failure.kind == "died":
        return DIED
    return OUT_OF_MEMORY if failure.error == "MemoryError" else f"无法读取（{failure.error}）"


def _display(path: str) -> str:
    """A path as people read it: a name whose bytes are not UTF-8 (GBK, from a zip made on Windows)
    decoded as GB18030, one part at a time; what still cannot be read becomes U+FFFD in build()."""
    if not SURROGATE.search(path):
        return path
    return os.sep.join(_gb18030(part) for part in path.split(os.sep))


def _gb18030(part: str) -> str:
    if not SURROGATE.search(part):
        return part
    try:
        return part.encode("utf-8", "surrogateescape").decode("gb18030")
    except UnicodeError:
        return part


# --- strings safe for the .xlsx, CSV and JSON --------------------------------------------------------

NAME_LIMIT = 200  # names in the table: unit, department, project, file, path
_NAME_KEYS = frozenset(("unit", "department", "project", "file", "path", "form", "profile", "grade", "valid",
                        "verified"))


def _clean_row(row: dict) -> dict:
    clean: dict[str, object] = {}
    for key, value in row.items():
        if isinstance(value, str):
            value = clean_text(value, NAME_LIMIT if key in _NAME_KEYS else CELL_LIMIT, name=key in _NAME_KEYS)
        elif key == "grade_names" and isinstance(value, list):
            value = [clean_text(v, NAME_LIMIT, name=True) for v in value if isinstance(v, str)]
        elif key == "indicators" and isinstance(value, list):
            value = [{k: clean_text(v, NAME_LIMIT, name=True) if isinstance(v, str) and k != "key" else v
                      for k, v in indicator.items()} for indicator in value]
        clean[key] = value
    return clean


LEVEL_PREFIX = "level:"


def level_columns(rows: Iterable[dict]) -> list[tuple[str, str]]:
    """The first levels the rows carry, each once, in the order their profiles list them."""
    keys: dict[str, None] = {}
    for row in rows:
        keys.update((k, None) for k in row if isinstance(k, str) and k.startswith(LEVEL_PREFIX))
    return [(key, key.removeprefix(LEVEL_PREFIX)) for key in keys]


def with_levels(levels: list[tuple[str, str]]) -> list[tuple[str, str]]:
    at = [key for key, _ in COLUMNS].index("execution_score") + 1
    return [*COLUMNS[:at], *levels, *COLUMNS[at:]]


@dataclass
class Rollup:
    units: list[dict] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)
    target_flags: list[dict] = field(default_factory=list)
    # Profiles declare their own levels (docs/rules.md §12.3–§12.4), so the level columns are the units'.
    levels: list[tuple[str, str]] = field(default_factory=list)

    @property
    def columns(self) -> list[tuple[str, str]]:
        return with_levels(self.levels)

    @property
    def unreadable(self) -> list[dict]:
        """The rows of files that could not be read as a form (their note says why)."""
        return [u for u in self.units if not u.get("form")]

    @property
    def unreadable_files(self) -> list[tuple[str, str]]:
        """(path as the table shows it, why it was not read) for each unreadable file, in table order."""
        return [(u.get("path") or u.get("file") or "", u.get("note") or "") for u in self.unreadable]

    def grade_counts(self) -> dict[str, tuple[int, int]]:
        """Every grade of the units' profiles, in each profile's order, zeros included → (final,
        provisional): a grade of a workbook with errors is provisional (暂评) and counted apart."""
        counts: dict[str, list[int]] = {}
        for row in self.units:
            for name in row.get("grade_names") or ():
                counts.setdefault(name, [0, 0])
        for row in self.units:
            if row.get("grade"):
                counts.setdefault(row["grade"], [0, 0])[1 if row.get("provisional") else 0] += 1
        return {name: (final, provisional) for name, (final, provisional) in counts.items()}

    def to_json(self) -> dict[str, object]:
        keep = [k for k, _ in self.columns]
        return {
            "units": [{k: u.get(k) for k in keep} for u in self.units],
            "dropped": self.dropped, "target_flags": self.target_flags,
            "grades": {name: {"final": final, "provisional": provisional}
                       for name, (final, provisional) in self.grade_counts().items()},
        }


def build(rows: list[dict], approved: list[dict] | None = None) -> Rollup:
    rows = [_clean_row(row) for row in rows]
    approved = None if approved is None else [_clean_row(row) for row in approved]
    levels = level_columns(rows)
    frame = pd.DataFrame(rows)
    for key, _ in with_levels(levels):
        if key not in frame.columns:
            frame[key] = None
    frame["readable"] = frame["unit"].notna()
    # A workbook that names no unit is shown by its file name, and says so (docs/rules.md §13.6).
    frame["unnamed"] = frame["readable"] & (frame["unit"].fillna("") == "")
    frame.loc[frame["unnamed"], "unit"] = frame.loc[frame["unnamed"], "file"]
    frame.loc[frame["unnamed"], "note"] = UNNAMED
    frame, dropped = _same_content(frame)
    readable = frame[frame["readable"] & ~frame["unnamed"]]
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
    # Valid units first, then provisional ones (errors left), then the files that could not be read,
    # each named by its file with the reason beside it: a provisional grade never tops the table.
    frame["passed"] = frame["valid"] == PASSED
    frame.loc[~frame["readable"], "unit"] = frame.loc[~frame["readable"], "file"]
    frame.loc[~frame["readable"], "valid"] = UNREADABLE
    frame = frame.sort_values(["readable", "passed", "total", "file"], ascending=[False, False, False, True],
                              na_position="last", kind="stable")
    units = [{k: _plain(v, k) for k, v in rec.items()} for rec in frame.to_dict("records")]
    result = Rollup(units=units, dropped=dropped, levels=levels)
    if approved is not None:
        result.target_flags = compare_targets(units, approved)
        counts: dict[tuple[object, object], int] = {}
        for flag in result.target_flags:
            counts[(flag["unit"], flag["year"])] = counts.get((flag["unit"], flag["year"]), 0) + 1
        for unit in units:
            if unit.get("form"):
                unit["target_flags"] = counts.get((unit["unit"], unit.get("year")), 0)
    return result


UNNAMED = "未填写单位名称，单位名称一栏为文件名：请单位在基本信息中填写后重新报送"


def _same_content(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Files whose input cells are identical are one submission whatever their names: the newest is kept."""
    dropped: list[dict] = []
    if "content" not in frame.columns:
        return frame, dropped
    ordered = frame[frame["readable"] & frame["content"].notna()].sort_values("mtime", ascending=False,
                                                                               kind="stable")
    kept = ordered.drop_duplicates("content").set_index("content")["file"]
    for index, row in ordered[ordered.duplicated("content")].iterrows():
        newest = kept[row["content"]]
        dropped.append({"file": row["file"], "unit": row["unit"], "year": _plain(row["year"], "year"),
                        "kept": newest, "reason": f"与 {newest} 所填内容完全相同（重复提交），保留较新的 {newest}"})
        frame = frame.drop(index)
    return frame, dropped


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
