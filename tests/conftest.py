from __future__ import annotations

import functools
import os
import random
import shutil

import pytest
from hypothesis import settings

import lo

# CI must not pass or fail by the luck of a seed: there every property test runs the same examples
# each time. Locally each run draws a new seed (printed in the header and after a failure) so the
# search keeps finding new cases; a failure also prints its @reproduce_failure blob.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

LO_MISSING = "LibreOffice (soffice) is not installed; install libreoffice-calc-nogui to run the LibreOffice tests"
BROWSER_MISSING = ("headless Chromium and its chromedriver are not installed; install chromium and chromium-driver "
                   "(and selenium, in the test extra) to run the browser tests")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("CI") and config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = str(random.randrange(2**32))  # read by hypothesis' own plugin next
    config.addinivalue_line(
        "markers", "libreoffice: needs LibreOffice (soffice); skipped when absent, but a failure when CI is set")
    config.addinivalue_line(
        "markers", "browser: needs headless Chromium, chromedriver and selenium; skipped when absent, "
                   "but a failure when CI is set")


def require_libreoffice() -> str:
    """The soffice path; skips the test when LibreOffice is absent, fails instead on CI."""
    exe = lo.soffice_path()
    if exe is None:
        if lo.ci_requires_libreoffice():
            pytest.fail(f"{LO_MISSING} (CI is set, so this is a failure, not a skip)", pytrace=False)
        pytest.skip(LO_MISSING)
    return exe


def browser_paths() -> tuple[str, str] | None:
    """(chromium, chromedriver) when both are installed and selenium imports, else None."""
    chromium = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                     if p and os.access(p, os.X_OK)), None)
    driver = next((p for p in (shutil.which("chromedriver"), "/usr/bin/chromedriver") if p and os.access(p, os.X_OK)),
                  None)
    try:
        import selenium  # noqa: F401
    except ImportError:
        return None
    return (chromium, driver) if chromium and driver else None


def require_browser() -> tuple[str, str]:
    """(chromium, chromedriver); skips the test when either is absent, fails instead on CI."""
    paths = browser_paths()
    if paths is None:
        if lo.ci_requires_libreoffice():  # the same CI rule: a missing tool there is a failure
            pytest.fail(f"{BROWSER_MISSING} (CI is set, so this is a failure, not a skip)", pytrace=False)
        pytest.skip(BROWSER_MISSING)
    return paths


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("libreoffice") is not None:
        require_libreoffice()
    if item.get_closest_marker("browser") is not None:
        require_browser()


@pytest.fixture(scope="session", autouse=True)
def _template_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The session's generated templates live in pytest's own temporary folder (kept to its usual
    few runs), never as selfeval-tpl-* folders left in the system's."""
    import workbooks
    workbooks.use_cache_dir(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory: pytest.TempPathFactory):
    """One private LibreOffice user profile per session, set to recalculate every formula on load."""
    require_libreoffice()
    return lo.make_profile(tmp_path_factory.mktemp("lo-profile"))


@pytest.fixture(scope="session")
def browser_binaries() -> tuple[str, str]:
    """(chromium, chromedriver) for the browser tests; skips (fails on CI) when either is missing."""
    return require_browser()


@pytest.fixture(scope="session")
def lo_convert(lo_profile):
    """lo.convert bound to the session's profile: lo_convert(files, outdir, to="xlsx") -> outputs."""
    return functools.partial(lo.convert, profile=lo_profile)


def _seed_line(config: pytest.Config) -> str:
    seed = config.getoption("hypothesis_seed", None)
    if seed is None:
        return "hypothesis: derandomized (CI)"
    return f"hypothesis: seed {seed} (to run the same examples again: python -m pytest --hypothesis-seed={seed})"


def pytest_report_header(config: pytest.Config) -> str:
    return _seed_line(config)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if exitstatus == pytest.ExitCode.TESTS_FAILED:
        terminalreporter.write_line(_seed_line(config))
