"""Outputs that stay data: what a workbook holds is shown, never acted on.

- The console: control characters (but newline and tab), ESC sequences, C1 controls and bidi
  overrides from a workbook or a file name reach the terminal as visible escapes; a lone surrogate
  never stops the output; --json stays valid JSON.
- Check messages quote a cell's text by its first 40 characters and "…".
- The scored copy's summary sheet and the report hold what a cell and a document can hold, also
  for 32,767-character texts and control characters.
- The rollup CSV: text that a spreadsheet would take for a formula gets a leading '.

Every workbook is made here from the tool's own template (no stored binaries).
"""
from __future__ import annotations

import ast
import csv
import dataclasses
import json
import os
import re
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

import selfeval_xl.api
from rich import sheet_parts
from selfeval_xl.cli.app import main
from selfeval_xl.cli.render import json_text, visible
from selfeval_xl.county.rollup_output import csv_cell
from selfeval_xl.formatting import quoted, shortened, without_surrogates
from selfeval_xl.rules.checks import CATALOGUE, PHRASE_LIMIT, PHRASES, Findings
from selfeval_xl.write.summary import SheetModel
from workbooks import edit, template_copy

ROOT = Path(__file__).resolve().parents[1]
# What must never reach a terminal raw (this test's own list, not the code's): C0 controls but
# newline and tab, DEL, C1 controls, the bidi embeddings/overrides/isolates, lone surrogates.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
LONG = 32767
INFO, INDICATORS = "基本信息", "绩效指标"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def set_text(path: Path, sheet: str, cells: dict[str, str]) -> Path:
    """Cells typed as text (openpyxl would take a leading = for a formula)."""
    wb = openpyxl.load_workbook(path)
    for ref, text in cells.items():
        cell = wb[sheet][ref]
        cell.value = text
        cell.data_type = "s"
    wb.save(path)
    return path


def summary_part(path: Path) -> tuple[str, bytes]:
    part = sheet_parts(path)["评分汇总"]
    with zipfile.ZipFile(path) as z:
        return part, z.read(part)


# --- 1. the console ---------------------------------------------------------------------------------

