from __future__ import annotations

import functools
import os
import random

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


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("CI") and config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = str(random.randrange(2**32))  # read by hypothesis' own plugin next
    config.addinivalue_line(
        "markers", "libreoffice: needs LibreOffice (soffice); skipped when absent, but a failure when CI is set")


def require_libreoffice() -> str:
    """The soffice path; skips the test when LibreOffice is absent, fails instead on CI."""
    exe = lo.soffice_path()
    if exe is None:
        if lo.ci_requires_libreoffice():
            pytest.fail(f"{LO_MISSING} (CI is set, so this is a failure, not a skip)", pytrace=False)
        pytest.skip(LO_MISSING)
    return exe


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("libreoffice") is not None:
        require_libreoffice()


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
