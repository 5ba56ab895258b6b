"""The package's declared requirements: true floors, kept in one place, and a plain install that
carries everything every command needs.

`.ci/constraints-min.txt` pins each requirement to its declared lower bound; CI installs the
package with it (`pip install -c .ci/constraints-min.txt '.[test]'`) and runs the whole suite, so
a floor in pyproject is one at which the tests were seen to pass. Regenerate after changing a
floor: python tests/test_packaging.py --write
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / ".ci" / "constraints-min.txt"
HEADER = ("# The declared lower bound of every requirement in pyproject.toml, pinned; CI runs the whole\n"
          "# suite with these versions. Generated: python tests/test_packaging.py --write\n")


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirements() -> list[Requirement]:
    meta = project()
    reqs = [Requirement(r) for r in meta["dependencies"]]
    for extra in meta.get("optional-dependencies", {}).values():
        reqs += [r for r in map(Requirement, extra) if r.name != meta["name"]]
    return reqs


def floor(req: Requirement) -> str:
    lows = [spec.version for spec in req.specifier if spec.operator in (">=", "==")]
    assert len(lows) == 1, f"{req} needs exactly one lower bound (>=, or == for a pinned tool)"
    return lows[0]


def constraints_text() -> str:
    lines = []
    for req in sorted(requirements(), key=lambda r: r.name.lower()):
        marker = f" ; {req.marker}" if req.marker else ""
        lines.append(f"{req.name}=={floor(req)}{marker}")
    return HEADER + "\n".join(lines) + "\n"


def test_constraints_file_pins_every_declared_floor() -> None:
    assert CONSTRAINTS.read_text(encoding="utf-8") == constraints_text(), (
        "the constraints file is out of step with pyproject.toml: python tests/test_packaging.py --write")


def test_every_requirement_has_a_floor() -> None:
    for req in requirements():
        floor(req)


def _imported_top_level_modules(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


# distribution name → the module it is imported as
IMPORT_NAME = {"python-calamine": "python_calamine", "python-docx": "docx", "xlsxwriter": "xlsxwriter"}


def test_runtime_requirements_are_what_the_package_imports() -> None:
    """Everything the package imports is a core requirement (no command fails on a plain install),
    and nothing it never imports is forced on users (openpyxl is a test requirement only)."""
    imported = _imported_top_level_modules(ROOT / "selfeval_xl")
    core = {IMPORT_NAME.get(r.name.lower(), r.name.lower()) for r in map(Requirement, project()["dependencies"])}
    stdlib = set(sys.stdlib_module_names) | {"selfeval_xl", "tomli", "tomllib"}  # tomllib: 3.11+
    assert imported - stdlib <= core, f"imported but not a core requirement: {sorted(imported - stdlib - core)}"
    assert core - {"tomli"} <= imported, f"required but never imported: {sorted(core - {'tomli'} - imported)}"


def test_license_file_is_present() -> None:
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        CONSTRAINTS.write_text(constraints_text(), encoding="utf-8")
        print(f"wrote {CONSTRAINTS.relative_to(ROOT)}")
    else:
        sys.exit("usage: python tests/test_packaging.py --write")


def test_the_package_says_it_is_typed() -> None:
    """PEP 561: py.typed ships with the package, so a library user's type checker reads its annotations."""
    assert (ROOT / "selfeval_xl" / "py.typed").is_file()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in data["tool"]["setuptools"]["package-data"]["selfeval_xl"]
