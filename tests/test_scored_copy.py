"""The scored copy: a new file, summary first and active, marks and notes, re-scoring, nothing lost."""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.comments import Comment

from selfeval_xl.api import evaluate, score
from selfeval_xl.errors import OutputError
from selfeval_xl.write.record import FINGERPRINT_NAME, RECORD_NAME
from workbooks import edit, template_copy


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill_of(path: Path, sheet: str, ref: str) -> str | None:
    cell = openpyxl.load_workbook(path)[sheet][ref]
    return cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else None


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The example with a text actual (J6 → 完成) and a missing weight (K7)."""
    path = template_copy(tmp_path, "问题 表.xlsx")
    return edit(path, {"绩效指标": {"J6": "完成", "K7": None}})


def test_example_scored_copy_summary_first_and_active(tmp_path: Path) -> None:
    src = template_copy(tmp_path)
    digest = sha(src)
    scored = score(src)
    assert scored.output == tmp_path / "filled.scored.xlsx"
    assert sha(src) == digest
    wb = openpyxl.load_workbook(scored.output)
    assert wb.sheetnames[0] == "评分汇总" and wb.active.title == "评分汇总"
    assert [ws.sheet_view.tabSelected for ws in wb.worksheets].count(True) == 1
    summary = wb["评分汇总"]
    values = [c.value for row in summary.iter_rows(max_col=6) for c in row]
    assert "井陉县南障城镇人民政府" in values and "优秀" in values and "校验通过" in values
    assert pytest.approx(98.40) in values
    assert FINGERPRINT_NAME in wb.defined_names and RECORD_NAME in wb.defined_names


def test_problems_are_marked_on_their_cells_with_a_note(broken: Path) -> None:
    result = score(broken).result
    codes = {(f.code, f.sheet, f.cell) for f in result.checks}
    assert ("VALUE_NOT_NUMBER", "绩效指标", "J6") in codes
    assert ("WEIGHT_INVALID", "绩效指标", "K7") in codes
    out = broken.with_name("问题 表.scored.xlsx")
    assert fill_of(out, "绩效指标", "J6") == "FFFFC7CE"
    wb = openpyxl.load_workbook(out)
    note = wb["绩效指标"]["J6"].comment
    assert note is not None and "VALUE_NOT_NUMBER" in note.text and "【selfeval-xl】" in note.text
    summary_text = " ".join(str(c.value) for row in wb["评分汇总"].iter_rows(max_col=6) for c in row if c.value)
    assert "校验未通过" in summary_text and "WEIGHT_INVALID" in summary_text
    links = [c.hyperlink.location for row in wb["评分汇总"].iter_rows(max_col=6) for c in row if c.hyperlink]
    assert "'绩效指标'!J6" in links


def test_user_note_is_kept_and_restored_after_rescoring(broken: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(broken)
    wb["绩效指标"]["J6"].comment = Comment("原始批注：请核实", "会计")
    wb.save(broken)
    first = tmp_path / "一次.xlsx"
    score(broken, first)
    note = openpyxl.load_workbook(first)["绩效指标"]["J6"].comment.text
    assert note.startswith("原始批注：请核实") and "VALUE_NOT_NUMBER" in note
    # The filler corrects the cell in the scored copy and scores it again.
    fixed = edit(first, {"绩效指标": {"J6": 96}}, tmp_path / "改正.xlsx")
    second = tmp_path / "二次.xlsx"
    result = score(fixed, second).result
    assert ("VALUE_NOT_NUMBER", "J6") not in {(f.code, f.cell) for f in result.checks}
    wb2 = openpyxl.load_workbook(second)
    assert wb2["绩效指标"]["J6"].comment.text == "原始批注：请核实"
    assert wb2.sheetnames.count("评分汇总") == 1


def test_rescoring_replaces_summary_and_marks(broken: Path, tmp_path: Path) -> None:
    once = score(broken, tmp_path / "a.xlsx").output
    twice = score(once, tmp_path / "b.xlsx").output
    wb = openpyxl.load_workbook(twice)
    assert wb.sheetnames.count("评分汇总") == 1 and wb.sheetnames[0] == "评分汇总"
    assert wb["绩效指标"]["J6"].comment.text.count("【selfeval-xl】") == 1
    with zipfile.ZipFile(once) as a, zipfile.ZipFile(twice) as b:
        assert len(a.namelist()) == len(b.namelist())
    assert evaluate(twice).checks == evaluate(broken).checks


def test_marks_removed_when_problem_fixed(broken: Path, tmp_path: Path) -> None:
    once = score(broken, tmp_path / "a.xlsx").output
    original_fill = fill_of(broken, "绩效指标", "J6")
    fixed = edit(once, {"绩效指标": {"J6": 96, "K7": 4}}, tmp_path / "fixed.xlsx")
    twice = score(fixed, tmp_path / "b.xlsx")
    assert twice.result.checks == ()
    assert fill_of(twice.output, "绩效指标", "J6") == original_fill
    assert openpyxl.load_workbook(twice.output)["绩效指标"]["J6"].comment is None


def test_untouched_parts_are_byte_identical(tmp_path: Path) -> None:
    src = template_copy(tmp_path)
    out = score(src).output
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        before = {n: a.read(n) for n in a.namelist()}
        after = {n: b.read(n) for n in b.namelist()}
    changed = {n for n in before if before[n] != after.get(n)}
    # A clean workbook: only the workbook, its rels, content types, styles, the sheet that was active and the
    # two sheets of the live provisional score (绩效指标 and 评分, their stored results dropped) change.
    assert changed <= {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
                       "xl/worksheets/sheet2.xml", "xl/worksheets/sheet4.xml", "xl/worksheets/sheet5.xml"}
    assert set(before) <= set(after)


def test_output_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    src = template_copy(tmp_path)
    with pytest.raises(OutputError) as info:
        score(src, tmp_path / "没有的文件夹" / "x.xlsx")
    assert "文件夹" in info.value.message and "不存在" in info.value.message
    assert not list(tmp_path.glob(".selfeval-*"))


def test_chinese_names_and_spaces_in_paths(tmp_path: Path) -> None:
    folder = tmp_path / "县财政局 2025年 自评"
    folder.mkdir()
    src = template_copy(folder, "南障城镇 绩效自评（终稿）.xlsx")
    scored = score(src)
    assert scored.output.name == "南障城镇 绩效自评（终稿）.scored.xlsx"
    assert str(scored.result.total) == "98.40"


# --- a large part deflated on both cores ---------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000) | st.text("<c r=\"A1\">绩效 0123", max_size=3000).map(str.encode))
def test_a_part_deflated_in_two_halves_inflates_to_itself(data: bytes) -> None:
    """The halves' streams joined are one raw deflate stream: zlib (the oracle) inflates it to the part, and
    the CRC is zlib's."""
    import zlib

    from selfeval_xl.write.deflate import deflate
    deflated, crc = deflate(data, 1)
    assert zlib.decompress(deflated, -zlib.MAX_WBITS) == data and crc == zlib.crc32(data)


def test_a_part_past_a_megabyte_is_an_entry_every_reader_takes(tmp_path: Path) -> None:
    """Written on both cores into the zip, the entry is one zipfile reads back and checks (CRC included)."""
    import io

    from selfeval_xl.write.package_edit import _write
    part = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%d</t></is></c></row>' % (r, r, r * 7)
                    for r in range(1, 40_000))
    assert len(part) > 1 << 20
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        _write(zout, zipfile.ZipInfo("xl/worksheets/sheet9.xml", (2025, 1, 1, 0, 0, 0)), part)
        zout.writestr("after.xml", b"<x/>")
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zin:
        assert zin.testzip() is None
        assert zin.read("xl/worksheets/sheet9.xml") == part and zin.read("after.xml") == b"<x/>"
        info = zin.getinfo("xl/worksheets/sheet9.xml")
        assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size < len(part) // 4
