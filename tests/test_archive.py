"""The county's archive (docs/archive.md) on a three-year inbox made from the template, on SQLite and, where
CI starts one (SELFEVAL_TEST_POSTGRES), on a real PostgreSQL.

Units (the example's numbers; worked by hand):
  南障城镇 2023: the example, total 98.40 (监督工作任务完成率 ≥100%, actual 96%: 4 × 96/100 = 3.84 of 4).
  南障城镇 2024: that target lowered to 90, below the 96 achieved in 2023: the row scores 4, 产出指标 39.44 + 0.16,
                 total 98.56.
  南障城镇 2025: the example again (target 100): 98.40, 0.16 below 2024; 100 is not below 2024's 96.
  测试乡 2024: the example under another name, 98.40.
  测试乡 2025: the same with a 自评得分 of 4 on 监督工作任务完成率, which scores 3.84: one self-score above.
  评分乡 2025: scored, then J7 changed from 100 to 90 in the scored copy: changed after scoring.
The example itself, filed two years running, sets five targets below what it achieved the year before (rows 11,
15, 16, 17, 19: 信访案件落实率 ≥95% after 98%; 群众满意度 ≥90% after 95, 93 and 96 in three 工作分项 (the fourth,
农林水, achieved 88); 退役军人满意度 ≥90% after 97%): 5 × 10 points, capped at 30. Risk (docs/archive.md): 评分乡 40
(changed after scoring; no earlier year), 测试乡 30 + 5 (one self-score above) = 35, 南障城镇 30.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from selfeval_xl.api import archive_add, archive_review, score
from selfeval_xl.cli.app import main
from selfeval_xl.county import archive_store
from selfeval_xl.errors import SelfevalError
from workbooks import edit, template_copy

POSTGRES = os.environ.get("SELFEVAL_TEST_POSTGRES", "")
ROOT = Path(__file__).resolve().parents[1]


def _unit(folder: Path, name: str, unit: str, year: int, changes: dict | None = None, mtime: float = 0) -> Path:
    path = template_copy(folder, name)
    edit(path, {"基本信息": {"B3": unit, "B5": year}, **(changes or {})})
    if mtime:
        os.utime(path, (mtime, mtime))
    return path


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    base = time.time() - 10 * 86400
    _unit(folder, "南障城镇2023.xlsx", "井陉县南障城镇人民政府", 2023, mtime=base)
    _unit(folder, "南障城镇2024.xlsx", "井陉县南障城镇人民政府", 2024, {"绩效指标": {"H6": 90}}, mtime=base + 1)
    _unit(folder, "南障城镇2025.xlsx", "井陉县南障城镇人民政府", 2025, mtime=base + 2)
    _unit(folder, "测试乡2024.xlsx", "测试乡人民政府", 2024, mtime=base + 3)
    _unit(folder, "测试乡2025.xlsx", "测试乡人民政府", 2025, {"绩效指标": {"L6": 4}}, mtime=base + 4)
    source = _unit(tmp_path_factory.mktemp("scoring"), "评分乡.xlsx", "评分乡人民政府", 2025)
    scored = folder / "评分乡2025.xlsx"
    score(source, scored)
    _replace_in_sheet(scored, "xl/worksheets/sheet4.xml", rb'(<c r="J7"[^>]*>)<v>100</v>', rb"\1<v>90</v>")
    os.utime(scored, (base + 5, base + 5))
    (folder / "坏.xlsx").write_bytes(b"not a workbook")
    return folder


def _replace_in_sheet(path: Path, part: str, pattern: bytes, new: bytes) -> None:
    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename == part:
                data, count = re.subn(pattern, new, data)
                assert count == 1
            zout.writestr(info, data)


@pytest.fixture(params=["sqlite", "postgresql"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty archive: a new SQLite file, or the test PostgreSQL database emptied."""
    if request.param == "sqlite":
        return str(tmp_path / "县档案.sqlite")
    if not POSTGRES:
        if os.environ.get("CI"):
            pytest.fail("CI runs the archive tests on PostgreSQL: SELFEVAL_TEST_POSTGRES is not set (.ci/run)")
        pytest.skip("no PostgreSQL to test on: set SELFEVAL_TEST_POSTGRES=postgresql://user:password@host/db")
    engine = archive_store._engine(archive_store.database_url(POSTGRES)[0])
    with engine.begin() as conn:
        archive_store.metadata.drop_all(conn)
    engine.dispose()
    return POSTGRES


