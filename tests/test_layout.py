"""The house rules, read from the code's own imports (every import statement, at module level or inside a
function): one import name (``newsdex``), rooms that import only downwards, no import loops, no path tricks,
and Prefect tasks declared only in ``flows/steps.py``."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Top-level folders of the repository and the package each becomes (pyproject.toml, package-dir).
PACKAGES = {
    "core": "newsdex",
    "tasks": "newsdex.tasks",
    "index": "newsdex.index",
    "flows": "newsdex.flows",
    "search_cli": "newsdex.search_cli",
    "tools": "tools",
    "bench": "bench",
}
# Which rooms each room may import: the ground floor first, each room above what it uses.
ALLOWED = {
    "core": set(),
    "tasks": {"core"},
    "index": {"core"},
    "flows": {"core", "tasks", "index"},
    "search_cli": {"core", "tasks", "index", "flows"},
    "tools": {"core", "tasks", "index", "flows"},
    "bench": {"core", "tasks", "index", "flows", "search_cli", "tools"},
}
OLD_NAMES = {"tasks", "index", "flows", "search_cli"}


def modules() -> dict[str, Path]:
    """Every project module by its import name."""
    found: dict[str, Path] = {}
    for folder, package in PACKAGES.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = list(path.relative_to(REPO / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([package, *parts])] = path
    return found


def room_of(module: str) -> str | None:
    for folder, package in sorted(PACKAGES.items(), key=lambda kv: -len(kv[1])):
        if module == package or module.startswith(package + "."):
            return folder
    return None


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """Project modules ``path`` imports (``from package import module`` names the module)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in known else node.module)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {m for m in imports_of(path, known) if m in known and m != name} for name, path in known.items()}


def test_one_import_name_and_no_old_top_level_names() -> None:
    known = modules()
    offenders = []
    for path in [*known.values(), *sorted((REPO / "tests").glob("*.py"))]:
        for name in imports_of(path, known):
            if name.split(".")[0] in OLD_NAMES:
                offenders.append(f"{path.relative_to(REPO)}: {name}")
    assert offenders == []


def test_rooms_import_only_downwards() -> None:
    upward = []
    for module, targets in graph().items():
        room = room_of(module)
        for target in targets:
            other = room_of(target)
            if other != room and other not in ALLOWED[room]:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_import_loops() -> None:
    edges = graph()
    loops: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                loops.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert loops == []


def test_no_path_tricks_and_no_lazy_module_attributes() -> None:
    offenders = []
    for path in [*modules().values(), *sorted((REPO / "tests").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", "") == "sys":
                parent_calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                                and isinstance(n.func, ast.Attribute) and n.func.value is node]
                if parent_calls:
                    offenders.append(f"{path.relative_to(REPO)}: sys.path.{parent_calls[0].func.attr}")
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.Assign) and "__getattr__" in ast.dump(node)[:200] and (
                getattr(node, "name", None) == "__getattr__"
                or any(getattr(t, "id", None) == "__getattr__" for t in getattr(node, "targets", []))
            ):
                offenders.append(f"{path.relative_to(REPO)}: module __getattr__")
    assert offenders == []


def test_prefect_tasks_are_declared_in_one_place_that_only_flows_import() -> None:
    known = modules()
    declaring = sorted(
        name for name, path in known.items()
        if "from prefect import" in path.read_text(encoding="utf-8")
        and {"task", "Task"} & {a.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                                if isinstance(n, ast.ImportFrom) and n.module == "prefect" for a in n.names}
    )
    assert declaring == ["newsdex.flows.steps"]
    importers = sorted(m for m, targets in graph().items() if "newsdex.flows.steps" in targets)
    assert importers and all(room_of(m) == "flows" for m in importers), importers
    # Stages and the index never import Prefect at all.
    for name, path in known.items():
        if room_of(name) in ("core", "tasks", "index"):
            assert "prefect" not in {n.split(".")[0] for n in imports_of(path, known)}, name


def test_the_index_folder_has_one_owner() -> None:
    """Flows reach the manifest, Whoosh and the raw store only through ``index/store.py``."""
    touching = []
    for name, path in modules().items():
        if room_of(name) not in ("flows", "search_cli"):
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("Manifest(", "apply_changes", "writer_lock", "held_or_take", "put_raw", "get_raw", "Rebuild("):
            if needle in text:
                touching.append(f"{path.relative_to(REPO)}: {needle}")
    assert touching == []
