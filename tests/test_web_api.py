"""The local page's JSON API (selfeval-xl serve) with Flask's test client, and once over real HTTP.

Every answer is checked against what the command line gives for the same file: the page adds a door
(host, origin, token, size limits), a private folder and downloads, never a score of its own.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from selfeval_xl import api
from selfeval_xl.cli.app import main
from selfeval_xl.web import jobs
from selfeval_xl.web.app import create_app
from selfeval_xl.web.guard import Settings
from selfeval_xl.web.server import Server
from selfeval_xl.web.store import clean_name
from test_rollup_hostile import far_away_cell, unit_copies
from workbooks import edit, template_copy

HOST = "127.0.0.1:8765"
UNIT = "井陉县南障城镇人民政府"
TOKEN_NAME = re.compile(r"[0-9a-f]{32}\.[a-z]+")


class LocalClient(FlaskClient):
    """A browser on the page's own address (Flask's default Host, bare "localhost", is refused)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("base_url", f"http://{HOST}")
        return super().open(*args, **kwargs)


def make_app(**overrides: Any) -> Flask:
    settings = Settings(**{"port": 8765, **overrides})
    app = create_app(settings)
    app.test_client_class = LocalClient
    return app


@pytest.fixture
def app() -> Any:
    app = make_app()
    yield app
    app.extensions["selfeval"]["store"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_copy(tmp_path_factory.mktemp("web"), "示例 自评表.xlsx")


def upload(client: FlaskClient, url: str, *files: tuple[Path | bytes, str], **form: Any) -> Any:
    data: dict[str, Any] = {"file": [(io.BytesIO(f if isinstance(f, bytes) else f.read_bytes()), name)
                                     for f, name in files], **form}
    return client.post(url, data=data, content_type="multipart/form-data")


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def summary_values(path: Path) -> list[list[object]]:
    sheet = openpyxl.load_workbook(path)["评分汇总"]
    return [[c.value for c in row] for row in sheet.iter_rows()]


# --- score ------------------------------------------------------------------------------------------

def test_score_is_the_score_json_with_download_links(client: FlaskClient, example: Path, tmp_path: Path) -> None:
    response = upload(client, "/api/score", (example, example.name))
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["total"] == "98.40" and data["grade"] == "优秀" and data["valid"] is True
    expected = cli_json("score", str(example), "-o", str(tmp_path / "cli.xlsx"), "--json")
    page = {k: v for k, v in data.items() if k not in ("output", "download", "report")}
    assert page == {k: v for k, v in expected.items() if k != "output"}
    assert data["file"] == "示例 自评表.xlsx" and data["output"] == "示例 自评表.scored.xlsx"
    assert re.fullmatch(r"/download/[A-Za-z0-9_-]+", data["download"])
    assert re.fullmatch(r"/download/[A-Za-z0-9_-]+", data["report"])


def test_the_downloaded_copy_verifies_and_its_summary_is_what_score_writes(client: FlaskClient, example: Path,
                                                                          tmp_path: Path) -> None:
    data = upload(client, "/api/score", (example, example.name)).get_json()
    copy = client.get(data["download"])
    assert copy.status_code == 200
    disposition = copy.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E7%A4%BA%E4%BE%8B%20%E8%87%AA%E8%AF%84%E8%A1%A8.scored.xlsx" in disposition
    assert re.search(r'filename="[ -~]+\.scored\.xlsx"', disposition)
    downloaded = tmp_path / "下载.xlsx"
    downloaded.write_bytes(copy.data)
    assert api.verify(downloaded).untouched
    by_cli = api.score(example, tmp_path / "命令行.xlsx").output
    assert summary_values(downloaded) == summary_values(by_cli)
    report = client.get(data["report"])
    assert report.status_code == 200 and report.data[:2] == b"PK"
    assert "filename*=UTF-8''" in report.headers["Content-Disposition"]
    assert report.headers["Content-Disposition"].endswith(".docx")


def test_a_workbook_with_errors_is_provisional(client: FlaskClient, tmp_path: Path) -> None:
    broken = edit(template_copy(tmp_path, "有错.xlsx"), {"绩效指标": {"J6": "完成"}})
    data = upload(client, "/api/score", (broken, broken.name)).get_json()
    assert data["valid"] is False and any(c["severity"] == "error" for c in data["checks"])
    assert cli_json("check", str(broken), "--json")["checks"] == data["checks"]


def test_profile_is_a_builtin_name_only(client: FlaskClient, example: Path) -> None:
    data = upload(client, "/api/score", (example, example.name), profile="hebei-dept").get_json()
    assert data["profile"] == "hebei-dept"
    for asked in ("/etc/passwd", "../my.toml", "mof-project"):
        response = upload(client, "/api/score", (example, example.name), profile=asked)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"].startswith("PROFILE")
        assert "口径" in response.get_json()["error"]["message"]


def test_no_file_is_a_chinese_400(client: FlaskClient) -> None:
    response = client.post("/api/score", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "工作簿" in response.get_json()["error"]["message"]


def test_an_unreadable_file_is_the_clis_message(client: FlaskClient, tmp_path: Path) -> None:
    bad = tmp_path / "名单.xlsx"
    bad.write_text("单位,总分\n甲,90\n", encoding="utf-8")
    response = upload(client, "/api/score", (bad, bad.name))
    assert response.status_code == 400
    body = response.get_json()
    result = CliRunner().invoke(main, ["score", str(bad)])
    assert result.exit_code == 2 and result.stderr.strip() == f"错误：{body['error']['message']}"
    assert body["file"] == "名单.xlsx" and "名单.xlsx" in body["error"]["message"]


# --- verify -----------------------------------------------------------------------------------------

def test_verify_untouched_and_changed(client: FlaskClient, example: Path, tmp_path: Path) -> None:
    scored = api.score(example, tmp_path / "南障城镇.scored.xlsx").output
    data = upload(client, "/api/verify", (scored, scored.name)).get_json()
    assert data["scored"] is True and data["untouched"] is True and data["file"] == "南障城镇.scored.xlsx"
    changed = edit(scored, {"绩效指标": {"J6": 90}}, tmp_path / "改过.xlsx")
    data = upload(client, "/api/verify", (changed, changed.name)).get_json()
    assert data["untouched"] is False
    assert {"sheet": "绩效指标", "cell": "J6"}.items() <= data["changes"][0].items()
    assert data == cli_json("verify", str(changed), "--json")


# --- rollup -----------------------------------------------------------------------------------------

def test_rollup_rows_unreadable_rows_and_downloads(client: FlaskClient, example: Path, tmp_path: Path) -> None:
    units = [(tmp_path / "甲镇.xlsx", "甲镇人民政府"), (tmp_path / "乙镇.xlsx", "乙镇人民政府")]
    unit_copies(example, units)
    weak = edit(template_copy(tmp_path, "丙镇.xlsx"), {"基本信息": {"B3": "丙镇人民政府"}, "绩效指标": {"J6": "完成"}})
    notes = tmp_path / "说明.xlsx"
    notes.write_bytes(b"PK\x03\x04 damaged")
    response = upload(client, "/api/rollup", (units[0][0], "收件箱/甲镇.xlsx"), (units[1][0], "收件箱/乙镇.xlsx"),
                      (weak, weak.name), (notes, notes.name))
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    rows = {row["file"]: row for row in data["units"]}
    assert set(rows) == {"甲镇.xlsx", "乙镇.xlsx", "丙镇.xlsx", "说明.xlsx"}
    assert rows["甲镇.xlsx"]["unit"] == "甲镇人民政府" and rows["甲镇.xlsx"]["total"] == 98.4
    assert rows["甲镇.xlsx"]["path"] == "收件箱/甲镇.xlsx"
    assert rows["丙镇.xlsx"]["valid"] == "未通过（暂评）"  # one row per unit: a weak unit is its own row
    assert rows["说明.xlsx"]["form"] is None and "说明.xlsx" in rows["说明.xlsx"]["note"]
    assert data["count"] == 4 and data["unreadable"] == 1
    assert not TOKEN_NAME.search(json.dumps(data, ensure_ascii=False))
    xlsx = client.get(data["xlsx"])
    assert "filename*=UTF-8''" in xlsx.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    cells = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "甲镇人民政府" in cells and "说明.xlsx" in cells and not any(TOKEN_NAME.search(c) for c in cells)
    table = list(csv.reader(io.StringIO(client.get(data["csv"]).data.decode("utf-8-sig"))))
    assert table[0][0] == "单位名称" and {"甲镇人民政府", "乙镇人民政府"} <= {r[0] for r in table[1:]}


def test_rollup_keeps_the_newest_of_a_units_two_files(client: FlaskClient, example: Path) -> None:
    data = {"file": [(io.BytesIO(example.read_bytes()), "旧.xlsx"), (io.BytesIO(example.read_bytes()), "新.xlsx")],
            "mtime": ["1700000000000", "1750000000000"]}
    body = client.post("/api/rollup", data=data, content_type="multipart/form-data").get_json()
    assert [row["file"] for row in body["units"]] == ["新.xlsx"]
    assert body["dropped"][0]["file"] == "旧.xlsx" and "新.xlsx" in body["dropped"][0]["reason"]


def test_rollup_without_files_is_a_400(client: FlaskClient) -> None:
    response = client.post("/api/rollup", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "没有收到任何工作簿" in response.get_json()["error"]["message"]


# --- downloads and the private folder ----------------------------------------------------------------

def test_templates_download_with_chinese_names(client: FlaskClient, tmp_path: Path) -> None:
    for kind, name in (("department", "部门整体支出自评模板.xlsx"), ("project", "项目支出自评模板.xlsx"),
                       ("example", "示例自评表（南障城镇2025年）.xlsx")):
        response = client.get(f"/template/{kind}")
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="') and disposition.isascii()
        assert f"filename*=UTF-8''{urllib.request.quote(name, safe='')}" in disposition
        (tmp_path / name).write_bytes(response.data)
    assert api.evaluate(tmp_path / "示例自评表（南障城镇2025年）.xlsx").total == api.evaluate(
        template_copy(tmp_path, "x.xlsx")).total
    assert str(api.evaluate(tmp_path / "示例自评表（南障城镇2025年）.xlsx").total) == "98.40"
    assert client.get("/template/other").status_code == 404


def test_a_download_is_removed_once_taken(app: Flask, client: FlaskClient, example: Path) -> None:
    data = upload(client, "/api/score", (example, example.name)).get_json()
    assert client.get(data["download"]).status_code == 200
    again = client.get(data["download"])
    assert again.status_code == 404 and "已经取走或已过期" in again.get_json()["error"]["message"]
    root = app.extensions["selfeval"]["store"].root
    assert len(list(root.iterdir())) == 1  # the report draft, not yet taken


def test_expired_downloads_are_removed(app: Flask, client: FlaskClient, example: Path) -> None:
    data = upload(client, "/api/score", (example, example.name)).get_json()
    store = app.extensions["selfeval"]["store"]
    assert len(list(store.root.iterdir())) == 2
    assert store.sweep() == 0  # not yet
    orphan = store.new_path(".xlsx")  # an upload whose request never finished
    orphan.write_bytes(b"PK")
    assert store.sweep(now=time.monotonic() + store.ttl + 1) == 3
    assert list(store.root.iterdir()) == []
    assert client.get(data["report"]).status_code == 404


def test_a_client_name_is_never_a_path(app: Flask, client: FlaskClient, example: Path, tmp_path: Path) -> None:
    store = app.extensions["selfeval"]["store"]
    escaped = store.root.parent / "x.xlsx"
    assert not escaped.exists()
    for name in ("../../x.xlsx", "..\\..\\x.xlsx", "/etc/x.xlsx", "x\x00.xlsx", "\u202ex.xlsx"):
        data = upload(client, "/api/score", (example, name)).get_json()
        assert data["file"] in ("x.xlsx", "x_.xlsx", "_x.xlsx"), data["file"]
        assert all(TOKEN_NAME.fullmatch(p.name) for p in store.root.iterdir())
    assert not escaped.exists() and not (store.root.parent.parent / "x.xlsx").exists()
    assert clean_name("../../x.xlsx") == "x.xlsx" and clean_name("..") == "自评表.xlsx"
    assert clean_name("a\x1b[31m.xlsx") == "a_[31m.xlsx"
    assert oct(store.root.stat().st_mode & 0o777) == oct(0o700) or os.name != "posix"


# --- limits and hostile files ------------------------------------------------------------------------

def test_a_file_over_the_per_file_limit_is_a_413(example: Path) -> None:
    client = make_app(max_file_mb=0.02).test_client()  # 20 KB; the example is about 60 KB
    response = upload(client, "/api/score", (example, "大文件.xlsx"))
    assert response.status_code == 413
    message = response.get_json()["error"]["message"]
    assert "大文件.xlsx" in message and "每个文件 0.02 MB" in message
    assert upload(client, "/api/rollup", (example, "大文件.xlsx")).status_code == 413


def test_a_request_over_the_limit_is_a_413(example: Path) -> None:
    client = make_app(max_request_mb=0.05, max_file_mb=0.05).test_client()
    response = upload(client, "/api/rollup", (example, "a.xlsx"), (example, "b.xlsx"))
    assert response.status_code == 413 and "每次 0.05 MB" in response.get_json()["error"]["message"]


def test_hostile_files_are_errors_and_the_server_goes_on(client: FlaskClient, example: Path, tmp_path: Path) -> None:
    damaged = example.read_bytes()[:4000]
    response = upload(client, "/api/score", (damaged, "截断.xlsx"))
    assert response.status_code == 400 and "截断.xlsx" in response.get_json()["error"]["message"]
    far = far_away_cell(tmp_path)
    response = upload(client, "/api/score", (far, far.name))
    assert response.status_code in (200, 400), response.get_json()
    if response.status_code == 400:
        assert far.name in response.get_json()["error"]["message"]
    assert upload(client, "/api/score", (example, example.name)).get_json()["total"] == "98.40"


def _dies(source: str, **_: Any) -> dict:
    os._exit(9)


def _hangs(source: str, **_: Any) -> dict:
    time.sleep(3600)
    return {}


def _hoards(source: str, **_: Any) -> dict:
    hoard = bytearray(1024 ** 3)
    hoard[-1] = 1
    return {}


@pytest.mark.skipif(os.name != "posix", reason="the workers are forked, so the stand-in task reaches them")
@pytest.mark.parametrize(("task", "code"), [(_dies, "DIED"), (_hangs, "TIMEOUT"), (_hoards, "TOO_BIG")])
def test_a_worker_that_dies_hangs_or_hoards_is_an_error(task: Any, code: str, example: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(file_timeout=2.0, memory_limit=256 * 1024 ** 2)
    client = app.test_client()
    with monkeypatch.context() as patch:
        patch.setattr(jobs, "score_task", task)
        response = upload(client, "/api/score", (example, "坏文件.xlsx"))
    body = response.get_json()
    assert response.status_code == 400 and body["error"]["code"] == code, body
    assert "坏文件.xlsx" in body["error"]["message"]
    assert upload(client, "/api/score", (example, example.name)).get_json()["total"] == "98.40"
    app.extensions["selfeval"]["store"].close()


def test_two_uploads_at_once(app: Flask, example: Path, tmp_path: Path) -> None:
    other = tmp_path / "乙镇.xlsx"
    unit_copies(example, [(other, "乙镇人民政府")])
    answers: dict[str, dict] = {}

    def one(path: Path) -> None:
        answers[path.name] = upload(app.test_client(), "/api/score", (path, path.name)).get_json()

    threads = [threading.Thread(target=one, args=(p,)) for p in (example, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert answers[example.name]["unit"] == UNIT and answers["乙镇.xlsx"]["unit"] == "乙镇人民政府"
    assert answers[example.name]["total"] == answers["乙镇.xlsx"]["total"] == "98.40"
    assert answers[example.name]["download"] != answers["乙镇.xlsx"]["download"]


# --- the door ---------------------------------------------------------------------------------------

def test_a_foreign_host_is_refused(client: FlaskClient) -> None:
    for host in ("evil.example:8765", "evil.example", "127.0.0.1:9999", "localhost"):
        response = client.get("/", headers={"Host": host})
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "BAD_HOST", host
    assert client.get("/", headers={"Host": "localhost:8765"}).status_code == 200
    assert client.get("/").status_code == 200


def test_a_cross_origin_post_is_refused(client: FlaskClient, example: Path) -> None:
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        data = {"file": (io.BytesIO(example.read_bytes()), "a.xlsx")}
        response = client.post("/api/score", data=data, content_type="multipart/form-data", headers=headers)
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "CROSS_ORIGIN"
        assert "其他网站" in response.get_json()["error"]["message"]
    data = {"file": (io.BytesIO(example.read_bytes()), "a.xlsx")}
    same = client.post("/api/score", data=data, content_type="multipart/form-data",
                       headers={"Origin": f"http://{HOST}", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200


def test_a_token_is_required_when_one_is_set(example: Path) -> None:
    app = make_app(host="0.0.0.0", token="s3cret-token-value")
    client = app.test_client()
    refused = client.get("/", base_url="http://192.168.1.20:8765")
    assert refused.status_code == 403 and "令牌" in refused.get_json()["error"]["message"]
    assert client.get("/", headers={"X-Selfeval-Token": "wrong"}).status_code == 403
    assert client.get("/api/info", headers={"X-Selfeval-Token": "s3cret-token-value"}).status_code == 200
    entry = client.get("/?token=s3cret-token-value")
    assert entry.status_code == 303 and entry.headers["Location"] == "/"
    cookie = entry.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/").status_code == 200  # the cookie now carries it
    assert upload(client, "/api/score", (example, example.name)).get_json()["total"] == "98.40"
    app.extensions["selfeval"]["store"].close()


def test_serve_with_host_makes_and_prints_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    import selfeval_xl.web.server as server
    seen: list[Settings] = []

    class Stand:
        def __init__(self, settings: Settings) -> None:
            seen.append(settings)
            self.address = "http://10.0.0.5:8765/"

        def run(self) -> None:
            raise KeyboardInterrupt  # Ctrl-C at once

    monkeypatch.setattr(server, "Server", Stand)
    result = CliRunner().invoke(main, ["serve", "--host", "10.0.0.5", "--no-browser"])
    assert result.exit_code == 0, result.output
    token = seen[0].token
    assert token and len(token) >= 16
    assert f"本机页面：http://10.0.0.5:8765/?token={token}" in result.stdout
    assert f"访问令牌：{token}" in result.stdout and "注意" in result.stdout and "已停止" in result.stdout
    result = CliRunner().invoke(main, ["serve", "--no-browser"])
    assert seen[1].token is None and "本机页面：http://10.0.0.5:8765/" in result.stdout


def test_help_still_does_not_load_flask() -> None:
    import subprocess
    import sys
    code = ("import sys; from selfeval_xl.cli.app import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('flask', 'waitress', 'werkzeug') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


# --- over real HTTP ---------------------------------------------------------------------------------

def test_the_real_server_scores_the_example_over_http(example: Path) -> None:
    settings = Settings(port=0)
    server = Server(settings)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        base = server.address
        assert base == f"http://127.0.0.1:{settings.port}/" and settings.port != 0
        with urllib.request.urlopen(base, timeout=10) as page:
            html = page.read().decode("utf-8")
        assert 'id="score-file"' in html and "评分" in html
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"示例.xlsx\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode("utf-8") + example.read_bytes() + (
                f"\r\n--{boundary}--\r\n").encode("ascii")
        request = urllib.request.Request(base + "api/score", data=body, method="POST",
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            data = json.loads(answer.read().decode("utf-8"))
        assert data["total"] == "98.40" and data["grade"] == "优秀" and data["file"] == "示例.xlsx"
        with urllib.request.urlopen(base + data["download"].lstrip("/"), timeout=10) as copy:
            assert copy.read()[:2] == b"PK"
            assert "filename*=UTF-8''%E7%A4%BA%E4%BE%8B.scored.xlsx" in copy.headers["Content-Disposition"]
        foreign = urllib.request.Request(base, headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(foreign, timeout=10)
        assert refused.value.code == 403
    finally:
        server.close()
        thread.join(10)
    assert not server.app.extensions["selfeval"]["store"].root.exists()


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT, as Ctrl-C does in a terminal")
def test_ctrl_c_stops_the_command_cleanly() -> None:
    import signal
    import subprocess
    import sys
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "cli.py", "serve", "--no-browser", "--port", "0"], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        address = first.strip().removeprefix("本机页面：")
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", address), first
        with urllib.request.urlopen(address + "api/info", timeout=10) as info:
            assert json.loads(info.read())["max_file_mb"] == 20
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert out.rstrip().endswith("已停止本机页面，临时文件已删除。") and "Traceback" not in err


def test_an_unexpected_failure_is_a_chinese_500_and_the_server_goes_on(client: FlaskClient, example: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    with monkeypatch.context() as patch:
        patch.setattr(jobs, "rollup", broken)
        response = upload(client, "/api/rollup", (example, example.name))
    assert response.status_code == 500 and "内部错误（RuntimeError）" in response.get_json()["error"]["message"]
    assert upload(client, "/api/score", (example, example.name)).get_json()["total"] == "98.40"


def test_a_head_request_does_not_take_the_download(client: FlaskClient, example: Path) -> None:
    """Download managers and link scanners send HEAD first: the file is still there for the GET."""
    data = upload(client, "/api/score", (example, example.name)).get_json()
    head = client.head(data["download"])
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) > 0
    got = client.get(data["download"])
    assert got.status_code == 200 and got.data[:2] == b"PK"
    assert int(head.headers["Content-Length"]) == len(got.data)
    assert client.get(data["download"]).status_code == 404  # still one download


@pytest.mark.parametrize("name", ['单位"一".xlsx', "a\r\nSet-Cookie: x=1.xlsx", "南障城镇;filename=evil.xlsx"])
def test_every_name_in_a_header_is_encoded(name: str) -> None:
    """A quote, a line break or a semicolon in an upload's name never reaches Content-Disposition as written:
    the plain name keeps letters, digits and . _ - only, the UTF-8 name is percent-encoded."""
    from selfeval_xl.web.app import content_disposition
    header = content_disposition(name)
    plain, _, encoded = header.partition("; filename*=UTF-8''")
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+"', plain), header
    assert re.fullmatch(r"[A-Za-z0-9._~%-]+", encoded), header


# --- the county's archive on this machine (serve --archive) --------------------------------------------

def test_the_archive_takes_the_uploads_and_gives_the_years_review(tmp_path: Path, example: Path) -> None:
    db = tmp_path / "县档案.sqlite"
    app = make_app(archive=str(db))
    client = app.test_client()
    try:
        assert client.get("/api/info").get_json()["archive"] is True
        units = [(tmp_path / "甲镇.xlsx", "甲镇人民政府"), (tmp_path / "乙镇.xlsx", "乙镇人民政府")]
        unit_copies(example, units)
        sent = ((units[0][0], "收件箱/甲镇.xlsx"), (units[1][0], "收件箱/乙镇.xlsx"),
                (b"PK\x03\x04 damaged", "说明.xlsx"))
        added = upload(client, "/api/archive/add", *sent).get_json()
        assert (added["stored"], added["already"]) == (3, 0)
        assert [u["file"] for u in added["unreadable"]] == ["说明.xlsx"]
        assert "说明.xlsx" in added["unreadable"][0]["note"] and not TOKEN_NAME.search(json.dumps(added))
        again = upload(client, "/api/archive/add", *sent).get_json()
        # the same files: one record each (the unreadable one read again, in its own place)
        assert (again["stored"], again["retried"], again["already"]) == (1, 1, 2)
        review = client.post("/api/archive/review", data={"year": "2025", "sample": "1", "seed": "4"},
                             content_type="multipart/form-data").get_json()
        assert sorted(u["unit"] for u in review["units"]) == ["乙镇人民政府", "甲镇人民政府"]
        assert len(review["sample"]["units"]) == 1 and review["sample"]["seed"] == 4
        book = openpyxl.load_workbook(io.BytesIO(client.get(review["xlsx"]).data))
        assert book.sheetnames[:2] == ["抽查名单", "抽样"]
    finally:
        app.extensions["selfeval"]["store"].close()
    with sqlite3.connect(db) as conn:  # the archive names the files as the user sent them, never the stored tokens
        assert sorted(r[0] for r in conn.execute("SELECT file_name FROM submissions")) == [
            "乙镇.xlsx", "甲镇.xlsx", "说明.xlsx"]


def test_without_an_archive_the_page_offers_none(client: FlaskClient, example: Path) -> None:
    assert client.get("/api/info").get_json()["archive"] is False
    response = upload(client, "/api/archive/add", (example, example.name))
    assert response.status_code == 404 and "--archive" in response.get_json()["error"]["message"]
