"""The page stops cleanly, however the stop meets it.

A request that outlives the dispatcher's wait at the stop wakes the loop through waitress's pipe after
the pipe was closed: before the fix that write failed with "Bad file descriptor" (a traceback on the
console as the page stopped) or, the number reused, wrote into another file. `selfeval-xl serve` ends
with its Chinese message and status 0 on Ctrl-C (SIGINT) and on SIGTERM: idle, right after a request, in
the middle of requests, as soon as it has said its address, and while an upload outlives the stop.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from selfeval_xl.web import jobs, server
from selfeval_xl.web.guard import Settings

ROOT = Path(__file__).resolve().parents[1]
STOPPED = "已停止本机页面，临时文件已删除。"
BODY = b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nx\r\n--B--\r\n'
posix_only = pytest.mark.skipif(os.name != "posix", reason="signals as a terminal and a service manager send them")


def _quietly(call) -> None:
    try:
        call()
    except OSError:
        pass  # the stop closed the client's connection: expected


def _post_verify(base: str) -> None:
    request = urllib.request.Request(base + "/api/verify", data=BODY, method="POST",
                                     headers={"Content-Type": "multipart/form-data; boundary=B", "Origin": base})
    _quietly(lambda: urllib.request.urlopen(request, timeout=20).read())


def test_a_request_finishing_after_the_stop_writes_nothing(monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(*_: object, **__: object) -> jobs.Outcome:
        started.set()
        release.wait(10)
        return jobs.Outcome(None, "BUSY", "慢")

    monkeypatch.setattr(jobs, "verify", slow)
    page = server.Server(Settings(port=0), threads=2)
    loop = threading.Thread(target=page.run, daemon=True)
    loop.start()
    client = threading.Thread(target=_post_verify, args=(f"http://127.0.0.1:{page.settings.port}",))
    client.start()
    assert started.wait(10)
    dispatcher = page._server.task_dispatcher
    with caplog.at_level(logging.WARNING):
        dispatcher.shutdown(timeout=0.1)  # what waitress does on Ctrl-C (for 5 s) before our close
        assert len(dispatcher.threads) == 1  # the request it could not wait for
        page.close()
        release.set()  # the request finishes after the stop and wakes the stopped loop
        deadline = time.monotonic() + 10
        while dispatcher.threads and time.monotonic() < deadline:
            time.sleep(0.01)
    client.join(10)
    assert not dispatcher.threads
    assert [r.getMessage() for r in caplog.records] == []  # neither EBADF nor English about the stop


def _start(argv: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """The command on a port the system picks (--port 0: five at a time never race for one); returns once
    it has said its address, which names the port (its signal handling is set by then)."""
    proc = subprocess.Popen([*argv, "serve", "--no-browser", "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, **env, "PYTHONIOENCODING": "utf-8"})
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline().decode("utf-8")
    if not first.startswith("本机页面："):
        proc.kill()
        raise AssertionError(f"serve said {first!r}; stderr: {proc.stderr.read().decode('utf-8', 'replace')}")
    return proc, first.removeprefix("本机页面：").strip().rstrip("/")


def _stop(proc: subprocess.Popen[bytes], signum: int) -> tuple[int, str, str]:
    proc.send_signal(signum)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out.decode("utf-8"), err.decode("utf-8", errors="replace")


def _assert_clean(returncode: int, out: str, err: str, what: str) -> None:
    assert returncode == 0, f"{what}: exit {returncode}\n{out}\n{err}"
    assert "Traceback" not in err and "Bad file descriptor" not in err and "Errno" not in err, f"{what}:\n{err}"
    assert err.strip() == "", f"{what}: the console had more to say than the stop:\n{err}"
    assert out.rstrip().endswith(STOPPED), f"{what}:\n{out}"


# the command as a user starts it, with one change: checking an upload takes a second (it says when it
# starts) and the stop waits 0.2 s for it instead of waitress's 5. The worker pool holds the exit until the
# check ends, as it does for a large workbook, so the request's thread finishes after the page was closed.
SLOW_UPLOAD = """
import os, sys, time
from pathlib import Path
from waitress.task import ThreadedTaskDispatcher
from selfeval_xl.cli.app import main
from selfeval_xl.web import jobs

def slow_verify_task(source, shown):
    Path(os.environ["SLOW_STARTED"]).touch()
    time.sleep(1.0)
    return {"error": {"code": "SLOW", "message": "慢"}}

jobs.verify_task = slow_verify_task
ThreadedTaskDispatcher.shutdown.__defaults__ = (True, 0.2)
main(sys.argv[1:], prog_name="selfeval-xl")
"""
SLOW = "while an upload outlives the stop"
WHEN = ["at once"] * 2 + ["after a request"] * 3 + ["during requests"] * 3 + [SLOW] * 2
CYCLES = [(signal.SIGTERM if number % 2 == 0 else signal.SIGINT, when) for number, when in enumerate(WHEN)]


def _get(url: str) -> None:
    _quietly(lambda: urllib.request.urlopen(url, timeout=20).read())


def _requests_meeting_the_stop(base: str, when: str, started: Path) -> list[threading.Thread]:
    """The requests of one cycle; returns those still under way when the signal is to be sent."""
    if when == "after a request":
        _get(base + "/api/info")
    if when not in ("during requests", SLOW):
        return []
    if when == SLOW:
        clients = [threading.Thread(target=_post_verify, args=(base,))]
    else:
        paths = ("/template/example", "/api/info", "/")
        clients = [threading.Thread(target=_get, args=(base + path,)) for path in paths]
    for client in clients:
        client.start()
    deadline = time.monotonic() + (20 if when == SLOW else 0.05)
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return clients


def _cycle(number: int, folder: Path) -> tuple[int, str, str, str]:
    signum, when = CYCLES[number]
    started = folder / f"slow-{number}"
    proc, base = _start([sys.executable, "-c", SLOW_UPLOAD] if when == SLOW else [sys.executable, "cli.py"],
                        {"SLOW_STARTED": str(started)})
    clients = _requests_meeting_the_stop(base, when, started)
    returncode, out, err = _stop(proc, signum)
    for client in clients:
        client.join(20)
    return returncode, out, err, f"cycle {number} ({signal.Signals(signum).name} {when})"


@posix_only
def test_serve_stops_cleanly_ten_times_in_a_row(tmp_path: Path) -> None:
    """Ctrl-C and SIGTERM in turn: as soon as the address is said, right after a request, with requests
    under way, and while an upload outlives the stop's wait (before the fix: Bad file descriptor)."""
    with ThreadPoolExecutor(max_workers=5) as pool:  # five at a time: the test stays within a few seconds
        for returncode, out, err, what in pool.map(_cycle, range(len(CYCLES)), [tmp_path] * len(CYCLES)):
            _assert_clean(returncode, out, err, what)
            if SLOW in what:  # said in Chinese, where waitress wrote "1 thread(s) still running" to stderr
                assert "还有 1 个请求没有处理完，已中止" in out, f"{what}:\n{out}"
