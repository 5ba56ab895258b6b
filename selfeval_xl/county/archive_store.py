"""The county's archive on a database (docs/archive.md): its schema, opening it (SQLite by default, PostgreSQL
from a URL), its schema version and migrations, storing one unit-year, and reading a year back.

SQLAlchemy Core, not an ORM: the schema is declared once and runs on both databases, every value reaches SQL
as a bound parameter, and the rows come back as plain tuples the review reads. Amounts and scores are stored
as their exact decimal text (98.40, 5042799.97): no float ever stands between the rules and the archive.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from selfeval_xl.errors import SelfevalError
from selfeval_xl.formatting import clean_text

SCHEMA_VERSION = 1
BUSY_SECONDS = 60  # how long an add waits for another add's transaction before it gives up
EXACT = Text  # a decimal's text, however long (the rules' Decimal, never a float)

metadata = MetaData()
archive_meta = Table(
    "archive_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_hash", String(64), nullable=False, unique=True),  # SHA-256 of the file's bytes
    Column("file_name", Text, nullable=False),
    Column("file_mtime", Float, nullable=False),
    Column("added_at", String(32), nullable=False),  # UTC, ISO 8601
    Column("readable", Boolean, nullable=False),
    Column("note", Text, nullable=False),  # why an unreadable file could not be read
    Column("unit", Text), Column("department", Text), Column("year", Integer), Column("form", String(16)),
    # the unit's name as compared (label-folded: 甲镇(本级) is 甲镇（本级）), and a project form's 项目名称: with the
    # year and form, what one submission supersedes another by
    Column("unit_key", Text), Column("project", Text),
    Column("profile", Text), Column("weights_from", String(16)), Column("unit_profile", Text),
    Column("total", EXACT), Column("typed_total", EXACT), Column("grade", Text), Column("valid", Boolean),
    Column("budget", EXACT), Column("executed", EXACT), Column("rate", EXACT), Column("execution_score", EXACT),
    Column("errors", Integer), Column("warnings", Integer),
    Column("verified", Text), Column("verify_state", String(16)), Column("fingerprint", String(128)),
    Column("scored_on", String(32)), Column("input_hash", String(64)),
    Column("indicator_count", Integer, nullable=False),  # what a complete unit-year holds, to check it by
    # the newer submission of the same unit, year and form that took this one's place (NULL: the current one)
    Column("superseded_by", Integer, ForeignKey("submissions.id")),
)
levels = Table(
    "levels", metadata,
    Column("submission_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", Text, nullable=False), Column("weight", EXACT), Column("score", EXACT),
)
indicators = Table(
    "indicators", metadata,
    Column("submission_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("area", Text, nullable=False),  # 工作分项, where the form has one
    Column("level1", Text, nullable=False), Column("level2", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False),  # 工作分项, first level and name as compared across years
    Column("operator", String(16)), Column("target", Text, nullable=False), Column("target_value", EXACT),
    Column("target_unit", Text), Column("actual", Text, nullable=False), Column("actual_value", EXACT),
    Column("actual_unit", Text), Column("unit", Text, nullable=False),
    Column("weight", EXACT), Column("score", EXACT), Column("self_score", EXACT),
)
findings = Table(
    "findings", metadata,
    Column("submission_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("code", String(40), nullable=False), Column("severity", String(16), nullable=False),
    Column("sheet", Text), Column("cell", String(16)),
)
# The review's questions: a year's current unit-years, a unit's earlier years, an indicator across years.
Index("ix_submissions_year_current", submissions.c.year, submissions.c.superseded_by)
Index("ix_submissions_unit_year", submissions.c.unit_key, submissions.c.year, submissions.c.form)
Index("ix_indicators_name_key", indicators.c.name_key)
Index("ix_findings_code", findings.c.code)

# Each migration takes the archive from the version before it to its own (run in one transaction); the first
# version is made whole by create_all.
MIGRATIONS: dict[int, Any] = {}


@dataclass(frozen=True)
class Archive:
    engine: Engine
    shown: str  # how messages name it: the file, or the database URL without its password
    read_only: bool = False  # a SQLite file on a disk this user cannot write: reviewed, never added to

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One transaction that no other add interleaves with (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
        advisory lock held to the commit)."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7271)")
            yield conn


def database_url(target: str) -> tuple[str, str]:
    """(SQLAlchemy URL, how to name it) for a file path or a postgresql:// URL."""
    if target.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        rest = target.split("://", 1)[1]
        shown = "postgresql://" + (rest.split("@", 1)[1] if "@" in rest else rest)
        return "postgresql+psycopg://" + rest, shown
    if "://" in target:  # the address is not repeated: it may carry a password
        raise SelfevalError("不支持这种数据库地址：请给出 SQLite 文件路径或 postgresql:// 开头的地址。",
                            code="ARCHIVE_UNREADABLE")
    return "sqlite:///" + os.path.abspath(target), target


