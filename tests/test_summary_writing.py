"""Fast paths of the summary writer, each held to the general code it stands in for."""
from __future__ import annotations

from xml.sax.saxutils import quoteattr

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from selfeval_xl.cellref import column_letter
from selfeval_xl.read.package import clean
from selfeval_xl.write.summary_part import _attribute, hyperlinks

_TEXT = st.text(st.sampled_from(list("ab绩效'\"&<>\t\n\r\x01\x0b\ufffe _!")), max_size=10)


@given(_TEXT)
def test_an_attribute_is_quoted_as_quoteattr_quotes_it_cleaned(text: str) -> None:
    assert _attribute(text) == quoteattr(clean(text))


@given(st.lists(st.tuples(_TEXT, _TEXT, _TEXT), max_size=4))
def test_links_are_quoted_as_each_text_on_its_own_would_be(links) -> None:
    """hyperlinks tests all the links' texts at once; each attribute must still be what quoting it on its
    own gives (the oracle), a sheet name with & or " in any link included."""
    expected = [f"<hyperlink ref={quoteattr(clean(ref))} location={quoteattr(clean(loc))} "
                f"display={quoteattr(clean(ref))} tooltip={quoteattr(clean(tip))}/>" for ref, loc, tip in links]
    assert hyperlinks(links) == expected
    assert hyperlinks([("B7", "'A&B'!E5", "跳转到 A&B!E5"), ("B8", "'绩效指标'!E6", "跳转到 绩效指标!E6")])[1] == \
        '<hyperlink ref="B8" location="\'绩效指标\'!E6" display="B8" tooltip="跳转到 绩效指标!E6"/>'


@given(st.integers(min_value=1, max_value=16384))
def test_column_letters_are_openpyxls(index: int) -> None:
    assert column_letter(index) == get_column_letter(index)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d.adjusted()) < 300),
       st.integers(min_value=0, max_value=3))
def test_equal_numbers_are_stored_alike_so_the_summary_may_work_each_out_once(number, zeros) -> None:
    """SheetModel.put keeps one stored spelling per distinct number: that is exact only if equal
    numbers (1.0 and 1, 1E+1 and 10) always store the same (excel_number is the oracle)."""
    from decimal import Decimal

    from selfeval_xl.formatting import excel_number
    from selfeval_xl.write.summary import SheetModel
    same = Decimal(f"{number}{'0' * zeros}") if "E" not in str(number) and "." in str(number) else number
    assert same == number
    assert str(excel_number(str(same))) == str(excel_number(str(number)))
    model = SheetModel()
    model.put(1, 1, number)
    model.put(1, 2, same)
    assert str(model.cells[0].value) == str(model.cells[1].value) == str(excel_number(str(number)))


_PLACES = st.tuples(st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=45))


@given(cells=st.lists(_PLACES, max_size=6),
       table=st.lists(st.tuples(st.integers(1, 80), st.integers(0, 45)), max_size=6),
       hidden=st.sets(st.integers(min_value=1, max_value=45), max_size=5))
def test_the_print_area_covers_every_shown_cell_of_parts_and_table(cells, table, hidden) -> None:
    """SheetModel.print_area works a table row out by its width: it must be the last row and column of
    every cell not in a hidden column, as a walk of all_cells finds them (the oracle)."""
    from selfeval_xl.write.summary import SheetCell, SheetModel, TableRow
    model = SheetModel(hidden_columns=set(hidden))
    model.cells = [SheetCell(row, col, "x") for row, col in cells]
    model.table = [TableRow(row, ("v",) * width, ("text",) * width) for row, width in table]
    shown = [c for c in model.all_cells() if c.col not in hidden]
    last_col = max((c.col for c in shown), default=1)
    last_row = max((c.row for c in shown), default=1)
    assert model.print_area().endswith(f"$A$1:${get_column_letter(last_col)}${last_row}")


_EXAMPLE_RESULT = []


