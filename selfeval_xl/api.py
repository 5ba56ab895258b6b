"""The one entry point that the command line and library users share.

Each function reads, computes and writes through the layers below; none prints. The report and
rollup modules are imported inside their functions: they load python-docx and pandas, which
`score` and `check` never need, so a command that does not use them starts without them.
"""
from __future__ import annotations

import functools
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from selfeval_xl.errors import OutputError, ProfileError, SelfevalError, os_reason
from selfeval_xl.layout import SHEET_SUMMARY
from selfeval_xl.model import Result
from selfeval_xl.read import profiles as read_profiles
from selfeval_xl.read.headers import ColumnReport
from selfeval_xl.read.legacy import LEGACY_NOTE
from selfeval_xl.read.limits import WORKER_SECONDS
from selfeval_xl.read.profiles import load_profile
from selfeval_xl.read.reader import Reading, open_workbook, paused_gc, read
from selfeval_xl.rules.assess import assess
from selfeval_xl.rules.profiles import BUILTIN_NAMES, DEFAULT_PROFILE, Profile
from selfeval_xl.write.atomic import (
    TEMP_PREFIX,
    package_text,
    refuse_existing,
    refuse_folder,
    refuse_input,
    same_file,
    write_atomically,
)
from selfeval_xl.write.record import FINGERPRINT_NAME

if TYPE_CHECKING:  # imported inside the functions at run time (see above)
    from selfeval_xl.county.archive_add import Added
    from selfeval_xl.county.archive_review import Review
    from selfeval_xl.county.rollup import Entry, Rollup
    from selfeval_xl.county.verify import Verification

__all__ = [
    "Checked",
    "Scored",
    "builtin_profile",
    "builtin_profiles",
    "check",
    "evaluate",
    "evaluate_reading",
    "score",
    "default_output",
    "make_template",
    "profile_toml",
    "rollup",
    "report",
    "verify",
]


@dataclass(frozen=True)
class Scored:
    result: Result
    output: Path
    note: str = ""  # what the user should know about the copy (a legacy input keeps only values)
    columns: tuple[ColumnReport, ...] = ()  # which printed label named which column, and why
    rescored: bool = False  # the input was already a scored copy: its summary sheet and marks were replaced

    def to_json(self, output: str | None = None) -> dict[str, object]:
        """The `score --json` object, built here once for every front end (docs/cli.md); `output` is the
        name shown for the copy where the path is not the user's business (the page's download name)."""
        data = Checked(self.result, self.columns).to_json()
        data["output"] = output if output is not None else str(self.output)
        if self.rescored:  # only then: a fresh score's JSON stays check's JSON and its output
            data["rescored"] = True
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class Checked:
    result: Result
    columns: tuple[ColumnReport, ...]  # which printed label named which column, and why

    def to_json(self) -> dict[str, object]:
        """The `check --json` object: the result, and how each column was recognised."""
        return {**self.result.to_json(), "columns": [c.to_json() for c in self.columns]}


def builtin_profiles() -> list[Profile]:
    """The built-in profiles, for every list a front end shows (help texts, the page's choice)."""
    return read_profiles.builtin_profiles()


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


def default_output(path: Path, scored: bool = False) -> Path:
    """<name>.scored.xlsx (.scored.xlsm for a macro workbook) beside the input. A scored copy named so
    already (`scored`) is its own output: scoring it again does not make <name>.scored.scored.xlsx."""
    macro = path.suffix.lower() == ".xlsm"
    if scored and path.stem.lower().endswith(".scored"):
        return path.with_suffix(".xlsm" if macro else ".xlsx")
    return path.with_name(f"{path.stem}.scored.xlsm" if macro else f"{path.stem}.scored.xlsx")


def _not_xls(target: Path, what: str, why: str = "") -> None:
    if target.suffix.lower() == ".xls":
        raise OutputError(f"{what}应保存为 .xlsx 文件，本工具不写旧的 .xls{why}："
                          f"请把 -o 的 {target.name} 改为 {target.stem}.xlsx。")


