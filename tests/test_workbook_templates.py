"""workbook_templates/ holds what `selfeval-xl template` writes; this test fails when they drift.

Regenerate on purpose with:  python tests/test_workbook_templates.py --write
"""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfeval_xl.api import evaluate, make_template  # noqa: E402

SHIPPED = {
    "部门整体支出自评模板.xlsx": dict(form="department", profile="hebei-dept"),
    "项目支出自评模板.xlsx": dict(form="project", profile="mof-project"),
    "项目支出自评模板-四川口径.xlsx": dict(form="project", profile="sichuan-project"),
    "项目支出自评模板-四类指标.xlsx": dict(form="project", profile="mof-4level"),
    "示例-南障城镇2025部门整体支出.xlsx": dict(form="department", profile="hebei-dept", example=True),
}
FOLDER = ROOT / "workbook_templates"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_template_matches_the_command(name: str, tmp_path: Path) -> None:
    fresh = tmp_path / name
    make_template(fresh, **SHIPPED[name])
    shipped, generated = parts(FOLDER / name), parts(fresh)
    assert sorted(shipped) == sorted(generated), "parts differ: run python tests/test_workbook_templates.py --write"
    changed = [part for part in generated if shipped[part] != generated[part]]
    assert changed == [], f"{name}: parts {changed} drifted; run python tests/test_workbook_templates.py --write"


def test_shipped_example_scores_98_40() -> None:
    result = evaluate(FOLDER / "示例-南障城镇2025部门整体支出.xlsx")
    assert (str(result.total), result.grade, result.checks) == ("98.40", "优秀", ())


if __name__ == "__main__":
    if "--write" in sys.argv:
        FOLDER.mkdir(exist_ok=True)
        for name, options in SHIPPED.items():
            make_template(FOLDER / name, **options)
            print("wrote", FOLDER / name)
