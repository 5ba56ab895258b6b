""".xls and .ods: read through python-calamine (selfeval_xl/legacy.py); the scored copy is a new .xlsx.

The legacy files are made by LibreOffice from the tool's own example template (module fixture
`legacy`: one soffice call per target format, each converting all the sources at once). The
corrupt-file tests need no LibreOffice.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from selfeval_xl.api import evaluate, score
from selfeval_xl.cli.app import main
from selfeval_xl.read.legacy import LEGACY_NOTE
from workbooks import edit, template_copy

ROOT = Path(__file__).resolve().parents[1]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
TEMPLATE_SHEETS = ["填表说明", "基本信息", "预算执行", "绩效指标", "评分", "下拉列表", "_selfeval_meta"]
ERROR_FILL = "FFC7CE"


@pytest.fixture(scope="module")
def legacy(lo_convert, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """{(kind, "example" | "broken"): path}; broken has the text 完成 as 绩效指标!J6's actual value."""
    src = tmp_path_factory.mktemp("legacy-src")
    example = template_copy(src, "example.xlsx")
    broken = edit(template_copy(src, "broken.xlsx"), {"绩效指标": {"J6": "完成"}})
    out = tmp_path_factory.mktemp("legacy")
    files = {}
    for kind in ("xls", "ods"):
        example_out, broken_out = lo_convert([example, broken], out, to=kind)
        files[(kind, "example")], files[(kind, "broken")] = example_out, broken_out
    return files


def fresh(legacy: dict, kind: str, which: str, tmp_path: Path, name: str | None = None) -> Path:
    """A private copy, so that each test's scored copy lands in its own folder."""
    target = tmp_path / (name or f"{which}.{kind}")
    shutil.copyfile(legacy[(kind, which)], target)
    return target


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- reading ----------------------------------------------------------------------------------------------

