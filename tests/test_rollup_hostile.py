"""rollup survives any file: one that makes the reader allocate without bound, hangs, kills its
worker or is not a file at all; a folder that loops or cannot be listed; names that carry control
characters, bidi overrides or lone surrogates. Every hostile input is built here, from the
example template; nothing is stored.

How the hangs and deaths are made, honestly, across processes: a test cannot monkeypatch code in
a worker, so `summarize_all(task=…)` takes the function the workers run, and `_hostile_task`
below (a module-level function, sent to the workers by name) hangs, dies or over-allocates for
files whose names say so and reads every other file with the real summarize. The one real hang of
the real reader is a FIFO, which blocks open() until a writer comes: collect() never hands one over,
so a test swaps a listed file for a FIFO after the listing (the race a busy shared folder has).
"""
from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from rich import parts as _parts
from selfeval_xl.api import rollup
from selfeval_xl.cli.app import main
from selfeval_xl.county import rollup as county
from selfeval_xl.county.rollup import (
    DIED,
    NOT_REGULAR,
    OUT_OF_MEMORY,
    SYMLINK_LOOP,
    build,
    clean_text,
    collect,
    summarize,
    summarize_all,
    timed_out,
)
from test_trust_reader import write_parts as _write
from workbooks import template_copy

UNIT = "井陉县南障城镇人民政府"
POSIX = os.name == "posix"
needs_posix = pytest.mark.skipif(not POSIX, reason="FIFOs, symlinks and rlimits are POSIX")
BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


# --- hostile files, built from the template -------------------------------------------------------

def _rewrite(source: Path, target: Path, part: str, edit) -> Path:
    parts = _parts(source)
    parts[part] = edit(parts[part].decode("utf-8")).encode("utf-8")
    return _write(parts, target)


def unit_copies(example: Path, targets: list[tuple[Path, str]]) -> None:
    """Copies of the example, each with its own 单位名称 (the same unit twice is a duplicate, dropped)."""
    parts = _parts(example)
    shared = parts["xl/sharedStrings.xml"]
    assert UNIT.encode() in shared
    for target, unit in targets:
        _write({**parts, "xl/sharedStrings.xml": shared.replace(UNIT.encode(), unit.encode())}, target)


def far_away_cell(folder: Path, name: str = "远处单元格.xlsx") -> Path:
    """The example with one more cell, at XFD1048576 of 绩效指标, and a dimension that says so: a
    reader that allocates up to the farthest cell asks for hundreds of GB."""
    source = template_copy(folder, f".src-{name}")

    def edit(xml: str) -> str:
        xml = xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
        return re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)

    path = _rewrite(source, folder / name, "xl/worksheets/sheet4.xml", edit)  # sheet4: 绩效指标
    source.unlink()
    return path


def unit_named(folder: Path, name: str, raw: str) -> Path:
    """The example with 基本信息!B3 (单位名称) written raw into the sheet XML (may hold _xHHHH_ escapes)."""
    source = template_copy(folder, f".src-{name}")
    # the shared-string index moves whenever the template gains a string (a profile, a guide line)
    cell = re.compile(r'<c r="B3" s="6" t="s"><v>\d+</v></c>')

    def edit(xml: str) -> str:
        assert cell.search(xml), "the template's 单位名称 cell moved: update this test"
        return cell.sub(lambda _: f'<c r="B3" s="6" t="inlineStr"><is><t>{raw}</t></is></c>', xml, count=1)

    path = _rewrite(source, folder / name, "xl/worksheets/sheet2.xml", edit)
    source.unlink()
    return path


def _hostile_task(path: str) -> dict[str, object]:
    """What the workers run in these tests: the real summarize, except for files named to misbehave."""
    name = Path(path).name
    if name.startswith("挂起"):
        Path(path).with_suffix(".pid").write_text(str(os.getpid()))
        time.sleep(3600)
    if name.startswith("生子"):  # a worker that started a process of its own, as the legacy reader does
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
        Path(path).with_suffix(".child").write_text(str(child.pid))
        time.sleep(3600)
    if name.startswith("被杀"):
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    if name.startswith("报错"):
        raise ValueError("a reader's own error")
    if name.startswith("贪心"):
        hoard = bytearray(1024 ** 3)  # 1 GiB: past the 256 MiB the test allows
        hoard[-1] = 1
    return summarize(path)


