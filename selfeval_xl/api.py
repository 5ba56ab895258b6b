"""The one entry point that the command line and library users share.

Each function reads, computes and writes through the layers below; none prints. The report and
rollup modules are imported inside their functions: they load python-docx and pandas, which
`score` and `check` never need, so a command that does not use them starts without them.
"""
from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from selfeval_xl.errors import OutputError, ProfileError, SelfevalError
from selfeval_xl.model import Result
from selfeval_xl.read.headers import ColumnReport
from selfeval_xl.read.legacy import LEGACY_NOTE
from selfeval_xl.read.reader import Reading, paused_gc, read
from selfeval_xl.rules.assess import assess
from selfeval_xl.rules.profiles import DEFAULT_PROFILE, Profile, load_profile
from selfeval_xl.write.atomic import refuse_folder

if TYPE_CHECKING:  # imported inside the functions at run time (see above)
    from selfeval_xl.county.rollup import Rollup
    from selfeval_xl.county.verify import Verification

__all__ = ["Checked", "Scored", "check", "evaluate", "evaluate_reading", "score", "default_output", "make_template",
           "rollup", "report", "verify"]


@dataclass(frozen=True)
class Scored:
    result: Result
    output: Path
    note: str = ""  # what the user should know about the copy (a legacy input keeps only values)
    columns: tuple[ColumnReport, ...] = ()  # which printed label named which column, and why


@dataclass(frozen=True)
class Checked:
    result: Result
    columns: tuple[ColumnReport, ...]  # which printed label named which column, and why


def check(path: str | Path, profile: Profile | str | None = None) -> Checked:
    """Evaluate, and say how the reader understood the headers. Writes nothing."""
    reading, result = evaluate_reading(Path(path), profile)
    return Checked(result, reading.columns)


def evaluate(path: str | Path, profile: Profile | str | None = None) -> Result:
    """Read a filled workbook, recompute everything and check it. Writes nothing."""
    return evaluate_reading(Path(path), profile)[1]


def evaluate_reading(path: Path, profile: Profile | str | None = None) -> tuple[Reading, Result]:
    with paused_gc():
        reading = read(path, profile)
        return reading, assess(reading.input, reading.profile)


def default_output(path: Path) -> Path:
    return path.with_name(f"{path.stem}.scored.xlsx" if path.suffix.lower() != ".xlsm" else f"{path.stem}.scored.xlsm")


def score(path: str | Path, output: str | Path | None = None, profile: Profile | str | None = None) -> Scored:
    """Evaluate and write the scored copy (a new file; the input is never changed)."""
    from selfeval_xl.write.scored_copy import write_scored  # lxml's package edit: not needed by check
    source = Path(path)
    target = Path(output) if output is not None else default_output(source)
    refuse_folder(target, default_output(source).name)
    reading, result = evaluate_reading(source, profile)
    note = ""
    if reading.workbook.package is None:
        note = LEGACY_NOTE
        if target.suffix.lower() != ".xlsx":
            target = target.with_suffix(".xlsx")  # a legacy input's copy is always a new .xlsx
    with paused_gc():
        write_scored(reading, result, target)
    return Scored(result, target, note, reading.columns)


def verify(path: str | Path) -> Verification:
    """Has a scored copy been edited since it was scored? Returns the Verification."""
    from selfeval_xl.county.verify import verify as verify_file
    return verify_file(path)


def make_template(output: str | Path, form: str | None = None, profile: Profile | str | None = None,
                  example: bool = False) -> Result:
    from selfeval_xl.write.template import build_template  # XlsxWriter: only the template needs it
    chosen = profile if isinstance(profile, Profile) else load_profile(profile or DEFAULT_PROFILE[form or "department"])
    form = form or chosen.form
    if chosen.form != form:
        fits = "部门整体支出" if chosen.form == "department" else "项目支出"
        raise ProfileError(f"评价口径 {chosen.name} 适用于{fits}，与 --form {form} 不符：请换用适用的口径。")
    if example and form != "department":
        raise SelfevalError("示例（--example）是部门整体支出自评：请使用 --form department。", code="USAGE")
    refuse_folder(Path(output), "自评表.xlsx")
    return build_template(Path(output), form, chosen, example)


def rollup(paths: Iterable[str | Path], output: str | Path | None = None, csv: str | Path | None = None,
           targets: Iterable[str | Path] = (), workers: int | None = None,
           progress: Callable[[int], Callable[[int], None] | None] | None = None, *,
           file_timeout: float = 60.0, memory_limit: int | None = 2 * 1024 ** 3,
           profile: Profile | str | None = None) -> Rollup:
    """Summarise many units' workbooks; writes the .xlsx and/or .csv asked for and returns the Rollup.

    `progress(total)` may return a callback that is called with 1 for every workbook read. Each file
    is read in a worker process for at most `file_timeout` seconds and `memory_limit` bytes; a file
    past either limit, or one that cannot be read, is a row that says why. With `profile` (the
    county's rules) every unit is scored by it, and a unit whose workbook named another is flagged."""
    from selfeval_xl.county import rollup as county_rollup  # pandas: only the rollup needs it
    from selfeval_xl.county.rollup_output import write_csv, write_xlsx
    out = Path(output) if output else None
    files = county_rollup.collect(paths, exclude=out)
    if not files:
        raise SelfevalError("没有找到任何工作簿（.xlsx/.xlsm/.xls/.ods）：请检查给出的文件或文件夹。", code="NO_FILES")
    county = profile if isinstance(profile, Profile) or profile is None else load_profile(profile)
    task = functools.partial(county_rollup.summarize, county_profile=county) if county else county_rollup.summarize
    step = progress(len(files)) if progress is not None else None
    rows = county_rollup.summarize_all(files, step, workers, file_timeout=file_timeout, memory_limit=memory_limit,
                                       task=task)
    targets = list(targets)
    approved = (county_rollup.summarize_all(county_rollup.collect(targets), None, workers, file_timeout=file_timeout,
                                            memory_limit=memory_limit, task=task) if targets else None)
    result = county_rollup.build(rows, approved)
    if out is not None:
        write_xlsx(result, out)
    if csv:
        write_csv(result, Path(csv))
    return result


def report(path: str | Path, output: str | Path, form_sheet: bool = False) -> Result:
    """Draft the 自评报告 (.docx), or with form_sheet the one-sheet 自评表 (.xlsx, or .pdf through LibreOffice)."""
    source, target = Path(path), Path(output)
    refuse_folder(target, "自评表.xlsx" if form_sheet else "自评报告.docx")
    reading, result = evaluate_reading(source)
    if not form_sheet:
        from selfeval_xl.report.docx import write_docx  # python-docx: only the report needs it
        from selfeval_xl.report.outline import outline
        if target.suffix.lower() != ".docx":
            raise OutputError(f"报告输出应为 .docx 文件：{target.name}")
        write_docx(outline(reading, result, reading.profile), target)
        return result
    from selfeval_xl.report.form_sheet import write_form_sheet
    if target.suffix.lower() == ".pdf":
        from selfeval_xl.report.pdf import xlsx_to_pdf
        with tempfile.TemporaryDirectory(prefix="selfeval-") as folder:
            sheet = Path(folder) / (target.stem + ".xlsx")
            write_form_sheet(reading, result, sheet)
            xlsx_to_pdf(sheet, target)
    elif target.suffix.lower() == ".xlsx":
        write_form_sheet(reading, result, target)
    else:
        raise OutputError(f"自评表输出应为 .xlsx 或 .pdf 文件：{target.name}")
    return result
