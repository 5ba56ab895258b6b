"""verify: untouched scored copies pass (even re-saved by LibreOffice); any edit is named by cell."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from selfeval_xl.api import score
from selfeval_xl.cli.app import main
from selfeval_xl.county.verify import verify
from workbooks import edit, template_copy

EXAMPLE = Path(__file__).resolve().parent.parent / "workbook_templates" / "示例-南障城镇2025部门整体支出.xlsx"


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("verify")
    return score(template_copy(folder, "南障城镇.xlsx")).output


def test_untouched_scored_copy_verifies(scored: Path) -> None:
    result = CliRunner().invoke(main, ["verify", str(scored)])
    assert result.exit_code == 0
    assert "评分后未被改动" in result.stdout


def test_edited_actual_is_named_by_cell(scored: Path, tmp_path: Path) -> None:
    edited = edit(scored, {"绩效指标": {"J6": 100}}, tmp_path / "改过.xlsx")
    v = verify(edited)
    assert not v.untouched
    assert [(c.sheet, c.cell, c.old, c.new) for c in v.changes] == [("绩效指标", "J6", "96", "100")]
    assert {(m.item, m.recorded, m.current) for m in v.mismatches} == {("总分", "98.40", "98.56"),
                                                                       ("产出指标得分", "39.44", "39.60")}
    result = CliRunner().invoke(main, ["verify", str(edited), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["changes"] == [{"sheet": "绩效指标", "cell": "J6", "old": "96", "new": "100"}]
    assert data["untouched"] is False and data["total"] == "98.56"


def test_edited_summary_total_is_reported(scored: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    wb = load_workbook(scored)
    ws = wb["评分汇总"]
    ref = next(c.offset(column=1).coordinate for row in ws.iter_rows(max_col=3) for c in row if c.value == "总分")
    ws[ref] = 99.5
    level = next(c.offset(column=3).coordinate for row in ws.iter_rows(max_col=1) for c in row if c.value == "效益指标")
    ws[level] = 40
    wb.save(tmp_path / "改总分.xlsx")
    v = verify(tmp_path / "改总分.xlsx")
    assert v.changes == ()
    # compared with the summary the tool writes for the recomputed result (98.40 and 39.17), not with the record
    assert [(m.item, m.recorded, m.current) for m in v.mismatches] == [
        (f"评分汇总!{ref}", None, "显示为“99.5”，按现有数据重算应为“98.4”"),
        (f"评分汇总!{level}", None, "显示为“40”，按现有数据重算应为“39.17”")]


def test_never_scored_is_exit_1(tmp_path: Path) -> None:
    path = template_copy(tmp_path, "未评分.xlsx")
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == 1 and "没有评分记录" in result.stdout
    assert verify(path).scored is False


def test_unreadable_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04broken")
    result = CliRunner().invoke(main, ["verify", str(bad)])
    assert result.exit_code == 2 and result.stderr.startswith("错误：文件 坏.xlsx")


@pytest.mark.libreoffice
def test_resaved_by_libreoffice_still_verifies(scored: Path, tmp_path: Path, lo_convert) -> None:
    edited = edit(scored, {"绩效指标": {"J9": 97}}, tmp_path / "改过.xlsx")
    (resaved, resaved_edited) = lo_convert([scored, edited], tmp_path / "lo")
    assert verify(resaved).untouched, verify(resaved).to_json()
    v = verify(resaved_edited)
    assert [(c.cell, c.old, c.new) for c in v.changes] == [("J9", "90", "97")]


def test_the_record_spells_a_percentage_as_shown() -> None:
    """A percentage cell holding 1 is recorded as 100% (as the person sees it), no longer 1%; verify
    compares a record without "spelling" (scored before) in the old spelling of the stored fraction."""
    from selfeval_xl.model import Cell
    from selfeval_xl.write.record import canonical_value
    cell = Cell("绩效指标", "J5", Decimal(1), percent=True)
    assert canonical_value(cell) == "100%"
    assert canonical_value(cell, spelling=1) == "1%"
    assert canonical_value(Cell("绩效指标", "J6", Decimal("0.955"), percent=True)) == "95.5%"


# --- the fingerprint's text: spliced from its parts, equal to the whole encoded at once ------------------

_TEXTS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200)
@given(inputs=st.dictionaries(_TEXTS, _TEXTS, max_size=8),
       summary=st.dictionaries(_TEXTS, st.one_of(_TEXTS, st.integers(), st.booleans(), st.none(),
                                                 st.lists(st.dictionaries(_TEXTS, _TEXTS, max_size=3), max_size=3)),
                               max_size=6),
       profile=_TEXTS, day=_TEXTS)
def test_the_fingerprint_hashes_the_four_encoded_as_one_object(inputs, summary, profile, day) -> None:
    """Records are verified by recomputing their fingerprint: the hashed text must stay the json module's
    encoding of the whole object with sorted keys, byte for byte (the oracle), except that since spelling 3
    the inputs keep their own order, and since spelling 4 it is compact (written by orjson)."""
    import hashlib

    from selfeval_xl.write.record import fingerprint
    whole = {"inputs": inputs, "profile": profile, "result": summary, "scored_on": day}
    older = json.dumps(whole, ensure_ascii=False, sort_keys=True)
    assert fingerprint(inputs, summary, profile, day, spelling=2) == hashlib.sha256(older.encode()).hexdigest()
    in_order = {**whole, "result": json.loads(json.dumps(summary, sort_keys=True))}
    spaced = json.dumps(in_order, ensure_ascii=False)
    assert fingerprint(inputs, summary, profile, day, spelling=3) == hashlib.sha256(spaced.encode()).hexdigest()
    compact = json.dumps(in_order, ensure_ascii=False, separators=(",", ":"))
    assert fingerprint(inputs, summary, profile, day) == hashlib.sha256(compact.encode()).hexdigest()


_WITH_SURROGATES = st.lists(st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff"])), max_size=6).map("".join)


@settings(max_examples=100)
@given(inputs=st.dictionaries(_WITH_SURROGATES, st.one_of(_WITH_SURROGATES, st.integers(-2**80, 2**80)), max_size=4))
def test_a_hand_written_record_is_hashed_never_a_crash(inputs) -> None:
    """A record edited by hand may hold what the tool never writes (a lone surrogate, an integer past 64
    bits): verify still hashes it, the json module's way, and says the fingerprint differs."""
    import hashlib

    from selfeval_xl.write.record import fingerprint
    compact = json.dumps({"inputs": inputs, "profile": "p", "result": {}, "scored_on": "d"}, ensure_ascii=False,
                         separators=(",", ":"))
    expected = hashlib.sha256(compact.encode("utf-8", "surrogatepass")).hexdigest()
    assert fingerprint(inputs, {}, "p", "d") == expected
    assert fingerprint(inputs, {}, "p", "d", spelling=3)  # the older spelling too, without a crash