def _rows_by_file(rows: list[dict]) -> dict[str, dict]:
    by_file = {row["file"]: row for row in rows}
    assert len(by_file) == len(rows)
    return by_file


def _read_fine(row: dict, unit: str = UNIT) -> bool:
    return row.get("unit") == unit and not row.get("note")


# --- workers: time limit, memory limit, a worker that dies -------------------------------------------

def test_a_hanging_read_times_out_and_its_worker_is_killed(tmp_path: Path) -> None:
    files = [template_copy(tmp_path, "甲.xlsx"), template_copy(tmp_path, "挂起.xlsx"),
             template_copy(tmp_path, "乙.xlsx"), template_copy(tmp_path, "丙.xlsx")]
    start = time.monotonic()
    rows = summarize_all(files, workers=2, file_timeout=1.5, task=_hostile_task)
    assert time.monotonic() - start < 15
    by_file = _rows_by_file(rows)
    assert by_file["挂起.xlsx"]["note"] == "读取超时（超过 1.5 秒），已跳过" == timed_out(1.5)
    assert all(_read_fine(by_file[n]) for n in ("甲.xlsx", "乙.xlsx", "丙.xlsx"))
    pid = int((tmp_path / "挂起.pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped, not left sleeping
    assert multiprocessing.active_children() == []


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie waits for init to reap it; it runs nothing


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_timed_out_worker_is_killed_with_what_it_started(tmp_path: Path) -> None:
    rows = summarize_all([template_copy(tmp_path, "生子.xlsx")], workers=1, file_timeout=1, task=_hostile_task)
    assert rows[0]["note"] == "读取超时（超过 1 秒），已跳过"
    assert not _running(int((tmp_path / "生子.child").read_text()))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG and /proc are Linux")
def test_the_workers_die_with_the_rollup(tmp_path: Path) -> None:
    """Workers have a process group of their own (to be killed with their children), so a terminal's
    hang-up no longer reaches them: they die with the process that started them instead."""
    hanging = template_copy(tmp_path, "挂起.xlsx")
    code = ("import sys; from pathlib import Path; from test_rollup_hostile import _hostile_task; "
            "from selfeval_xl.county.rollup import summarize_all; "
            f"summarize_all([Path({str(hanging)!r})], workers=1, file_timeout=600, task=_hostile_task)")
    tests = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests.parent), str(tests)])}
    parent = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        pid_file = tmp_path / "挂起.pid"
        deadline = time.monotonic() + 20
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline and parent.poll() is None, "the worker never started"
            time.sleep(0.05)
        worker = int(pid_file.read_text())
        assert _running(worker)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(worker)


def test_one_file_runs_under_the_same_limits(tmp_path: Path) -> None:
    rows = summarize_all([template_copy(tmp_path, "挂起.xlsx")], workers=1, file_timeout=0.5, task=_hostile_task)
    assert [row["note"] for row in rows] == ["读取超时（超过 0.5 秒），已跳过"]


def test_a_worker_killed_by_the_os_is_found_and_the_files_in_flight_are_read_again(tmp_path: Path) -> None:
    names = ["被杀1.xlsx", *[f"单位{i}.xlsx" for i in range(6)], "被杀2.xlsx", "单位6.xlsx"]
    files = [template_copy(tmp_path, n) for n in names]
    rows = summarize_all(files, workers=2, file_timeout=30, task=_hostile_task)
    by_file = _rows_by_file(rows)
    assert by_file["被杀1.xlsx"]["note"] == by_file["被杀2.xlsx"]["note"] == DIED
    assert DIED == "读取时进程异常退出（可能内存不足或文件损坏），已跳过"
    assert [n for n in names if _read_fine(by_file[n])] == [n for n in names if not n.startswith("被杀")]
    assert [row["file"] for row in rows] == names  # rows in the order given
    assert multiprocessing.active_children() == []


