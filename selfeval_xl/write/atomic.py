"""Writing output files so that an interrupted run never leaves a half-written workbook."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from selfeval_xl.errors import OutputError


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
        raise OutputError(f"无法写入 {target}：{exc.strerror or exc}。") from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