def test_the_record_text_reads_back_as_the_record(tmp_path: Path) -> None:
    """The record's text, cut into cells, is the record: what verify reads back is what was built."""
    from selfeval_xl.read.reader import read
    from selfeval_xl.rules.assess import assess
    from selfeval_xl.write.record import CHUNK, build_record, parse_record
    reading = read(EXAMPLE, None)
    record, chunks = build_record(reading.input_cells, assess(reading.input, reading.profile), reading.profile, [])
    assert all(len(chunk) <= CHUNK for chunk in chunks)
    assert parse_record(chunks) == json.loads(json.dumps(record))
    assert len(record["inputs"]["绩效指标"]) > 100 and record["inputs"]["基本信息"]["B3"] == "井陉县南障城镇人民政府"


_VALUES = st.one_of(st.none(), st.booleans(), _TEXTS, st.sampled_from(["", "  ", " 达成 "]),
                    st.decimals(allow_nan=False, allow_infinity=False, places=2),
                    st.sampled_from([Decimal("1"), Decimal("1.0"), Decimal("1E+1"), Decimal("-0"), Decimal("0.50")]),
                    st.dates())


@given(st.lists(st.tuples(_VALUES, st.booleans(), st.integers(1, 12), st.sampled_from(["绩效指标", "预算执行"])),
                max_size=30))
def test_recorded_inputs_spell_each_cell_as_canonical_value_does(values) -> None:
    """recorded_inputs spells each distinct number once and keeps a cell listed twice (a carried level, a
    merged reason) as its first reading, blank or not: the record must be what spelling each cell's first
    reading on its own gives (the oracle), equal numbers in other spellings and True beside 1 included, by
    sheet in the order each was first read, then by cell in the order read."""
    from selfeval_xl.model import Cell
    from selfeval_xl.write.record import canonical_value, flat_inputs, recorded_inputs
    cells = [Cell(sheet, f"J{row}", value, percent) for value, percent, row, sheet in values]
    cells.append(Cell("绩效指标", None, "不在表上的列"))  # a column the sheet lacks: never recorded
    for spelling in (1, 2, 3, 4):
        first: dict[tuple[str, str], Cell] = {}
        for c in cells[:-1]:
            first.setdefault((c.sheet, c.coord), c)
        expected: dict[str, dict[str, str]] = {sheet: {} for sheet, _ in first}  # sheets as first read
        for (sheet, coord), c in first.items():
            if text := canonical_value(c, spelling=spelling):
                expected.setdefault(sheet, {})[coord] = text
        expected = {sheet: cells for sheet, cells in expected.items() if cells}
        got = recorded_inputs(cells, spelling=spelling)
        assert got == expected
        assert [(sheet, list(cells)) for sheet, cells in got.items()] == \
            [(sheet, list(cells)) for sheet, cells in expected.items()]  # in reading order
        assert flat_inputs(got) == {f"{sheet}!{cell}": text for sheet, cells in expected.items()
                                    for cell, text in cells.items()}