def score(path: str | Path, output: str | Path | None = None, profile: Profile | str | None = None, *,
          overwrite: bool = False) -> Scored:
    """Evaluate and write the scored copy: a new file, but for a scored copy scored again under its own
    name, which is replaced (its summary sheet and marks are the tool's own; the inputs stay as they are).
    An existing file that is not a scored copy is refused unless `overwrite`; the input, always."""
    from selfeval_xl.write.scored_copy import write_scored  # lxml's package edit: not needed by check
    source = Path(path)
    if output is not None:
        refuse_folder(Path(output), default_output(source).name)
        _not_xls(Path(output), "评分副本", "（.xls 工作簿的评分副本也是 .xlsx）")
        _refuse_score_target(Path(output), source, None, overwrite)  # said before the workbook is read
    reading, result = evaluate_reading(source, profile)
    rescored = SHEET_SUMMARY in reading.workbook.sheet_names
    target = Path(output) if output is not None else default_output(source, rescored)
    refuse_folder(target, default_output(source).name)
    note = ""
    if reading.workbook.package is None:
        note = LEGACY_NOTE
        if target.suffix.lower() != ".xlsx":
            if output is not None:
                raise OutputError(f"{source.name} 的评分副本只能保存为 .xlsx（只保留单元格的值，不能含宏）："
                                  f"请把 -o 的 {target.name} 改为 {target.stem}.xlsx。")
            target = target.with_suffix(".xlsx")
    _refuse_score_target(target, source, rescored, overwrite)
    with paused_gc():
        if rescored and same_file(target, source):
            _replace_scored_copy(reading, result, target)
        else:
            write_scored(reading, result, target)
    return Scored(result, target, note, reading.columns, rescored)


def is_scored_copy(path: Path) -> bool:
    """A scored copy the tool wrote: its workbook part names the fingerprint (read without the workbook),
    or, for a copy made from a legacy workbook's values (no defined names), 评分汇总 holds the record."""
    names = package_text(path, "xl/workbook.xml")
    if re.search(rf'<definedName\b[^>]*\bname="{FINGERPRINT_NAME}"', names):
        return True
    if f'name="{SHEET_SUMMARY}"' not in names:
        return False
    from selfeval_xl.county.verify import read_record
    try:
        return read_record(open_workbook(path)) is not None
    except SelfevalError:
        return False


def _refuse_score_target(target: Path, source: Path, rescored: bool | None, overwrite: bool) -> None:
    """The scored copy replaces only a scored copy: the input itself when it is one (`rescored`; None:
    not known yet), another scored copy, or, with `overwrite`, any file but the input."""
    if same_file(target, source):
        if rescored is False:
            refuse_input(target, [source], "评分副本总是另存为新文件")
        return
    if not overwrite and not is_scored_copy(target):
        refuse_existing(target, "它不是本工具写出的评分副本，可能是单位填好的自评表")


def _replace_scored_copy(reading: Reading, result: Result, target: Path) -> None:
    """write_scored never writes over its input; a scored copy scored again in place is written beside
    it first, then moved over it, so a failed run leaves the old copy whole."""
    from selfeval_xl.write.scored_copy import write_scored
    try:
        with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX, dir=target.parent) as folder:
            fresh = Path(folder) / target.name
            write_scored(reading, result, fresh)
            os.replace(fresh, target)
    except PermissionError:
        raise OutputError(f"无法写入 {target}：没有写入权限，或该文件正在 Excel/WPS 中打开。"
                          "请关闭该文件或换一个输出路径（-o）。") from None
    except OSError as exc:
        raise OutputError(f"无法写入 {target}：{os_reason(exc)}。") from None


def verify(path: str | Path) -> Verification:
    """Has a scored copy been edited since it was scored? Returns the Verification."""
    from selfeval_xl.county.verify import verify as verify_file
    return verify_file(path)


def make_template(output: str | Path, form: str | None = None, profile: Profile | str | None = None,
                  example: bool = False, overwrite: bool = True) -> Result:
    """Write a template (a name without an extension gets .xlsx; result.file is the name written).
    With overwrite=False an existing file is refused: it may be a workbook already filled in."""
    from selfeval_xl.write.template import build_template  # XlsxWriter: only the template needs it
    chosen = profile if isinstance(profile, Profile) else load_profile(profile or DEFAULT_PROFILE[form or "department"])
    form = form or chosen.form
    if chosen.form != form:
        fits = "部门整体支出" if chosen.form == "department" else "项目支出"
        raise ProfileError(f"评价口径 {chosen.name} 适用于{fits}，与 --form {form} 不符：请换用适用的口径。")
    if example and form != "department":
        raise SelfevalError("示例（--example）是部门整体支出自评：请使用 --form department。", code="USAGE")
    target = Path(output)
    refuse_folder(target, "自评表.xlsx")
    if not target.suffix:
        target = target.with_name(target.name + ".xlsx")
        refuse_folder(target, "自评表.xlsx")
    _not_xls(target, "模板")
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"模板应保存为 .xlsx 文件：请把 -o 的 {target.name} 改为 {target.stem}.xlsx。")
    if not overwrite and target.exists():
        raise OutputError(f"{target} 已存在，没有覆盖（它可能是已经填好的自评表）：请换一个文件名（-o），"
                          "或加 --force 覆盖它。")
    return build_template(target, form, chosen, example)


