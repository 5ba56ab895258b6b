"""One upload through the facade in a worker process, with the command line's limits on time and memory.

A hostile file (a damaged zip, a formula bomb, a workbook that spans a million rows) can make a reader
spin, allocate or crash; in a worker process that is a Failure the page reports, and the server keeps
answering. The worker machinery is the rollup's (read/sandbox.py): the same time limit, the same
address-space cap, the same killing of a worker that outlives its time.

The file is stored under a token name, so the facade's messages and JSON name the token; `_named`
puts back the name the user knows before anything leaves this module.
"""
from __future__ import annotations

import contextlib
import functools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from selfeval_xl import api
from selfeval_xl.county.archive_add import Added
from selfeval_xl.county.archive_review import Review
from selfeval_xl.county.rollup import Entry, Rollup
from selfeval_xl.county.rollup_output import write_csv, write_xlsx
from selfeval_xl.errors import SelfevalError
from selfeval_xl.read.limits import WORKER_MEMORY, WORKER_SECONDS
from selfeval_xl.read.sandbox import Failure, run_each


class Busy(Exception):
    """More uploads than the page takes at once: the answer is 503, never a wait that blocks the page."""


@dataclass
class Limits:
    timeout: float = WORKER_SECONDS  # of running: a job's clock starts when its worker starts
    memory: int | None = WORKER_MEMORY
    parallel: int = 2  # uploads read at once: more would only make each slower on a county PC
    waiting: int = 8  # uploads that may wait their turn; the server's other threads answer status and pages
    # a burst of uploads waits its turn here instead of forking a worker each
    gate: threading.BoundedSemaphore = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    _admitted: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.gate = threading.BoundedSemaphore(self.parallel)

    @property
    def places_taken(self) -> int:
        return self._admitted

    @contextlib.contextmanager
    def admitted(self) -> Iterator[None]:
        """A place for one job, running or waiting; Busy when every place is taken."""
        with self._lock:
            if self._admitted >= self.parallel + self.waiting:
                raise Busy(f"正在处理的文件已有 {self._admitted} 个（同时处理 {self.parallel} 个，"
                           f"另可排队 {self.waiting} 个）：请稍候片刻再上传。")
            self._admitted += 1
        try:
            with self.gate:
                yield
        finally:
            with self._lock:
                self._admitted -= 1


@dataclass(frozen=True)
class Outcome:
    """What a job gives the page: data, or an error (code, Chinese message naming the file)."""
    data: dict | None = None
    code: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.data is not None


def _named(value: object, stored: str, shown: str) -> object:
    """The value with the stored token name replaced by the name the user gave the file."""
    if isinstance(value, str):
        return value.replace(stored, shown)
    if isinstance(value, dict):
        return {k: _named(v, stored, shown) for k, v in value.items()}
    if isinstance(value, list):
        return [_named(v, stored, shown) for v in value]
    return value


def _internal(shown: str, exc: BaseException) -> dict:
    return {"error": {"code": "INTERNAL", "message": f"处理文件 {shown} 时发生内部错误（{type(exc).__name__}）："
                                                      "请把这个文件和出错的步骤反馈给维护者。"}}


# --- what runs in the worker (module-level: sent to the worker by name) ------------------------------

def score_task(source: str, output: str, report: str, profile: str | None, shown: str) -> dict:
    """score, then the report draft, of one stored upload → the `score --json` object (or an error)."""
    try:
        scored = api.score(source, output, profile)
    except SelfevalError as exc:
        return {"error": {"code": exc.code, "message": exc.message}}
    except Exception as exc:  # a worker reports every failure; it never raises one
        return _internal(shown, exc)
    data = scored.to_json(output=shown)
    try:
        api.report(source, report)
        data["report_written"] = True
    except Exception:  # the scored copy stands without the draft; the page says there is none
        data["report_written"] = False
    return data


def verify_task(source: str, shown: str) -> dict:
    try:
        return api.verify(source).to_json()
    except SelfevalError as exc:
        return {"error": {"code": exc.code, "message": exc.message}}
    except Exception as exc:  # whatever went wrong, the page shows one message, never a traceback
        return _internal(shown, exc)


# --- what runs in the server --------------------------------------------------------------------------

