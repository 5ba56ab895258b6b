"""rollup and who sent the file (docs/rules.md §13.6): a row with no unit name shows its file name and says
so; files with the same input cells are one submission whatever their names."""
from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import openpyxl

from selfeval_xl.api import rollup
from selfeval_xl.county.rollup import UNNAMED, build
from test_web_api import make_app
from workbooks import edit, template_copy

OLD, NEW = 1_600_000_000, 1_700_000_000


def _anonymous(folder: Path, name: str) -> Path:
    return edit(template_copy(folder, name), {"基本信息": {"B3": None, "B5": None}})


def test_an_anonymous_workbook_and_its_copy_under_another_name_are_one_row(tmp_path: Path) -> None:
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    first = _anonymous(inbox, "自评表.xlsx")
    shutil.copyfile(first, inbox / "自评表(1).xlsx")
    os.utime(first, (OLD, OLD))
    os.utime(inbox / "自评表(1).xlsx", (NEW, NEW))
    out = tmp_path / "汇总.xlsx"
    result = rollup([inbox], out, workers=1)
    assert [(u["unit"], u["file"], u["note"]) for u in result.units] == [("自评表(1).xlsx", "自评表(1).xlsx", UNNAMED)]
    assert [(d["file"], d["kept"]) for d in result.dropped] == [("自评表.xlsx", "自评表(1).xlsx")]
    assert "所填内容完全相同" in result.dropped[0]["reason"]
    book = openpyxl.load_workbook(out)
    header = [c.value for c in book["汇总"][3]]
    row = [c.value for c in book["汇总"][4]]
    assert (row[header.index("单位名称")], row[header.index("说明")]) == ("自评表(1).xlsx", UNNAMED)
    assert [r[2] for r in book["重复提交"].iter_rows(min_row=2, values_only=True)] == ["自评表.xlsx"]


def test_two_different_anonymous_workbooks_are_two_flagged_rows(tmp_path: Path) -> None:
    a = _anonymous(tmp_path, "甲.xlsx")
    b = edit(_anonymous(tmp_path, "乙.xlsx"), {"绩效指标": {"J6": 50}})  # one actual differs: not a copy
    result = rollup([a, b], workers=1)
    assert sorted((u["unit"], u["note"]) for u in result.units) == [("乙.xlsx", UNNAMED), ("甲.xlsx", UNNAMED)]
    assert result.dropped == []


def test_a_named_copy_under_another_name_is_a_duplicate_by_content(tmp_path: Path) -> None:
    a = template_copy(tmp_path, "南障城镇.xlsx")
    b = tmp_path / "南障城镇-重发.xlsx"
    shutil.copyfile(a, b)
    os.utime(a, (NEW, NEW))
    os.utime(b, (OLD, OLD))
    result = rollup([a, b], workers=1)
    assert [(u["unit"], u["file"]) for u in result.units] == [("井陉县南障城镇人民政府", "南障城镇.xlsx")]
    assert [d["file"] for d in result.dropped] == ["南障城镇-重发.xlsx"]


def test_the_same_unit_and_year_with_other_numbers_is_still_a_duplicate(tmp_path: Path) -> None:
    # Kept from before: one unit, one year, one form, two different fillings → the newer is kept.
    a = template_copy(tmp_path, "初稿.xlsx")
    b = edit(template_copy(tmp_path, "定稿.xlsx"), {"绩效指标": {"J6": 50}})
    os.utime(a, (OLD, OLD))
    os.utime(b, (NEW, NEW))
    result = rollup([a, b], workers=1)
    assert [u["file"] for u in result.units] == ["定稿.xlsx"]
    assert [d["file"] for d in result.dropped] == ["初稿.xlsx"]
    assert "同一单位同一年度" in result.dropped[0]["reason"]


def _row(file: str, unit: str, content: str, mtime: float) -> dict:
    return {"file": file, "path": file, "unit": unit, "year": 2025, "form": "department", "project": "",
            "total": 90.0, "mtime": mtime, "content": content, "note": ""}


def test_build_keeps_the_newest_of_equal_contents_whatever_the_names() -> None:
    result = build([_row("a.xlsx", "甲镇", "h1", OLD), _row("b.xlsx", "乙镇", "h1", NEW),
                    _row("c.xlsx", "", "h2", OLD)])
    assert sorted((u["file"], u["unit"], u["note"]) for u in result.units) == [
        ("b.xlsx", "乙镇", ""), ("c.xlsx", "c.xlsx", UNNAMED)]
    assert [(d["file"], d["kept"]) for d in result.dropped] == [("a.xlsx", "b.xlsx")]


def test_two_anonymous_files_of_one_name_in_two_folders_are_not_duplicates_by_name() -> None:
    # The file name stands in for the unit, but never makes two different workbooks one unit.
    result = build([_row("自评表.xlsx", "", "h1", OLD), _row("自评表.xlsx", "", "h2", NEW)])
    assert len(result.units) == 2 and result.dropped == []


def test_the_page_shows_the_same_rows(tmp_path: Path) -> None:
    app = make_app()
    try:
        client = app.test_client()
        body = _anonymous(tmp_path, "x.xlsx").read_bytes()
        data = {"file": [(io.BytesIO(body), "甲.xlsx"), (io.BytesIO(body), "甲-副本.xlsx")],
                "mtime": ["1700000000000", "1750000000000"]}
        page = client.post("/api/rollup", data=data, content_type="multipart/form-data").get_json()
    finally:
        app.extensions["selfeval"]["store"].close()
    assert [(u["unit"], u["file"], u["note"]) for u in page["units"]] == [("甲-副本.xlsx", "甲-副本.xlsx", UNNAMED)]
    assert [(d["file"], d["kept"]) for d in page["dropped"]] == [("甲.xlsx", "甲-副本.xlsx")]
