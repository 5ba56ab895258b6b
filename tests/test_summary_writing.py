"""Fast paths of the summary writer, each held to the general code it stands in for."""
from __future__ import annotations

from xml.sax.saxutils import quoteattr

from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from selfeval_xl.cellref import column_letter
from selfeval_xl.read.package import clean
from selfeval_xl.write.summary_part import _attribute

_TEXT = st.text(st.sampled_from(list("ab绩效'\"&<>\t\n\r\x01\x0b\ufffe _!")), max_size=10)


@given(_TEXT)
def test_an_attribute_is_quoted_as_quoteattr_quotes_it_cleaned(text: str) -> None:
    assert _attribute(text) == quoteattr(clean(text))


@given(st.integers(min_value=1, max_value=16384))
def test_column_letters_are_openpyxls(index: int) -> None:
    assert column_letter(index) == get_column_letter(index)