def _example_result():
    """The worked example's result, read once (a Hypothesis test cannot take a function-scoped fixture)."""
    if not _EXAMPLE_RESULT:
        import tempfile
        from pathlib import Path

        from selfeval_xl.api import evaluate
        from workbooks import template_copy
        with tempfile.TemporaryDirectory() as folder:
            _EXAMPLE_RESULT.append(evaluate(template_copy(Path(folder))))
    return _EXAMPLE_RESULT[0]


_CELL_TEXT = st.lists(st.sampled_from([*"ab绩效 \r\n\t\x01\x0b\ufffe%9", "\ud800", "万元"]), max_size=8).map("".join)


@settings(deadline=None)  # the first example reads the worked example
@given(st.lists(st.tuples(_CELL_TEXT, _CELL_TEXT, _CELL_TEXT, _CELL_TEXT), min_size=1, max_size=3))
def test_the_indicator_tables_texts_are_stored_as_put_stores_each(texts) -> None:
    """The table's texts are cleaned all together or not at all (one check over every text): whichever way,
    each must be what SheetModel.shown makes of it on its own (the oracle): no CR, nothing XML cannot hold."""
    import dataclasses

    from selfeval_xl.read.profiles import builtin_profile
    from selfeval_xl.write.summary import SheetModel, build_summary
    result = _example_result()
    indicators = list(result.indicators)
    for i, (name, target, actual, unit) in enumerate(texts):
        indicators[i] = indicators[i]._replace(name=name, target=target, actual=actual, unit=unit)
    model = build_summary(dataclasses.replace(result, indicators=tuple(indicators)), builtin_profile(result.profile))
    oracle = SheetModel()
    for line in model.table:
        for value in line.values:
            if isinstance(value, str):
                assert oracle.shown(value) == value


_JSON_TEXT = st.lists(st.sampled_from([*"ab绩效 &<>_\r\n\t\x01\x0b\ufffe\uffff\"\\", "\ud800", "_x0041_"]),
                      max_size=12).map("".join)


@given(st.lists(_JSON_TEXT, max_size=4), st.integers(1, 9))
def test_record_chunks_are_stored_and_written_as_any_cell_would_be(texts, cut) -> None:
    """The record's JSON, cut anywhere as the record is cut into cells: a chunk stored as it is must be what
    put would store, and its XML what any cell's would be (SheetModel.shown and _cell_body, the oracles)."""
    import json

    from selfeval_xl.write.summary import SheetModel, _kept_as_is
    from selfeval_xl.write.summary_part import _cell_body, _record_body
    text = json.dumps({"inputs": {"绩效指标": dict(enumerate(texts))}}, ensure_ascii=False)
    for chunk in (text[i:i + cut] for i in range(0, len(text), cut)):
        stored = chunk if _kept_as_is(chunk) else SheetModel().shown(chunk)
        assert stored == SheetModel().shown(chunk)
        assert _record_body(7, stored) == _cell_body(7, stored)


def test_the_chart_written_alone_is_the_chart_of_a_whole_xlsxwriter_workbook(tmp_path) -> None:
    """chart_parts writes the drawing and the chart through the steps XlsxWriter's Workbook.close takes,
    without packaging a workbook: the parts must be those of the whole workbook, byte for byte, for the
    example and for a form whose levels scored 0 and whose unit has a name needing escapes."""
    from pathlib import Path

    from selfeval_xl.api import evaluate_reading
    from selfeval_xl.write.summary import build_summary
    from selfeval_xl.write.summary_part import chart_parts
    from workbooks import edit, template_copy
    example = Path(__file__).resolve().parents[1] / "workbook_templates" / "示例-南障城镇2025部门整体支出.xlsx"
    zeroed = edit(template_copy(tmp_path, "零分.xlsx"), {"基本信息": {"B3": "A&B <单位> \"甲\""},
                                                        "绩效指标": {"L5": "未达成", "J6": "0"}})
    for path in (example, zeroed):
        reading, result = evaluate_reading(path)
        model = build_summary(result, reading.profile)
        alone = chart_parts(model)
        assert alone is not None and alone == chart_parts(model, whole_workbook=True)
        assert alone[1].startswith(b"<?xml") and b"<c:barChart>" in alone[1]
