"""The layout is the architecture: each package of `bot/` imports only the floors below it, and no
module imports itself round in a circle. Imports under `if TYPE_CHECKING:` are annotations, not
dependencies, and are left out (the `Crisisbot` container is passed in, never imported, below it).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP = ("bot", "handlers", "detectors", "sources", "models", "migrations")

# What each package may import, besides itself and third-party code.
ALLOWED: dict[str, set[str]] = {
    "models": set(),
    "detectors": set(),
    "sources": set(),
    "bot.emulator": set(),
    # config checks [[sources]] against the registry, and keywords' languages against
    # detectors.language (a leaf: it imports nothing of ours)
    "bot.core": {"models", "sources", "detectors"},
    "bot.response": {"bot.core", "models"},
    # bot.response: the outbox, through which a source's stop and return reach the channel
    "bot.intake": {"bot.core", "bot.response", "models", "sources", "detectors"},
    "bot.detection": {"bot.core", "bot.response", "bot.intake", "models", "detectors", "sources"},
    "bot.aftermath": {"bot.core", "bot.response", "models"},
    "bot.slack": {
        "bot.core",
        "bot.response",
        "bot.detection",
        "bot.aftermath",
        "bot.intake",  # the backfill progress `/crisis sources` shows
        "models",
    },
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package(module: str) -> str:
    """`bot.<pkg>` for the domain packages; plain `bot` for the process shell (app, cli, jobs, web,
    demo, testing), which sits on top and may import everything."""
    parts = module.split(".")
    if parts[0] == "bot" and len(parts) > 1 and (ROOT / "bot" / parts[1]).is_dir():
        return ".".join(parts[:2])
    return parts[0]


def _runtime_imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    files = [p for top in TOP for p in (ROOT / top).rglob("*.py")]
    modules = {_module_name(p): p for p in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {m for m in _runtime_imports(tree) if m in modules and m != name}
    return graph


def test_each_package_imports_only_the_floors_below_it() -> None:
    wrong = []
    for module, imports in _graph().items():
        package = _package(module)
        if package not in ALLOWED:
            continue
        for target in imports:
            other = _package(target)
            if other != package and other not in ALLOWED[package]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_module_imports_itself_round_a_circle() -> None:
    graph = _graph()
    seen: set[str] = set()
    path: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        if node in path:
            circles.append([*path[path.index(node) :], node])
            return
        if node in seen:
            return
        path.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        path.pop()
        seen.add(node)

    for node in sorted(graph):
        visit(node)
    assert circles == []


def test_every_bot_package_says_what_it_may_import() -> None:
    for init in (ROOT / "bot").glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc or init.parent.name == "emulator", init
