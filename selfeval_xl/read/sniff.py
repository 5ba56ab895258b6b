"""Opening whatever file a user hands over: recognise it, refuse it clearly, or give a Workbook.

.xlsx/.xlsm are read part by part (ooxml.Package); legacy .xls and .ods through python-calamine,
which carries values but no number formats.
"""
from __future__ import annotations

from pathlib import Path

from selfeval_xl.errors import UnreadableWorkbook, os_reason
from selfeval_xl.read.book import Workbook
from selfeval_xl.read.cells import read_grid
from selfeval_xl.read.legacy import open_legacy
from selfeval_xl.read.package import Package

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_INPUT_BYTES = 256 * 1024 * 1024
LOCK_PREFIX = "~$"  # Excel's and WPS's owner file beside an open workbook: ~$自评表.xlsx
LOCK_MAX_BYTES = 4096  # such a file holds a user name (Excel's: 165 bytes); no workbook is this small


def lock_file_message(path: Path) -> str:
    """What a ~$ owner file is and which file to pick instead (the workbook's name without ~$)."""
    real = path.name[len(LOCK_PREFIX):]
    what = (f"文件 {path.name} 是 Excel/WPS 打开 {real} 时在旁边生成的锁定文件（只记录打开者的用户名），"
            "不是工作簿本身：")
    if path.with_name(real).is_file():
        return what + f"请改选同一文件夹中的 {real}；在 Excel/WPS 中关闭该工作簿后，这个锁定文件会自动消失。"
    return what + f"同一文件夹中没有 {real}，请找到（或向填报单位索要）工作簿 {real} 本身再试。"


def _is_lock_file(path: Path, size: int, head: bytes) -> bool:
    return (path.name.startswith(LOCK_PREFIX) and len(path.name) > len(LOCK_PREFIX) and size <= LOCK_MAX_BYTES
            and not head.startswith((ZIP_MAGIC, b"PK\x05\x06", OLE_MAGIC)))


def sniff(path: Path) -> tuple[str, bytes]:
    """('xlsx' | 'ods' | 'xls', data) or raise with a message that says what the file is."""
    origin = path.name
    if not path.exists():
        raise UnreadableWorkbook(f"找不到文件 {path}：请检查文件名和路径。", code="NOT_FOUND")
    if path.is_dir():
        raise UnreadableWorkbook(f"{path} 是文件夹，不是工作簿：请指定一个 .xlsx 文件。", code="NOT_A_FILE")
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise UnreadableWorkbook(f"文件 {origin} 有 {size // (1024 * 1024)} MB，"
                                     f"超过上限 {MAX_INPUT_BYTES // (1024 * 1024)} MB。")
        data = path.read_bytes()
    except PermissionError:
        raise UnreadableWorkbook(f"没有权限读取文件 {origin}：请检查文件权限，或先在其他程序中关闭它。") from None
    except OSError as exc:
        raise UnreadableWorkbook(f"无法读取文件 {origin}：{os_reason(exc)}。") from None
    if _is_lock_file(path, size, data[:8]):
        raise UnreadableWorkbook(lock_file_message(path), code="LOCK_FILE")
    if not data:
        raise UnreadableWorkbook(f"文件 {origin} 是空文件（0 字节）：请重新保存或重新下载。", code="EMPTY")
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in data[:200]:
            return "ods", data
        return "xlsx", data
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptedPackage" in data:
            raise UnreadableWorkbook(f"文件 {origin} 设置了打开密码（已加密）："
                                     "请在 Excel 或 WPS 中打开，取消密码后另存为 .xlsx 再试。",
                                     code="ENCRYPTED")
        if (path.suffix.lower() == ".et"
                or "WPS".encode("utf-16-le") in data[:65536] and path.suffix.lower() not in (".xls",)):
            raise UnreadableWorkbook(f"文件 {origin} 是 WPS 表格专用格式（.et）："
                                     "请在 WPS 中“另存为”Excel 工作簿（.xlsx，不设密码）后再试。",
                                     code="WPS_FORMAT")
        return "xls", data
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<table" in head:
        kind = "网页（HTML）"
    elif head.startswith(b"{\\rtf"):
        kind = "RTF 文档"
    elif head.startswith(b"%pdf"):
        kind = "PDF 文档"
    else:
        kind = "文本（如 CSV）" if _looks_like_text(data[:4096]) else "未知格式"
    raise UnreadableWorkbook(f"文件 {origin} 实际是{kind}文件，不是 Excel 工作簿："
                             "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试。",
                             code="NOT_A_WORKBOOK")


def _looks_like_text(sample: bytes) -> bool:
    for encoding in ("utf-8", "gb18030", "utf-16"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def open_any(path: Path) -> Workbook:
    kind, data = sniff(path)
    return open_bytes(path, kind, data)


def open_bytes(path: Path, kind: str, data: bytes) -> Workbook:
    if kind == "xlsx":
        package = Package(path, data)
        sheets = package.sheets
        by_name = {s.name: s for s in sheets}
        return Workbook(path, [s.name for s in sheets], {s.name for s in sheets if s.state != "visible"},
                        lambda name: read_grid(package, by_name[name]), package=package)
    return open_legacy(path, data, kind)
