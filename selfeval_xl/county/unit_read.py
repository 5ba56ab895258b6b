"""One workbook as the county reads it (the rollup's row, the archive's unit-year): opened, verified where it is
a scored copy, and scored by the county's profile when one is given, else by its own; never raising for a
bad file, whose reason is returned instead."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from selfeval_xl.county.verify import Verification, verify_book
from selfeval_xl.errors import ProfileError, SelfevalError
from selfeval_xl.model import Result
from selfeval_xl.read.reader import Reading, open_workbook, paused_gc, read_book
from selfeval_xl.rules.assess import assess
from selfeval_xl.rules.profiles import Profile

OUT_OF_MEMORY = "读取所需内存超过上限（可能文件异常），已跳过"


@dataclass
class UnitRead:
    """One workbook read and scored as the county reads it: by the county's profile when one is given,
    else by its own; `verified` says whether a scored copy was changed after scoring."""

    reading: Reading
    result: Result
    verified: str = "未核对"
    unit_profile: str | None = None  # the profile the workbook named, where the county scored by another
    verification: Verification | None = None


def read_unit(path: Path, county_profile: Profile | None = None) -> UnitRead | str:
    """The workbook read, scored and verified, or why it could not be (never raises for a bad file)."""
    try:
        with paused_gc():
            return _read_unit(path, county_profile)
    except SelfevalError as exc:
        return exc.message
    except MemoryError:
        return OUT_OF_MEMORY
    except Exception as exc:  # one bad file never stops the run
        return f"无法读取（{type(exc).__name__}）"


def _read_unit(path: Path, county_profile: Profile | None) -> UnitRead:
    book = open_workbook(path)
    try:
        verification = verify_book(book)
    except ProfileError as exc:
        if county_profile is None:
            raise
        reading = read_book(book, county_profile)
        return UnitRead(reading, assess(reading.input, county_profile), "未核对",
                        f"无法使用（{exc.message[:60]}）")
    assert verification.reading is not None, "verify_book always returns the Reading"
    # inputs changed, and results or looks that no longer follow from them (a summary edited by hand changes no input)
    changed = f"已改动（{len(verification.changes) + len(verification.mismatches)} 处）"
    untouched = "未改动" if verification.untouched else changed
    unit = UnitRead(verification.reading, verification.result, untouched if verification.scored else "未评分",
                    verification=verification)
    if county_profile is not None:
        unit.reading = read_book(book, county_profile)
        unit.result = assess(unit.reading.input, county_profile)
        if verification.result.profile != county_profile.label:
            unit.unit_profile = verification.result.profile
    return unit
