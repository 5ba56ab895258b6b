"""Regenerate the README's pictures from real workbooks, on purpose (not part of the tests).

    python docs/make_pictures.py

Needs LibreOffice (soffice), pdftoppm (poppler-utils) and CJK fonts (fonts-noto-cjk). Each sheet
is printed alone (the others hidden) to PDF by LibreOffice, recalculating on load, and its first
page becomes a PNG in docs/pictures/.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
OUT = ROOT / "docs" / "pictures"

PICTURES = [  # (picture name, workbook key, sheet)
    ("template-basic-info", "example", "基本信息"),
    ("template-budget", "example", "预算执行"),
    ("template-indicators", "example", "绩效指标"),
    ("template-score", "example", "评分"),
    ("scored-summary", "problems", "评分汇总"),
    ("scored-marks", "problems", "绩效指标"),
]


def only_sheet(source: Path, sheet: str, target: Path) -> Path:
    """A copy of `source` in which every sheet but `sheet` is hidden (LibreOffice prints visible sheets)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        names = re.findall(r'<sheet [^>]*name="([^"]+)"', zin.read("xl/workbook.xml").decode("utf-8"))
        index = names.index(sheet)
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                text = re.sub(r'(<sheet [^>]*?)\s+state="[^"]*"', r"\1", text)
                for name in names:
                    if name != sheet:
                        text = text.replace(f'name="{name}"', f'name="{name}" state="hidden"', 1)
                text = re.sub(r'activeTab="\d+"', f'activeTab="{index}"', text)
                if "activeTab" not in text:
                    text = text.replace("<workbookView ", f'<workbookView activeTab="{index}" ', 1)
                data = text.encode("utf-8")
            elif info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'\stabSelected="1"', b"", data)
            zout.writestr(info, data)
    return target


def main() -> None:
    import lo
    from selfeval_xl.api import make_template, score
    from workbooks import edit
    work = Path(tempfile.mkdtemp(prefix="selfeval-pictures-"))
    example = work / "示例.xlsx"
    make_template(example, example=True)
    problems_src = edit(work / "示例.xlsx",
                        {"绩效指标": {"J6": "完成", "K7": 9, "M9": None}, "预算执行": {"E5": 410000}},
                        work / "有问题.xlsx")
    problems = score(problems_src, work / "有问题.scored.xlsx").output
    books = {"example": example, "problems": problems}
    copies = [only_sheet(books[key], sheet, work / f"{name}.xlsx") for name, key, sheet in PICTURES]
    profile = lo.make_profile(work / "profile")
    pdfs = lo.convert(copies, work / "pdf", to="pdf", profile=profile)
    OUT.mkdir(parents=True, exist_ok=True)
    for (name, _, _), pdf in zip(PICTURES, pdfs, strict=True):
        subprocess.run(["pdftoppm", "-r", "80", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf), str(OUT / name)],
                       check=True)
        print("wrote", OUT / f"{name}.png")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
