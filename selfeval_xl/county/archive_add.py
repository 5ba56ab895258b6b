"""archive add: the workbooks of an inbox into the county's archive (docs/archive.md). Each file is hashed
first (a file the archive holds is not read again), read and scored in the rollup's isolated workers
(county/archive_entry.py), and stored in its own transaction as soon as it is read, so that a run stopped
half-way keeps every unit-year it stored and none by halves."""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selfeval_xl.county.archive_entry import archive_entry
from selfeval_xl.county.archive_store import Archive, known_hashes, store
from selfeval_xl.county.rollup import Entry, summarize_all
from selfeval_xl.errors import os_reason
from selfeval_xl.rules.profiles import Profile


@dataclass
class Added:
    """What one add did: files stored (unit-years and unreadable ones), files the archive already held."""

    stored: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file shown, why)
    already: int = 0
    retried: int = 0  # of those stored, files recorded as unreadable before and read again
    without_year: list[str] = field(default_factory=list)  # stored, but in no year's review: no 评价年度 found

    def to_json(self) -> dict[str, object]:
        return {"stored": self.stored, "already": self.already, "retried": self.retried,
                "unreadable": [{"file": f, "note": n} for f, n in self.unreadable], "without_year": self.without_year}


def file_hash(path: Path) -> str | None:
    """SHA-256 of the file's bytes, read in pieces; None where it cannot be read (its row says why)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for piece in iter(functools.partial(handle.read, 1 << 20), b""):
                digest.update(piece)
    except OSError:
        return None
    return digest.hexdigest()


def add_entries(archive: Archive, entries: Sequence[Entry], county_profile: Profile | None = None, *,
                workers: int | None = None, progress: Callable[[int], None] | None = None,
                file_timeout: float, memory_total: int | None = None) -> Added:
    added = Added()
    hashes: dict[int, str] = {}
    unhashed: list[Entry] = []
    for index, entry in enumerate(entries):
        digest = None if entry.note else file_hash(entry.path)
        if digest is None:
            unhashed.append(entry)
        else:
            hashes[index] = digest
    known = known_hashes(archive, hashes.values())
    fresh: dict[str, int] = {}  # the first of several copies of one file in the inbox is read, the rest counted
    for index, digest in hashes.items():
        if known.get(digest) or digest in fresh:
            added.already += 1
        else:
            fresh[digest] = index
            added.retried += digest in known  # recorded as unreadable before: read again, stored in its place
    for entry in unhashed:  # a folder or file that could not be listed or opened: said, never stored
        added.unreadable.append((entry.shown, entry.note or _unopened(entry.path)))
    to_read = [entries[i] for i in fresh.values()]
    digests = list(fresh)
    task = functools.partial(archive_entry, county_profile=county_profile) if county_profile else archive_entry

    def stored(k: int, row: dict) -> None:
        entry = to_read[k]
        name = Path(entry.shown).name or entry.path.name  # the user's name where the file is stored under another
        note = str(row.get("note") or ("" if row.get("readable") else "无法读取")).replace(entry.path.name, name)
        row = {**row, "file_name": name, "note": note}
        if not row.get("readable"):
            added.unreadable.append((entry.shown, note))
        elif row.get("year") is None:
            added.without_year.append(entry.shown)
        if store(archive, row, digests[k], _mtime(entry.path)):
            added.stored += 1
        else:
            added.already += 1

    bounds: dict[str, Any] = {} if memory_total is None else {"memory_total": memory_total}
    summarize_all(to_read, progress, workers, file_timeout=file_timeout, task=task, on_row=stored, **bounds)
    return added


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _unopened(path: Path) -> str:
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        return f"无法打开（{os_reason(exc)}）"
    return "无法读取"
