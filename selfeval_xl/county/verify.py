"""verify: has a scored workbook been edited since it was scored? (the county's question)

Meaning is compared, not bytes: every recorded input cell's canonical value, the recomputed
result against the recorded one, and the summary sheet's shown total and grade.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from selfeval_xl.cellref import split_coord
from selfeval_xl.county.summary_check import defined_fingerprint, summary_problems
from selfeval_xl.county.summary_view import summary_view_problems
from selfeval_xl.errors import ProfileError, SelfevalError
from selfeval_xl.layout import SHEET_SUMMARY
from selfeval_xl.model import Result
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.formula_results import check_formula_results
from selfeval_xl.read.profiles import builtin_profile, parse_profile
from selfeval_xl.read.reader import Reading, open_workbook, read_book
from selfeval_xl.rules.assess import assess
from selfeval_xl.rules.profiles import BUILTIN_NAMES, DEFAULT_PROFILE, Profile
from selfeval_xl.write.record import (
    SPELLING,
    fingerprint,
    flat_inputs,
    record_in,
    recorded_inputs,
    result_summary,
)
from selfeval_xl.write.summary import build_summary, shown_refs


@dataclass(frozen=True)
class CellChange:
    sheet: str
    cell: str
    old: str | None  # None: the cell was not part of the inputs when scored
    new: str | None  # None: the cell is no longer part of the inputs

    def to_json(self) -> dict[str, object]:
        return {"sheet": self.sheet, "cell": self.cell, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Mismatch:
    item: str
    recorded: str | None
    current: str | None

    def to_json(self) -> dict[str, object]:
        return {"item": self.item, "recorded": self.recorded, "current": self.current}


@dataclass(frozen=True)
class Verification:
    file: str
    scored: bool
    result: Result  # recomputed from the current data, whether or not the workbook was scored
    scored_on: str | None = None
    profile: str | None = None
    changes: tuple[CellChange, ...] = ()
    mismatches: tuple[Mismatch, ...] = field(default_factory=tuple)
    reading: Reading | None = field(default=None, repr=False, compare=False)  # for callers that go on
    fingerprint: str | None = None  # the one the scored copy's record carries, as it is written there

    @property
    def untouched(self) -> bool:
        return self.scored and not self.changes and not self.mismatches

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file, "scored": self.scored, "untouched": self.untouched, "scored_on": self.scored_on,
            "profile": self.profile, "changes": [c.to_json() for c in self.changes],
            "mismatches": [m.to_json() for m in self.mismatches],
            "total": None if self.result is None else self.result.to_json()["total"],
            "grade": None if self.result is None else self.result.grade,
        }


def read_record(book: Workbook) -> dict[str, object] | None:
    if SHEET_SUMMARY not in book.sheet_names:
        return None
    return record_in(book.grid(SHEET_SUMMARY))


def _recorded_profile(record: dict[str, object]) -> tuple[Profile | None, str]:
    """The profile the record names: its embedded TOML, or a built-in name — never a file."""
    toml = record.get("profile_toml")
    try:
        if isinstance(toml, str) and toml:
            return parse_profile(toml, origin="评分记录内嵌的规则口径"), ""
        name = record.get("profile")
        if isinstance(name, str) and name in BUILTIN_NAMES:
            return builtin_profile(name), ""
    except ProfileError as exc:
        return None, exc.message
    return None, f"评分记录中的口径“{str(record.get('profile'))[:40]}”不是内置口径，也没有内嵌口径"


RESULT_ITEMS = (("total", "总分"), ("grade", "等级"), ("valid", "校验是否通过"), ("errors", "错误数"),
                ("warnings", "警告数"))
EXECUTION_ITEMS = (("budget", "全年预算数"), ("executed", "全年执行数"), ("rate", "预算执行率"),
                   ("score", "预算执行率得分"))


def _result_items(recorded: dict, current: dict) -> Iterator[tuple[str, object, object]]:
    """(Chinese label, recorded, recomputed) for every value the summary reports."""
    for key, label in RESULT_ITEMS:
        yield label, recorded.get(key), current.get(key)
    old_ex = ex if isinstance(ex := recorded.get("execution"), dict) else {}
    for key, label in EXECUTION_ITEMS:
        yield label, old_ex.get(key), current["execution"].get(key)
    levels = recorded.get("levels")
    old_levels = {lv["name"]: lv for lv in levels if isinstance(lv, dict) and isinstance(lv.get("name"), str)
                  } if isinstance(levels, list) else {}
    for level in current["levels"]:
        yield f"{level['name']}得分", (old_levels.get(level["name"]) or {}).get("score"), level["score"]


def verify_book(book: Workbook) -> Verification:
    name = book.path.name
    record = read_record(book)
    if record is None:
        reading = read_book(book)
        return Verification(name, False, assess(reading.input, reading.profile), reading=reading)
    profile, why = _recorded_profile(record)
    if profile is None:
        reading = _read_anyway(book)
        return Verification(name, True, assess(reading.input, reading.profile), _text(record.get("scored_on")),
                            _text(record.get("profile")), (), (Mismatch("评分记录的口径", None, why),), reading)
    # scored by the form's own weights (no profile named): rescored the same way (docs/rules.md §14)
    reading = read_book(book, profile, form_weights=record.get("weights_from") == "form")
    result = assess(reading.input, reading.profile)
    malformed: list[Mismatch] = []

    def part(key: str) -> dict[str, object]:
        value = record.get(key)
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return value
        malformed.append(Mismatch(f"评分记录的 {key}", None, "格式不正确，无法核对"))
        return {}

    recorded = part("inputs")
    recorded_spelling = record.get("spelling")
    spelling = 1 if recorded_spelling is None else recorded_spelling  # the first copies wrote none
    if type(spelling) is not int or not 1 <= spelling <= SPELLING:
        malformed.append(Mismatch("评分记录的写法", None, f"“{str(recorded_spelling)[:20]}”不是本工具的写法，无法核对"))
        spelling = SPELLING
    current_inputs = flat_inputs(recorded_inputs(reading.input_cells, spelling=spelling)) or {}
    by_cell = flat_inputs(recorded) if spelling >= 4 else recorded  # by sheet, then cell, since spelling 4
    if by_cell is None:
        by_cell = {}
        malformed.append(Mismatch("评分记录的 inputs", None, "格式不正确，无法核对"))
    changes = []
    for key in sorted(set(by_cell) | set(current_inputs), key=_cell_order):
        old, new = by_cell.get(key), current_inputs.get(key)
        if (old or "") != (new or ""):
            sheet, cell = key.rsplit("!", 1) if "!" in key else ("", key)
            changes.append(CellChange(sheet, cell, _text(old), _text(new)))
    recorded_result = part("result")
    mismatches = [Mismatch(label, _text(old), _text(new))
                  for label, old, new in _result_items(recorded_result, result_summary(result)) if old != new]
    shown, odd = shown_refs(part("shown"))
    malformed += [Mismatch(f"评分记录中的单元格“{key[:20]}”", None, "格式不正确，无法核对") for key in odd]
    recorded_marks = record.get("marks")
    marks: list[object] = recorded_marks if isinstance(recorded_marks, list) else []
    if book.package is not None:
        mismatches += [Mismatch(p.item, None, p.what) for p in summary_problems(book.package, shown, marks)]
        # the sheet the tool would write for what it recomputes now is the reference, never the record
        # (with inputs changed, the summary shows the old result by necessity: only how it looks is compared)
        view = summary_view_problems(book.package, build_summary(result, reading.profile), values=not changes)
        known = {(m.item, m.current) for m in mismatches}
        mismatches += [Mismatch(p.item, None, p.what) for p in view if (p.item, p.what) not in known]
        # a formula's stored result is what viewers and other programs show: it must follow from its formula
        mismatches += [Mismatch(f"{w.sheet}!{w.coord} 的公式结果", None, f"显示 {w.shown}，按公式应为 {w.computed}")
                       for w in check_formula_results(book.package, reading.consulted()).wrong]
    scored_on = _text(record.get("scored_on")) or ""
    expected = fingerprint(recorded, recorded_result, reading.profile.label, scored_on, spelling=spelling)
    if record.get("fingerprint") != expected:
        mismatches.append(Mismatch("评分记录的指纹", _text(record.get("fingerprint")), expected))
    if book.package is not None and defined_fingerprint(book.package) != record.get("fingerprint"):
        mismatches.append(Mismatch("名称 selfeval_fingerprint", _text(record.get("fingerprint")),
                                   defined_fingerprint(book.package)))
    return Verification(name, True, result, scored_on, reading.profile.label, tuple(changes),
                        tuple(malformed + mismatches), reading, _text(record.get("fingerprint")))


def _read_anyway(book: Workbook) -> Reading:
    """The workbook read by the profile it names, or by the default one when that is not usable."""
    try:
        return read_book(book)
    except SelfevalError:
        return read_book(book, builtin_profile(DEFAULT_PROFILE["department"]))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _cell_order(key: str) -> tuple[str, int, int]:
    sheet, _, cell = key.rpartition("!")  # a key without "!" (inputs of another spelling): a cell of no sheet
    try:
        row, col = split_coord(cell)
    except ValueError:
        row, col = 0, 0
    return sheet, row, col


def verify(path: str | Path) -> Verification:
    return verify_book(open_workbook(Path(path)))
