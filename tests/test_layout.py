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
    "reading": "newsdex.reading",
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
    "reading": {"core", "index"},  # the read side: beside the store, below the CLI; nothing under it imports it
    "flows": {"core", "tasks", "index"},
    "search_cli": {"core", "tasks", "index", "reading", "flows"},
    "tools": {"core", "tasks", "index", "reading", "flows"},
    "bench": {"core", "tasks", "index", "reading", "flows", "search_cli", "tools"},
}
OLD_NAMES = {"tasks", "index", "reading", "flows", "search_cli"}


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
                loops.append(stack[stack.index(nxt) :] + [nxt])
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
                parent_calls = [
                    n
                    for n in ast.walk(tree)
                    if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.value is node
                ]
                if parent_calls:
                    offenders.append(f"{path.relative_to(REPO)}: sys.path.{parent_calls[0].func.attr}")
        for node in tree.body:
            if (
                isinstance(node, ast.FunctionDef | ast.Assign)
                and "__getattr__" in ast.dump(node)[:200]
                and (
                    getattr(node, "name", None) == "__getattr__"
                    or any(getattr(t, "id", None) == "__getattr__" for t in getattr(node, "targets", []))
                )
            ):
                offenders.append(f"{path.relative_to(REPO)}: module __getattr__")
    assert offenders == []


def test_prefect_tasks_are_declared_in_one_place_that_only_flows_import() -> None:
    known = modules()
    declaring = sorted(
        name
        for name, path in known.items()
        if "from prefect import" in path.read_text(encoding="utf-8")
        and {"task", "Task"}
        & {
            a.name
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.ImportFrom) and n.module == "prefect"
            for a in n.names
        }
    )
    assert declaring == ["newsdex.flows.steps"]
    importers = sorted(m for m, targets in graph().items() if "newsdex.flows.steps" in targets)
    assert importers and all(room_of(m) == "flows" for m in importers), importers
    # Stages and the index never import Prefect at all.
    for name, path in known.items():
        if room_of(name) in ("core", "tasks", "index", "reading"):
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


def _functions(room: str) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = []
    for name, path in modules().items():
        if room_of(name) == room:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    found.append((f"{path.relative_to(REPO)}:{node.lineno} {node.name}", node))
    return found


def test_the_read_side_has_short_functions_and_short_signatures() -> None:
    """reading/, the web page and the read commands: no function over 50 lines, none taking over 6 parameters (a
    request is one typed value, reading/request.py)."""
    readers = (
        "/web/",
        "options.py",
        "cmd_search",
        "cmd_show",
        "cmd_similar",
        "cmd_export",
        "cmd_web",
        "cmd_stats",
        "cmd_entities",
        "cmd_duplicates",
    )
    web = [(n, f) for n, f in _functions("search_cli") if any(part in n for part in readers)]
    long, wide = [], []
    for where, fn in _functions("reading") + web:
        if fn.end_lineno - fn.lineno + 1 > 50:
            long.append(where)
        args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
        params = [a.arg for a in args if a.arg not in ("self", "cls")]
        if len(params) > 6:
            wide.append(where)
    assert (long, wide) == ([], [])


def test_the_read_side_keeps_no_module_level_memo() -> None:
    """What the read side remembers belongs to an Archive (reading/caches.py), never to a module: no dict, set or
    cache object assigned at module level that a function fills."""
    offenders = []
    for name, path in modules().items():
        if room_of(name) != "reading":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            if isinstance(value, ast.Dict) and not value.keys:  # an empty dict to be filled: a memo
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
            if isinstance(value, ast.Call) and ast.unparse(value.func).split(".")[-1] in (
                "dict",
                "set",
                "Counter",
                "WeakKeyDictionary",
                "WeakValueDictionary",
                "OrderedDict",
                "defaultdict",
            ):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
        text = path.read_text(encoding="utf-8")
        if "lru_cache" in text or "functools.cache" in text:
            offenders.append(f"{path.relative_to(REPO)}: functools cache")
    assert offenders == []


def _whoosh_private_names() -> set[str]:
    """Every private name Whoosh defines: functions, classes, methods, attributes it assigns (``_x``, not dunders)."""
    import whoosh

    found: set[str] = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        found |= _own_names(ast.parse(path.read_text(encoding="utf-8", errors="replace")))
    return {name for name in found if name.startswith("_") and not name.startswith("__")}


def _own_names(tree: ast.AST) -> set[str]:
    """The private names a module defines itself (its functions, classes, attributes and variables)."""
    own: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            own.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            own.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            own.add(node.id)
    return own


def test_only_whoosh_internals_touches_whoosh_s_private_names() -> None:
    """index/whoosh_internals.py alone imports, reads or overrides Whoosh's private names (a Whoosh release that
    moves them breaks one module, which ``supported()`` checks): elsewhere no ``from whoosh… import _x``, no
    ``obj._x`` for a name Whoosh defines and the module does not, and no method of a subclass named as one of
    Whoosh's private methods (an override of a private step)."""
    private = _whoosh_private_names()
    assert {"_perdoc", "_read_data", "_merge_matched_tokens", "_flush_segment"} <= private  # the scan works
    offenders = []
    for name, path in modules().items():
        if name == "newsdex.index.whoosh_internals":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        own = _own_names(tree)
        where = path.relative_to(REPO)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "whoosh":
                offenders += [f"{where}:{node.lineno} imports {a.name}" for a in node.names if a.name.startswith("_")]
            elif isinstance(node, ast.Attribute) and node.attr in private and node.attr not in own:
                offenders.append(f"{where}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.ClassDef) and node.bases:
                offenders += [
                    f"{where}:{item.lineno} overrides {item.name}"
                    for item in node.body
                    if isinstance(item, ast.FunctionDef) and item.name in private
                ]
    assert offenders == []
