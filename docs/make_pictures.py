"""Regenerate the README's pictures from real workbooks, on purpose (not part of the tests).

    python docs/make_pictures.py                # every picture
    python docs/make_pictures.py serve-score    # only the named ones

Needs LibreOffice (soffice), pdftoppm (poppler-utils) and CJK fonts (fonts-noto-cjk). Each sheet
is printed alone (the others hidden) to PDF by LibreOffice, recalculating on load, and its first
page becomes a PNG in docs/pictures/. The page of `selfeval-xl serve` after scoring the worked
example (serve-score.png) is a screenshot by headless Chromium (chromium and chromium-driver from
apt, selenium from the test extra) of the real server started from this checkout.
"""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
OUT = ROOT / "docs" / "pictures"

PICTURES = [  # (picture name, workbook key, sheet)
    ("template-basic-info", "example", "基本信息"),
    ("template-budget", "example", "预算执行"),
    ("template-indicators", "example", "绩效指标"),
    ("template-score", "example", "评分"),
    ("scored-summary", "problems", "评分汇总"),
    ("scored-marks", "problems", "绩效指标"),
]
SCREENSHOTS = ["serve-score"]  # the page of selfeval-xl serve, by headless Chromium
WINDOW = (1280, 1000)


def only_sheet(source: Path, sheet: str, target: Path) -> Path:
    """A copy of `source` in which every sheet but `sheet` is hidden (LibreOffice prints visible sheets)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        names = re.findall(r'<sheet [^>]*name="([^"]+)"', zin.read("xl/workbook.xml").decode("utf-8"))
        index = names.index(sheet)
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                text = re.sub(r'(<sheet [^>]*?)\s+state="[^"]*"', r"\1", text)
                for name in names:
                    if name != sheet:
                        text = text.replace(f'name="{name}"', f'name="{name}" state="hidden"', 1)
                # LibreOffice prints a hidden sheet that has a print area: only the pictured sheet keeps one
                text = re.sub(r'<definedName name="_xlnm\.Print_Area" localSheetId="(\d+)">[^<]*</definedName>',
                              lambda m: m.group(0) if int(m.group(1)) == index else "", text)
                text = re.sub(r'activeTab="\d+"', f'activeTab="{index}"', text)
                if "activeTab" not in text:
                    text = text.replace("<workbookView ", f'<workbookView activeTab="{index}" ', 1)
                data = text.encode("utf-8")
            elif info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'\stabSelected="1"', b"", data)
            zout.writestr(info, data)
    return target


def sheet_pictures(work: Path, example: Path, names: set[str]) -> None:
    import lo
    from selfeval_xl.api import score
    from workbooks import edit
    wanted = [picture for picture in PICTURES if picture[0] in names]
    if not wanted:
        return
    problems_src = edit(example, {"绩效指标": {"J6": "完成", "K7": 9, "M9": None}, "预算执行": {"E5": 410000}},
                        work / "有问题.xlsx")
    problems = score(problems_src, work / "有问题.scored.xlsx").output
    books = {"example": example, "problems": problems}
    copies = [only_sheet(books[key], sheet, work / f"{name}.xlsx") for name, key, sheet in wanted]
    profile = lo.make_profile(work / "profile")
    pdfs = lo.convert(copies, work / "pdf", to="pdf", profile=profile)
    for (name, _, _), pdf in zip(wanted, pdfs, strict=True):
        subprocess.run(["pdftoppm", "-r", "80", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf), str(OUT / name)],
                       check=True)
        print("wrote", OUT / f"{name}.png")


def start_server(log: Path) -> tuple[subprocess.Popen, str]:
    """`python cli.py serve` from this checkout on a free port; returns the process and its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "cli.py", "serve", "--no-browser", "--port", str(port)],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return proc, base
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"selfeval-xl serve did not start:\n{log.read_text(encoding='utf-8', errors='replace')}")


def serve_score_picture(work: Path, example: Path) -> None:
    """The page after scoring the worked example, as a user sees it in a 1280×1000 window."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    proc, base = start_server(work / "serve.log")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars",
                f"--window-size={WINDOW[0]},{WINDOW[1]}", "--lang=zh-CN"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        # the viewport (not the window with its frame) is WINDOW
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": WINDOW[0], "height": WINDOW[1], "deviceScaleFactor": 1, "mobile": False})
        browser.get(base + "/")
        browser.find_element("id", "tab-score").click()
        browser.find_element("id", "score-file").send_keys(str(example))
        WebDriverWait(browser, 30, poll_frequency=0.1).until(
            lambda d: d.find_element("id", "score-result").get_attribute("data-state") == "done")
        total = browser.find_element("id", "score-total").text.strip()
        if total != "98.40":
            raise SystemExit(f"the page shows total {total!r} for the worked example, not 98.40")
        browser.execute_script("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur();")
        time.sleep(0.5)  # let any transition settle
        browser.save_screenshot(str(OUT / "serve-score.png"))
        print("wrote", OUT / "serve-score.png")
    finally:
        browser.quit()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str]) -> None:
    from selfeval_xl.api import make_template
    known = [name for name, _, _ in PICTURES] + SCREENSHOTS
    names = set(argv) or set(known)
    if names - set(known):
        raise SystemExit(f"unknown picture(s) {sorted(names - set(known))}; known: {' '.join(known)}")
    work = Path(tempfile.mkdtemp(prefix="selfeval-pictures-"))
    example = work / "示例.xlsx"
    make_template(example, example=True)
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        sheet_pictures(work, example, names)
        if "serve-score" in names:
            serve_score_picture(work, example)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