def test_small_files_are_batched_and_the_last_ones_read_alone() -> None:
    """Worked by hand: 20 files, 2 workers, batches of 4, the sixth file large. The last 8 go alone so the
    workers finish together; the large one alone, cutting the run of small ones before it."""
    from selfeval_xl.read.sandbox import SMALL_ITEM, plan_batches
    sizes = [1000] * 20
    sizes[5] = SMALL_ITEM + 1
    assert plan_batches(20, 2, 4, sizes) == [(0, 1, 2, 3), (4,), (5,), (6, 7, 8, 9), (10, 11),
                                              (12,), (13,), (14,), (15,), (16,), (17,), (18,), (19,)]
    assert plan_batches(3, 2, 1, None) == [(0,), (1,), (2,)]
    assert plan_batches(5, 2, 4, None) == [(0,), (1,), (2,), (3,), (4,)]


_BATCHED = [f"单位{i}.xlsx" for i in range(12)]  # with one worker and batches of 4: 0–3 and 4–7 batched


@pytest.mark.parametrize("odd, note", [("挂起.xlsx", timed_out(1.5)), ("被杀.xlsx", DIED),
                                       ("报错.xlsx", "无法读取（ValueError）")])
def test_a_file_that_hangs_dies_or_fails_in_a_batch_is_one_row(tmp_path: Path, odd: str, note: str) -> None:
    """The batch of 单位0–3 holds the odd file in place of 单位2: a batch that runs late or loses its
    worker is read again file by file, and the odd file's row says why; every other file is read."""
    names = [odd if i == 2 else name for i, name in enumerate(_BATCHED)]
    files = [template_copy(tmp_path, n) for n in names]
    start = time.monotonic()
    rows = summarize_all(files, workers=1, file_timeout=1.5, task=_hostile_task, batch=4)
    assert time.monotonic() - start < 20
    assert [row["file"] for row in rows] == names
    assert rows[2]["note"] == note
    assert all(_read_fine(row) for i, row in enumerate(rows) if i != 2), rows
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(not POSIX or sys.platform == "darwin", reason="RLIMIT_AS is enforced on Linux and the BSDs")
def test_a_worker_may_not_allocate_past_its_memory_limit(tmp_path: Path) -> None:
    files = [template_copy(tmp_path, "贪心.xlsx"), template_copy(tmp_path, "节俭.xlsx")]
    rows = summarize_all(files, workers=1, memory_limit=256 * 1024 ** 2, task=_hostile_task)
    assert rows[0]["note"] == OUT_OF_MEMORY == "读取所需内存超过上限（可能文件异常），已跳过"
    assert _read_fine(rows[1])


def test_a_far_away_cell_is_one_row_whatever_the_reader_does(tmp_path: Path) -> None:
    """The reader may refuse the file (its own message), read it, or its worker may die or run out of
    time (this module's reasons): the run goes on and the file is one row."""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    far_away_cell(folder)
    unit_copies(template_copy(tmp_path, "example.xlsx"), [(folder / "正常.xlsx", "另一个单位")])
    start = time.monotonic()
    result = rollup([folder], workers=2, file_timeout=5)
    assert time.monotonic() - start < 25
    by_file = _rows_by_file(result.units)
    far = by_file["远处单元格.xlsx"]
    assert far["path"] == "远处单元格.xlsx"
    assert far.get("unit") == UNIT or far["note"] in (DIED, timed_out(5)) or (
        isinstance(far["note"], str) and "远处单元格.xlsx" in far["note"])  # the reader's refusal names the file
    assert _read_fine(by_file["正常.xlsx"], "另一个单位")


# --- what collect() finds, and what it never opens ---------------------------------------------------