def open_archive(target: str, *, create: bool) -> Archive:
    """The archive at `target`, made when `create` and it does not exist yet; a damaged file, a database that
    is no archive, or one a newer selfeval-xl made is refused with a Chinese message (exit 2)."""
    url, shown = database_url(target)
    sqlite = url.startswith("sqlite")
    if sqlite and Path(target).is_dir():
        raise SelfevalError(f"{shown} 是文件夹，不是档案库文件：请在文件夹后写上档案库的文件名。",
                            code="ARCHIVE_UNREADABLE")
    if sqlite and not create and not Path(target).is_file():
        raise SelfevalError(f"找不到档案库 {shown}：请先用 archive add 建立。", code="ARCHIVE_UNREADABLE")
    # a review of an archive on a read-only disk (a CD, a share): read as it is, writing nothing beside it either
    folder = Path(target).parent
    read_only = sqlite and not create and not (os.access(target, os.W_OK) and os.access(folder, os.W_OK))
    try:
        engine = _engine(_read_only(url) if read_only else url, read_only=read_only)
    except (ValueError, SQLAlchemyError):
        raise SelfevalError(f"数据库地址格式不对（{shown[:60]}）：应为 postgresql://用户:密码@主机:端口/库名。",
                            code="ARCHIVE_UNREADABLE") from None
    archive = Archive(engine, shown, read_only)
    try:
        made = _prepare(archive, create)
        if made and url.startswith("sqlite"):
            # kept in the file (set once, outside a transaction): readers (a browser, a review) never block an add
            raw = engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA journal_mode = WAL")
            finally:
                raw.close()
    except SelfevalError:
        engine.dispose()
        raise
    except (DBAPIError, SQLAlchemyError, ValueError, OSError) as exc:
        engine.dispose()
        raise SelfevalError(f"无法打开档案库 {shown}：{_reason(exc)}。请确认它是 selfeval-xl 的档案库且没有损坏。",
                            code="ARCHIVE_UNREADABLE") from None
    return archive


def _read_only(url: str) -> str:
    path = url[len("sqlite:///"):]
    return f"sqlite:///file:{quote(path)}?mode=ro&immutable=1&uri=true"


