"""The test suite leaves nothing in the system's temporary folder: generated templates go to
pytest's own temporary directories (tests/conftest.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

import workbooks


def test_template_cache_lives_in_pytest_tmp(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    workbooks.template_copy(tmp_path)
    cache = workbooks._cache_dir()
    assert cache.is_relative_to(tmp_path_factory.getbasetemp())
    assert not cache.name.startswith("selfeval-tpl-")
