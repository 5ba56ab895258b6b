"""The documents in docs/ stay true to the code: the sample profile loads, every check code and every
built-in profile is documented, and the grade bands written in the docs are the profiles' own."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfeval_xl.read.profiles import builtin_profile, parse_profile  # noqa: E402
from selfeval_xl.rules.checks import CATALOGUE  # noqa: E402
from selfeval_xl.rules.profiles import BUILTIN_NAMES  # noqa: E402

DOCS = ROOT / "docs"
RULES = DOCS / "rules.md"
PROFILES = DOCS / "profiles.md"
WORKBOOK = DOCS / "workbook.md"

SAMPLE_NAME = "mycounty-dept"
SAMPLE_GRADES = [("优秀", 90), ("良好", 80), ("一般", 60), ("较差", 0)]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def sample_toml() -> str:
    blocks = re.findall(r"^```toml\n(.*?)^```", read(PROFILES), flags=re.S | re.M)
    assert len(blocks) == 1, f"docs/profiles.md should hold exactly one ```toml block, found {len(blocks)}"
    return blocks[0]


def test_docs_exist() -> None:
    for path in (RULES, PROFILES, WORKBOOK):
        assert path.is_file(), path


def test_sample_profile_loads_with_the_documented_name_and_bands() -> None:
    profile = parse_profile(sample_toml(), origin="docs/profiles.md")
    assert profile.name == SAMPLE_NAME
    assert profile.name not in BUILTIN_NAMES  # built-in names are reserved
    assert [(g.name, int(g.min)) for g in profile.grades] == SAMPLE_GRADES
    assert profile.form == "department"
    assert profile.rule == "steps" and profile.execution_weight == 20
    assert sum(w for _, w in profile.weights) + profile.execution_weight == 100
    text = read(PROFILES)
    assert f"口径名 `{SAMPLE_NAME}`" in text
    assert f"等级：{profile.describe_grades()}" in text  # the bands the doc states are the parsed ones
    # rules.md's worked steps example uses the same profile and steps
    rules = read(RULES)
    assert SAMPLE_NAME in rules
    steps = ", ".join(f"[{s.threshold}, {s.score}]" for s in profile.steps)
    assert f"`[{steps}]`" in rules


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_every_check_code_is_in_rules(code: str) -> None:
    assert f"`{code}`" in read(RULES), f"{code} is not described in docs/rules.md"


def test_rules_check_table_lists_each_code_with_its_severity() -> None:
    severity = {"error": "错误", "warning": "警告"}
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([A-Z0-9_]+)` \| (错误|警告) \|", read(RULES), re.M)}
    assert rows == {code: severity[check.severity] for code, check in CATALOGUE.items()}


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_every_builtin_profile_is_documented(name: str) -> None:
    assert f"`{name}`" in read(RULES)
    assert f"`{name}`" in read(PROFILES)


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_builtin_grade_bands_in_docs_match_the_toml(name: str) -> None:
    bands = builtin_profile(name).describe_grades()
    for path in (RULES, PROFILES):
        row = next((line for line in read(path).splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, f"{path.name} has no table row for {name}"
        assert bands in row, f"{path.name}: the row of {name} should state {bands}"


def test_readme_links_every_document_and_each_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("guide.md", "rules.md", "profiles.md", "workbook.md", "cli.md", "security.md", "choices.md",
                 "development.md"):
        assert f"](docs/{name})" in readme
        assert (ROOT / "docs" / name).is_file()
    assert "scoring-rules.md" not in readme and "workbook-contract.md" not in readme


# --- citations: every rule the code cites is in the repository's own documents ------------------------

CITATION = re.compile(r"docs/([a-z_]+\.md)((?:\s*(?:[,，、]|–|-|and|\s)\s*§\d+(?:\.\d+)?)*)")
OUTSIDE = re.compile(r"published-forms\.md|scoring-rules\.md|workbook-contract\.md|example-nanzhangcheng|\.\./shared|"
                     r"shared/spec")
SOURCES = [p for p in sorted((ROOT / "selfeval_xl").rglob("*")) if p.suffix in (".py", ".toml", ".js", ".html", ".css")]


def _sections(doc: Path) -> set[str]:
    """The numbered sections of a document: "## 12. …" gives 12, "### 12.4 …" gives 12.4."""
    return set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)[.\s]", read(doc), re.M))


def test_the_project_cites_nothing_outside_the_repository() -> None:
    project = [*SOURCES, ROOT / "README.md", *DOCS.glob("*.md"), *(ROOT / "benchmarks").glob("*.py"),
               *(p for p in (ROOT / "tests").glob("*.py") if p.name != "test_docs.py")]
    found = [f"{p.relative_to(ROOT)}:{n}" for p in project
             for n, line in enumerate(read(p).splitlines(), start=1) if OUTSIDE.search(line)]
    assert found == []


def test_every_cited_document_and_section_exists() -> None:
    cited = 0
    for path in [*SOURCES, *(ROOT / "tests").glob("*.py")]:
        text = re.sub(r"\s*\n\s*#?\s*", " ", read(path))  # a citation may wrap onto the next comment line
        for name, numbers in CITATION.findall(text):
            doc = DOCS / name
            assert doc.is_file(), f"{path.relative_to(ROOT)} cites docs/{name}, which does not exist"
            for number in re.findall(r"§(\d+(?:\.\d+)?)", numbers):
                cited += 1
                assert number in _sections(doc), \
                    f"{path.relative_to(ROOT)} cites docs/{name} §{number}: no such section"
    assert cited >= 100  # the rules are cited where they are followed and where they are tested


def test_every_section_sign_in_the_package_belongs_to_a_citation() -> None:
    """A bare “§8” says nothing to someone who clones the project: every one names its document."""
    for path in SOURCES:
        text = re.sub(r"\s*\n\s*#?\s*", " ", read(path))
        text = CITATION.sub("", text)
        text = re.sub(r"ECMA-376 §[\d.]+(?:, §[\d.]+)*", "", text)
        assert "§" not in text, f"{path.relative_to(ROOT)}: {text[max(0, text.index('§') - 60):text.index('§') + 10]}"


def test_every_path_the_documents_name_exists() -> None:
    for doc in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for named in re.findall(r"`((?:selfeval_xl|tests|benchmarks|docs|workbook_templates)/[^`*\s]*)", read(doc)):
            assert (ROOT / named.rstrip("/")).exists(), f"{doc.name} names {named}, which does not exist"
        for pattern in re.findall(r"`((?:selfeval_xl)/[^`\s]*\*[^`\s]*)`", read(doc)):
            assert list(ROOT.glob(pattern)), f"{doc.name} names {pattern}, which matches nothing"