def _engine(url: str, *, read_only: bool = False) -> Engine:
    if not url.startswith("sqlite"):
        import psycopg  # the driver named in the URL, here only: SQLite needs no server's library

        return create_engine(url, module=psycopg, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own BEGIN is deferred: two adds would both read, then fail to write. The transactions
        # are begun below as IMMEDIATE instead, so a second add waits (busy_timeout) for the first.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = FULL")  # a commit is on disk before the next file starts
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


# What the databases say, in the words a county reads (anything else is named by its kind, never in English)
_REASONS = (("file is not a database", "不是 SQLite 数据库文件"), ("malformed", "数据库文件已损坏"),
            ("disk is full", "磁盘已满"), ("no space", "磁盘已满"), ("translate host", "找不到数据库服务器"),
            ("name or service", "找不到数据库服务器"), ("timeout", "连接数据库超时"),
            ("unable to open", "无法打开数据库文件（文件夹不存在或没有权限）"), ("readonly", "数据库文件只读"),
            ("locked", "数据库正被其他程序占用"), ("password authentication", "数据库用户名或密码不对"),
            ("does not exist", "数据库或用户不存在"), ("connection", "无法连接数据库服务器"))


def _reason(exc: BaseException) -> str:
    said = str(getattr(exc, "orig", exc)).lower()
    return next((words for english, words in _REASONS if english in said), "数据库报告了错误")


def _prepare(archive: Archive, create: bool) -> bool:
    """Make a new archive (True), migrate an older one, refuse a newer one or a database that is no archive."""
    with archive.writing() as conn:
        tables = set(inspect(conn).get_table_names())
        if "archive_meta" not in tables:
            if tables - {"sqlite_sequence"}:
                raise SelfevalError(f"{archive.shown} 是别的数据库，不是 selfeval-xl 的档案库：请换一个文件名。",
                                    code="ARCHIVE_UNREADABLE")
            if not create:
                raise SelfevalError(f"{archive.shown} 不是 selfeval-xl 的档案库。", code="ARCHIVE_UNREADABLE")
            metadata.create_all(conn)
            conn.execute(archive_meta.insert(), [{"key": "schema_version", "value": str(SCHEMA_VERSION)},
                                                 {"key": "made_by", "value": "selfeval-xl"}])
            return True
        stored = conn.execute(select(archive_meta.c.value).where(archive_meta.c.key == "schema_version")).scalar()
        version = int(stored) if stored is not None and str(stored).isdigit() else -1
        if version > SCHEMA_VERSION:
            raise SelfevalError(f"档案库 {archive.shown} 由更新版本的 selfeval-xl 建立（结构版本 {version}），"
                                f"本版本只认识到 {SCHEMA_VERSION}：请升级 selfeval-xl 后再用。", code="ARCHIVE_NEWER")
        if version < 1:
            raise SelfevalError(f"档案库 {archive.shown} 的结构版本无法识别，可能已损坏。", code="ARCHIVE_UNREADABLE")
        if version < SCHEMA_VERSION and archive.read_only:
            raise SelfevalError(f"档案库 {archive.shown} 在只读的位置，而它的结构需要升级："
                                "请复制到可写的文件夹后再用。", code="ARCHIVE_UNREADABLE")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[step](conn)
        if version < SCHEMA_VERSION:
            conn.execute(update(archive_meta).where(archive_meta.c.key == "schema_version")
                         .values(value=str(SCHEMA_VERSION)))
    return False


def known_hashes(archive: Archive, hashes: Iterable[str]) -> dict[str, bool]:
    """Which of these file hashes the archive already holds, each with whether it was read (a file added twice
    is one record; one recorded as unreadable is read again)."""
    wanted = list(dict.fromkeys(hashes))
    found: dict[str, bool] = {}
    with said_in_chinese(archive), archive.engine.connect() as conn:
        for start in range(0, len(wanted), 500):  # a bounded IN list on every database
            chunk = wanted[start:start + 500]
            rows = conn.execute(select(submissions.c.file_hash, submissions.c.readable).where(
                submissions.c.file_hash.in_(chunk))).all()
            found.update((digest, bool(readable)) for digest, readable in rows)
    return found


def _clean(value: Any) -> Any:
    """A text as every database keeps it: no NUL or other control character, no lone surrogate (a file name in
    GBK that the system could not decode), at most a cell's length."""
    return clean_text(value) if isinstance(value, str) else value


def store(archive: Archive, entry: dict[str, Any], file_hash: str, mtime: float) -> bool:
    """Store one unit-year (or one unreadable file) in one transaction, superseding the same unit's older
    submission of that year and form; False where another add stored the same file meanwhile. A file stored
    as unreadable before is stored again in its place (read by another profile, or no longer timing out)."""
    row = {key: _clean(entry.get(key)) for key in _SUBMISSION_KEYS}
    row.update(file_hash=file_hash, file_mtime=mtime, readable=bool(entry.get("readable")),
               note=_clean(str(entry.get("note") or "")), file_name=_clean(str(entry.get("file_name") or "")),
               added_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               indicator_count=len(entry.get("indicators") or ()))
    entry = {key: [{k: _clean(v) for k, v in item.items()} for item in entry.get(key) or ()]
             for key in ("levels", "indicators", "findings")}
    try:
        with said_in_chinese(archive), archive.writing() as conn:
            conn.execute(submissions.delete().where((submissions.c.file_hash == file_hash) & ~submissions.c.readable))
            inserted = conn.execute(submissions.insert().values(**row)).inserted_primary_key
            assert inserted is not None, "an insert into a table with a key returns it"
            new_id = inserted[0]
            _children(conn, new_id, entry)
            if row["readable"] and row["unit_key"]:  # a unit without a name is nobody's newer submission
                _supersede(conn, new_id, row)
    except IntegrityError:
        with archive.engine.connect() as conn:  # the same file, stored by another add in the meantime
            if conn.execute(select(submissions.c.id).where(submissions.c.file_hash == file_hash)).first():
                return False
        raise
    return True


@contextmanager
def said_in_chinese(archive: Archive) -> Iterator[None]:
    """A database's failure (disk full, locked past the wait, damaged pages, a server gone) as a Chinese
    refusal naming the archive: what was committed before stays."""
    try:
        yield
    except IntegrityError:
        raise  # a race for the same file: the caller's to judge
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        raise SelfevalError(f"档案库 {archive.shown} 无法读写：{_reason(exc)}。已存入的记录不受影响。",
                            code="ARCHIVE_UNREADABLE") from None


_SUBMISSION_KEYS = ("unit", "unit_key", "project", "department", "year", "form", "profile", "weights_from",
                    "unit_profile", "total", "typed_total", "grade", "valid", "budget", "executed", "rate",
                    "execution_score", "errors", "warnings", "verified", "verify_state", "fingerprint", "scored_on",
                    "input_hash")
_INDICATOR_KEYS = ("area", "level1", "level2", "name", "name_key", "operator", "target", "target_value", "target_unit",
                   "actual", "actual_value", "actual_unit", "unit", "weight", "score", "self_score")


def _children(conn: Connection, new_id: int, entry: dict[str, Any]) -> None:
    for table, items, keys in ((levels, entry.get("levels"), ("name", "weight", "score")),
                               (indicators, entry.get("indicators"), _INDICATOR_KEYS),
                               (findings, entry.get("findings"), ("code", "severity", "sheet", "cell"))):
        rows = [{"submission_id": new_id, "position": i, **{k: item.get(k) for k in keys}}
                for i, item in enumerate(items or ())]
        if rows:
            conn.execute(table.insert(), rows)


def _same(column: Any, value: Any) -> Any:
    return column.is_(None) if value is None else column == value


def _supersede(conn: Connection, new_id: int, row: dict[str, Any]) -> None:
    """Of two current submissions of one unit (as compared), year, form and project, the newer stays current and
    the other is history, pointing at it. Newer: modified later; on the same time, scored later, then the file
    name and hash decide, so that the same files give the same answer in whatever order they are added."""
    same = (submissions.c.unit_key == row["unit_key"]) & _same(submissions.c.form, row["form"]) & _same(
        submissions.c.year, row["year"]) & _same(submissions.c.project, row["project"])
    order = (submissions.c.id, submissions.c.file_mtime, submissions.c.scored_on, submissions.c.file_name,
             submissions.c.file_hash)
    current = conn.execute(select(*order).where(
        same & submissions.c.readable & submissions.c.superseded_by.is_(None) & (submissions.c.id != new_id))).all()
    mine = _newness(row["file_mtime"], row["scored_on"], row["file_name"], row["file_hash"])
    for old_id, *old in current:
        if _newness(*old) > mine:
            conn.execute(update(submissions).where(submissions.c.id == new_id).values(superseded_by=old_id))
            return
        conn.execute(update(submissions).where(submissions.c.id == old_id).values(superseded_by=new_id))


def _newness(mtime: float, scored_on: str | None, name: str, digest: str) -> tuple[float, str, str, str]:
    return mtime, scored_on or "", name, digest


_YEAR_COLUMNS = ("id", "unit", "unit_key", "project", "department", "form", "year", "total", "typed_total", "grade",
                 "valid", "rate", "errors", "verified", "verify_state", "file_name", "scored_on", "indicator_count")
_YEAR_INDICATORS = ("name_key", "area", "level1", "name", "operator", "target", "target_value", "target_unit", "actual",
                    "actual_value", "actual_unit", "weight", "score", "self_score")


def current_year(archive: Archive, year: int) -> list[dict[str, Any]]:
    """The year's current unit-years (readable, not superseded), each with its indicators in order: two queries
    whatever the number of units."""
    current = (submissions.c.year == year) & submissions.c.readable & submissions.c.superseded_by.is_(None)
    with said_in_chinese(archive), archive.engine.connect() as conn:
        units = {row.id: {**row._asdict(), "indicators": []} for row in conn.execute(
            select(*(submissions.c[k] for k in _YEAR_COLUMNS)).where(current).order_by(submissions.c.id))}
        query = (select(indicators.c.submission_id, *(indicators.c[k] for k in _YEAR_INDICATORS))
                 .join(submissions, submissions.c.id == indicators.c.submission_id).where(current)
                 .order_by(indicators.c.submission_id, indicators.c.position))
        for row in conn.execute(query).all():  # tuples, fetched at once: a province's year is a few hundred thousand
            unit = units.get(row[0])
            if unit is not None:
                unit["indicators"].append(dict(zip(_YEAR_INDICATORS, row[1:], strict=True)))
    return list(units.values())


def counts(archive: Archive) -> dict[str, int]:
    """How many submissions the archive holds: current unit-years, history, unreadable files."""
    current = submissions.c.superseded_by.is_(None)
    with said_in_chinese(archive), archive.engine.connect() as conn:
        rows = conn.execute(select(submissions.c.readable, current, func.count())
                            .group_by(submissions.c.readable, current)).all()
    found = {"current": 0, "history": 0, "unreadable": 0}
    for readable, is_current, count in rows:
        found["unreadable" if not readable else "current" if is_current else "history"] += count
    return found
