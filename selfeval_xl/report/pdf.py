"""LibreOffice, where it is installed, for the one thing the tool needs it for: printing to PDF."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from selfeval_xl.errors import OutputError
from selfeval_xl.write.atomic import write_atomically

TIMEOUT = 180


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def xlsx_to_pdf(source: Path, target: Path) -> None:
    exe = soffice()
    if exe is None:
        raise OutputError("生成 PDF 需要 LibreOffice（soffice），本机未安装："
                          "请改用 .xlsx 输出，或安装 LibreOffice 后再试。")
    with tempfile.TemporaryDirectory(prefix="selfeval-lo-") as folder:
        profile = Path(folder) / "profile"
        # A private profile: a LibreOffice the user has open must not be disturbed, nor disturb us.
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", folder, str(source)]
        try:
            subprocess.run(cmd, check=False, capture_output=True, timeout=TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OutputError(f"LibreOffice 转换 PDF 失败（{type(exc).__name__}）：请改用 .xlsx 输出。") from None
        produced = Path(folder) / (source.stem + ".pdf")
        if not produced.exists():
            raise OutputError("LibreOffice 没有生成 PDF：请改用 .xlsx 输出。")
        write_atomically(target, produced.read_bytes())