@needs_posix
def test_a_fifo_named_like_a_workbook_is_never_opened(tmp_path: Path) -> None:
    folder = tmp_path / "收件箱"
    folder.mkdir()
    os.mkfifo(folder / "管道.xlsx")
    template_copy(folder, "正常.xlsx")
    start = time.monotonic()
    result = rollup([folder, folder / "管道.xlsx"], workers=2, file_timeout=20)
    assert time.monotonic() - start < 10  # opening the FIFO would have waited for the 20 s limit
    by_file = _rows_by_file(result.units)
    assert by_file["管道.xlsx"]["note"] == NOT_REGULAR == "不是普通文件，已跳过"
    assert len(result.units) == 2  # found in the folder and given by name: one row
    assert _read_fine(by_file["正常.xlsx"])


@needs_posix
def test_a_file_turned_into_a_fifo_after_the_listing_times_out(tmp_path: Path) -> None:
    """The real reader on a real FIFO: open() blocks; the time limit ends it. (Should the reader one
    day refuse non-regular files itself, its message belongs here instead of the time-out.)"""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    template_copy(folder, "正常.xlsx")
    swapped = template_copy(folder, "被换成管道.xlsx")

    def swap(total: int) -> None:  # called once the files are listed, before any is read
        swapped.unlink()
        os.mkfifo(swapped)

    result = rollup([folder], workers=2, file_timeout=1, progress=swap)
    by_file = _rows_by_file(result.units)
    assert by_file["被换成管道.xlsx"]["note"] == "读取超时（超过 1 秒），已跳过"
    assert _read_fine(by_file["正常.xlsx"])
    assert multiprocessing.active_children() == []


@needs_posix
def test_symlink_loops_are_walked_once(tmp_path: Path) -> None:
    folder = tmp_path / "收件箱"
    (folder / "乡镇").mkdir(parents=True)
    template_copy(folder / "乡镇", "自评表.xlsx")
    (folder / "回到这里").symlink_to(folder, target_is_directory=True)
    (folder / "乡镇" / "上一级").symlink_to("..", target_is_directory=True)
    (folder / "自指.xlsx").symlink_to("自指.xlsx")
    (folder / "别名.xlsx").symlink_to(folder / "乡镇" / "自评表.xlsx")  # the same file twice: one row
    (folder / "断链.xlsx").symlink_to(tmp_path / "不存在.xlsx")
    entries = collect([folder])
    assert [(e.shown, e.note) for e in entries] == [
        ("乡镇/自评表.xlsx", ""), ("断链.xlsx", ""), ("自指.xlsx", SYMLINK_LOOP)]
    result = rollup([folder], workers=2)
    by_file = _rows_by_file(result.units)
    assert by_file["自指.xlsx"]["note"] == "符号链接循环，已跳过"
    assert by_file["断链.xlsx"]["note"].startswith("找不到文件")  # the reader's own words
    assert _read_fine(by_file["自评表.xlsx"])


def test_a_folder_that_cannot_be_listed_is_a_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "收件箱"
    locked = folder / "锁住的文件夹"
    locked.mkdir(parents=True)
    template_copy(locked, "看不到.xlsx")
    template_copy(folder, "正常.xlsx")
    (folder / "~$正常.xlsx").write_bytes(b"lock")  # Excel's lock file: a row that says what it is
    (folder / ".~lock.正常.xlsx#").write_bytes(b"lock")
    real_scandir = os.scandir

    def refuse(path):  # as root chmod 000 does not stop a listing: refuse it here (collect runs in-process)
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(county.os, "scandir", refuse)
    result = rollup([folder], workers=1)
    by_file = _rows_by_file(result.units)
    assert set(by_file) == {"锁住的文件夹", "正常.xlsx", "~$正常.xlsx"}  # LibreOffice's lock file left out
    assert by_file["~$正常.xlsx"]["note"] == (
        "文件 ~$正常.xlsx 是 Excel/WPS 打开 正常.xlsx 时在旁边生成的锁定文件（只记录打开者的用户名），不是工作簿本身："
        "请改选同一文件夹中的 正常.xlsx；在 Excel/WPS 中关闭该工作簿后，这个锁定文件会自动消失。")
    assert by_file["锁住的文件夹"]["note"] == "无法读取文件夹（没有权限），已跳过"
    assert by_file["锁住的文件夹"]["path"] == "锁住的文件夹"


