"""What was scored, recorded inside the scored workbook so the county can verify it later.

The record is JSON kept in cells of the summary sheet (column RECORD_COLUMN, hidden) and
referenced by a defined name; both survive a round trip through Excel, WPS and LibreOffice,
unlike custom XML parts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TypedDict

import orjson

from selfeval_xl import __version__
from selfeval_xl.formatting import score_text
from selfeval_xl.model import Cell, Result
from selfeval_xl.read.cells import Grid
from selfeval_xl.rules.profiles import Profile

RECORD_NAME = "selfeval_record"
FINGERPRINT_NAME = "selfeval_fingerprint"
RECORD_COLUMN = 40  # AN: far right of the summary, hidden
CHUNK = 30000  # a cell holds at most 32,767 characters


class Record(TypedDict):
    """The record as written (read back, it is plain JSON: see parse_record)."""

    tool: str
    spelling: int
    version: str
    scored_on: str
    form: str
    profile: str
    weights_from: str
    profile_toml: str | None
    inputs: dict[str, dict[str, str]]
    result: dict[str, object]
    fingerprint: str
    marks: list[dict[str, object]]
    shown: dict[str, str]


# How a record is spelled, so that verify reads each in its own spelling:
# 1: a percentage as its stored fraction ("1%"); inputs hashed with sorted keys;
# 2: a percentage as shown (1 with a percentage format → "100%");
# 3: the inputs hashed in the record's own order, the order they were read in. Sorting a large form's
#    keys cost twice as long as encoding them: the key strings, made row by row, are visited out of
#    their order in memory;
# 4: the record and the hashed text written compactly, without a space after "," and ":" (the JSON
#    orjson writes: a large form's 34,000 inputs in 1 ms, against 10 with the json module); "shown"
#    names the summary's cells that show something row by row ("12": "A,B,C") instead of holding their
#    texts, which verify never read (it compares the sheet with the recomputed one); the inputs are kept
#    by sheet, then by cell ({"绩效指标": {"J5": "95%"}}), no longer as "绩效指标!J5" (34,000 keys spelled
#    on a large form).
SPELLING = 4


def canonical_value(cell: Cell, *, spelling: int = SPELLING) -> str:
    """A cell's meaning as text, so a value saved again by another application compares equal: a
    percentage as the person sees it (100%)."""
    value = cell.value
    if value is None:
        return ""
    if type(value) is str:  # the common case first (a CellError, a str too, is spelled below)
        return value.strip()
    if isinstance(value, str) and not value.strip():
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        if cell.percent and spelling >= 2:
            value = value * 100
        text = format(value.normalize(), "f") if value != 0 else "0"
        return text + ("%" if cell.percent else "")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def result_summary(result: Result) -> dict[str, object]:
    errors = len(result.errors)
    return {"total": score_text(result.total, result.digits), "grade": result.grade, "valid": errors == 0,
            "execution": result.execution_json(), "levels": result.levels_json(),
            "errors": errors, "warnings": len(result.checks) - errors}


def fingerprint(inputs: Mapping[str, object], summary: Mapping[str, object], profile: str, scored_on: str,
                *, inputs_json: bytes | None = None, spelling: int = SPELLING) -> str:
    """A hash over what was scored: inputs, result, the profile as shown (custom ones with their
    hash) and the day. It shows edits made afterwards; anyone can score again, so it is no seal.

    The hashed text is the JSON of the four with sorted keys, except the inputs in their own order
    (sorted too in a record of `spelling` 1 or 2), spliced from its parts so that the inputs (most of a
    large form's record) are encoded once, for the hash and the record alike. From spelling 4 it is
    written compactly; before, as json.dumps spells it (", " and ": ")."""
    if inputs_json is None:
        inputs_json = _inputs_json(inputs, spelling)
    if spelling >= 4:
        parts = (b'{"inputs":', inputs_json, b',"profile":', _compact(profile), b',"result":',
                 _compact(summary, sort_keys=True), b',"scored_on":', _compact(scored_on), b"}")
        return hashlib.sha256(b"".join(parts)).hexdigest()
    payload = (f'{{"inputs": {inputs_json.decode("utf-8", "surrogatepass")}, "profile": {_spaced(profile)}, '
               f'"result": {_spaced(summary)}, "scored_on": {_spaced(scored_on)}}}')
    # a lone surrogate reaches here only from a record someone wrote by hand: hashed, never a crash
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def _spaced(value: object, *, sort_keys: bool = True) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=sort_keys)


def _compact(value: object, *, sort_keys: bool = False) -> bytes:
    """The JSON text json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
    encodes as UTF-8 (a property test holds the two alike), written by orjson. What orjson refuses (a lone
    surrogate or an integer past 64 bits, from a record edited by hand) is written by the json module."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
        return text.encode("utf-8", "surrogatepass")


def _inputs_json(inputs: Mapping[str, object], spelling: int = SPELLING) -> bytes:
    """The inputs as the record holds them and the fingerprint hashes them: in their own order, sorted in a
    record of `spelling` 1 or 2; compact from spelling 4."""
    if spelling >= 4:
        return _compact(inputs)
    return _spaced(inputs, sort_keys=spelling < 3).encode("utf-8", "surrogatepass")


def recorded_inputs(cells: Iterable[Cell], *, spelling: int = SPELLING) -> dict[str, dict[str, str]]:
    """Each input as the record keeps it (in a record's own `spelling`, for verify), by sheet, then by cell in
    the order read: a cell listed twice as its first reading. Blank inputs are left out: verify reads a
    missing cell as blank, and large forms are mostly blank. flat_inputs gives them as sheet!cell."""
    by_sheet: dict[str, dict[str, str]] = {}
    # cells read blank first: kept as "" while reading (so a later reading is no first), then dropped
    blank: list[tuple[dict[str, str], str]] = []
    # a form repeats its numbers (weights, targets): each distinct one spelled once. Keyed by Decimal only:
    # True == Decimal(1) would otherwise share a spelling with it.
    numbers: dict[tuple[Decimal, bool], str] = {}
    last_sheet = ""
    inputs: dict[str, str] = {}
    for cell in cells:
        sheet, coord, value = cell[0], cell[1], cell[2]
        if coord is None:
            continue
        if sheet is not last_sheet:  # a table's cells come sheet by sheet: its map looked up once per run
            last_sheet, inputs = sheet, by_sheet.setdefault(sheet, {})
        if coord in inputs:
            continue
        if type(value) is str:  # text as read, the most common input
            text = value.strip()
        elif type(value) is Decimal:
            text = numbers.get((value, cell.percent)) or numbers.setdefault(
                (value, cell.percent), canonical_value(cell, spelling=spelling))
        else:
            text = canonical_value(cell, spelling=spelling)
        inputs[coord] = text
        if not text:
            blank.append((inputs, coord))
    for inputs, coord in blank:
        del inputs[coord]
    return {sheet: inputs for sheet, inputs in by_sheet.items() if inputs}


def flat_inputs(inputs: Mapping[str, object]) -> dict[str, object] | None:
    """Inputs by sheet and cell (recorded_inputs; a record of spelling 4) as sheet!cell, the spelling of the
    records before; None for a record whose inputs are not sheets of cells (edited by hand)."""
    flat: dict[str, object] = {}
    for sheet, cells in inputs.items():
        if not isinstance(cells, dict) or not all(isinstance(cell, str) for cell in cells):
            return None
        prefix = f"{sheet}!"
        flat.update((prefix + cell, text) for cell, text in cells.items())
    return flat


def build_record(cells: tuple[Cell, ...], result: Result, profile: Profile, marks: list[dict[str, object]],
                 shown: dict[str, str] | None = None) -> tuple[Record, list[str]]:
    """The record, and its JSON text cut into cell-sized chunks."""
    inputs = recorded_inputs(cells)
    inputs_json = _inputs_json(inputs)
    summary = result_summary(result)
    scored_on = dt.date.today().isoformat()
    record: Record = {
        "tool": "selfeval-xl",
        "spelling": SPELLING,
        "version": __version__,
        "scored_on": scored_on,
        "form": result.form,
        "profile": profile.name,
        "weights_from": profile.weights_from,
        "profile_toml": None if profile.builtin else profile.source,
        "inputs": inputs,
        "result": summary,
        "fingerprint": fingerprint(inputs, summary, profile.label, scored_on, inputs_json=inputs_json),
        "marks": marks,
        "shown": shown or {},
    }
    rest = _compact({key: value for key, value in record.items() if key != "inputs"})
    text = b"".join((rest[:-1], b',"inputs":', inputs_json, b"}")).decode("utf-8", "surrogatepass")
    return record, [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)]


def record_in(grid: Grid) -> dict[str, object] | None:
    """The record kept in the summary sheet's record column."""
    chunks = []
    for row in range(1, grid.max_row + 1):
        value = grid.value(row, RECORD_COLUMN)
        if value is None:
            break
        chunks.append(str(value))
    return parse_record(chunks)


def parse_record(chunks: list[str]) -> dict[str, object] | None:
    try:
        record = json.loads("".join(chunks))
    except (ValueError, TypeError, RecursionError):  # RecursionError: arrays or objects nested thousands deep
        return None
    return record if isinstance(record, dict) and record.get("tool") == "selfeval-xl" else None