def rollup(paths: Iterable[str | Path], output: str | Path | None = None, csv: str | Path | None = None,
           targets: Iterable[str | Path] = (), workers: int | None = None,
           progress: Callable[[int], Callable[[int], None] | None] | None = None, *,
           file_timeout: float = WORKER_SECONDS, memory_limit: int | None = None, memory_total: int | None = None,
           profile: Profile | str | None = None, overwrite: bool = False) -> Rollup:
    """Summarise many units' workbooks; writes the .xlsx and/or .csv asked for and returns the Rollup.

    `progress(total)` may return a callback that is called with 1 for every workbook read. Each file
    is read in a worker process for at most `file_timeout` seconds; the processes together stay within
    `memory_total` bytes (1.5 GB by default), or each worker within `memory_limit` when given; a file
    past either limit, or one that cannot be read, is a row that says why. With `profile` (the
    county's rules) every unit is scored by it, and a unit whose workbook named another is flagged.
    An output replaces only the tool's own earlier rollup (with `overwrite`, any file but an input)."""
    from selfeval_xl.county import rollup as county_rollup  # pandas: only the rollup needs it
    from selfeval_xl.county.rollup_output import write_csv, write_xlsx
    out = Path(output) if output else None
    if out is not None:
        refuse_folder(out, "汇总.xlsx")
    if csv:
        refuse_folder(Path(csv), "汇总.csv")
    paths, targets = list(paths), list(targets)
    _refuse_missing([*paths, *targets])
    own = out is not None and is_own_rollup(out)
    files = county_rollup.collect(paths, exclude=out if own else None)  # an earlier rollup in the inbox is no unit
    declared = county_rollup.collect(targets) if targets else []
    _refuse_rollup_targets(out, Path(csv) if csv else None, [e.path for e in files + declared], own, overwrite)
    if not files:
        raise SelfevalError("没有找到任何工作簿（.xlsx/.xlsm/.xls/.ods）：请检查给出的文件或文件夹。", code="NO_FILES")
    county = profile if isinstance(profile, Profile) or profile is None else load_profile(profile)
    task = functools.partial(county_rollup.summarize, county_profile=county) if county else county_rollup.summarize
    step = progress(len(files)) if progress is not None else None
    bounds: dict[str, Any] = {} if memory_total is None else {"memory_total": memory_total}  # else the tree's default
    rows = county_rollup.summarize_all(files, step, workers, file_timeout=file_timeout, memory_limit=memory_limit,
                                       task=task, **bounds)
    approved = (county_rollup.summarize_all(declared, None, workers, file_timeout=file_timeout,
                                            memory_limit=memory_limit, task=task, **bounds) if targets else None)
    result = county_rollup.build(rows, approved)
    if out is not None:
        write_xlsx(result, out)
    if csv:
        write_csv(result, Path(csv))
    return result


def _refuse_missing(paths: Iterable[str | Path]) -> None:
    missing = [str(p) for p in paths if not os.path.lexists(p)]
    if missing:  # a mistyped folder is the user's to fix, not an empty rollup
        shown = [m if len(m) <= 60 else "…" + m[-59:] for m in missing[:5]]  # the end names it
        raise SelfevalError(f"找不到文件或文件夹：{'、'.join(shown)}"
                            f"{'等' if len(missing) > 5 else ''}：请检查名称和路径。", code="NOT_FOUND")


