"""LibreOffice as a test client: batch conversion through one headless ``soffice`` call.

The conversion runs with a private user profile (never the developer's own), whose
registrymodifications.xcu tells Calc to recalculate every formula when it loads a file
(OOXMLRecalcMode / ODFRecalcMode = 0, "always"). So the values in the converted file are the
ones LibreOffice computed, not the cached values the file was written with.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

DEFAULT_TIMEOUT = 120  # seconds for one soffice call, however many files it converts

# Filter names for --convert-to; other targets are passed through as they are (e.g. "pdf").
FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "ods": "ods:calc8",
    "csv": "csv:Text - txt - csv (StarCalc)",
}

RECALC_ALWAYS_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    pass


def soffice_path() -> str | None:
    """The soffice executable, or None when LibreOffice is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice",
                      "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def ci_requires_libreoffice() -> bool:
    """On CI (environment variable CI set, and not to 0/false/no) a missing LibreOffice is a failure."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def make_profile(directory: Path) -> Path:
    """Create a private LibreOffice user profile that recalculates on load; returns its directory."""
    user = directory / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(RECALC_ALWAYS_XCU, encoding="utf-8")
    return directory


_default_profile: Path | None = None


def _profile_for(profile: Path | None) -> Path:
    global _default_profile
    if profile is not None:
        return profile
    if _default_profile is None:
        import atexit
        import shutil
        import tempfile
        folder = Path(tempfile.mkdtemp(prefix="selfeval-lo-profile-"))
        atexit.register(shutil.rmtree, folder, True)
        _default_profile = make_profile(folder)
    return _default_profile


def convert(files: list[Path], outdir: Path, to: str = "xlsx", *, profile: Path | None = None,
            timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    """Convert all `files` into `outdir` with ONE soffice call; returns the outputs in the same order.

    `profile` is a directory made by make_profile (one per test session); without it a
    temporary one is made once per process. Raises LibreOfficeError when soffice is missing,
    times out, or an expected output is not there.
    """
    exe = soffice_path()
    if exe is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed")
    files = [Path(f).resolve() for f in files]
    if not files:
        return []
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    ext = to.split(":", 1)[0]
    outputs = [outdir / f"{f.stem}.{ext}" for f in files]
    if len(set(outputs)) != len(outputs):
        raise ValueError("two inputs share a file name stem; their outputs would overwrite each other")
    for f, out in zip(files, outputs, strict=True):
        if not f.is_file():
            raise FileNotFoundError(f)
        if f == out:
            raise ValueError(f"converting {f} into its own directory would overwrite it; use another outdir")
    for out in outputs:
        out.unlink(missing_ok=True)  # so a stale file never passes for a fresh conversion
    user_installation = _profile_for(profile).resolve().as_uri()
    cmd = [exe, f"-env:UserInstallation={user_installation}", "--headless", "--norestore", "--nologo",
           "--nodefault", "--nolockcheck", "--convert-to", FILTERS.get(to, to), "--outdir", str(outdir),
           *map(str, files)]
    # Own process group, so a timeout also ends soffice.bin, not only the wrapper script.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise LibreOfficeError(f"soffice did not finish converting {len(files)} file(s) within {timeout} s") from None
    missing = [out for out in outputs if not out.is_file()]
    if proc.returncode != 0 or missing:
        raise LibreOfficeError(
            f"soffice exited with {proc.returncode}; missing outputs: {[m.name for m in missing]}\n"
            f"command: {cmd}\nstdout: {stdout.decode(errors='replace')}\nstderr: {stderr.decode(errors='replace')}")
    return outputs


def overlapping_words(pdf: Path) -> list[tuple[int, str, str]]:
    """Pairs of words whose boxes on one page overlap by more than a point: text run over other text."""
    from lxml import etree
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(html, etree.XMLParser(recover=True))
    found = []
    for number, page in enumerate(root.iter("{*}page"), start=1):
        boxes = [(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")), w.text)
                 for w in page.iter("{*}word")]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                if a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1:
                    found.append((number, a[4], b[4]))
    return found
