"""Number formats that show something other than the number (FORMAT_HIDES_VALUE, docs/rules.md §11): each code
labelled by hand with what Excel shows for it, and a workbook whose input cell carries one."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from selfeval_xl.api import evaluate
from selfeval_xl.read.number_formats import hides_value
from workbooks import template_copy

HIDES = [
    '[<100]"100";General',  # 96 shows as 100
    '"100"',  # every number shows as 100
    '0"0"',  # 96 shows as 960
    '[>=90]"达标";"未达标"',  # a word instead of any number
    "\\1\\0\\0",  # escaped digits: 100 for anything
    "01",  # a bare 1 is a literal: 96 shows as 961
    '0;"0"',  # a negative number shows as 0
]
SHOWS_THE_NUMBER = [
    "General", "0", "#,##0.00", "0%", "0.0%;[Red]-0.0%", "0.00E+00", "0.00_ ", "[Red]0.00", "[$-804]0.00",
    '0.0"万元"', '0"个"', '"￥"#,##0.00', '#,##0.00"元"', "#,##0,", '0!.0,"万"',  # units and scaling, not other digits
    '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)',  # the accountants' dash for zero
    "0;-0;;@",  # zero left blank: nothing else shown
    '[=0]"—";0.00', 'yyyy"年"m"月"d"日"', "[h]:mm:ss", "[DBNum1][$-804]General", "@",
]


@pytest.mark.parametrize("code", HIDES)
def test_formats_that_show_other_than_the_number(code: str) -> None:
    assert hides_value(code)


@pytest.mark.parametrize("code", SHOWS_THE_NUMBER)
def test_formats_that_show_the_number(code: str) -> None:
    assert not hides_value(code)


def test_an_input_shown_as_another_number_is_refused_and_read_as_it_is(tmp_path: Path) -> None:
    path = template_copy(tmp_path, "格式.xlsx")
    book = openpyxl.load_workbook(path)
    book["绩效指标"]["J6"].number_format = '[<100]"100";General'  # 96, shown as 100
    book["绩效指标"]["J7"].number_format = '0.0"%"'  # 100 shown as 100.0%: the number as it is
    book.save(path)
    result = evaluate(path)
    assert [(f.code, f.severity, f.cell) for f in result.checks] == [("FORMAT_HIDES_VALUE", "error", "J6")]
    assert (str(result.total), result.valid) == ("98.40", False)  # 96 scored, as the example's
