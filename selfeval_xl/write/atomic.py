"""Writing output files so that an interrupted run never leaves a half-written workbook."""
from __future__ import annotations

import os
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Iterable

from selfeval_xl.errors import OutputError, os_reason


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


TEMP_PREFIX, TEMP_SUFFIX = ".selfeval-", ".tmp"
STALE_SECONDS = 3600  # no run writes one file for an hour: an older temporary file is a killed run's


def _remove_stale(folder: Path) -> None:
    """Temporary files a killed run left beside its output (kill -9, power cut), older than an hour."""
    try:
        leftovers = list(folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"))
    except OSError:
        return
    now = time.time()
    for path in leftovers:
        try:
            if path.is_file() and now - path.stat().st_mtime > STALE_SECONDS:
                path.unlink()
        except OSError:
            continue


def refuse_folder(target: Path, example: str = "输出.xlsx") -> None:
    """An output path that names a folder: said before any work, in words a user can act on."""
    if target.is_dir():
        raise OutputError(f"无法写入 {target}：这是一个文件夹，请在 -o 后写文件名（例如 {target / example}）。")


def same_file(a: Path, b: Path) -> bool:
    """One file however it is spelled: ./, another relative path, a symlink, a hard link, another case on
    a case-insensitive disk (stat identity). A path that does not exist is compared as written."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def refuse_input(target: Path, inputs: Iterable[Path], why: str, option: str = "-o") -> None:
    """An input is never an output, --force or not: the run would replace the very file it reads."""
    for source in inputs:
        if same_file(target, source):
            name = target.name if target.name == source.name else f"{target.name} 就是输入的 {source.name}"
            raise OutputError(f"输出文件不能与输入文件相同（{name}）：{why}，请换一个输出路径（{option}）。")


def refuse_existing(target: Path, why: str, option: str = "-o") -> None:
    """An existing file the tool did not make is left alone unless the user says --force."""
    if os.path.exists(target):
        raise OutputError(f"{target} 已存在，没有覆盖（{why}）：请换一个文件名（{option}），或加 --force 覆盖它。")


def package_text(path: Path, part: str, limit: int = 8 * 1024 * 1024) -> str:
    """One part of an .xlsx/.xlsm package as text (at most `limit` bytes), or "" when the file is not
    such a package: enough to recognise the tool's own outputs without reading the workbook."""
    try:
        with zipfile.ZipFile(path) as package, package.open(part) as handle:
            return handle.read(limit).decode("utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return ""


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, then move it into place."""
    folder = target.parent if str(target.parent) else Path(".")
    refuse_folder(target)
    if not folder.is_dir():
        raise OutputError(f"无法写入 {target}：文件夹 {folder} 不存在。")
    _remove_stale(folder)
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o666 & ~_umask())  # mkstemp makes 0600; a new file should get the usual mode
        os.replace(tmp_name, target)
        tmp_name = None
    except PermissionError:
        raise OutputError(f"无法写入 {target}：没有写入权限，或该文件正在 Excel/WPS 中打开。"
                          "请关闭该文件或换一个输出路径（-o）。") from None
    except OSError as exc:
        if exc.errno == 28:
            raise OutputError(f"无法写入 {target}：磁盘空间不足。") from None
        raise OutputError(f"无法写入 {target}：{os_reason(exc)}。") from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
