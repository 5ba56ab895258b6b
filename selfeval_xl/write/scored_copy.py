"""Original workbook + Result → the scored copy (docs/workbook.md §7).

The scored copy is the user's own package with only these parts changed: the workbook part
(one more sheet, defined names), its relationships, the content types, the styles (appended
entries only), the sheets that get marks (a style on the marked cells), their comments and
VML drawings, and the new 评分汇总 sheet. Every other part (pictures, charts, text boxes,
macros, custom XML, parts only WPS writes) is copied byte for byte.
"""
from __future__ import annotations

from pathlib import Path

from selfeval_xl.errors import OutputError
from selfeval_xl.model import Result
from selfeval_xl.read.reader import Reading
from selfeval_xl.write.atomic import write_atomically
from selfeval_xl.write.dropped_results import store_results
from selfeval_xl.write.legacy_copy import values_package
from selfeval_xl.write.marks import mark, unmark
from selfeval_xl.write.package_edit import PackageEdit
from selfeval_xl.write.record import build_record
from selfeval_xl.write.summary import add_record, build_summary, shown_cells
from selfeval_xl.write.summary_part import add_summary, remove_previous_summary


def write_scored(reading: Reading, result: Result, target: Path) -> None:
    """Write the scored copy of `reading`'s workbook to `target` (atomically)."""
    source = reading.workbook.path
    try:
        same = target.resolve() == source.resolve()
    except OSError:
        same = False
    if same:
        raise OutputError(f"输出文件不能与输入文件相同（{source.name}）："
                          "评分副本总是另存为新文件，请换一个输出路径（-o）。")
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise OutputError(f"评分副本应保存为 .xlsx（含宏的工作簿为 .xlsm）文件：{target.name}")
    # an .xls/.ods has values only: they become a plain .xlsx, scored like any other (docs/workbook.md §7)
    package = reading.workbook.package or values_package(reading, target.with_suffix(".xlsx").name)
    edit = PackageEdit(package)
    edit.match_extension(target)
    unmark(edit, remove_previous_summary(edit))
    marks = mark(edit, result.checks)
    store_results(edit, reading)
    model = build_summary(result, reading.profile)
    record, chunks = build_record(reading.input_cells, result, reading.profile, marks, shown_cells(model))
    add_record(model, chunks)
    add_summary(edit, model, len(chunks), record["fingerprint"])
    write_atomically(target, edit.save())


