"""The page stops cleanly while a request is still being worked on: a thread that finishes its
request after the stop must not die on the closed wake-up pipe (EBADF), and `selfeval-xl serve` ends
with its Chinese message and status 0 on Ctrl-C and on SIGTERM, also in the middle of requests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from selfeval_xl.web import jobs, server
from selfeval_xl.web.guard import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_a_request_finishing_after_the_stop_raises_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    started, died = threading.Event(), []
    monkeypatch.setattr(threading, "excepthook", lambda args: died.append(args.exc_value))

    def slow(*_: object, **__: object) -> jobs.Outcome:
        started.set()
        time.sleep(2.5)  # longer than the dispatcher waits for its threads at the stop
        return jobs.Outcome(None, "BUSY", "慢")

    monkeypatch.setattr(jobs, "verify", slow)
    page = server.Server(Settings(port=0), threads=2)
    page._server.task_dispatcher.shutdown = (  # the dispatcher's wait, shortened to keep the test fast
        lambda shutdown=page._server.task_dispatcher.shutdown: shutdown(timeout=0.5))
    loop = threading.Thread(target=page._server.run, daemon=True)
    loop.start()
    base = f"http://127.0.0.1:{page.settings.port}"
    body = b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nx\r\n--B--\r\n'
    request = urllib.request.Request(base + "/api/verify", data=body, method="POST",
                                     headers={"Content-Type": "multipart/form-data; boundary=B", "Origin": base})
    client = threading.Thread(target=lambda: _quietly(lambda: urllib.request.urlopen(request, timeout=10).read()))
    client.start()
    assert started.wait(10)
    page._server.task_dispatcher.shutdown()  # what waitress does on Ctrl-C before our close
    page.close()
    client.join(10)
    time.sleep(3)  # the request's thread finishes its work after the stop
    assert died == []


def _quietly(call) -> None:
    try:
        call()
    except OSError:
        pass  # the client's connection was closed by the stop: expected


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(os.name != "posix", reason="signals as a service manager sends them")
def test_serve_stops_cleanly_on_ctrl_c_and_sigterm_in_the_middle_of_requests() -> None:
    for attempt in range(6):
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "cli.py", "serve", "--no-browser", "--port", str(port)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/api/info", timeout=2).read()
                break
            except OSError:
                time.sleep(0.05)
        def fetch(url: str = base + "/template/example") -> None:
            _quietly(lambda: urllib.request.urlopen(url, timeout=10).read())
        clients = [threading.Thread(target=fetch) for _ in range(3)]
        for c in clients:
            c.start()
        time.sleep(0.02 * attempt)
        proc.send_signal(signal.SIGINT if attempt % 2 else signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        for c in clients:
            c.join(10)
        text = err.decode("utf-8", errors="replace")
        assert proc.returncode == 0, text
        assert "Traceback" not in text and "Errno" not in text, text
        assert "已停止本机页面，临时文件已删除。" in out.decode("utf-8")
