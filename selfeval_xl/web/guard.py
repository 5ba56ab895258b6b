"""Who may use the page: the Host a request names, the origin a POST comes from, and the access token.

A page on 127.0.0.1 is still reachable by any web site the user visits: through DNS rebinding (a
foreign name that resolves to 127.0.0.1, so the Host header is foreign) and through cross-site form
posts (an Origin that is not ours, or Sec-Fetch-Site: cross-site). Both are refused. On a county
intranet (--host) anyone on the network could reach the page, so every request must carry the token:
once in the address (?token=, then kept in an HttpOnly, SameSite=Strict cookie) or in a header.
"""
from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass, field

from selfeval_xl.read.limits import WORKER_MEMORY, WORKER_SECONDS

COOKIE = "selfeval_token"
HEADER = "X-Selfeval-Token"
WILDCARDS = ("0.0.0.0", "::", "")


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8765  # the port actually bound (set again by the server when it was 0)
    token: str | None = None  # required on every request when set
    max_file_mb: float = 20.0
    max_request_mb: float = 200.0
    file_timeout: float = WORKER_SECONDS
    memory_limit: int | None = WORKER_MEMORY
    ttl: float = 30 * 60.0  # seconds a produced file waits for its download
    extra_hosts: tuple[str, ...] = field(default_factory=tuple)
    archive: str | None = None  # the county's archive on this machine (serve --archive): the 汇总 tab may add to it

    def allowed_hosts(self) -> set[str]:
        """Host header values that name this server: the bound address and localhost, with the port."""
        names = {"localhost", "127.0.0.1", "[::1]", _bracketed(self.host), *self.extra_hosts}
        hosts = {f"{name}:{self.port}" for name in names}
        if self.port == 80:  # a browser leaves the default port out
            hosts |= names
        return {h.lower() for h in hosts}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def new_token() -> str:
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def check_host(settings: Settings, host: str) -> Refusal | None:
    """A wildcard bind (0.0.0.0) cannot know every name it is reached by; the token guards it instead."""
    if settings.host in WILDCARDS and settings.token:
        return None
    if host.lower() not in settings.allowed_hosts():
        return Refusal("BAD_HOST", f"拒绝访问：请求的地址 {host[:80]} 不是本机页面的地址。"
                                   f"请直接打开 http://{_bracketed(settings.host)}:{settings.port}/ 。")
    return None


def check_origin(method: str, host: str, origin: str | None, fetch_site: str | None) -> Refusal | None:
    """A POST from another site's page is refused, whatever it carries."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return None
    if (fetch_site or "").lower() == "cross-site":
        return Refusal("CROSS_ORIGIN", "拒绝访问：请求来自其他网站，本机页面只接受它自己页面上的操作。")
    if origin is not None and origin.lower() not in (f"http://{host}".lower(),):
        return Refusal("CROSS_ORIGIN", "拒绝访问：请求来自其他网站，本机页面只接受它自己页面上的操作。")
    return None


def check_token(settings: Settings, given: list[str | None]) -> Refusal | None:
    if not settings.token:
        return None
    for value in given:
        if value and secrets.compare_digest(value.encode("utf-8", "replace"), settings.token.encode("utf-8")):
            return None
    return Refusal("TOKEN_REQUIRED", "拒绝访问：需要访问令牌。请使用启动时显示的完整地址（含 ?token=…）打开本页面。")
