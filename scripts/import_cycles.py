"""Strongly connected components of returnsim's import graph, counting every import.

Reads every module under src/returnsim with ``ast`` (imports inside functions and
under ``TYPE_CHECKING`` included), resolves ``from returnsim.x import y`` to the
module ``returnsim.x.y`` when that is a module, and prints each component of more
than one module. Exit code 1 when there is one, 0 when the graph has no cycle.

    python scripts/import_cycles.py
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[1] / "src"


def modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in sorted((root / "returnsim").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                up = up[: len(up) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                add(full if full in known else base)
    return found


def main() -> int:
    mods = modules(SRC)
    known = set(mods)
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for name, path in mods.items():
        for target in imports(name, path, known):
            graph.add_edge(name, target)
    big = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    print(
        f"{len(known)} modules, {graph.number_of_edges()} imports, "
        f"{len(big)} cycles (components larger than one module)"
    )
    for comp in sorted(big, key=len, reverse=True):
        print(f"  {len(comp)}: " + ", ".join(comp))
    return 1 if big else 0


if __name__ == "__main__":
    sys.exit(main())
