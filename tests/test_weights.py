"""Weight checks on a real workbook: an invalid weight does not hide the other levels' sums."""
from __future__ import annotations

from pathlib import Path

from selfeval_xl.api import evaluate
from workbooks import edit, template_copy


def test_invalid_weight_in_one_level_and_wrong_sum_in_another(tmp_path: Path) -> None:
    path = edit(template_copy(tmp_path, "分值.xlsx"), {"绩效指标": {"K10": "x", "K12": 16}})
    found = {(f.code, f.cell) for f in evaluate(path).checks}
    assert ("WEIGHT_INVALID", "K10") in found
    assert ("WEIGHT_LEVEL", "C12") in found  # 效益指标 adds up to 41
    assert not any(code == "WEIGHT_LEVEL" and cell == "C4" for code, cell in found)  # 产出 holds the invalid one
    assert not any(code == "WEIGHT_TOTAL" for code, _ in found)