def test_the_inbox_is_stored_unit_year_by_unit_year(archive: str, inbox: Path) -> None:
    added = archive_add(archive, [inbox], workers=1)
    assert (added.stored, added.already) == (7, 0)  # six workbooks and the unreadable one
    assert [(Path(f).name, "文本" in why) for f, why in added.unreadable] == [("坏.xlsx", True)]
    store = archive_store.open_archive(archive, create=False)
    try:
        assert archive_store.counts(store) == {"current": 6, "history": 0, "unreadable": 1}
        rows = {(r["unit"], r["year"]): r for r in archive_store.current_year(store, 2024)}
    finally:
        store.engine.dispose()
    nan = rows[("井陉县南障城镇人民政府", 2024)]
    assert (nan["total"], nan["grade"], nan["valid"], nan["verify_state"]) == ("98.56", "优秀", True, "unscored")
    lowered = next(i for i in nan["indicators"] if i["name"] == "监督工作任务完成率")
    assert (lowered["target_value"], lowered["target_unit"], lowered["score"]) == ("90", "%", "4.00")
    # adding the same files again stores nothing: each file is one record; the unreadable one is read again (it may
    # have timed out, or need a profile given now) and stored in its own place
    again = archive_add(archive, [inbox], workers=1)
    assert (again.stored, again.retried, again.already) == (1, 1, 6)
    store = archive_store.open_archive(archive, create=False)
    try:
        assert archive_store.counts(store) == {"current": 6, "history": 0, "unreadable": 1}
    finally:
        store.engine.dispose()


def test_the_review_finds_what_was_worked_by_hand(archive: str, inbox: Path, tmp_path: Path) -> None:
    archive_add(archive, [inbox], workers=1)
    review = archive_review(archive, 2025, tmp_path / "复核.xlsx")
    assert [(u.unit, u.risk) for u in review.units] == [
        ("评分乡人民政府", 40), ("测试乡人民政府", 35), ("井陉县南障城镇人民政府", 30)]
    nan = review.units[2]
    assert (str(nan.total), str(nan.last_total), str(nan.total_change)) == ("98.40", "98.56", "-0.16")
    repeated = [("信访案件落实率", "95", "98"), ("群众满意度", "90", "95"), ("群众满意度", "90", "93"),
                ("群众满意度", "90", "96"), ("退役军人满意度", "90", "97")]
    assert [(t.name, t.target, t.last_actual) for t in review.lowered if t.unit == "井陉县南障城镇人民政府"] == repeated
    assert [(s.unit, s.name, str(s.self_score), str(s.score)) for s in review.self_above] == [
        ("测试乡人民政府", "监督工作任务完成率", "4", "3.84")]
    assert review.units[0].verified.startswith("已改动") and review.units[0].last_total is None
    last_year = archive_review(archive, 2024)
    # 2024 against 2023: the lowered 监督工作任务完成率 (90 after 96), then the example's five
    assert [(t.unit, t.name, t.target, str(t.target_value), t.last_actual, str(t.last_value))
            for t in last_year.lowered][0] == ("井陉县南障城镇人民政府", "监督工作任务完成率", "90", "90", "96", "96")
    assert [(t.name, t.target, t.last_actual) for t in last_year.lowered][1:] == repeated
    assert [(u.unit, u.risk, str(u.total_change)) for u in last_year.units] == [
        ("井陉县南障城镇人民政府", 30, "0.16"), ("测试乡人民政府", 0, "None")]
    assert (tmp_path / "复核.xlsx").stat().st_size > 0


