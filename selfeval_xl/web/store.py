"""The private temporary folder: uploads and produced files under random tokens, each removed after its
download, after a time limit, and with the folder when the server stops.

A client's file name is never a path here: every file is stored as <token><suffix>, where the suffix is
one of a fixed list, and the name people gave it is kept beside, cleaned, only for Content-Disposition
and for the messages that name it.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# The suffixes the reader tells apart; anything else is stored as .bin and the reader says what it is.
KNOWN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et", ".csv", ".docx")
DEFAULT_TTL = 30 * 60.0
NAME_LIMIT = 120  # characters of a download name: enough for any unit's name, short of every file system's limit
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
# control characters (C0, DEL, C1), bidi embeddings/overrides/isolates, and what no file system takes
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff/\\\\:*?\"<>|]")


def clean_name(name: str, fallback: str = "自评表.xlsx") -> str:
    """A name fit to show and to offer as a download: the last part of any path the browser sent, with no
    separators, control or bidi characters, no leading dots, and at most NAME_LIMIT characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if not name:
        return fallback
    if len(name) > NAME_LIMIT:
        stem, suffix = os.path.splitext(name)
        name = stem[: NAME_LIMIT - len(suffix[:10])] + suffix[:10]
    return name


def suffix_of(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    return suffix if suffix in KNOWN_SUFFIXES else ".bin"


@dataclass
class Item:
    path: Path
    name: str  # the cleaned name offered to the browser
    mimetype: str
    created: float
    keep: bool = False  # a download removed after it is sent (False) or kept until it expires (True)


class Store:
    """Files by token in one private folder (mode 0700). Thread-safe: waitress answers on several threads."""

    def __init__(self, ttl: float = DEFAULT_TTL, parent: str | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="selfeval-web-", dir=parent))
        os.chmod(self.root, 0o700)  # mkdtemp already makes it so; said again for the record
        self.ttl = ttl
        self._items: dict[str, Item] = {}
        self._lock = threading.Lock()

    def new_path(self, suffix: str) -> Path:
        """A fresh path in the folder that nothing else will ever use."""
        assert suffix in KNOWN_SUFFIXES or suffix in (".bin", ""), suffix
        return self.root / f"{secrets.token_hex(16)}{suffix}"

    def save_upload(self, stream: IO[bytes], name: str) -> tuple[Path, str]:
        """Copy an upload into the folder under a token: (where it is, its cleaned name)."""
        shown = clean_name(name)
        path = self.new_path(suffix_of(shown))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(stream, out, 1024 * 1024)
        return path, shown

    def offer(self, path: Path, name: str, mimetype: str) -> str:
        """Make a produced file downloadable once: its token for /download/<token>."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._items[token] = Item(path, clean_name(name), mimetype, time.monotonic())
        return token

    def peek(self, token: str) -> Item | None:
        """The file for a download token, still offered (a HEAD request, a link scanner's look)."""
        if not _TOKEN.fullmatch(token or ""):
            return None
        with self._lock:
            item = self._items.get(token)
        if item is None or time.monotonic() - item.created > self.ttl or not item.path.is_file():
            return None
        return item

    def take(self, token: str) -> Item | None:
        """The file for a download token, which stops being offered (it is removed once sent)."""
        if not _TOKEN.fullmatch(token or ""):
            return None
        with self._lock:
            item = self._items.pop(token, None)
        if item is None or time.monotonic() - item.created > self.ttl or not item.path.is_file():
            if item is not None:
                remove(item.path)
            return None
        return item

    def sweep(self, now: float | None = None) -> int:
        """Remove what is older than the time limit (offered or not); the number of files removed."""
        now = time.monotonic() if now is None else now
        with self._lock:
            old = [t for t, item in self._items.items() if now - item.created > self.ttl]
            paths = {self._items.pop(t).path for t in old}
        wall = time.time() + (now - time.monotonic())  # the same moment on the files' clock
        # what no download offers any more (an upload whose request died, a draft never offered) goes by age
        for entry in self.root.iterdir() if self.root.exists() else ():
            try:
                if wall - entry.stat().st_mtime > self.ttl and not self._offered(entry):
                    paths.add(entry)
            except OSError:
                continue
        for path in paths:
            remove(path)
        return len(paths)

    def _offered(self, path: Path) -> bool:
        with self._lock:
            return any(item.path == path for item in self._items.values())

    def close(self) -> None:
        with self._lock:
            self._items.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
    except OSError:
        pass