def _why(failure: Failure, shown: str, limits: Limits) -> tuple[str, str]:
    if failure.kind == "timeout":
        return "TIMEOUT", f"读取 {shown} 超时（超过 {limits.timeout:g} 秒），已停止：文件可能异常或过于复杂。"
    if failure.error == "MemoryError":
        return "TOO_BIG", f"读取 {shown} 所需内存超过上限（可能文件异常），已停止。"
    if failure.kind == "died":
        return "DIED", f"读取 {shown} 时进程异常退出（可能内存不足或文件损坏），已停止。"
    return "INTERNAL", f"处理文件 {shown} 时发生内部错误（{failure.error}）：请把这个文件反馈给维护者。"


def run(task: functools.partial, stored: Path, shown: str, limits: Limits) -> Outcome:
    """Run `task(str(stored))` in a worker process within `limits`; names in the outcome are `shown`."""
    box: list[dict | Failure] = []
    with limits.admitted():
        run_each(task, [str(stored)], lambda _, outcome: box.append(outcome), workers=1,
                 timeout=limits.timeout, memory_limit=limits.memory)
    outcome = box[0] if box else Failure("died")
    if isinstance(outcome, Failure):
        code, message = _why(outcome, shown, limits)
        return Outcome(None, code, message)
    outcome = _named(outcome, stored.name, shown)  # type: ignore[assignment]
    assert isinstance(outcome, dict)
    if "error" in outcome and set(outcome) == {"error"}:
        return Outcome(None, str(outcome["error"]["code"]), str(outcome["error"]["message"]))
    return Outcome(outcome)


def score(stored: Path, shown: str, output: Path, report: Path, profile: str | None, limits: Limits) -> Outcome:
    task = functools.partial(score_task, output=str(output), report=str(report), profile=profile, shown=shown)
    return run(task, stored, shown, limits)


def verify(stored: Path, shown: str, limits: Limits) -> Outcome:
    return run(functools.partial(verify_task, shown=shown), stored, shown, limits)


# --- the rollup: its own workers already read each file apart --------------------------------------------

@dataclass(frozen=True)
class Upload:
    path: Path  # where it is stored, under a token
    name: str  # the file's cleaned name
    shown: str  # the path the user's folder gave it (cleaned parts), or the name


def rollup(uploads: list[Upload], xlsx: Path, csv: Path, limits: Limits) -> Rollup:
    """The facade's rollup of the stored uploads, with the users' names in place of the tokens, written
    as the .xlsx and .csv the command writes.

    The facade is asked for the Rollup alone and the tables are written after the names are put back:
    written by the facade, the 文件 and 路径 columns would hold the tokens. The writers are the ones the
    facade itself calls."""
    with limits.admitted():
        result = api.rollup([u.path for u in uploads], file_timeout=limits.timeout)  # the tree's own bound
    by_token = {u.path.name: u for u in uploads}
    folders = sorted({re.escape(str(u.path.parent)) for u in uploads})
    stored = re.compile(rf"(?:(?:{'|'.join(folders)})[/\\])?([0-9a-f]{{32}}\.[a-z]+)")

    def named(m: re.Match[str]) -> str:
        upload = by_token.get(m.group(1))
        if upload is None:
            return m.group(0)
        return upload.shown if m.group(0) != m.group(1) else upload.name

    for rows in (result.units, result.dropped, result.target_flags):
        for row in rows:
            for key, value in row.items():
                if isinstance(value, str):
                    row[key] = stored.sub(named, value)
    write_xlsx(result, xlsx)
    write_csv(result, csv)
    return result


# --- the county's archive on this machine (serve --archive) -----------------------------------------------

def archive_add(uploads: list[Upload], archive: str, limits: Limits) -> Added:
    """The stored uploads scored and added to the archive under the users' names (the facade's own workers)."""
    with limits.admitted():
        return api.archive_add(archive, [Entry(u.path, u.shown) for u in uploads], file_timeout=limits.timeout)


def archive_review(archive: str, year: int, output: Path, sample: int | None, seed: int | None,
                   limits: Limits) -> Review:
    with limits.admitted():
        return api.archive_review(archive, year, output, sample=sample, seed=seed)
