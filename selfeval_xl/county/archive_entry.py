"""One workbook → the unit-year the archive keeps (docs/archive.md): read, scored and verified as the rollup
reads it (county/rollup.py read_unit), in a worker process, into plain picklable values. Amounts and scores
travel as the decimal text the rules computed, never as floats."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from selfeval_xl.county.rollup import content_key
from selfeval_xl.county.unit_read import UnitRead, read_unit
from selfeval_xl.formatting import plain
from selfeval_xl.model import Cell, Indicator, IndicatorResult
from selfeval_xl.rules.profiles import Profile
from selfeval_xl.rules.quantities import Quantity, normalize_unit, read_value
from selfeval_xl.vocabulary import normalize_label

# What verify said of the copy, as the archive stores it (the rollup's words are for people)
VERIFY_STATES = {"未改动": "untouched", "未评分": "unscored", "未核对": "unchecked"}


def exact(value: Decimal | None) -> str | None:
    """A decimal as the archive stores it: its exact text (98.40 stays 98.40)."""
    return None if value is None else str(value)


def indicator_key(area: str, level: str, name: str) -> str:
    """How an indicator is matched across years: its first level and name, and its 工作分项 where the form has one
    (the example's four 群众满意度 rows are four indicators), compared as labels are."""
    return f"{normalize_label(area)}|{normalize_label(level)}|{normalize_label(name)}"


def archive_entry(path_text: str, county_profile: Profile | None = None) -> dict[str, object]:
    """The unit-year of one workbook, or its file name and why it could not be read (never raises for a bad
    file). The file's own hash is the caller's: it is what decides whether the file is new."""
    path = Path(path_text)
    unit = read_unit(path, county_profile)
    if isinstance(unit, str):
        return {"file_name": path.name, "readable": False, "note": unit}
    return {"file_name": path.name, "readable": True, "note": "", **_unit_year(unit)}


def _unit_year(unit: UnitRead) -> dict[str, object]:
    reading, result = unit.reading, unit.result
    info = reading.input.info
    department, project = info.get("主管部门"), info.get("项目名称")
    ex = result.execution
    verification = unit.verification
    read = {ind.row: ind for ind in reading.input.indicators}
    return {
        "unit": result.unit, "unit_key": normalize_label(result.unit),
        "project": project.text if project is not None and result.form == "project" else None,
        "department": department.text if department is not None else "",
        "year": result.year, "form": result.form, "profile": result.profile, "weights_from": result.weights_from,
        "unit_profile": unit.unit_profile, "total": exact(result.total), "typed_total": exact(result.typed_total),
        "grade": result.grade, "valid": result.valid, "budget": exact(ex.budget), "executed": exact(ex.executed),
        "rate": exact(ex.rate), "execution_score": exact(ex.score), "errors": len(result.errors),
        "warnings": len(result.warnings), "verified": unit.verified,
        "verify_state": VERIFY_STATES.get(unit.verified, "changed"),
        "fingerprint": verification.fingerprint if verification is not None else None,
        "scored_on": verification.scored_on if verification is not None else None,
        "input_hash": content_key(reading.input_cells),
        "levels": [{"name": lv.name, "weight": exact(lv.weight), "score": exact(lv.score)} for lv in result.levels],
        "indicators": [_indicator(ind, read.get(ind.row), result.year) for ind in result.indicators],
        "findings": [{"code": f.code, "severity": f.severity, "sheet": f.sheet, "cell": f.cell}
                     for f in result.checks],
    }


def _indicator(scored: IndicatorResult, read: Indicator | None, year: int | None) -> dict[str, object]:
    target = _measure(read.target, scored.unit, year) if read is not None else (None, None)
    actual = _measure(read.actual, scored.unit, year) if read is not None else (None, None)
    return {
        "area": scored.area, "level1": scored.level, "level2": scored.level2, "name": scored.name,
        "name_key": indicator_key(scored.area, scored.level, scored.name), "operator": scored.operator,
        "target": scored.target, "target_value": target[0], "target_unit": target[1],
        "actual": scored.actual, "actual_value": actual[0], "actual_unit": actual[1], "unit": scored.unit,
        "weight": exact(scored.weight), "score": exact(scored.score), "self_score": exact(scored.self_score),
    }


def _measure(cell: Cell, unit_column: str, year: int | None) -> tuple[str | None, str | None]:
    """A target or actual as a number and the unit it is in (the text's own, else the 计量单位 column's), for
    comparing years; (None, None) for a date, a word or a blank."""
    value = read_value(cell, year)
    if not isinstance(value, Quantity):
        return None, None
    return plain(value.value), value.unit or normalize_unit(unit_column)
