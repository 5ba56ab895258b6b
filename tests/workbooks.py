"""Small helpers that make filled workbooks for tests from the tool's own template."""
from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import openpyxl

from selfeval_xl.api import make_template

_CACHE: dict[tuple[str, bool], Path] = {}
_CACHE_DIR: list[Path] = []


def use_cache_dir(folder: Path) -> None:
    """Where the session's generated templates go (tests/conftest.py hands over pytest's tmp folder)."""
    _CACHE_DIR[:] = [folder]
    _CACHE.clear()


def _cache_dir() -> Path:
    """Outside pytest (a helper run by hand): a temporary folder removed when the process ends."""
    if not _CACHE_DIR:
        folder = Path(tempfile.mkdtemp(prefix="selfeval-tpl-"))
        atexit.register(shutil.rmtree, folder, True)
        _CACHE_DIR.append(folder)
    return _CACHE_DIR[0]


def template_copy(tmp_path: Path, name: str = "filled.xlsx", *, form: str = "department", example: bool = True) -> Path:
    """A fresh copy of the (example) template in tmp_path; generated once per session."""
    key = (form, example)
    if key not in _CACHE or not _CACHE[key].exists():
        path = _cache_dir() / f"{form}-{'example' if example else 'blank'}.xlsx"
        make_template(path, form=form, example=example)
        _CACHE[key] = path
    target = tmp_path / name
    shutil.copyfile(_CACHE[key], target)
    return target


def edit(path: Path, changes: dict[str, dict[str, object]], out: Path | None = None) -> Path:
    """Set cells with openpyxl: {"绩效指标": {"J6": 90}}; saves to `out` (default: in place)."""
    wb = openpyxl.load_workbook(path)
    for sheet, cells in changes.items():
        ws = wb[sheet]
        for ref, value in cells.items():
            ws[ref] = value
    target = out or path
    wb.save(target)
    return target


def indicator_cells(ws, *labels: str) -> tuple[int, dict[str, str]]:
    """(header row, {label: column letter}) of the 绩效指标 sheet's header, found by its labels."""
    header = next(r for r in range(1, 10) if any(c.value == labels[0] for c in ws[r]))
    return header, {label: next(c.column_letter for c in ws[header] if c.value == label) for label in labels}


def row_where(ws, header: int, column: str, value: object) -> int:
    """The first row under the header whose cell in `column` holds `value`."""
    return next(r for r in range(header + 1, ws.max_row + 1) if ws[f"{column}{r}"].value == value)