def _oracle_sample(units: list[tuple[str, int]], size: int, seed: int) -> list[str]:
    """The documented draw, written out again: keys u^(1/(risk+1)) in name order, the largest taken."""
    rng = random.Random(seed)
    keyed = sorted(((rng.random() ** (1 / (risk + 1)), name) for name, risk in sorted(units)), reverse=True)
    return [name for _, name in keyed[:size]]


def test_the_sample_is_drawn_by_risk_and_reproduced_by_its_seed(archive: str, inbox: Path) -> None:
    archive_add(archive, [inbox], workers=1)
    for seed in (1, 7, 2025):
        drawn = [u.unit for u in archive_review(archive, 2025, sample=2, seed=seed).sample]
        assert drawn == [u.unit for u in archive_review(archive, 2025, sample=2, seed=seed).sample]
        assert drawn == _oracle_sample([("评分乡人民政府", 40), ("测试乡人民政府", 35), ("井陉县南障城镇人民政府", 30)],
                                       2, seed)


def test_a_newer_submission_supersedes_the_older_which_stays_as_history(archive: str, inbox: Path,
                                                                        tmp_path: Path) -> None:
    archive_add(archive, [inbox], workers=1)
    newer = _unit(tmp_path, "南障城镇2025（更正）.xlsx", "井陉县南障城镇人民政府", 2025, {"绩效指标": {"J6": 100}})
    older = _unit(tmp_path, "南障城镇2025（旧）.xlsx", "井陉县南障城镇人民政府", 2025, {"绩效指标": {"J6": 98}},
                  mtime=time.time() - 30 * 86400)
    archive_add(archive, [newer, older], workers=1)
    store = archive_store.open_archive(archive, create=False)
    try:
        assert archive_store.counts(store) == {"current": 6, "history": 2, "unreadable": 1}
        current = [r for r in archive_store.current_year(store, 2025) if r["unit"] == "井陉县南障城镇人民政府"]
    finally:
        store.engine.dispose()
    # J6 100 against ≥100: 4 of 4, so 98.56 as in 2024
    assert [(r["file_name"], r["total"]) for r in current] == [("南障城镇2025（更正）.xlsx", "98.56")]


def test_words_from_a_workbook_reach_the_database_as_values(archive: str, tmp_path: Path) -> None:
    name = "x'); DROP TABLE submissions; --"
    archive_add(archive, [_unit(tmp_path, "注入.xlsx", name, 2025)], workers=1)
    store = archive_store.open_archive(archive, create=False)
    try:
        assert [r["unit"] for r in archive_store.current_year(store, 2025)] == [name]
    finally:
        store.engine.dispose()


def test_a_damaged_foreign_or_newer_archive_is_refused_in_chinese(tmp_path: Path, inbox: Path) -> None:
    damaged = tmp_path / "坏档案.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    foreign = tmp_path / "别的.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    newer = tmp_path / "新版.sqlite"
    archive_add(str(newer), [inbox / "南障城镇2023.xlsx"], workers=1)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE archive_meta SET value = '99' WHERE key = 'schema_version'")
    runner = CliRunner()
    for path, words in ((damaged, "数据库"), (foreign, "不是 selfeval-xl 的档案库"), (newer, "更新版本")):
        before = path.read_bytes()
        result = runner.invoke(main, ["archive", "review", str(path), "--year", "2025", "--json"])
        assert result.exit_code == 2, result.output
        message = json.loads(result.stdout)["error"]["message"]
        assert words in message and "Traceback" not in result.output
        assert not any("a" <= ch.lower() <= "z" for ch in message.replace(str(path), "").replace("selfeval-xl", "")
                       .replace("archive add", "").replace("SQLite", ""))
        assert path.read_bytes() == before  # refused, never written


