"""`selfeval-xl serve` in a real browser: the server runs as its own process (`python cli.py serve`),
headless Chromium opens the page, uploads the worked example, reads the score off the page,
downloads the scored copy through the page's own link and `verify` finds it untouched; a broken
upload shows a Chinese message naming the file. Needs chromium and chromium-driver (apt) and
selenium (the test extra): skipped without them, a failure when CI is set (tests/conftest.py).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from selfeval_xl.api import verify
from workbooks import template_copy

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
WAIT = 20  # seconds for any one thing on the page (scoring the example takes well under one)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server, started the way a user starts it; yields its base URL."""
    yield from serving(tmp_path_factory)


@pytest.fixture(scope="module")
def archive_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server with a county archive on the machine (serve --archive)."""
    yield from serving(tmp_path_factory, "--archive", str(tmp_path_factory.mktemp("archive") / "县档案.sqlite"))


def serving(tmp_path_factory: pytest.TempPathFactory, *extra: str) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "cli.py", "serve", "--no-browser", "--port", str(port), *extra],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"selfeval-xl serve exited with {proc.returncode}:\n"
                            f"{log.read_text(encoding='utf-8', errors='replace')}")
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"selfeval-xl serve did not answer on {base} within 20 s:\n"
                            f"{log.read_text(encoding='utf-8', errors='replace')}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def driver(browser_binaries: tuple[str, str], downloads: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = browser_binaries
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "safebrowsing.enabled": True,
    })
    browser = webdriver.Chrome(service=Service(chromedriver), options=options)
    try:
        browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        browser.set_page_load_timeout(WAIT)
        yield browser
    finally:
        browser.quit()


def wait_for(browser, condition, what: str):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        return WebDriverWait(browser, WAIT, poll_frequency=0.1).until(condition)
    except TimeoutException:
        error = browser.find_element("id", "score-error").text
        pytest.fail(f"timed out waiting for {what}; score-error says: {error!r}")


def wait_for_download(folder: Path, before: set[str]) -> Path:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir()
                if p.name not in before and not p.name.endswith((".crdownload", ".tmp")) and p.stat().st_size > 0]
        if done and not any(p.name.endswith(".crdownload") for p in folder.iterdir()):
            assert len(done) == 1, [p.name for p in done]
            return done[0]
        time.sleep(0.1)
    pytest.fail(f"no download arrived in {folder}: {sorted(p.name for p in folder.iterdir())}")


def test_score_the_example_download_the_scored_copy_and_see_a_broken_upload_explained(
        server: str, driver, downloads: Path, tmp_path: Path) -> None:
    example = template_copy(tmp_path, "示例 自评表.xlsx")
    driver.get(server + "/")
    driver.find_element("id", "tab-score").click()

    driver.find_element("id", "score-file").send_keys(str(example))
    result = wait_for(
        driver, lambda d: d.find_element("id", "score-result").get_attribute("data-state") == "done"
        and d.find_element("id", "score-result"), "the score of the worked example")
    assert result.is_displayed()
    assert driver.find_element("id", "score-total").text.strip() == "98.40"
    assert "优秀" in driver.find_element("id", "score-grade").text
    assert driver.find_element("id", "score-error").text.strip() == ""

    # the scored copy, through the page's own link, arrives under its Chinese name and is untouched
    before = {p.name for p in downloads.iterdir()}
    driver.find_element("id", "score-download").click()
    scored = wait_for_download(downloads, before)
    assert scored.suffix == ".xlsx" and "示例" in scored.name, scored.name
    checked = verify(scored)
    assert checked.scored and checked.untouched, (checked.changes, checked.mismatches)
    assert f"{checked.result.total:.2f}" == "98.40" and checked.result.grade == "优秀"

    # a broken upload: a Chinese message that names the file, and no stale result passed off as its score
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(os.urandom(4096))
    driver.find_element("id", "score-file").send_keys(str(broken))
    message = wait_for(driver, lambda d: d.find_element("id", "score-error").text.strip() or False,
                       "the error message for a broken upload")
    assert "坏文件.xlsx" in message, message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message.replace("坏文件", "")), message
    assert "Traceback" not in message and "Internal Server Error" not in message, message
    assert driver.find_element("id", "score-error").is_displayed()
    assert driver.find_element("id", "score-result").get_attribute("data-state") != "done" \
        or not driver.find_element("id", "score-result").is_displayed()


def test_the_rollup_shows_its_key_columns_on_a_1366_pixel_screen_and_the_rest_on_demand(
        server: str, driver, tmp_path: Path) -> None:
    units = [template_copy(tmp_path, "南障城镇.xlsx"), tmp_path / "损坏.xlsx"]
    units[1].write_bytes(b"PK\x03\x04 not really")
    driver.set_window_size(1366, 768)
    try:
        driver.get(server + "/")
        driver.find_element("id", "tab-rollup").click()
        driver.find_element("id", "rollup-files").send_keys("\n".join(str(p) for p in units))
        table = wait_for(driver, lambda d: d.find_element("id", "rollup-table").get_attribute("data-state") == "done"
                         and d.find_element("id", "rollup-table"), "the rollup table")
        width = driver.execute_script("return document.documentElement.clientWidth")
        visible = [(th.text, th.rect["x"] + th.rect["width"]) for th in table.find_elements("css selector", "tr th")
                   if th.is_displayed()]
        assert [text for text, _ in visible] == ["单位名称", "重算总分", "等级", "校验", "错误数", "预算执行率", "说明"]
        assert all(right <= width for _, right in visible), (visible, width)
        assert driver.execute_script("return document.documentElement.scrollWidth") <= width
        rows = [[td.text for td in tr.find_elements("css selector", "td")]
                for tr in table.find_elements("css selector", "tr")[1:]]
        assert [r[:4] for r in rows] == [["井陉县南障城镇人民政府", "98.40", "优秀", "通过"],
                                         ["损坏.xlsx", "", "", "无法读取"]]
        assert "不是有效的 .xlsx 工作簿" in rows[1][6]

        more = driver.find_element("id", "rollup-more")
        assert more.text.startswith("显示其余 ")
        more.click()
        shown = [th.text for th in table.find_elements("css selector", "tr th") if th.is_displayed()]
        assert shown[:7] == [text for text, _ in visible] and "主管部门" in shown and "路径" in shown
        assert more.text == "只看主要列"
    finally:
        driver.set_window_size(1280, 1000)


def test_the_rollup_tab_adds_the_files_to_the_archive_and_downloads_the_review(
        archive_server: str, driver, downloads: Path, tmp_path: Path) -> None:
    units = [template_copy(tmp_path, "南障城镇.xlsx")]
    driver.get(archive_server + "/")
    driver.find_element("id", "tab-rollup").click()
    wait_for(driver, lambda d: d.find_element("id", "archive-box").is_displayed(), "the archive's controls")
    driver.find_element("id", "rollup-files").send_keys("\n".join(str(p) for p in units))
    wait_for(driver, lambda d: d.find_element("id", "rollup-table").get_attribute("data-state") == "done",
             "the rollup table")
    driver.find_element("id", "archive-add").click()
    status = wait_for(driver, lambda d: d.find_element("id", "archive-status").get_attribute("data-state") == "done"
                      and d.find_element("id", "archive-status"), "the archive's answer")
    assert status.text.startswith("已存入 1 份")
    year = driver.find_element("id", "archive-year")
    year.clear()
    year.send_keys("2025")
    driver.find_element("id", "archive-review").click()
    table = wait_for(driver, lambda d: d.find_element("id", "archive-table").get_attribute("data-state") == "done"
                     and d.find_element("id", "archive-table"), "the review")
    rows = [[td.text for td in tr.find_elements("css selector", "td")]
            for tr in table.find_elements("css selector", "tr")[1:]]
    assert [r[:3] for r in rows] == [["1", "井陉县南障城镇人民政府", "0"]]
    before = {p.name for p in downloads.iterdir()}
    driver.find_element("id", "archive-xlsx").click()
    assert wait_for_download(downloads, before).name == "2025年度复核.xlsx"