def archive_add(archive: str, paths: Iterable[str | Path | Entry], profile: Profile | str | None = None, *,
                workers: int | None = None, progress: Callable[[int], Callable[[int], None] | None] | None = None,
                file_timeout: float = WORKER_SECONDS, memory_total: int | None = None) -> Added:
    """Score the workbooks in `paths` and store each unit-year in the archive (a SQLite file, made when new,
    or a postgresql:// URL); a file the archive holds already is not read again (docs/archive.md). An Entry
    in `paths` is a file stored under another name than the user's (the local page's uploads)."""
    from selfeval_xl.county import archive_add as adding
    from selfeval_xl.county.archive_store import open_archive
    from selfeval_xl.county.rollup import Entry, collect
    paths = list(paths)
    named = [p for p in paths if isinstance(p, Entry)]
    plain_paths = [p for p in paths if not isinstance(p, Entry)]
    _refuse_missing(plain_paths)
    # the tool's own rollups and reviews kept in an inbox are no unit's workbook: passed over, never stored
    files = [e for e in collect(plain_paths) if not _own_output(e.path)] + named
    if not files:
        raise SelfevalError("没有找到任何工作簿（.xlsx/.xlsm/.xls/.ods）：请检查给出的文件或文件夹。", code="NO_FILES")
    county = profile if isinstance(profile, Profile) or profile is None else load_profile(profile)
    store = open_archive(archive, create=True)
    try:
        step = progress(len(files)) if progress is not None else None
        return adding.add_entries(store, files, county, workers=workers, progress=step, file_timeout=file_timeout,
                                  memory_total=memory_total)
    finally:
        store.engine.dispose()


def archive_review(archive: str, year: int, output: str | Path | None = None, *, sample: int | None = None,
                   seed: int | None = None, overwrite: bool = False) -> Review:
    """The year's review from the archive (docs/archive.md), written to `output` (.xlsx) when given; with
    `sample`, that many units drawn by risk with `seed` (the same seed, the same sample). An existing output is
    replaced only when it is a review the tool wrote (or with `overwrite`), never when it is the archive."""
    from selfeval_xl.county.archive_output import write_review
    from selfeval_xl.county.archive_review import draw_sample, review
    from selfeval_xl.county.archive_store import current_year, open_archive
    if output is not None:
        target = Path(output)
        refuse_folder(target, "复核.xlsx")
        if target.suffix.lower() != ".xlsx":
            raise SelfevalError(f"复核结果 {output} 应为 .xlsx 文件。", code="USAGE")
        if "://" not in archive:
            refuse_input(target, [Path(archive)], "那是档案库本身")
        if not overwrite and not is_own_review(target):
            refuse_existing(target, "它不是本工具写出的复核表")
    store = open_archive(archive, create=False)
    try:
        result = review(year, current_year(store, year), current_year(store, year - 1))
    finally:
        store.engine.dispose()
    if not result.units:
        raise SelfevalError(f"档案库 {store.shown} 中没有 {year} 年度的单位：请检查年度，或先用 archive add "
                            "存入该年度的自评表（没有填评价年度的工作簿不归入任何年度）。", code="NO_DATA")
    if sample is not None:
        result.seed = 0 if seed is None else seed
        result.sample = draw_sample(result.units, sample, result.seed)
    if output is not None:
        write_review(result, Path(output))
    return result


def is_own_review(path: Path) -> bool:
    """A review workbook the tool wrote (archive review -o): it carries the review writer's document property."""
    from selfeval_xl.county.archive_output import REVIEW_MARK
    return _marked(package_text(path, "docProps/custom.xml"), REVIEW_MARK)


def is_own_rollup(path: Path) -> bool:
    """A rollup workbook the tool wrote: it carries the rollup writer's document property."""
    from selfeval_xl.county.rollup_output import ROLLUP_MARK
    return _marked(package_text(path, "docProps/custom.xml"), ROLLUP_MARK)


def _own_output(path: Path) -> bool:
    """A rollup or a review the tool wrote, its document properties read once."""
    from selfeval_xl.county.archive_output import REVIEW_MARK
    from selfeval_xl.county.rollup_output import ROLLUP_MARK
    properties = package_text(path, "docProps/custom.xml")
    return _marked(properties, ROLLUP_MARK) or _marked(properties, REVIEW_MARK)


def _marked(properties: str, mark: str) -> bool:
    return f'name="{mark}"' in properties


def is_own_csv(path: Path) -> bool:
    """A rollup CSV the tool wrote: a UTF-8 BOM, then a header row holding every fixed column's label."""
    from selfeval_xl.county.rollup import COLUMNS
    try:
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return False
    if not head.startswith(b"\xef\xbb\xbf"):
        return False
    labels = set(head[3:].decode("utf-8", errors="replace").splitlines()[0].split(",")) if head[3:] else set()
    return all(label in labels for _, label in COLUMNS)


