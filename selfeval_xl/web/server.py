"""Serving the page: waitress on the chosen address, the browser opened on it, a clean stop on Ctrl-C.

waitress rather than Flask's own development server: it is meant for use (threads, a request body
limit, no debugger), is pure Python with no compiler needed, and runs the same on Windows.
"""
from __future__ import annotations

import errno
import logging
import signal
import threading
import webbrowser
from types import FrameType
from typing import Any, Callable, Optional

from waitress.server import create_server  # type: ignore[import-untyped]  # no stubs shipped

from selfeval_xl.errors import SelfevalError, os_reason
from selfeval_xl.web.app import create_app
from selfeval_xl.web.guard import Settings

SWEEP_SECONDS = 60.0


def page_address(settings: Settings) -> str:
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}/"


# waitress logs "Task queue depth is N" in English whenever requests wait for a thread: the page answers
# a burst itself (503 in Chinese, web/jobs.py), so the console stays quiet
logging.getLogger("waitress.queue").setLevel(logging.ERROR)
# waitress warns in English of the requests a stop cut short; serve() says it in Chinese. Its errors still show.
DISPATCHER_LOG = logging.getLogger("waitress.dispatcher")
DISPATCHER_LOG.setLevel(logging.ERROR)


class Server:
    """A bound server (the port is known, also for --port 0) that `run()` serves until `close()`."""

    def __init__(self, settings: Settings, threads: int = 14) -> None:
        # 2 running uploads + 8 waiting (web/jobs.py Limits) + 4 for status, pages and downloads
        self.settings = settings
        self.app = create_app(settings)
        # waitress's own body limit a little above Flask's, so that Flask answers (in Chinese) first
        self._server = create_server(self.app, host=settings.host, port=settings.port, threads=threads,
                                     max_request_body_size=int(settings.max_request_mb * 1024 * 1024) + 1024 * 1024,
                                     ident="selfeval-xl", clear_untrusted_proxy_headers=True)
        settings.port = int(self._server.effective_port)
        self._stop = threading.Event()
        self._closed = False
        # request threads wake the loop through waitress's pipe, also after the stop when a request outlives
        # the dispatcher's wait: closing the pipe under such a write would fail it (EBADF) or, the number
        # reused, write into another file. The lock makes "closed" and "write" one or the other.
        self._wake_lock = threading.Lock()
        self._wake = self._server.pull_trigger
        self._server.pull_trigger = self._wake_unless_closed
        self._server.task_dispatcher.logger = DISPATCHER_LOG
        self._sweeper = threading.Thread(target=self._sweep, name="selfeval-sweep", daemon=True)

    @property
    def address(self) -> str:
        return page_address(self.settings)

    @property
    def unfinished(self) -> int:
        """Requests still being worked on after the stop's wait: threads the dispatcher could not end."""
        return len(self._server.task_dispatcher.threads)

    def _wake_unless_closed(self) -> None:
        with self._wake_lock:
            if not self._closed:
                self._wake()

    def _sweep(self) -> None:
        store = self.app.extensions["selfeval"]["store"]
        while not self._stop.wait(SWEEP_SECONDS):
            store.sweep()

    def run(self) -> None:
        self._sweeper.start()
        try:
            self._server.run()
        except OSError as exc:
            # a stop arriving while the loop polls can close a socket under it: that is the stop, not a
            # failure to report (the port was bound and served before)
            if exc.errno != errno.EBADF:
                raise
        finally:
            self.close()

    def close(self) -> None:
        with self._wake_lock:
            if self._closed:
                return
            self._closed = True
        # a second Ctrl-C or SIGTERM while the stop is under way would cut it short, leaving files behind
        held = _hold_signals()
        try:
            self._stop.set()
            try:
                self._server.close()
            except OSError:
                pass
            self.app.extensions["selfeval"]["store"].close()
        finally:
            for signum, handler in held.items():
                signal.signal(signum, handler)


Handler = Callable[[int, Optional[FrameType]], Any] | int | None


def _hold_signals() -> dict[int, Handler]:
    """Ignore Ctrl-C and SIGTERM for a moment (main thread only); returns the handlers to put back."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    held: dict[int, Handler] = {}
    for name in ("SIGINT", "SIGTERM"):
        signum = getattr(signal, name)
        held[signum] = signal.signal(signum, signal.SIG_IGN)
    return held


def serve(settings: Settings, open_browser: bool = True, say: Callable[[str], None] = print) -> None:
    """Bind, say where, open the browser (unless told not to), serve until interrupted."""
    # before anything is made to clean up: a SIGTERM as soon as the page exists must not skip its clean-up
    _stop_on_terminate()
    try:
        server = Server(settings)
    except OSError as exc:
        hint = "请用 --port 换一个端口" if exc.errno == errno.EADDRINUSE else "请检查 --host 和 --port"
        raise SelfevalError(f"无法在 {settings.host}:{settings.port} 上启动本机页面：{os_reason(exc)}（{hint}）。",
                            code="SERVE_FAILED") from None
    address = server.address
    if settings.token:
        address += f"?token={settings.token}"
    say(f"本机页面：{address}")
    if settings.token:
        say(f"访问令牌：{settings.token}")
        say(f"注意：页面在 {settings.host} 上对网络开放，任何知道上面地址（含令牌）的人都能上传和下载；"
            "只在可信的内部网络中使用，用完按 Ctrl-C 停止。")
    say(f"上传上限：每个文件 {settings.max_file_mb:g} MB，每次 {settings.max_request_mb:g} MB。按 Ctrl-C 停止。")
    if open_browser:
        # a browser that takes long to start must not hold up the server
        threading.Timer(0.5, webbrowser.open, args=(address,)).start()
    server.run()  # waitress returns from Ctrl-C itself (it catches the KeyboardInterrupt)
    if server.unfinished:
        say(f"停止时还有 {server.unfinished} 个请求没有处理完，已中止：请重新启动页面后再上传。")
    say("已停止本机页面，临时文件已删除。")


def _stop_on_terminate() -> None:
    """A service manager or `kill` stops the page like Ctrl-C does: the private folder is removed either way."""
    if threading.current_thread() is not threading.main_thread():
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGBREAK"):  # SIGBREAK: Ctrl-Break in a Windows console
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), interrupt)