@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_legacy_example_scores_like_the_xlsx(legacy, kind: str, tmp_path: Path) -> None:
    path = fresh(legacy, kind, "example", tmp_path)
    with path.open("rb") as f:
        magic = f.read(8)
    assert magic == OLE_MAGIC if kind == "xls" else magic.startswith(b"PK\x03\x04")
    result = evaluate(path)
    assert (result.total, result.grade, result.valid, result.checks) == (Decimal("98.40"), "优秀", True, ())
    # everything read (execution, levels, every indicator) equals what the .xlsx gives
    expected = evaluate(template_copy(tmp_path, "example.xlsx")).to_json()
    got = result.to_json()
    assert got.pop("file") == path.name and expected.pop("file") == "example.xlsx"
    assert got == expected


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_legacy_check_command(legacy, kind: str, tmp_path: Path) -> None:
    path = fresh(legacy, kind, "example", tmp_path, f"南障城镇 自评.{kind}")
    result = run("check", str(path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["file"], data["total"], data["grade"], data["valid"], data["checks"]) == (
        path.name, "98.40", "优秀", True, [])
    assert list(tmp_path.iterdir()) == [path]  # check writes nothing


@pytest.mark.libreoffice
def test_xls_renamed_to_xlsx_is_read_by_its_content(legacy, tmp_path: Path) -> None:
    path = fresh(legacy, "xls", "example", tmp_path, "改了扩展名.xlsx")
    scored = score(path)
    assert str(scored.result.total) == "98.40" and scored.result.checks == ()
    assert scored.output == tmp_path / "改了扩展名.scored.xlsx" and zipfile.is_zipfile(scored.output)


# --- the scored copy -----------------------------------------------------------------------------------

@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_scored_copy_is_a_new_xlsx_with_the_values(legacy, kind: str, tmp_path: Path) -> None:
    path = fresh(legacy, kind, "example", tmp_path, f"示例.{kind}")
    before = digest(path)
    result = run("score", str(path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    out = tmp_path / "示例.scored.xlsx"
    assert data["output"] == str(out) and data["total"] == "98.40"
    assert digest(path) == before and sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, out.name])

    with zipfile.ZipFile(out) as z:  # a real .xlsx package, not the legacy format renamed
        assert "xl/workbook.xml" in z.namelist()
    wb = openpyxl.load_workbook(out)
    # the original sheets' values, and a last sheet saying what the conversion did not keep
    assert wb.sheetnames == ["评分汇总", *TEMPLATE_SHEETS, "转换说明"]
    assert wb.active.title == "评分汇总"
    summary = wb["评分汇总"]
    assert wb["转换说明"]["A1"].value == LEGACY_NOTE
    summary_values = [c.value for row in summary.iter_rows() for c in row if c.value is not None]
    assert "井陉县南障城镇人民政府" in summary_values and "优秀" in summary_values
    assert any(isinstance(v, (int, float)) and abs(v - 98.40) < 1e-9 for v in summary_values)
    # the original sheets' values
    assert wb["基本信息"]["B3"].value == "井陉县南障城镇人民政府"
    assert wb["基本信息"]["B7"].value == "hebei-dept"
    ind = wb["绩效指标"]
    assert [ind[f"{c}6"].value for c in "CDEFGHIJK"] == ["产出指标", "数量指标", "监督工作任务完成率", "定量", "≥", 100,
                                                          "%", 96, 4]
    assert ind["M12"].value.startswith("部分越级上访人员诉求涉及历史遗留问题")
    budget = wb["预算执行"]
    assert (budget["B4"].value, budget["D4"].value, budget["E6"].value) == ("人员经费", 5042799.97, 250096.8)
    assert budget["G6"].value == "部分地块补偿协议年底未签订，剩余款项结转下年支付"
    assert wb["下拉列表"].sheet_state != "visible"
    assert all(c.comment is None for ws in wb.worksheets[1:] for row in ws.iter_rows() for c in row)  # nothing marked
    # the copy is itself a workbook the tool reads, with the same result
    again = evaluate(out)
    assert (again.total, again.checks) == (Decimal("98.40"), ())


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_problem_cell_is_reported_and_marked_in_the_copy(legacy, kind: str, tmp_path: Path) -> None:
    path = fresh(legacy, kind, "broken", tmp_path, f"有误.{kind}")
    result = run("score", str(path), "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    checks = [(c["code"], c["severity"], c["sheet"], c["cell"]) for c in data["checks"]]
    assert checks == [("VALUE_NOT_NUMBER", "error", "绩效指标", "J6")]
    assert "完成" in data["checks"][0]["message"]
    row6 = next(i for i in data["indicators"] if i["row"] == 6)
    assert row6["score"] is None and row6["name"] == "监督工作任务完成率"
    assert (data["total"], data["valid"]) == ("94.56", False)  # 98.40 without row 6's 3.84

    wb = openpyxl.load_workbook(tmp_path / "有误.scored.xlsx")
    cell = wb["绩效指标"]["J6"]
    assert cell.value == "完成"
    assert cell.comment is not None and "VALUE_NOT_NUMBER" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith(ERROR_FILL)
    marked = [(ws.title, c.coordinate) for ws in wb.worksheets[1:] for row in ws.iter_rows() for c in row if c.comment]
    assert marked == [("绩效指标", "J6")]
    summary = wb["评分汇总"]
    texts = " ".join(str(c.value) for row in summary.iter_rows() for c in row if c.value is not None)
    assert "校验未通过" in texts and "VALUE_NOT_NUMBER" in texts
    links = [c.hyperlink.location for row in summary.iter_rows() for c in row if c.hyperlink]
    assert any(link.replace("'", "") == "绩效指标!J6" for link in links), links


@pytest.mark.libreoffice
def test_output_path_with_a_legacy_suffix_is_refused_as_for_any_input(legacy, tmp_path: Path) -> None:
    """The scored copy of a .xls is a .xlsx: -o naming .xls is refused, never quietly renamed."""
    path = fresh(legacy, "xls", "example", tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("score", str(path), "-o", str(tmp_path / "副本.xls"))
    assert result.exit_code == 2
    assert result.stderr == ("错误：评分副本应保存为 .xlsx 文件，本工具不写旧的 .xls"
                             "（.xls 工作簿的评分副本也是 .xlsx）：请把 -o 的 副本.xls 改为 副本.xlsx。\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    result = run("score", str(path), "-o", str(tmp_path / "副本.xlsm"))
    assert result.exit_code == 2
    assert result.stderr == (f"错误：{path.name} 的评分副本只能保存为 .xlsx（只保留单元格的值，不能含宏）："
                             "请把 -o 的 副本.xlsm 改为 副本.xlsx。\n")
    written = tmp_path / "副本.xlsx"
    assert run("score", str(path), "-o", str(written)).exit_code == 0
    assert written.is_file() and zipfile.is_zipfile(written)


# --- corrupt files: exit 2, one Chinese line naming the file ------------------------------------------------

def refused(path: Path) -> str:
    """Both commands refuse the file: exit 2, one line on stderr, nothing written; returns the message."""
    for command in ("check", "score"):
        result = run(command, str(path))
        assert result.exit_code == 2, result.output
        assert result.stdout == "" and "Traceback" not in result.output
        assert result.stderr.startswith("错误：") and result.stderr.count("\n") == 1, result.stderr
        assert path.name in result.stderr
        assert "INTERNAL" not in result.stderr and "内部错误" not in result.stderr, result.stderr
    result = run("score", str(path), "--json")
    error = json.loads(result.stdout)
    assert result.exit_code == 2 and error["file"] == path.name and error["error"]["code"] != "INTERNAL"
    assert not [p for p in path.parent.iterdir() if p != path]
    return result.stderr


@pytest.mark.parametrize("size", [0, 512, 4096, 70000])
def test_corrupt_xls_after_the_ole_magic(tmp_path: Path, size: int) -> None:
    path = tmp_path / "损坏的表.xls"
    path.write_bytes(OLE_MAGIC + random.Random(size).randbytes(size))
    message = refused(path)
    assert "xls" in message or "Excel" in message


def _ods(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME, compress_type=zipfile.ZIP_STORED)  # first and stored
        for name, data in entries.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


MANIFEST = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            b'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
            b'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            b'</manifest:manifest>')


@pytest.mark.parametrize("entries", [
    {"content.xml": random.Random(1).randbytes(3000)},  # junk where the content should be
    {"content.xml": b"<?xml version='1.0'?><office:document-content xmlns:office=", "META-INF/manifest.xml": MANIFEST},
    {"META-INF/manifest.xml": MANIFEST},  # no content at all
    {"junk.bin": random.Random(2).randbytes(100)},
], ids=["junk-content", "truncated-xml", "no-content", "only-junk"])
def test_corrupt_ods_with_a_mimetype(tmp_path: Path, entries: dict[str, bytes]) -> None:
    path = tmp_path / "损坏的表.ods"
    data = _ods(entries)
    assert data[30:38] == b"mimetype" and ODS_MIME in data[:200]  # what makes it look like an .ods
    path.write_bytes(data)
    refused(path)


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_truncated_legacy_file(legacy, kind: str, tmp_path: Path) -> None:
    data = legacy[(kind, "example")].read_bytes()
    path = tmp_path / f"截断.{kind}"
    path.write_bytes(data[: len(data) // 2])
    refused(path)


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_scoring_a_legacy_file_says_only_values_are_kept(legacy, tmp_path: Path, kind: str) -> None:
    path = fresh(legacy, kind, "example", tmp_path)
    result = run("score", str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr == ("注意：本评分副本由 .xls/.ods 文件转换为 .xlsx，"
                             "只保留了单元格的值（格式、公式、图片等未保留）。\n")
    assert f"评分副本：{tmp_path / ('example.scored.xlsx')}" in result.stdout


# --- a legacy file is parsed in a child with limits: a panic, a memory blow-up or a hang is a refusal ------

class FakePanic(BaseException):
    """What python-calamine raises on a damaged file: a BaseException that `except Exception` misses."""


def _panicking(data: bytes):
    raise FakePanic("index out of bounds")


def _allocating(data: bytes):
    return bytearray(8 * 1024 ** 3)  # past the child's memory limit: MemoryError there, nothing here


def _hanging(data: bytes):
    import time
    time.sleep(30)


@pytest.mark.skipif(os.name != "posix", reason="the child inherits the replaced parser only when it is forked")
@pytest.mark.parametrize("parser, why", [(_panicking, "内容已损坏，无法解析"), (_allocating, "读取所需内存超过上限"),
                                         (_hanging, "超过 1 秒")], ids=["panic", "memory", "hang"])
def test_what_goes_wrong_inside_the_parser_is_a_clear_refusal(tmp_path: Path, monkeypatch, parser, why) -> None:
    from selfeval_xl.read import legacy
    monkeypatch.setattr(legacy, "parse_legacy", parser)
    monkeypatch.setattr(legacy, "WORKER_SECONDS", 1)
    path = tmp_path / "坏.xls"
    path.write_bytes(OLE_MAGIC + random.Random(7).randbytes(4096))
    result = run("check", str(path))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr == (f"错误：文件 坏.xls 不是可读的Excel 97-2003（.xls）工作簿（{why}）："
                             "请在 Excel、WPS 或 LibreOffice 中打开并另存为 .xlsx 后再试。\n")


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_the_scored_copy_of_a_legacy_workbook_verifies_and_names_an_edit(legacy, kind: str, tmp_path: Path) -> None:
    """The copy is scored through the same writer as any .xlsx: untouched it verifies, its summary's links
    show the indicator names (never their addresses), and an amount changed afterwards is named."""
    path = fresh(legacy, kind, "example", tmp_path, f"示例.{kind}")
    assert run("score", str(path)).exit_code == 0
    out = tmp_path / "示例.scored.xlsx"
    checked = json.loads(run("verify", str(out), "--json").stdout)
    assert checked["untouched"] is True, checked["mismatches"]
    wb = openpyxl.load_workbook(out)
    links = [c for row in wb["评分汇总"].iter_rows() for c in row if c.hyperlink is not None]
    assert links and not any(re.fullmatch(r"[A-Z]{1,3}\d+", str(c.value)) for c in links)
    wb["预算执行"]["E5"] = 300000  # 日常公用经费 executed: 401,236.58 in the example
    wb.save(tmp_path / "改过.xlsx")
    changed = json.loads(run("verify", str(tmp_path / "改过.xlsx"), "--json").stdout)
    assert changed["untouched"] is False
    assert {"sheet": "预算执行", "cell": "E5", "old": "401236.58", "new": "300000"} in changed["changes"]


def test_a_damaged_xls_is_one_chinese_line_even_when_the_parser_panics(legacy, tmp_path: Path) -> None:
    """Bytes of a real .xls overwritten at random: where the parser's runtime panics (its text goes to
    stderr), the command still prints one Chinese line and exits 2."""
    data = legacy[("xls", "example")].read_bytes()
    rnd = random.Random(7)
    panicking = []
    for i in range(30):
        damaged = bytearray(data)
        for _ in range(40):
            damaged[rnd.randrange(512, len(damaged))] = rnd.randrange(256)
        path = tmp_path / f"损坏{i}.xls"
        path.write_bytes(bytes(damaged))
        raw = subprocess.run([sys.executable, "-c", "import sys\nfrom python_calamine import CalamineWorkbook\n"
                              "wb = CalamineWorkbook.from_path(sys.argv[1])\n"
                              "[wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]", str(path)],
                             capture_output=True, text=True, timeout=60)
        if "panicked" in raw.stderr:
            panicking.append(path)
            if len(panicking) == 3:
                break
    assert panicking, "no damaged copy made the parser panic: the test would prove nothing"
    for path in panicking[:3]:
        done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(path)], capture_output=True,
                              text=True, encoding="utf-8", timeout=120, cwd=ROOT)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith(f"错误：文件 {path.name} 不是可读的"), done.stderr
        assert "panicked" not in done.stderr and "Exception" not in done.stderr