# --- strings that reach the .xlsx, CSV and JSON -----------------------------------------------------

def test_clean_text() -> None:
    assert clean_text("\x1b]0;pwned\x07") == "]0;pwned"
    assert clean_text("单位\ud800") == "单位\ufffd"
    assert clean_text("A\u202eB\u2066C\u2069D\u202aE") == "ABCDE"
    assert clean_text("\x00a\x0bb\x7fc\x85d\ufffe") == "abcd"
    assert clean_text("第一行\n第二行\t") == "第一行\n第二行\t"
    assert clean_text("第一行\n第二行\t", 200, name=True) == "第一行 第二行 "
    long = clean_text("字" * 40_000)
    assert len(long) == 32_767 and long.endswith("…")
    emoji = clean_text("😀" * 20_000)  # two UTF-16 code units each: Excel counts those
    assert len(emoji.encode("utf-16-le")) // 2 <= 32_767 and emoji.endswith("…")
    assert len(clean_text("名" * 300, 200, name=True)) == 200
    assert clean_text("井陉县") == "井陉县"


def _assert_clean(text: str) -> None:
    assert not BAD_CHARS.search(text), repr(BAD_CHARS.search(text))


def test_hostile_names_are_cleaned_in_every_output(tmp_path: Path) -> None:
    folder = tmp_path / "收件箱"
    folder.mkdir()
    unit_named(folder, "终端转义.xlsx", "_x001B_]0;pwned_x0007_")
    unit_named(folder, "孤立代理.xlsx", "_xD800_")
    unit_named(folder, "反向.xlsx", "\u202e" + "长" * 300)
    if POSIX and sys.platform != "darwin":  # a GBK name from a zip: not UTF-8, so lone surrogates in Python
        shutil.copyfile(template_copy(tmp_path, "gbk.xlsx"), os.fsencode(folder) + "/国标名.xlsx".encode("gbk"))
    out, out_csv = tmp_path / "汇总.xlsx", tmp_path / "汇总.csv"
    result = CliRunner().invoke(main, ["rollup", str(folder), "-o", str(out), "--csv", str(out_csv), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    units = _rows_by_file(data["units"])
    assert units["终端转义.xlsx"]["unit"] == "]0;pwned"
    assert units["孤立代理.xlsx"]["unit"] in ("_xD800_", "\ufffd")  # kept as written, or decoded and replaced
    assert units["反向.xlsx"]["unit"] == "长" * 199 + "…"
    if "国标名.xlsx" in units:
        assert units["国标名.xlsx"]["path"] == "国标名.xlsx" and units["国标名.xlsx"]["unit"] == UNIT
    csv_text = out_csv.read_bytes().decode("utf-8-sig")  # strict: a lone surrogate could not even be written
    _assert_clean(csv_text)
    assert "]0;pwned" in csv_text
    header = next(csv.reader(io.StringIO(csv_text)))
    assert header[:7] == ["单位名称", "重算总分", "等级", "校验", "错误数", "预算执行率", "说明"]
    assert header[-2:] == ["文件", "路径"]
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            xml = z.read(name).decode("utf-8")
            _assert_clean(xml)
            assert "_x001B_" not in xml and "_x0007_" not in xml
    sheet = openpyxl.load_workbook(out)["汇总"]
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "]0;pwned" in values and "长" * 199 + "…" in values


def test_build_cleans_rows_that_come_from_anywhere() -> None:
    rows = [{"file": "a\ud800.xlsx", "path": "x/\x1b[2Ja.xlsx", "mtime": 0.0, "note": "说明\u202e" + "长" * 40_000},
            {"file": "b.xlsx", "path": "b.xlsx", "mtime": 0.0, "unit": "单位\x07", "year": 2025, "note": "",
             "indicators": [{"key": "k", "name": "指标\u2066", "area": "", "cell": "绩效指标!H6",
                             "weight_cell": "绩效指标!K6", "target_text": "\x1b", "target": None, "op": None,
                             "weight": 2.0}]}]
    result = build(rows)
    text = json.dumps(result.to_json(), ensure_ascii=False)
    _assert_clean(text)
    by_file = _rows_by_file(result.units)
    assert by_file["a\ufffd.xlsx"]["path"] == "x/[2Ja.xlsx"
    assert len(by_file["a\ufffd.xlsx"]["note"]) == 32_767
    assert by_file["b.xlsx"]["unit"] == "单位" and by_file["b.xlsx"]["indicators"][0]["name"] == "指标"


# --- all of it at once -----------------------------------------------------------------------------

def reader_hostile_files(example: Path, folder: Path) -> int:
    """The files of the reader's trust tests, made again here: each must be one row. Returns how many."""
    from test_trust_reader import add_rows, prefixed, with_sheet

    def source(name: str) -> Path:  # each its own unit, so none is taken for another's resubmission
        path = folder.parent.parent / f"源-{name}"  # outside the folder rolled up
        unit_copies(example, [(path, f"可疑单位-{name}")])
        return path

    def j4(body: str):
        cell = rb'<c r="J4"([^>]*?)(?:/>|>.*?</c>)'
        return lambda xml: re.sub(cell, b'<c r="J4"\\1>' + body.encode() + b"</c>", xml, count=1, flags=re.S)

    chain = "".join(f'<row r="{200 + n}"><c r="Z{200 + n}"><f>Z{201 + n}+1+Z{201 + n}+1</f></c></row>'
                    for n in range(20))
    with_sheet(source("链"), folder / "公式链.xlsx", "绩效指标", lambda xml: j4("<f>Z200</f>")(add_rows(xml, chain)))
    tags = b'<sheetData><row r="1" x="' + b'<c r="Z1" ' * 2000 + b'"/>'
    with_sheet(source("标签"), folder / "属性里的标签.xlsx", "绩效指标",
               lambda xml: xml.replace(b"<sheetData>", tags, 1))
    with_sheet(source("前缀"), folder / "前缀写法.xlsx", "绩效指标", prefixed)
    with_sheet(source("外部"), folder / "外部链接.xlsx", "绩效指标", j4("<f>[1]Sheet1!A1</f><v>100</v>"))
    (folder / "损坏.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 16)
    with zipfile.ZipFile(example) as zin, zipfile.ZipFile(folder / "重复部件.xlsx", "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            zout.writestr("xl/styles.xml", zin.read("xl/styles.xml"))
    return 6


def test_three_hundred_files_with_every_hostile_one(tmp_path: Path) -> None:
    folder = tmp_path / "全县"
    example = template_copy(tmp_path, "example.xlsx")
    copies = []
    for i in range(284):  # 284 units, every file called 自评表.xlsx: the 路径 column tells them apart
        unit = folder / f"乡镇{i // 20:02d}" / f"单位{i:03d}"
        unit.mkdir(parents=True)
        copies.append((unit / "自评表.xlsx", f"第{i:03d}单位"))
    unit_copies(example, copies)
    hostile = folder / "可疑"
    hostile.mkdir()
    far_away_cell(hostile)
    unit_named(hostile, "终端转义.xlsx", "_x001B_]0;pwned_x0007_")
    unit_named(hostile, "孤立代理.xlsx", "_xD800_")
    (hostile / "损坏.xlsx").write_bytes(b"PK\x03\x04 not really")
    (hostile / "空.xlsx").write_bytes(b"")
    (hostile / "~$自评表.xlsx").write_bytes(b"lock")  # a lock file without its workbook: a row
    expected = 290 + reader_hostile_files(example, hostile)
    if POSIX:
        os.mkfifo(hostile / "管道.xlsx")
        (hostile / "自指.xlsx").symlink_to("自指.xlsx")
        (hostile / "回环").symlink_to(folder, target_is_directory=True)
        expected += 2
    unit_copies(example, [(hostile / f"补足{i}.xlsx", f"补足单位{i}")  # 300 rows where FIFOs and symlinks
                          for i in range(300 - expected)])  # cannot be made
    out, out_csv = tmp_path / "汇总.xlsx", tmp_path / "汇总.csv"
    start = time.monotonic()
    result = CliRunner().invoke(main, ["rollup", str(folder), "-o", str(out), "--csv", str(out_csv), "--json",
                                       "--timeout", "5"])
    elapsed = time.monotonic() - start
    assert result.exit_code == 0, result.output
    assert elapsed < 28, elapsed
    units = json.loads(result.stdout)["units"]
    assert len(units) == 300
    paths = [u["path"] for u in units]
    assert len(set(paths)) == 300
    assert sum(1 for p in paths if p.endswith("/自评表.xlsx")) == 284
    by_path = {u["path"]: u for u in units}
    assert by_path[os.path.join("乡镇07", "单位145", "自评表.xlsx")]["unit"] == "第145单位"
    assert all(_read_fine(by_path[p], by_path[p]["unit"]) and by_path[p]["unit"].endswith("单位")
               for p in paths if p.endswith("/自评表.xlsx"))  # not 可疑/~$自评表.xlsx, the lock file

    def hostile_row(name: str) -> dict:
        return by_path[os.path.join("可疑", name)]

    assert hostile_row("损坏.xlsx")["note"] and hostile_row("空.xlsx")["note"]  # the reader's own words
    assert "同一文件夹中没有 自评表.xlsx" in hostile_row("~$自评表.xlsx")["note"]
    assert "已损坏" in hostile_row("属性里的标签.xlsx")["note"]
    assert "出现了两次" in hostile_row("重复部件.xlsx")["note"]
    assert "不是可读的Excel 97-2003（.xls）工作簿" in hostile_row("损坏.xls")["note"]
    assert hostile_row("前缀写法.xlsx")["total"] == 98.4  # read like the plain spelling
    assert hostile_row("外部链接.xlsx")["warnings"] >= 1
    assert hostile_row("终端转义.xlsx")["unit"] == "]0;pwned"
    assert hostile_row("孤立代理.xlsx")["unit"] in ("_xD800_", "\ufffd")
    if POSIX:
        assert hostile_row("管道.xlsx")["note"] == "不是普通文件，已跳过"
        assert hostile_row("自指.xlsx")["note"] == "符号链接循环，已跳过"
    far = hostile_row("远处单元格.xlsx")
    assert far.get("unit") == UNIT or far["note"] in (DIED, timed_out(5)) or "远处单元格.xlsx" in far["note"]
    assert len(list(csv.reader(io.StringIO(out_csv.read_bytes().decode("utf-8-sig"))))) == 301
    assert openpyxl.load_workbook(out, read_only=True)["汇总"].max_row == 303  # title, blank, header, 300
    assert multiprocessing.active_children() == []


def test_a_pool_that_breaks_as_a_file_is_handed_over_loses_no_file(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # A worker may die between the wait and the next submit: the pool then refuses the file itself.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from selfeval_xl.read import sandbox as workers

    class BreaksOnThirdSubmit(ProcessPoolExecutor):
        submitted = 0

        def submit(self, fn, /, *args, **kwargs):
            BreaksOnThirdSubmit.submitted += 1
            if BreaksOnThirdSubmit.submitted == 3:
                raise BrokenProcessPool("a worker died")
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", BreaksOnThirdSubmit)
    names = [f"单位{i}.xlsx" for i in range(6)]
    files = [template_copy(tmp_path, n) for n in names]
    rows = summarize_all(files, workers=2, file_timeout=30)
    assert [row["file"] for row in rows] == names
    assert all(_read_fine(row) for row in rows), rows
    assert multiprocessing.active_children() == []
