"""The local page's Flask app: the page itself, its JSON API over the facade, and the downloads.

Every route reads through the facade (api.py, in a worker process for uploads: web/jobs.py) and adds no
scoring of its own; what it adds is the door: which requests get in (web/guard.py), how big an upload
may be, and where files live until they are downloaded (web/store.py).
"""
from __future__ import annotations

import atexit
import contextlib
import os
import re
import time
import unicodedata
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

from flask import Flask, Response, jsonify, redirect, request, send_from_directory

from selfeval_xl import __version__, api
from selfeval_xl.county.archive_output import review_json
from selfeval_xl.county.rollup import KEY_COLUMNS
from selfeval_xl.errors import ProfileError, SelfevalError
from selfeval_xl.web import guard, jobs
from selfeval_xl.web.store import Store, clean_name

STATIC = Path(__file__).resolve().parent / "static"
MB = 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEMPLATES = {  # what /template/<kind> writes, and the name it is offered under
    "department": ("department", False, "部门整体支出自评模板.xlsx"),
    "project": ("project", False, "项目支出自评模板.xlsx"),
    "example": ("department", True, "示例自评表（南障城镇2025年）.xlsx"),
}
SWEEP_EVERY = 30.0


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, file: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.file = status, code, message, file


def error_response(status: int, code: str, message: str, file: str | None = None) -> Response:
    body: dict[str, object] = {"error": {"code": code, "message": message}}
    if file is not None:
        body = {"file": file, **body}
    response = jsonify(body)
    response.status_code = status
    return response


def content_disposition(name: str) -> str:
    """RFC 6266 with the RFC 5987 UTF-8 name, and a plain ASCII name for clients that know only that."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("_")
    stem, dot, rest = ascii_name.partition(".")
    if not re.search("[A-Za-z]", stem):  # a Chinese name leaves little but its suffix: name it after the tool
        ascii_name = "selfeval" + dot + rest
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def create_app(settings: guard.Settings | None = None) -> Flask:
    settings = settings or guard.Settings()
    app = Flask(__name__, static_folder=str(STATIC), static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = int(settings.max_request_mb * MB)
    app.config["MAX_FORM_PARTS"] = 20000  # a county's folder of workbooks, each with its modification time
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    store = Store(settings.ttl)
    atexit.register(store.close)
    limits = jobs.Limits(settings.file_timeout, settings.memory_limit)
    app.extensions["selfeval"] = {"settings": settings, "store": store, "limits": limits}
    _door(app, settings, store)
    _error_answers(app, settings)
    _pages(app, settings, store)
    _scoring(app, settings, store, limits)
    _rollup(app, settings, store, limits)
    _archive(app, settings, store, limits)
    _downloads(app, settings, store)
    return app


def _door(app: Flask, settings: guard.Settings, store: Store) -> None:
    """Which requests get in (host, origin, token), the headers every answer carries, and the sweep of
    downloads nobody took."""
    last_sweep = [time.monotonic()]

    @app.before_request
    def door() -> Response | None:
        host = request.host or ""
        refusal = (guard.check_host(settings, host)
                   or guard.check_origin(request.method, host, request.headers.get("Origin"),
                                         request.headers.get("Sec-Fetch-Site")))
        if refusal is None and settings.token:
            given = request.args.get("token")
            refusal = guard.check_token(settings, [request.headers.get(guard.HEADER), request.cookies.get(guard.COOKIE),
                                                   given])
            if refusal is None and given and request.method == "GET":
                # the address with the token is typed once; after that the cookie carries it, out of sight
                response = redirect(request.path, code=303)
                response.set_cookie(guard.COOKIE, settings.token, httponly=True, samesite="Strict", path="/")
                return response  # type: ignore[return-value]
        if refusal is not None:
            return error_response(403, refusal.code, refusal.message)
        if time.monotonic() - last_sweep[0] > SWEEP_EVERY:
            last_sweep[0] = time.monotonic()
            store.sweep()
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; "
                                                       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.path.startswith(("/api/", "/download/", "/template/")):
            response.headers["Cache-Control"] = "no-store"
        return response


def _error_answers(app: Flask, settings: guard.Settings) -> None:
    """Every refusal and failure as the page's JSON error, in Chinese."""
    @app.errorhandler(Refused)
    def refused(exc: Refused) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.file)

    @app.errorhandler(jobs.Busy)
    def busy(exc: jobs.Busy) -> Response:
        response = error_response(503, "BUSY", str(exc))
        response.headers["Retry-After"] = "10"
        return response

    @app.errorhandler(413)  # werkzeug's RequestEntityTooLarge: Flask MAX_CONTENT_LENGTH
    def too_large(_: Exception) -> Response:
        return error_response(413, "TOO_LARGE", f"上传的内容超过每次 {settings.max_request_mb:g} MB 的上限："
                                                "请分几次上传，或请管理员用 --max-request-mb 调高上限。")

    words = {400: "请求无法识别：请从本机页面上传文件。", 404: "没有这个页面或文件。", 405: "不支持这种请求方式。"}
    for status, message in words.items():
        app.register_error_handler(status, lambda _, s=status, m=message: error_response(s, f"HTTP_{s}", m))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        code = getattr(exc, "code", None)
        if isinstance(code, int) and hasattr(exc, "get_response"):  # another HTTP error of werkzeug's
            return error_response(code, f"HTTP_{code}", "请求无法处理。")
        app.logger.exception("unexpected error")  # the console of `serve` shows it to whoever runs the page
        return error_response(500, "INTERNAL", f"处理请求时发生内部错误（{type(exc).__name__}）："
                                               "请把出错的步骤和文件反馈给维护者。")