# A unit name as Excel stores it: ESC and BEL escaped as _xHHHH_, C1 and bidi characters as they are.
HOSTILE_UNIT = "南障城镇_x001B_[2J_x001B_]0;pwned_x0007_\u202e\u2066\x9b人民政府"
HOSTILE_UNIT_READ = "南障城镇\x1b[2J\x1b]0;pwned\x07\u202e\u2066\x9b人民政府"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hostile texts in the unit name, a target (quoted in a message) and the file name itself."""
    folder = tmp_path_factory.mktemp("hostile")
    path = template_copy(folder, "a\x1b[31mb\u202e.xlsx")
    return edit(path, {INFO: {"B3": HOSTILE_UNIT}, INDICATORS: {"H5": "x_x001B_[31m红\u202e"}})


def test_visible_escapes_what_a_terminal_would_act_on() -> None:
    assert visible("a\x1b[31mb") == "a\\x1b[31mb"
    assert visible("\x9b2J \x7f \x00 \r") == "\\x9b2J \\x7f \\x00 \\x0d"
    assert visible("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") == (
        "\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069")
    assert visible("\ud800 \udfff") == "\\ud800 \\udfff"
    assert visible("第一行\n\t第二行 井陉县（示例）≥95% “引号” …") == "第一行\n\t第二行 井陉县（示例）≥95% “引号” …"


def test_json_text_is_valid_json_without_raw_controls() -> None:
    data = {"unit\ud800": ["\x1b[2J", "\x7f\x9b", "\u202e", "\ud83d", "正常"]}
    for ascii_only in (False, True):
        text = json_text(data, ascii_only=ascii_only)
        assert not RAW.search(text)
        assert json.loads(text) == {"unit\ufffd": ["\x1b[2J", "\x7f\x9b", "\u202e", "\ufffd", "正常"]}


def test_text_output_shows_escapes(hostile: Path) -> None:
    result = run("check", str(hostile))
    assert result.exit_code == 1, result.output  # the target is not a number
    out = result.stdout
    assert not RAW.search(result.output)
    assert "文件：a\\x1b[31mb\\u202e.xlsx" in out
    assert "单位：南障城镇\\x1b[2J\\x1b]0;pwned\\x07\\u202e\\u2066\\x9b人民政府" in out
    assert "“x\\x1b[31m红\\u202e”" in out  # the VALUE_NOT_NUMBER message quoting the cell


def test_score_text_and_note_show_escapes(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "c\x1b[2Jd.xlsx"
    result = run("score", str(hostile), "-o", str(out))
    assert result.exit_code == 1, result.output
    assert not RAW.search(result.output)
    assert "评分副本：" in result.stdout and "c\\x1b[2Jd.xlsx" in result.stdout


def test_json_output_is_valid_and_keeps_the_data(hostile: Path) -> None:
    result = run("check", "--json", str(hostile))
    assert result.exit_code == 1, result.output
    assert not RAW.search(result.output)
    data = json.loads(result.stdout)
    assert data["unit"] == HOSTILE_UNIT_READ  # JSON escapes, decoded: the data itself is intact
    assert data["file"] == "a\x1b[31mb\u202e.xlsx"
    assert any("“x\x1b[31m红\u202e”" in c["message"] for c in data["checks"])


def test_error_messages_show_escapes(tmp_path: Path) -> None:
    path = edit(template_copy(tmp_path), {INFO: {"B7": "x_x001B_]0;pwned_x0007_\u202ey"}})
    result = run("check", str(path))
    assert result.exit_code == 2
    assert not RAW.search(result.output)
    assert "“x\\x1b]0;pwned\\x07\\u202ey”" in result.stderr and result.stderr.startswith("错误：")
    result = run("check", "--json", str(path))
    assert result.exit_code == 2
    assert not RAW.search(result.output)
    assert "“x\x1b]0;pwned\x07\u202ey”" in json.loads(result.stdout)["error"]["message"]


def test_every_line_the_cli_prints_goes_through_one_place() -> None:
    """click.echo is called only by echo() (text) and _emit_json() (JSON) in cli/app.py; nothing
    else in cli/ prints."""
    tree = ast.parse((ROOT / "selfeval_xl" / "cli" / "app.py").read_text(encoding="utf-8"))
    callers = []
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef):
            for node in ast.walk(func):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("echo", "secho") and isinstance(node.func.value, ast.Name)
                        and node.func.value.id == "click"):
                    callers.append(func.name)
    assert sorted(set(callers)) == ["_emit_json", "echo"] and len(callers) == 2
    for path in (ROOT / "selfeval_xl" / "cli").glob("*.py"):
        if path.name != "app.py":
            text = path.read_text(encoding="utf-8")
            assert "click.echo" not in text and "print(" not in text, path.name


# --- lone surrogates --------------------------------------------------------------------------------

def with_surrogate_unit(folder: Path) -> Path:
    """The example with 单位名称 stored as an inline string holding _xD800_ (written `t` before `r`,
    a spelling the reader walks in full, which undoes every _xHHHH_)."""
    path = template_copy(folder, "surrogate.xlsx")
    part = sheet_parts(path)[INFO]
    with zipfile.ZipFile(path) as z:
        data = {name: z.read(name) for name in z.namelist()}
    xml, n = re.subn(rb'<c r="B3"[^>]*?(?:/>|>.*?</c>)',
                     '<c t="inlineStr" r="B3"><is><t>南障城镇_xD800_人民政府</t></is></c>'.encode(),
                     data[part], count=1, flags=re.S)
    assert n == 1
    data[part] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in data.items():
            z.writestr(name, content)
    return path


@pytest.fixture(scope="module")
def surrogate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = with_surrogate_unit(tmp_path_factory.mktemp("surrogate"))
    # the reader gives the lone surrogate (or, if it ever replaces it, U+FFFD)
    assert selfeval_xl.api.evaluate(path).unit in ("南障城镇\ud800人民政府", "南障城镇\ufffd人民政府")
    return path


def test_lone_surrogate_never_stops_the_console(surrogate: Path) -> None:
    result = run("check", str(surrogate))
    assert result.exit_code == 0, result.output
    assert "UnicodeEncodeError" not in result.output and not RAW.search(result.output)
    assert "单位：南障城镇\\ud800人民政府" in result.stdout or "单位：南障城镇\ufffd人民政府" in result.stdout
    result = run("check", "--json", str(surrogate))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["unit"] == "南障城镇\ufffd人民政府"


@pytest.mark.parametrize("as_json", [False, True])
def test_lone_surrogate_on_a_real_utf8_stdout(surrogate: Path, as_json: bool) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "selfeval_xl.cli", "check", *(["--json"] if as_json else []),
                           str(surrogate)], capture_output=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    out = proc.stdout.decode("utf-8")  # strict: every byte is UTF-8
    assert "南障城镇" in out and not RAW.search(out)


def test_lone_surrogate_reaching_the_cli_from_any_result(example_result, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the reader does with _xD800_, a Result holding one is printed (text and JSON)."""
    result = dataclasses.replace(example_result, unit="单位\ud800\udc00名称", file="文件\udfff.xlsx")
    monkeypatch.setattr(selfeval_xl.api, "check", lambda path, profile=None: selfeval_xl.api.Checked(result, ()))
    text = run("check", "whatever.xlsx")
    assert text.exit_code == 0, text.output
    assert "单位：单位\\ud800\\udc00名称" in text.stdout and "文件：文件\\udfff.xlsx" in text.stdout
    as_json = run("check", "--json", "whatever.xlsx")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert data["unit"] == "单位\ufffd\ufffd名称" and data["file"] == "文件\ufffd.xlsx"


