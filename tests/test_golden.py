"""Golden files: the scored copies of three workbooks, compared part by part with references kept in
tests/golden/<case>/ (one normalised .xml file per part, see tests/golden.py for what is normalised).

The other tests ask what a scored copy holds (a score, a mark, a note); these notice anything else
that changes in what the tool writes — a style, a merged range, a relationship, a part gained or
lost — and show it as an XML diff to be read in review. When such a change is intended, regenerate
the references and commit them with it:

    python tests/test_golden.py --write            # every case
    python tests/test_golden.py --write sichuan_export

--write scores each case twice and refuses to write when the two copies differ after normalisation:
a reference must not catch something that changes from run to run.

The inputs are written at test time by XlsxWriter (the template, the gallery's forms), and XlsxWriter's
own output differs between its versions (3.1.7, the declared floor, writes the template's row height
of 32 points where 3.3.1 writes 32.25, a whole number of pixels). So the references name the XlsxWriter that wrote them
(golden/written-with.txt); under another one a case that differs is skipped with the reason, not
failed, and the cases that agree still pass.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Callable

import pytest
import xlsxwriter

import published_forms as pf
from golden import diff_parts, write_reference
from selfeval_xl.api import score
from workbooks import template_copy

GOLDEN = Path(__file__).resolve().parent / "golden"
WRITTEN_WITH = GOLDEN / "written-with.txt"
SHOWN_LINES = 200
REGENERATE = "python tests/test_golden.py --write"


def writer() -> str:
    """The XlsxWriter that writes the inputs here, as written-with.txt names it."""
    return f"xlsxwriter=={xlsxwriter.__version__}"


def _scored(source: Path, profile: str | None = None) -> Path:
    output = source.with_name(f"{source.stem}.scored.xlsx")
    score(source, output, profile)
    return output


def worked_example(folder: Path) -> Path:
    """The tool's own example template, filled (the worked example: 98.40, 优秀, no findings)."""
    return _scored(template_copy(folder, "示例.xlsx"))


def hebei_one_sheet(folder: Path) -> Path:
    """A one-sheet 项目支出绩效自评表 (published_forms.py (a)): merged blocks, placeholders, a typed total."""
    return _scored(pf.hebei_one_sheet(folder / "河北.xlsx"))


def sichuan_export(folder: Path) -> Path:
    """The Sichuan system export (published_forms.py (b)) under sichuan-project: findings, so marked
    cells and notes."""
    return _scored(pf.sichuan_export(folder / "四川.xlsx"), "sichuan-project")


CASES: dict[str, Callable[[Path], Path]] = {
    "worked_example": worked_example,
    "hebei_one_sheet": hebei_one_sheet,
    "sichuan_export": sichuan_export,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_scored_copy_matches_its_golden_reference(case: str, tmp_path: Path) -> None:
    reference = GOLDEN / case
    assert reference.is_dir(), f"no reference for {case}: {REGENERATE} {case}"
    diffs = diff_parts(CASES[case](tmp_path), reference)
    written_with = WRITTEN_WITH.read_text(encoding="utf-8").strip()
    if diffs and written_with != writer():
        pytest.skip(f"the scored copy of {case} differs from tests/golden/{case} in {len(diffs)} part(s), but its "
                    f"input was written by {writer()} and the references under {written_with}, whose output "
                    f"differs; compare under {written_with}, or write every reference under this one: {REGENERATE}")
    if diffs:
        lines = "".join(diffs).splitlines()
        shown = "\n".join(lines[:SHOWN_LINES])
        more = f"\n… {len(lines) - SHOWN_LINES} more lines" if len(lines) > SHOWN_LINES else ""
        pytest.fail(f"the scored copy of {case} differs from tests/golden/{case} in {len(diffs)} part(s):\n"
                    f"{shown}{more}\n\nIf the change is intended, regenerate the reference and review its diff "
                    f"in git: {REGENERATE} {case}", pytrace=False)


def write(cases: list[str]) -> None:
    """Score each case twice, check the two agree after normalisation, write the reference."""
    before = WRITTEN_WITH.read_text(encoding="utf-8").strip() if WRITTEN_WITH.exists() else None
    if set(cases) != set(CASES) and before not in (None, writer()):
        sys.exit(f"the references were written under {before}, this is {writer()}: write them all again "
                 f"({REGENERATE}), so that one version wrote every reference")
    for case in cases:
        with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
            once, twice = CASES[case](Path(first)), CASES[case](Path(second))
            write_reference(once, Path(first) / "reference")
            differ = diff_parts(twice, Path(first) / "reference")
            if differ:
                sys.exit(f"{case}: two scorings differ after normalisation; not writing a reference that "
                         f"would fail at random:\n" + "".join(differ))
            count = write_reference(once, GOLDEN / case)
        print(f"wrote tests/golden/{case}/: {count} parts")
    WRITTEN_WITH.write_text(f"{writer()}\n", encoding="utf-8")
    print(f"wrote tests/golden/{WRITTEN_WITH.name}: {writer()}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] != ["--write"] or not set(args[1:]) <= set(CASES):
        sys.exit(f"usage: {REGENERATE} [{' | '.join(sorted(CASES))} …]")
    write(args[1:] or sorted(CASES))