def _pages(app: Flask, settings: guard.Settings, store: Store) -> None:
    @app.get("/")
    def index() -> Response:
        return send_from_directory(STATIC, "index.html", max_age=0)

    @app.get("/api/info")
    def info() -> Response:
        return jsonify({"version": __version__, "max_file_mb": settings.max_file_mb,
                        "max_request_mb": settings.max_request_mb, "archive": bool(settings.archive),
                        "profiles": [{"name": p.name, "form": p.form, "title": p.title}
                                     for p in api.builtin_profiles()]})

    @app.get("/template/<kind>")
    def template(kind: str) -> Response:
        if kind not in TEMPLATES:
            raise Refused(404, "NOT_FOUND", "没有这种模板：可下载部门整体支出模板、项目支出模板和示例。")
        form, example, name = TEMPLATES[kind]
        target = store.new_path(".xlsx")
        try:
            api.make_template(target, form=form, example=example)
            return _attachment(target.read_bytes(), name, XLSX)
        finally:
            target.unlink(missing_ok=True)



def _scoring(app: Flask, settings: guard.Settings, store: Store, limits: jobs.Limits) -> None:
    @app.post("/api/score")
    def score() -> Response:
        upload = _one_file(settings)
        profile = request.form.get("profile") or None
        if profile is not None:
            try:
                api.builtin_profile(profile)  # a built-in name only: never a path from the client
            except ProfileError as exc:
                raise Refused(400, exc.code, exc.message, clean_name(upload.filename or "")) from None
        stored, shown = store.save_upload(upload.stream, upload.filename or "")
        macro = stored.suffix == ".xlsm"
        output, report = store.new_path(".xlsm" if macro else ".xlsx"), store.new_path(".docx")
        try:
            outcome = jobs.score(stored, shown, output, report, profile, limits)
        finally:
            stored.unlink(missing_ok=True)
        if not outcome.ok:
            output.unlink(missing_ok=True)
            report.unlink(missing_ok=True)
            return _failed(outcome, shown)
        data = dict(outcome.data or {})
        written = data.pop("report_written", False)
        copy_name = api.default_output(Path(shown), bool(data.get("rescored"))).name
        data["output"] = copy_name
        data["download"] = _offer(store, output, copy_name, XLSM if macro else XLSX)
        if written:
            data["report"] = _offer(store, report, f"{Path(shown).stem}.自评报告.docx", DOCX)
        else:
            report.unlink(missing_ok=True)
            data["report"] = None
        return jsonify(data)

    @app.post("/api/verify")
    def verify() -> Response:
        upload = _one_file(settings)
        stored, shown = store.save_upload(upload.stream, upload.filename or "")
        try:
            outcome = jobs.verify(stored, shown, limits)
        finally:
            stored.unlink(missing_ok=True)
        return jsonify(outcome.data) if outcome.ok else _failed(outcome, shown)



def _rollup(app: Flask, settings: guard.Settings, store: Store, limits: jobs.Limits) -> None:
    @app.post("/api/rollup")
    def rollup() -> Response:
        with _received(settings, store, "要汇总的") as uploads:
            xlsx, csv = store.new_path(".xlsx"), store.new_path(".csv")
            result = jobs.rollup(uploads, xlsx, csv, limits)
        data = {"columns": [[key, label] for key, label in result.columns],
                "key_columns": [key for key, _ in KEY_COLUMNS], **result.to_json(),
                "count": len(result.units), "unreadable": len(result.unreadable),
                "xlsx": _offer(store, xlsx, "自评汇总.xlsx", XLSX),
                "csv": _offer(store, csv, "自评汇总.csv", "text/csv; charset=utf-8")}
        return jsonify(data)


@contextlib.contextmanager
def _received(settings: guard.Settings, store: Store, what: str) -> Iterator[list[jobs.Upload]]:
    """The request's workbooks, each within the size limit, stored under a token with the browser's modification
    time, for the `with` block; removed after it, and the facade's refusal as the page's 400."""
    files = [f for f in request.files.getlist("file") if f.filename]
    if not files:
        raise Refused(400, "NO_FILES", f"没有收到任何工作簿：请选择{what}文件或文件夹。")
    for f in files:
        _within_limit(f, settings)
    times = request.form.getlist("mtime")
    uploads: list[jobs.Upload] = []
    try:
        for index, f in enumerate(files):
            stored, name = store.save_upload(f.stream, f.filename or "")
            _set_mtime(stored, times[index] if index < len(times) else "")
            uploads.append(jobs.Upload(stored, name, _relative(f.filename or "", name)))
        yield uploads
    except SelfevalError as exc:
        raise Refused(400, exc.code, exc.message) from None
    finally:
        for upload in uploads:
            upload.path.unlink(missing_ok=True)


