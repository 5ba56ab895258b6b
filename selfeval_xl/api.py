"""The one entry point that the command line and library users share."""
from __future__ import annotations

import contextlib
import gc
from dataclasses import dataclass
from pathlib import Path

from .assess import assess
from .model import Result
from .profile import Profile, load_profile
from .reader import Reading, read


@contextlib.contextmanager
def paused_gc():
    """Reading a workbook allocates tens of thousands of small objects and no cycles; the cyclic
    collector would walk them all again and again (a fifth of the time on a large form)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Scored:
    result: Result
    output: Path
    note: str = ""  # what the user should know about the copy (a legacy input keeps only values)


def evaluate(path: str | Path, profile: Profile | str | None = None) -> Result:
    """Read a filled workbook, recompute everything and check it. Writes nothing."""
    return evaluate_reading(Path(path), profile)[1]


def evaluate_reading(path: Path, profile: Profile | str | None = None) -> tuple[Reading, Result]:
    with paused_gc():
        reading = read(path, profile)
        return reading, assess(reading.input, reading.profile)


def assess_bytes(name: str, data: bytes, profile: Profile) -> Result:
    from .reader import read_bytes
    reading = read_bytes(Path(name), data, profile)
    return assess(reading.input, reading.profile)


def default_output(path: Path) -> Path:
    return path.with_name(f"{path.stem}.scored.xlsx" if path.suffix.lower() != ".xlsm" else f"{path.stem}.scored.xlsm")


def score(path: str | Path, output: str | Path | None = None, profile: Profile | str | None = None) -> Scored:
    """Evaluate and write the scored copy (a new file; the input is never changed)."""
    from .writeback import write_scored
    source = Path(path)
    target = Path(output) if output is not None else default_output(source)
    reading, result = evaluate_reading(source, profile)
    note = ""
    if reading.workbook.package is None:
        from .legacy import LEGACY_NOTE
        note = LEGACY_NOTE
        if target.suffix.lower() != ".xlsx":
            target = target.with_suffix(".xlsx")  # a legacy input's copy is always a new .xlsx
    with paused_gc():
        write_scored(reading, result, target)
    return Scored(result, target, note)


def make_template(output: str | Path, form: str | None = None, profile: Profile | str | None = None,
                  example: bool = False) -> Result:
    from .profile import DEFAULT_PROFILE
    from .template import build_template
    chosen = profile if isinstance(profile, Profile) else load_profile(profile or DEFAULT_PROFILE[form or "department"])
    form = form or chosen.form
    if chosen.form != form:
        from .errors import ProfileError
        raise ProfileError(f"评价口径 {chosen.name} 适用于"
                           f"{'部门整体支出' if chosen.form == 'department' else '项目支出'}，"
                           f"与 --form {form} 不符：请换用适用的口径。")
    if example and form != "department":
        from .errors import SelfevalError
        raise SelfevalError("示例（--example）是部门整体支出自评：请使用 --form department。", code="USAGE")
    return build_template(Path(output), form, chosen, example)


def rollup(paths, output: str | Path | None = None, csv: str | Path | None = None, targets=(),
           workers: int | None = None):
    """Summarise many units' workbooks; writes the .xlsx and/or .csv asked for and returns the Rollup."""
    from . import rollup as R
    from .errors import SelfevalError
    out = Path(output) if output else None
    files = R.collect(paths, exclude=out)
    if not files:
        raise SelfevalError("没有找到任何工作簿（.xlsx/.xlsm/.xls/.ods）：请检查给出的文件或文件夹。", code="NO_FILES")
    bar = R.progress_bar(len(files))
    if bar is not None:
        with bar:
            rows = R.summarize_all(files, bar.update, workers)
    else:
        rows = R.summarize_all(files, None, workers)
    approved = R.summarize_all(R.collect(targets), None, workers) if targets else None
    result = R.build(rows, approved)
    if out is not None:
        R.write_xlsx(result, out)
    if csv:
        R.write_csv(result, Path(csv))
    return result


def report(path: str | Path, output: str | Path, form_sheet: bool = False) -> Result:
    """Draft the 自评报告 (.docx), or with form_sheet the one-sheet 自评表 (.xlsx, or .pdf through LibreOffice)."""
    from . import report as R
    from .errors import OutputError
    source, target = Path(path), Path(output)
    reading, result = evaluate_reading(source)
    if not form_sheet:
        if target.suffix.lower() != ".docx":
            raise OutputError(f"报告输出应为 .docx 文件：{target.name}")
        R.write_docx(R.outline(reading, result, reading.profile), target)
    elif target.suffix.lower() == ".pdf":
        import tempfile

        from .office import xlsx_to_pdf
        with tempfile.TemporaryDirectory(prefix="selfeval-") as folder:
            sheet = Path(folder) / (target.stem + ".xlsx")
            R.write_form_sheet(reading, result, sheet)
            xlsx_to_pdf(sheet, target)
    else:
        if target.suffix.lower() != ".xlsx":
            raise OutputError(f"自评表输出应为 .xlsx 或 .pdf 文件：{target.name}")
        R.write_form_sheet(reading, result, target)
    return result
