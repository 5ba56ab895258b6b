from __future__ import annotations

import functools

import pytest

import lo

LO_MISSING = "LibreOffice (soffice) is not installed; install libreoffice-calc-nogui to run the LibreOffice tests"


def pytest_configure(config: pytest.Config) -> None:
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


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory: pytest.TempPathFactory):
    """One private LibreOffice user profile per session, set to recalculate every formula on load."""
    require_libreoffice()
    return lo.make_profile(tmp_path_factory.mktemp("lo-profile"))


@pytest.fixture(scope="session")
def lo_convert(lo_profile):
    """lo.convert bound to the session's profile: lo_convert(files, outdir, to="xlsx") -> outputs."""
    return functools.partial(lo.convert, profile=lo_profile)
