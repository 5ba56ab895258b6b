"""Writing output files so that an interrupted run never leaves a half-written workbook."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from selfeval_xl.errors import OutputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, then move it into place."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"无法写入 {target}：文件夹 {folder} 不存在。")
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".selfeval-", suffix=".tmp", dir=folder)
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
