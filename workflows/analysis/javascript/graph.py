"""The JS/TS import graph: module names and concrete cycles (algorithms in `cycles`).

Mirrors the Python engine's semantics: type-only imports close no cycle; a cycle that only
closes through a lazy import (``import()``, ``require()`` inside a function) is "deferred".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from workflows.analysis.cycles import find_import_cycles
from workflows.analysis.javascript.parsing import strip_js_suffix

__all__ = [
    "JsCycle",
    "find_cycles",
    "module_names",
]

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class JsCycle:
    """One import cycle ``path[0] -> ... -> path[0]`` (file paths), smallest file first."""

    path: tuple[str, ...]
    group: tuple[str, ...]
    """Every file of its strongly connected component, sorted (the path may skip some)."""
    deferred: bool
    """Closed only through lazy imports: no load-time failure, still coupling."""


def module_names(paths: Iterable[str]) -> dict[str, str]:
    """Graph name of each file: its path without extension (``src/app``), or the full path
    when two files share that stem (``a.js`` next to ``a.ts``)."""
    stems: dict[str, list[str]] = {}
    for path in paths:
        stems.setdefault(strip_js_suffix(path), []).append(path)
    names: dict[str, str] = {}
    for stem, group in stems.items():
        for path in group:
            names[path] = stem if len(group) == 1 else path
    return names


def find_cycles(
    nodes: Iterable[str], eager: Collection[Pair], lazy: Collection[Pair]
) -> list[JsCycle]:
    """Load-time cycles over ``eager`` edges (self-imports included), then the groups that
    ``lazy`` edges tie together on top of them (deferred); sorted by path."""
    found = find_import_cycles(nodes, eager, lazy, self_edges=True)
    return [JsCycle(*cycle) for cycle in found]