def _refuse_rollup_targets(out: Path | None, csv: Path | None, sources: list[Path], own: bool,
                           overwrite: bool) -> None:
    """Every file the run reads (the units' and the targets' workbooks) is never an output; an existing
    output the tool did not write is kept unless `overwrite`."""
    if out is not None and csv is not None and same_file(out, csv):
        raise OutputError(f"-o 和 --csv 指向同一个文件（{out.name}）：请给汇总表和 CSV 各起一个文件名。")
    if out is not None:
        refuse_input(out, sources, "汇总表不能写在要汇总的工作簿上")
        if not overwrite and not own:
            refuse_existing(out, "它不是本工具写出的汇总表，可能是单位的自评表")
    if csv is not None:
        refuse_input(csv, sources, "汇总 CSV 不能写在要汇总的工作簿上", "--csv")
        if not overwrite and not is_own_csv(csv):
            refuse_existing(csv, "它不是本工具写出的汇总 CSV", "--csv")


def report(path: str | Path, output: str | Path, form_sheet: bool = False, *, overwrite: bool = False) -> Result:
    """Draft the 自评报告 (.docx), or with form_sheet the one-sheet 自评表 (.xlsx, or .pdf through LibreOffice).
    An existing output is refused unless `overwrite` (a draft may hold hours of a person's writing); the
    input, always."""
    source, target = Path(path), Path(output)
    refuse_folder(target, "自评表.xlsx" if form_sheet else "自评报告.docx")
    refuse_input(target, [source], "报告和自评表总是另存为新文件")
    if not overwrite:
        refuse_existing(target, "它可能是已经填好、盖过章的自评表" if form_sheet else "它可能是已经改写过的报告草稿")
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


def builtin_profile(name: str) -> Profile:
    """A built-in profile by its name; any other name is refused with the list of built-ins."""
    if name not in BUILTIN_NAMES:
        raise ProfileError(f"没有名为 {name} 的内置口径：内置口径有 {'、'.join(BUILTIN_NAMES)}。")
    return load_profile(name)


# A custom profile may not take a built-in name (it would pass for the province's rules), so the copy
# carries one the county is told to change.
PLACEHOLDER_NAMES = {"department": "my-county-dept", "project": "my-county-project"}


def profile_toml(name: str, output: str | Path | None = None) -> str:
    """A built-in profile as a TOML file to copy and edit (written to `output` as UTF-8 when given): its
    name replaced by a placeholder, its parts explained in Chinese. Renamed, it loads as the same rules."""
    chosen = builtin_profile(name)
    notes = {"[execution]": f"# 执行率：{chosen.describe_rule()}", "[weights]": f"# 分值：{chosen.describe_weights()}",
             "[[grades]]": f"# 等级：{chosen.describe_grades()}"}
    lines = [f"# 本县评价口径，以内置口径 {chosen.name} 为底稿：改好 name（以及要改的分值、等级）后，",
             "# 用 selfeval-xl … --profile 本文件 使用。每个键的含义见项目文档 docs/profiles.md。"]
    top = True  # before the first [table]: where name and title are the profile's own
    for line in chosen.source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            continue  # the built-in files' comments are notes for maintainers
        if stripped.startswith("["):
            top = False
            if stripped in notes:
                lines.append(notes.pop(stripped))
        if top and re.match(r"name\s*=", stripped):
            line = f'name = "{PLACEHOLDER_NAMES[chosen.form]}"  # 内置名称不能沿用：请改成本县的名称'
        elif top and re.match(r"title\s*=", stripped):
            line += "  # 请改成本县口径的全称"
        lines.append(line)
    text = "\n".join(lines) + "\n"
    if output is not None:
        target = Path(output)
        refuse_folder(target, "我县口径.toml")
        if target.suffix.lower() != ".toml":
            raise OutputError(f"口径文件应保存为 .toml 文件：请把 -o 的 {target.name} 改为 {target.stem}.toml。")
        if target.exists():
            raise OutputError(f"{target} 已存在，没有覆盖（它可能是改好的本县口径）：请换一个文件名（-o）。")
        write_atomically(target, text.encode("utf-8"))
    return text