@pytest.fixture(scope="module")
def example_result(tmp_path_factory: pytest.TempPathFactory):
    return selfeval_xl.api.evaluate(template_copy(tmp_path_factory.mktemp("example")))


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """A name from a zip made on Chinese Windows (GBK bytes) reaches Python as lone surrogates."""
    name = os.fsdecode(b"\xb5\xa5\xce\xbb.xlsx")  # GBK 单位
    try:
        path = template_copy(tmp_path, name)
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses a name that is not UTF-8")
    result = run("check", str(path))
    assert result.exit_code == 0, result.output
    assert "文件：\\udcb5\\udca5λ.xlsx" in result.stdout
    result = run("check", "--json", str(path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["file"] == "\ufffd\ufffdλ.xlsx"


def test_lone_surrogate_in_the_report(surrogate: Path, tmp_path: Path) -> None:
    result = run("report", str(surrogate), "-o", str(tmp_path / "报告.docx"))
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "报告.docx")).paragraphs)
    assert "南障城镇\ufffd人民政府" in text


def test_lone_surrogate_scores(surrogate: Path, tmp_path: Path) -> None:
    result = run("score", str(surrogate), "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 0, result.output


# --- 2. check messages quote shortened --------------------------------------------------------------

def test_quoted_and_shortened() -> None:
    assert quoted("井陉县南障城镇人民政府") == "井陉县南障城镇人民政府"
    assert quoted("x" * 40) == "x" * 40
    assert quoted("x" * 41) == "x" * 40 + "…"
    assert quoted("长" * LONG, 10) == "长" * 10 + "…"
    assert shortened("x" * 10, 5) == "xxxx…" and shortened("x" * 5, 5) == "x" * 5
    assert without_surrogates("a\ud800b\udfff") == "a\ufffdb\ufffd"


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_every_message_quotes_a_long_text_shortened(code: str) -> None:
    template = CATALOGUE[code].template
    fields = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    long_text = "长" * LONG
    values = {name: f"“{long_text}”的{long_text}" if name in PHRASES else long_text for name in fields}
    findings = Findings()
    findings.at(code, "绩效指标", **values)
    (message,) = [f.message for f in findings.items()]
    assert len(message) <= len(template) + PHRASE_LIMIT * len(fields)
    for name in fields:
        if name in PHRASES:
            assert "“" + "长" * 40 + "…”的" in message
        else:
            assert "长" * 40 + "…" in message
    assert "长" * (PHRASE_LIMIT + 1) not in message


# --- 3. cells and documents written by the tool ------------------------------------------------------

@pytest.fixture(scope="module")
def long_texts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """单位名称 and one indicator name of 32,767 characters; five targets of 32,767 characters (each
    quoted by a VALUE_NOT_NUMBER message)."""
    path = template_copy(tmp_path_factory.mktemp("long"), "长文本.xlsx")
    targets = {f"H{r}": chr(0x4E00 + r) * LONG for r in range(5, 10)}
    return edit(path, {INFO: {"B3": "单" * LONG}, INDICATORS: {"E4": "名" * LONG, **targets}})


@pytest.fixture(scope="module")
def long_scored(long_texts: Path) -> Path:
    out = long_texts.with_name("长文本.scored.xlsx")
    result = run("score", str(long_texts), "-o", str(out))
    assert result.exit_code in (0, 1), result.output
    assert len(result.output) < 20_000  # the unit name shortened on the console, messages quoted
    return out


def test_long_texts_summary_stays_small(long_scored: Path) -> None:
    part, xml = summary_part(long_scored)
    assert len(xml) < 2 * 1024 * 1024, f"{part}: {len(xml):,} bytes"
    ws = openpyxl.load_workbook(long_scored)["评分汇总"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert max(len(t) for t in texts) <= LONG
    assert "单" * LONG in texts  # the unit name itself fits a cell: kept whole
    shown = [c.value for row in ws.iter_rows(max_col=6) for c in row if isinstance(c.value, str)]  # not the record
    problems = [t for t in shown if "不能识别为数字或日期" in t]
    assert len(problems) == 5 and all(len(t) < 300 for t in problems)
    assert sum(len(t) for t in shown) < LONG + 20_000  # the unit name, and short texts besides


def test_long_texts_json_messages_are_short(long_texts: Path) -> None:
    result = run("check", "--json", str(long_texts))
    assert result.exit_code == 1
    checks = json.loads(result.stdout)["checks"]
    assert len(checks) >= 5 and all(len(c["message"]) < 300 for c in checks)


def test_long_texts_scored_copy_verifies(long_scored: Path) -> None:
    result = run("verify", str(long_scored))
    assert result.exit_code == 0, result.output
    assert "评分后未被改动" in result.stdout


def test_long_texts_report(long_texts: Path, tmp_path: Path) -> None:
    out = tmp_path / "报告.docx"
    result = run("report", str(long_texts), "-o", str(out))
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    assert len(document.core_properties.title) <= 255
    title = document.paragraphs[0].text
    assert title.startswith("单" * 100) and len(title) < 300


def test_control_characters_in_the_report(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "报告.docx"
    result = run("report", str(hostile), "-o", str(out))
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "南障城镇[2J]0;pwned\u202e\u2066\x9b人民政府" in text  # ESC and BEL dropped: XML cannot hold them


def test_summary_cells_hold_no_surrogate_or_control() -> None:
    model = SheetModel()
    model.put(1, 1, "a\x1b\x07\ud800b" + "x" * 40000)
    (cell,) = model.cells
    assert isinstance(cell.value, str) and cell.value.startswith("a\ufffdb") and len(cell.value) == LONG


# --- 4. the rollup CSV -------------------------------------------------------------------------------

def test_csv_cell() -> None:
    for text in ('=HYPERLINK("http://x","点")', "+1", "-2+3", "@SUM(A1)", "  =1+1", "\t1", "\r1", "\n=1", "-1.5"):
        assert csv_cell(text) == "'" + text
    for value in (-1.5, 3, 0.0, None, True, "井陉县", "1-2", "a=b", ""):
        assert csv_cell(value) == value
    assert csv_cell("单位\ud800") == "单位\ufffd"


PROFILE = """name = "county-csv"
title = "公式样的等级名"
form = "department"
[execution]
weight = 10
[weights]
"产出指标" = 40
"效益指标" = 40
"满意度指标" = 10
[[grades]]
name = "=HYPERLINK(\\"http://x\\",\\"等级\\")"
min = 0
"""


def test_rollup_csv_cells_are_never_formulas(tmp_path: Path) -> None:
    folder = tmp_path / "交来的"
    folder.mkdir()
    units = {"=1+1.xlsx": '=HYPERLINK("http://x","点")', "+1.xlsx": "+1", "-2+3.xlsx": "-2+3",
             "@SUM(A1).xlsx": "@SUM(A1)"}
    for name, unit in units.items():
        set_text(template_copy(folder, name), INFO, {"B3": unit})
    # every 自评得分 typed as 0: a self-reported total below the recomputed one (a negative difference)
    low = template_copy(tmp_path, "自评偏低.xlsx")
    edit(low, {INDICATORS: {f"L{r}": 0 for r in range(4, 20)}, INFO: {"B3": "自评偏低单位"}})
    profile = tmp_path / "county.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    result = run("score", str(low), "--profile", str(profile), "-o", str(folder / "自评偏低.scored.xlsx"))
    assert result.exit_code in (0, 1), result.output

    out = tmp_path / "汇总.csv"
    result = run("rollup", str(folder), "--csv", str(out))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    by_file = {row[header.index("文件")]: dict(zip(header, row, strict=True)) for row in body}
    for name, unit in units.items():
        row = by_file["'" + name]
        assert row["单位名称"] == "'" + unit
    scored = by_file["自评偏低.scored.xlsx"]
    assert scored["等级"] == "'=HYPERLINK(\"http://x\",\"等级\")"
    assert float(scored["自报−重算"]) < 0 and not scored["自报−重算"].startswith("'")  # a number stays one
    for row in body:
        for value in row:
            if value[:1] in ("\t", "\r") or value.lstrip()[:1] in ("=", "+", "@", "-"):
                float(value)  # only a number may start so
