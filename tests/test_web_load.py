"""The page stays up under a burst of uploads: a bounded number of jobs run and wait, the next upload is
told in Chinese to come back (503), and status, pages and downloads never wait behind the jobs."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from selfeval_xl.web import jobs
from selfeval_xl.web.server import Server
from test_web_api import make_app, upload
from workbooks import template_copy


@pytest.fixture()
def held(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[int]]:
    """Every job's worker waits until the event is set, and counts itself as started: fast and exact."""
    release, started = threading.Event(), []

    def slow(task: Any, items: Any, report: Any, **_: Any) -> None:
        started.append(1)
        assert release.wait(30)
        report(0, {"error": {"code": "HELD", "message": "测试"}})

    monkeypatch.setattr(jobs, "run_each", slow)
    return release, started


def test_a_burst_beyond_the_places_is_503_and_status_still_answers(held, tmp_path: Path) -> None:
    release, started = held
    app = make_app()
    client = app.test_client()
    example = template_copy(tmp_path, "示例.xlsx")
    limits: jobs.Limits = app.extensions["selfeval"]["limits"]
    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(upload(app.test_client(), "/api/score",
                                                                     (example, "示例.xlsx")).status_code))
               for _ in range(limits.parallel + limits.waiting)]
    for thread in threads:
        thread.start()
    while len(started) < limits.parallel or limits.places_taken < limits.parallel + limits.waiting:
        threading.Event().wait(0.01)  # two running, the rest waiting their turn
    # only the running jobs have started their workers, whose clocks the time limit reads: waiting is not running
    assert len(started) == limits.parallel
    busy = upload(client, "/api/score", (example, "示例.xlsx"))
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "10"
    error = busy.get_json()["error"]
    assert error["code"] == "BUSY" and "请稍候片刻再上传" in error["message"]
    assert client.get("/api/info").status_code == 200  # while every job place is taken
    assert client.get("/").status_code == 200
    release.set()
    for thread in threads:
        thread.join(30)
    assert len(answers) == limits.parallel + limits.waiting and 503 not in answers, answers  # all admitted answered
    app.extensions["selfeval"]["store"].close()


def test_the_server_keeps_threads_beyond_the_job_places() -> None:
    """waitress hands each request a thread: with every job place taken, four are left for status and pages."""
    limits = jobs.Limits()
    assert Server.__init__.__defaults__ == (14,)
    assert 14 - (limits.parallel + limits.waiting) == 4