def test_the_command_line_adds_and_reviews(tmp_path: Path, inbox: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "县档案.sqlite"
    added = runner.invoke(main, ["archive", "add", str(db), str(inbox), "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["stored"] == 7
    out = tmp_path / "复核.xlsx"
    reviewed = runner.invoke(main, ["archive", "review", str(db), "--year", "2025", "-o", str(out),
                                    "--sample", "1", "--seed", "3"])
    assert reviewed.exit_code == 0, reviewed.output
    assert "复核 2025 年度：3 个单位" in reviewed.stdout and out.exists()
    with sqlite3.connect(db) as conn:  # the file is a plain SQLite database a browser opens
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


_ADD = "import sys; from selfeval_xl.api import archive_add; archive_add(sys.argv[1], sys.argv[2:], workers=1)"


def _adder(db: Path | str, files: list[Path]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _ADD, str(db), *map(str, files)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_adds_at_once_lose_no_record(archive: str, inbox: Path) -> None:
    files = sorted(inbox.glob("*.xlsx"))
    # two halves that overlap in one file, started together: the archive is made by whichever comes first
    first, second = _adder(archive, files[:4]), _adder(archive, files[3:])
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    store = archive_store.open_archive(archive, create=False)
    try:
        found = archive_store.counts(store)
    finally:
        store.engine.dispose()
    assert sum(found.values()) == len(files) and found["unreadable"] == 1  # each file once


def test_a_killed_add_keeps_what_it_committed_and_nothing_by_halves(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "县档案.sqlite"
    many = tmp_path / "many"
    many.mkdir()
    source = inbox / "南障城镇2025.xlsx"
    for i in range(40):
        copy = many / f"单位{i:02d}.xlsx"
        shutil.copyfile(source, copy)
        with open(copy, "ab") as handle:  # a byte after the zip's end: another file, read alike
            handle.write(bytes([i]))
    process = _adder(db, [many])
    deadline = time.time() + 60
    while time.time() < deadline:
        if db.exists():
            with sqlite3.connect(db, timeout=30) as conn:
                if conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'submissions'").fetchone()[0] and \
                        conn.execute("SELECT count(*) FROM submissions").fetchone()[0] >= 3:
                    break
        time.sleep(0.05)
    process.kill()  # SIGKILL: no clean-up of any kind
    process.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("SELECT count(*) FROM submissions").fetchone()[0]
        halves = conn.execute("SELECT count(*) FROM submissions s WHERE s.indicator_count != "
                              "(SELECT count(*) FROM indicators i WHERE i.submission_id = s.id)").fetchone()[0]
    assert stored >= 3 and halves == 0
    archive_add(str(db), [many], workers=1)  # the rest, and nothing twice
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM submissions").fetchone()[0] == 40


def test_a_missing_archive_is_not_made_by_a_review(tmp_path: Path) -> None:
    with pytest.raises(SelfevalError, match="找不到档案库"):
        archive_review(str(tmp_path / "无.sqlite"), 2025)
    assert not (tmp_path / "无.sqlite").exists()


def test_an_older_archive_is_migrated_in_place(tmp_path: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "县档案.sqlite"
    archive_add(str(db), [inbox / "南障城镇2023.xlsx"], workers=1)  # made at version 1

    def version_2(conn) -> None:  # a later version's migration: a column added to the submissions
        conn.exec_driver_sql("ALTER TABLE submissions ADD COLUMN reviewer TEXT")

    monkeypatch.setattr(archive_store, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(archive_store.MIGRATIONS, 2, version_2)
    archive_store.open_archive(str(db), create=False).engine.dispose()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM archive_meta WHERE key = 'schema_version'").fetchone()[0] == "2"
        assert conn.execute("SELECT count(reviewer) FROM submissions").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1  # kept


def _project(folder: Path, name: str, project: str) -> Path:
    """The one-sheet official project form (tests/oneform_sample.py) for another project of the same unit."""
    from oneform_sample import write_one_sheet_form
    path = write_one_sheet_form(folder / f"原{name}")
    with zipfile.ZipFile(path) as zin:
        parts = {info.filename: zin.read(info.filename) for info in zin.infolist()}
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
        "南障城镇红色美丽村庄试点文化活动室建设".encode(), project.encode())
    with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as zout:
        for part, data in parts.items():
            zout.writestr(part, data)
    return folder / name


def _current(archive: str, year: int) -> list[tuple[str, str | None, str]]:
    store = archive_store.open_archive(archive, create=False)
    try:
        return sorted((r["unit"], r["project"], r["file_name"]) for r in archive_store.current_year(store, year))
    finally:
        store.engine.dispose()


def test_a_units_projects_each_stay_current(archive: str, tmp_path: Path) -> None:
    files = [_project(tmp_path, "活动室.xlsx", "文化活动室建设"), _project(tmp_path, "道路.xlsx", "村内道路硬化")]
    archive_add(archive, files, workers=1)
    assert sorted((project, name) for _, project, name in _current(archive, 2025)) == sorted(
        [("文化活动室建设", "活动室.xlsx"), ("村内道路硬化", "道路.xlsx")])


def test_supersession_reads_names_as_labels_and_never_depends_on_the_order_of_adding(archive: str,
                                                                                  tmp_path: Path) -> None:
    same_time = time.time() - 86400
    first = _unit(tmp_path, "甲1.xlsx", "甲镇(本级)", 2025, mtime=same_time)
    second = _unit(tmp_path, "甲2.xlsx", "甲镇（本级）", 2025, {"绩效指标": {"J6": 100}}, mtime=same_time)
    archive_add(archive, [second], workers=1)
    archive_add(archive, [first], workers=1)
    # one unit (half- and full-width brackets read alike); on the same time, the later file name (甲2) stays current
    assert [name for _, _, name in _current(archive, 2025)] == ["甲2.xlsx"]


def test_units_without_a_name_never_take_each_others_place(archive: str, tmp_path: Path) -> None:
    files = [_unit(tmp_path, f"无名{i}.xlsx", "", 2025, {"绩效指标": {"J6": 90 + i}}, mtime=time.time() - 100 + i)
             for i in range(2)]
    archive_add(archive, files, workers=1)
    assert [name for _, _, name in _current(archive, 2025)] == ["无名0.xlsx", "无名1.xlsx"]
    review = archive_review(archive, 2025)
    assert sorted(u.unit for u in review.units) == ["（未填单位名称：无名0.xlsx）", "（未填单位名称：无名1.xlsx）"]


def test_what_a_workbook_holds_is_stored_cleaned_on_every_database(archive: str) -> None:
    store = archive_store.open_archive(archive, create=True)
    try:
        entry = {"readable": True, "file_name": os.fsdecode(b"\xc4\xe3\xba\xc3.xlsx"), "unit": "甲\x00镇",
                 "unit_key": "甲镇", "year": 2025, "form": "department", "total": "9" * 60,
                 "indicators": [{"name": "指标\x00一", "name_key": "||指标一", "area": "", "level1": "", "level2": "",
                                 "target": "", "actual": "", "unit": ""}]}
        assert archive_store.store(store, entry, "h" * 64, 0.0)
        row = archive_store.current_year(store, 2025)[0]
    finally:
        store.engine.dispose()
    # a GBK name the system could not decode keeps its place as U+FFFD; NUL (PostgreSQL refuses it) is dropped
    assert (row["unit"], row["total"], row["indicators"][0]["name"]) == ("甲镇", "9" * 60, "指标一")
    assert row["file_name"] == "\ufffd\ufffd\ufffd\ufffd.xlsx"


@pytest.mark.parametrize("url", ["postgresql://u:secret@127.0.0.1:99999999/db", "mysql://u:secret@host/db",
                                 "postgresql://u:secret@[::1/db"])
def test_a_bad_database_address_is_refused_in_chinese_without_its_password(url: str) -> None:
    result = CliRunner().invoke(main, ["archive", "review", "--db", url, "--year", "2025", "--json"])
    assert result.exit_code == 2
    message = json.loads(result.stdout)["error"]["message"]
    assert "secret" not in result.output and "内部错误" not in message
    assert "数据库地址" in message or "无法连接数据库服务器" in message


def test_the_review_never_replaces_a_file_it_did_not_write(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "县档案.xlsx"  # an archive a user named like a workbook
    archive_add(str(db), [inbox / "南障城镇2025.xlsx"], workers=1)
    filled = inbox / "南障城镇2025.xlsx"
    runner = CliRunner()
    for target in (db, filled):
        before = target.read_bytes()
        result = runner.invoke(main, ["archive", "review", str(db), "--year", "2025", "-o", str(target)])
        assert result.exit_code == 2 and target.read_bytes() == before, result.output
    out = tmp_path / "复核.xlsx"
    for _ in range(2):  # its own review it replaces
        assert runner.invoke(main, ["archive", "review", str(db), "--year", "2025", "-o", str(out)]).exit_code == 0
    summary = openpyxl.load_workbook(out)["抽查名单"]
    header = [c.value for c in summary[3]]
    row = {h: c.value for h, c in zip(header, summary[4], strict=True)}
    assert row["重算总分"] == 98.4 and summary.cell(4, header.index("重算总分") + 1).number_format == "0.00"
    assert summary.cell(4, header.index("预算执行率") + 1).number_format == "0.00%"
    # a year without units, and a seed without a sample, are said, not passed over
    empty = runner.invoke(main, ["archive", "review", str(db), "--year", "2019", "-o", str(out)])
    assert empty.exit_code == 2 and "没有 2019 年度的单位" in empty.stderr
    seed = runner.invoke(main, ["archive", "review", str(db), "--year", "2025", "--json", "--seed", "3"])
    assert seed.exit_code == 2 and "--sample" in seed.stderr


def test_a_published_project_form_is_compared_across_years_with_its_units(archive: str, tmp_path: Path) -> None:
    # The one-sheet official project form (财预〔2020〕10号 附件1, tests/oneform_sample.py) filed for 2024, then for
    # 2025 with the beneficiaries' target lowered to ≥2000人. Against 2024's actuals (2栋, 100%, 41.5万元, 2700人,
    # 95%): 受益群众人数 ≥2000人 < 2700人; 项目总成本 ≤43.2万元 is a ≤ target above last year's 41.5万元;
    # 群众满意度 ≥90% < 95%. Three findings, 3 × 10 = 30; nothing else (2栋 after 2栋, =100% after 100%).
    last = _project(tmp_path, "活动室2024.xlsx", "南障城镇红色美丽村庄试点文化活动室建设")
    _replace_in_sheet(last, "xl/sharedStrings.xml", "（2025年度）".encode(), "（2024年度）".encode())
    this = _project(tmp_path, "活动室2025.xlsx", "南障城镇红色美丽村庄试点文化活动室建设")
    _replace_in_sheet(this, "xl/sharedStrings.xml", "≥3000人".encode(), "≥2000人".encode())
    archive_add(archive, [last, this], workers=1)
    review = archive_review(archive, 2025)
    assert [(u.project, u.risk) for u in review.units] == [("南障城镇红色美丽村庄试点文化活动室建设", 30)]
    assert [(t.name, t.target, t.last_actual, str(t.target_value), str(t.last_value)) for t in review.lowered] == [
        ("指标3：项目总成本", "≤43.2万元", "41.5万元", "43.2", "41.5"),
        ("指标1：受益群众人数", "≥2000人", "2700人", "2000", "2700"),
        ("指标1：群众满意度", "≥90%", "95%", "90", "95")]
