"""The folders are the architecture: imports run only downward, there is no cycle, and the pure
core loads no file-format or command-line library.

Layers, lowest first (a module may import its own layer and any layer below it):
  0  the package root: model, errors, layout, vocabulary, formatting (plain types and shared words)
  1  rules/    pure scoring and checks: no I/O, no clock
  2  read/     untrusted files in
  3  write/    the template and the scored copy (may use read/'s package access)
  4  county/, report/   built on reading and writing; neither imports the other
  5  api       the facade
  6  cli/      the command line, imported by nothing
  6  web/      the local page (selfeval-xl serve), beside cli/: cli may import it (only inside the serve
               command, so --help does not load flask), it never imports cli
Function-local imports are kept only where start-up time needs them: in cli/ (so --help does not
load the libraries) and api (so `score` does not load pandas or python-docx).
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "selfeval_xl"
RANK = {"": 0, "rules": 1, "read": 2, "write": 3, "county": 4, "report": 4, "api": 5, "cli": 6, "web": 6}
SIDEWAYS = {("cli", "web")}  # the one arrow between layers of one rank: the serve command starts the page
LOCAL_IMPORTS_ALLOWED = ("selfeval_xl.cli.app", "selfeval_xl.api")
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> str:
    parts = module.split(".")[1:]
    if not parts:
        return ""
    head = parts[0]
    return head if head in RANK else ""


def resolve(module: str, path: Path, node: ast.ImportFrom) -> list[str]:
    if node.level:
        base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    targets = []
    for alias in node.names:
        candidate = f"{prefix}.{alias.name}"
        targets.append(candidate if candidate in MODULES else prefix)
    return targets


def imports(module: str) -> list[tuple[str, int, bool]]:
    """(imported selfeval_xl module, line, inside a function) for every import statement."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, local) for a in child.names if a.name.startswith("selfeval_xl"))
            elif isinstance(child, ast.ImportFrom):
                found.extend((t, child.lineno, local) for t in resolve(module, path, child)
                             if t.startswith("selfeval_xl"))
            visit(child, inner)

    visit(tree, False)
    return found


GRAPH = {m: imports(m) for m in MODULES}


def test_every_arrow_points_down() -> None:
    upward = []
    for module, targets in GRAPH.items():
        for target, line, _ in targets:
            here, there = layer(module), layer(target)
            if here == there:
                continue
            if RANK[there] >= RANK[here] and (here, there) not in SIDEWAYS:
                upward.append(f"{module}:{line} imports {target} ({here or 'root'} → {there or 'root'})")
    assert not upward, "\n".join(upward)


def test_no_import_cycle() -> None:
    edges = {m: {t for t, _, _ in targets if t in MODULES and t != m} for m, targets in GRAPH.items()}
    # a package's __init__ importing its own modules is not a cycle back through them
    state: dict[str, int] = {}
    cycles = []

    def walk(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(" → ".join(trail[trail.index(nxt):] + [nxt]) if nxt in trail else f"{node} → {nxt}")
            elif nxt not in state:
                walk(nxt, trail + [nxt])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            walk(module, [module])
    assert not cycles, "\n".join(cycles)


def test_function_local_imports_only_where_start_up_time_needs_them() -> None:
    hidden = [f"{m}:{line} imports {t}" for m, targets in GRAPH.items() for t, line, local in targets
              if local and not m.startswith(LOCAL_IMPORTS_ALLOWED)]
    assert not hidden, "\n".join(hidden)


def test_every_module_is_short_enough_to_hold_in_mind() -> None:
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_the_folders_name_the_layers() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == {"rules", "read", "write", "county", "report", "cli", "web"}


def test_the_page_is_started_only_by_the_serve_command() -> None:
    """cli imports web inside `serve` alone, so no other command (nor --help) loads flask and waitress."""
    into_web = [(m, line, local) for m, targets in GRAPH.items() if layer(m) == "cli"
                for t, line, local in targets if layer(t) == "web"]
    assert into_web and all(local for _, _, local in into_web), into_web


def test_the_rules_load_no_file_format_or_command_line_library() -> None:
    code = ("import sys; import selfeval_xl.rules.assess, selfeval_xl.rules.profiles; "
            "print(sorted(m for m in ('lxml', 'xlsxwriter', 'click', 'openpyxl', 'python_calamine', 'pandas', 'docx') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_rules_read_no_file_and_no_clock() -> None:
    """rules/ takes plain data: profiles arrive as text (read/profiles.py reads the files), dates as values."""
    banned = {"pathlib", "importlib", "os", "io", "time", "zipfile", "subprocess", "shutil", "tempfile"}
    found = []
    for path in sorted((PACKAGE / "rules").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in banned]
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "open", "read_text", "read_bytes", "now", "today"):
                found.append(f"{path.name}:{node.lineno} calls {ast.unparse(node.func)}")
    assert found == []


def test_no_layer_borrows_from_the_rules_what_is_not_a_rule() -> None:
    """write/ and read/ take from rules/ only rule objects and decisions, never a shared helper (which
    belongs at the root, where every layer may use it)."""
    borrowed = {"excel_number"}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("selfeval_xl.rules"):
                assert not {a.name for a in node.names} & borrowed, f"{path.name} takes a helper from {node.module}"


def test_one_process_sandbox_and_one_module_of_limits() -> None:
    """Child processes are started in read/sandbox.py alone; their bounds are written in read/limits.py
    alone (a 60 or a 2 GiB elsewhere would drift from it)."""
    starters, bounds = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(PACKAGE).as_posix()
        if rel != "read/sandbox.py" and re.search(r"multiprocessing\.(Process|Pipe)\(|ProcessPoolExecutor\(", text):
            starters.append(rel)
        for name in re.findall(r"(\w+)\s*(?::[^=\n]*)?=\s*(?:60\.0|2 \* 1024 \*\* 3|1536 \* 1024)\b", text):
            if rel != "read/limits.py" and name != "SWEEP_SECONDS":  # how often old downloads go: no bound
                bounds.append(f"{rel}: {name}")
    assert starters == [] and bounds == []


def test_the_front_ends_build_no_json_of_their_own_and_list_profiles_through_the_facade() -> None:
    """The `score --json` contract is built once (api.Scored.to_json); the command line and the page
    take the profile list from the facade."""
    for rel in ("cli/app.py", "web/jobs.py", "web/app.py"):
        text = (PACKAGE / rel).read_text(encoding="utf-8")
        assert not re.search(r'\["(rescored|columns|output)"\] = (True|\[|str\()', text), rel
        assert "read.profiles import" not in text and "rules.profiles import builtin" not in text, rel


def test_no_function_is_longer_than_a_reader_can_hold() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > 80:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.name} ({length} lines)")
    assert long == []
