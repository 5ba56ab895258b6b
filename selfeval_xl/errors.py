"""Failures that stop a command before any score exists (exit status 2).

Problems found *in* a workbook are never exceptions: they are `Finding`s (model.py).
"""
from __future__ import annotations

import errno


class SelfevalError(Exception):
    """A fatal, user-facing problem. `code` is stable; `message` is Chinese and says what to do."""

    code = "INPUT_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class ProfileError(SelfevalError):
    code = "PROFILE_INVALID"


class UnreadableWorkbook(SelfevalError):
    code = "UNREADABLE"


class NotAForm(SelfevalError):
    code = "NOT_A_FORM"


class OutputError(SelfevalError):
    code = "OUTPUT_ERROR"


# The operating system's own words are English ("Address already in use"): every OSError a user sees
# is said through this table, the number kept for whoever must look it up.
_OS_REASONS = {
    errno.EADDRINUSE: "端口已被占用",
    errno.EADDRNOTAVAIL: "本机没有这个地址",
    errno.EACCES: "没有权限",
    errno.EPERM: "操作不被允许",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘只读",
    errno.ELOOP: "符号链接循环",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EMFILE: "同时打开的文件太多",
    errno.EIO: "读写磁盘出错",
    errno.EBUSY: "文件正被占用",
    errno.ETXTBSY: "文件正被占用",
    errno.EEXIST: "文件已存在",
    errno.EINVAL: "参数无效",
    errno.ENOMEM: "内存不足",
    errno.EXDEV: "不能跨磁盘移动",
}


def os_reason(exc: OSError) -> str:
    """An OSError in Chinese: the known reason, else 系统错误 with its number (never English)."""
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    if isinstance(exc, PermissionError):
        return "没有权限"
    return f"系统错误（编号 {exc.errno}）" if exc.errno else "系统错误"