def _archive(app: Flask, settings: guard.Settings, store: Store, limits: jobs.Limits) -> None:
    """The 汇总 tab's archive: the uploads added to the archive the server was started with (serve --archive),
    never one an upload names, and the review of a year downloaded."""

    def archive() -> str:
        if not settings.archive:
            raise Refused(404, "NO_ARCHIVE", "本机页面没有设县档案库："
                                             "请用 selfeval-xl serve --archive 县档案.sqlite 启动。")
        return settings.archive

    @app.post("/api/archive/add")
    def archive_add() -> Response:
        target = archive()
        with _received(settings, store, "要存入档案库的") as uploads:
            added = jobs.archive_add(uploads, target, limits)
        return jsonify(added.to_json())

    @app.post("/api/archive/review")
    def archive_review() -> Response:
        target = archive()
        try:
            year = int(request.form.get("year", ""))
            sample = int(request.form["sample"]) if request.form.get("sample") else None
            seed = int(request.form["seed"]) if request.form.get("seed") else None
        except ValueError:
            raise Refused(400, "USAGE", "年度、抽样个数和随机种子都应是整数。") from None
        if not 1900 <= year <= 2200 or (sample is not None and sample < 1):
            raise Refused(400, "USAGE", "请填写四位数的复核年度，抽样个数至少为 1。")
        out = store.new_path(".xlsx")
        try:
            review = jobs.archive_review(target, year, out, sample, seed, limits)
        except SelfevalError as exc:
            out.unlink(missing_ok=True)
            raise Refused(400, exc.code, exc.message) from None
        data = review_json(review)
        return jsonify({**data, "xlsx": _offer(store, out, f"{year}年度复核.xlsx", XLSX)})


def _downloads(app: Flask, settings: guard.Settings, store: Store) -> None:
    @app.get("/download/<token>")
    def download(token: str) -> Response:
        if request.method == "HEAD":
            # download managers and link scanners look first: a look never takes the one-time download
            seen = store.peek(token)
            if seen is None:
                raise Refused(404, "GONE", "这个下载已经取走或已过期：请重新上传生成。")
            response = _attachment(b"", seen.name, seen.mimetype)
            response.headers["Content-Length"] = str(seen.path.stat().st_size)
            return response
        item = store.take(token)
        if item is None:
            raise Refused(404, "GONE", f"这个下载已经取走或已过期（{settings.ttl / 60:g} 分钟内有效）："
                                       "请重新上传生成。")
        try:
            body = item.path.read_bytes()  # read whole, so the file can go now (Windows keeps open files)
        finally:
            item.path.unlink(missing_ok=True)
        return _attachment(body, item.name, item.mimetype)



def _attachment(body: bytes, name: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(name)
    return response


def _offer(store: Store, path: Path, name: str, mimetype: str) -> str:
    return f"/download/{store.offer(path, name, mimetype)}"


def _failed(outcome: jobs.Outcome, shown: str) -> Response:
    return error_response(500 if outcome.code == "INTERNAL" else 400, outcome.code, outcome.message, shown)


def _one_file(settings: guard.Settings) -> Any:  # a werkzeug FileStorage
    files = [f for f in request.files.getlist("file") if f.filename]
    if not files:
        raise Refused(400, "NO_FILE", "没有收到工作簿：请选择或拖入一个 .xlsx 文件。")
    if len(files) > 1:
        raise Refused(400, "USAGE", "一次只能评分或核对一个工作簿：多个单位的工作簿请用“汇总”。")
    _within_limit(files[0], settings)
    return files[0]


def _within_limit(upload: Any, settings: guard.Settings) -> None:
    stream = upload.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > settings.max_file_mb * MB:
        name = clean_name(upload.filename or "")
        raise Refused(413, "TOO_LARGE", f"文件 {name} 大小 {size / MB:.1f} MB，超过每个文件 "
                                        f"{settings.max_file_mb:g} MB 的上限：请确认文件无误，"
                                        "或请管理员用 --max-file-mb 调高上限。", name)


def _relative(sent: str, name: str) -> str:
    """The path within the chosen folder, as the rollup's 路径 column shows it: each part cleaned."""
    parts = [clean_name(p, "_") for p in re.split(r"[/\\]", sent) if p not in ("", ".", "..")]
    return "/".join([*parts[:-1], name][-8:]) if parts else name


def _set_mtime(path: Path, millis: str) -> None:
    """The browser's modification time, so the rollup keeps the newest of a unit's duplicate files."""
    try:
        seconds = float(millis) / 1000
    except ValueError:
        return
    if 0 < seconds < 4e9:
        os.utime(path, (seconds, seconds))
