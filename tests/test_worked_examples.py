"""docs/rules.md's worked examples hold: every row of docs/worked_examples.toml is scored through the
rules and must give the score the file records, and the document must say it in that section, in the
words the file gives (sqlite-utils tests its docs; check-jsonschema keeps its examples as data both its
tests and its docs read). A rule that changes fails here until the document says the new number."""
from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from builders import SMALL_LINES, IRow, make_input, pct
from selfeval_xl.read.profiles import builtin_profile
from selfeval_xl.rules.assess import assess

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = tomllib.loads((ROOT / "docs" / "worked_examples.toml").read_text(encoding="utf-8"))["indicator"]
RULES = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def section_text(number: str) -> str:
    """The text of one numbered section up to the next heading, its line breaks read as spaces."""
    match = re.search(rf"^#{{2,3}} {re.escape(number)}[.\s].*?\n(.*?)(?=^#)", RULES, re.S | re.M)
    assert match, f"docs/rules.md has no section {number}"
    return re.sub(r"\s*\n\s*", " ", match.group(1))


def _typed(value: object) -> object:
    return Decimal(str(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def score_of(example: dict) -> tuple[Decimal | None, set[str]]:
    actual = pct(Decimal(example["actual_percent"])) if "actual_percent" in example else _typed(example["actual"])
    row = IRow(example.get("level1", "产出指标"), None, example.get("name", "指标"), example.get("nature", "定量"),
               example.get("operator"), _typed(example["target"]), example.get("unit"), actual,
               _typed(example["weight"]), _typed(example.get("self_score")), example.get("reason"))
    result = assess(make_input([row], SMALL_LINES), builtin_profile("hebei-dept"))
    found = result.indicators[0]
    return found.score, {f.code for f in result.checks if f.cell and f.cell.endswith("4") and f.sheet == "绩效指标"}


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"§{e['section']}-{i}" for i, e in enumerate(EXAMPLES)])
def test_the_rules_give_the_documented_score(example: dict) -> None:
    score, codes = score_of(example)
    expected = None if example["score"] == "none" else Decimal(example["score"])
    assert score == expected, example["says"]
    assert set(example.get("codes", ())) <= codes, (example["says"], codes)


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"§{e['section']}-{i}" for i, e in enumerate(EXAMPLES)])
def test_the_document_says_it_in_its_section(example: dict) -> None:
    says = example["says"]
    if example["score"] != "none":
        assert f"**{example['score']}**" in says, "the file's words must carry the score in bold"
    assert says in section_text(example["section"]), f"docs/rules.md §{example['section']} does not say: {says}"


def test_the_table_covers_every_numbered_result_of_the_indicator_sections() -> None:
    """Each bold score in the indicator sections is one of the table's (the table cannot fall behind)."""
    documented = {e["score"] for e in EXAMPLES}
    for number in ("5.1", "5.2", "5.3", "5.4", "6", "7", "12.5", "12.6", "12.7", "12.8"):
        for bold in re.findall(r"\*\*(\d+\.\d\d)\*\*", section_text(number)):
            assert bold in documented, f"§{number} shows **{bold}**, which no worked example gives"


def test_the_worked_example_of_the_whole_form() -> None:
    """§2.2 and §9: the 南障城镇 example's rate score and total, as the document adds them up."""
    from builders import example_input
    result = assess(example_input(), builtin_profile("hebei-dept"))
    assert result.execution.score == Decimal("9.83") and result.total == Decimal("98.40") and result.grade == "优秀"
    assert "得分 = 10 × 0.982631… = 9.826… → **9.83**" in section_text("2.2")
    assert "总分 = 9.83 + 39.44 + 39.17 + 9.96 = **98.40**，≥ 85，等级 **优秀**" in section_text("9")
    levels = {lv.name: lv.score for lv in result.levels}
    assert levels == {"产出指标": Decimal("39.44"), "效益指标": Decimal("39.17"), "满意度指标": Decimal("9.96")}
