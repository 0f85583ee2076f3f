"""The import graph of an analysed tree: internal edges, cycles, third-party dependencies.

Imports resolve to a module of the tree (``import a.b``, ``from a import b`` where ``a.b`` is a
module, relative imports) or to an external top-level package, stdlib or third-party. Imports
under ``if TYPE_CHECKING:`` stay in the graph but close no cycle (they never run); imports in
functions or ``__main__`` blocks close only "deferred" cycles (coupling, no import-time failure).

Two steps, so that no syntax tree has to leave the process that parsed it: `module_imports`
distils one parsed module into picklable `ModuleImports`, and `project_imports` resolves every
module's against the `ProjectFacts` (once per project).
"""

from __future__ import annotations

import re
import sys
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from tree_sitter import Node, Query, QueryCursor

from workflows.analysis.cycles import find_import_cycles
from workflows.analysis.models import ImportEdge, ImportGraph
from workflows.analysis.nodes import is_main_guard, node_text
from workflows.analysis.parsing import PYTHON, ParsedModule
from workflows.analysis.project import ModuleInfo, ProjectFacts
from workflows.analysis.symbols import ModuleSymbols, collect_symbols

__all__ = [
    "Cycle",
    "ImportAnalysis",
    "ImportFact",
    "ModuleImports",
    "ResolvedImport",
    "analyse_imports",
    "build_import_graph",
    "dependents_of",
    "fan_in",
    "fan_out",
    "module_imports",
    "project_facts",
    "project_imports",
]

_WILDCARD_RE = re.compile(rb"import\s*\*")
_WILDCARD_QUERY = Query(PYTHON, "(import_from_statement (wildcard_import)) @import")
_STDLIB = frozenset(sys.stdlib_module_names)

Pair = tuple[str, str]


class ImportFact(NamedTuple):
    """One imported name of one module, as written, with where its statement sits."""

    line: int
    source: str | None
    """``m`` / ``.pkg`` / ``.`` for from-imports, None for plain ``import``."""
    imported: str
    """``a.b`` for ``import a.b``, ``x`` for ``from m import x``, ``*`` for a wildcard."""
    type_only: bool
    """Inside ``if TYPE_CHECKING:``: never executed."""
    deferred: bool
    """Inside a function or ``if __name__ == "__main__":``: not run when imported."""


@dataclass(frozen=True, slots=True)
class ModuleImports:
    """One module's imports without its tree (picklable), for `project_imports` to resolve."""

    imports: tuple[ImportFact, ...] = ()
    """Every import except ``from __future__`` ones, in source order."""


@dataclass(frozen=True, slots=True)
class ResolvedImport:
    """One imported name of one module: the tree module or external top-level package it loads."""

    line: int
    internal: str | None
    package: str | None
    third_party: bool
    type_only: bool
    """Inside ``if TYPE_CHECKING:``: never executed."""
    deferred: bool
    """Inside a function or ``if __name__ == "__main__":``: not run when imported."""


@dataclass(frozen=True, slots=True)
class Cycle:
    """One import cycle: ``path[0] -> path[1] -> ... -> path[0]``, smallest module first."""

    path: tuple[str, ...]
    group: tuple[str, ...]
    """Every module of its strongly connected component, sorted (the path may skip some)."""
    deferred: bool
    """Closed only through imports inside functions: no import-time failure, still coupling."""


@dataclass(slots=True)
class ImportAnalysis:
    """The graph plus what the model does not carry: type-only and deferred edges, cycle groups."""

    graph: ImportGraph
    imports: dict[str, list[ResolvedImport]]
    """Module name -> its resolved imports, in source order."""
    type_only: frozenset[Pair]
    """Edges whose every import sits under ``if TYPE_CHECKING:``."""
    deferred: frozenset[Pair]
    """Runtime edges whose every runtime import sits inside a function."""
    runtime_line: dict[Pair, int]
    """First line of a runtime (not type-only) import per edge."""
    cycles: list[Cycle]
    """The entries of ``graph.cycles`` with their groups, in the same order."""
    outgoing: dict[str, list[ImportEdge]] = field(default_factory=dict)


# Per file, where the module was parsed.


def module_imports(module: ParsedModule, symbols: ModuleSymbols) -> ModuleImports:
    """The imports of ``module`` (``symbols`` is its walk), ready to be pickled and resolved."""
    entries: list[tuple[int, Node, str | None, str]] = [
        (b.line, b.statement, b.source_module, b.imported)
        for b in symbols.imports
        if not b.is_future
    ]
    for statement in _wildcard_statements(module):
        source_node = statement.child_by_field_name("module_name")
        origin = node_text(source_node).replace(" ", "") if source_node is not None else ""
        entries.append((statement.start_point.row + 1, statement, origin, "*"))
    if not entries:
        return _NO_IMPORTS
    entries.sort(key=lambda entry: entry[0])
    contexts: dict[int, tuple[bool, bool]] = {}
    facts: list[ImportFact] = []
    for line, statement, source, imported in entries:
        context = contexts.get(statement.id)
        if context is None:
            context = contexts[statement.id] = _context(statement)
        facts.append(ImportFact(line, source, imported, *context))
    return ModuleImports(tuple(facts))


_NO_IMPORTS = ModuleImports()


def _context(statement: Node) -> tuple[bool, bool]:
    """(under ``if TYPE_CHECKING:``, in a function or ``__main__`` block) for an import."""
    type_only = deferred = False
    child, parent = statement, statement.parent
    while parent is not None:
        if parent.type == "function_definition":
            deferred = True
        elif parent.type == "if_statement":
            condition = parent.child_by_field_name("condition")
            consequence = parent.child_by_field_name("consequence")
            if condition is not None and consequence is not None and consequence.id == child.id:
                type_only |= node_text(condition).rsplit(".", 1)[-1] == "TYPE_CHECKING"
                deferred |= is_main_guard(parent)
        child, parent = parent, parent.parent
    return type_only, deferred


def _wildcard_statements(module: ParsedModule) -> list[Node]:
    """``from x import *`` statements (the symbol walk binds no name for them)."""
    if not _WILDCARD_RE.search(module.source):
        return []
    return QueryCursor(_WILDCARD_QUERY).captures(module.root).get("import", [])


# Across the project, from every module's facts.


class _Resolver:
    """Maps imported names to tree modules or external top-level packages."""

    def __init__(self, modules: Iterable[ModuleInfo]) -> None:
        self.internal = {m.module_name for m in modules if m.module_name}
        self.first_party = {name.split(".", 1)[0] for name in self.internal}

    def longest_internal(self, dotted: str) -> str | None:
        """``dotted`` itself or its longest prefix that is a module of the tree."""
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in self.internal:
                return candidate
        return None

    def absolute(self, module: ModuleInfo, source: str | None, imported: str) -> str | None:
        """The dotted name one import loads (``*`` loads ``source``), None when unresolvable."""
        name = "" if imported == "*" else imported
        if source is None or not source.startswith("."):
            return ".".join(part for part in (source, name) if part)
        level = len(source) - len(source.lstrip("."))
        package = module.module_name.split(".") if module.module_name else []
        if not module.is_package_init:
            package = package[:-1]  # a plain module's package is its parent
        if level - 1 > len(package):
            return None
        parts = [*package[: len(package) - level + 1], source[level:], name]
        return ".".join(part for part in parts if part) or None

    def resolve(
        self, module: ModuleInfo, source: str | None, imported: str
    ) -> tuple[str | None, str | None]:
        """(tree module, external top-level package) for one imported name; either may be None."""
        dotted = self.absolute(module, source, imported)
        if dotted is None:
            return None, None
        # `from pkg import name` loads the submodule pkg.name when there is one, else pkg.
        internal = self.longest_internal(dotted)
        if internal is not None or (source or "").startswith("."):
            return internal, None
        top = dotted.split(".", 1)[0]
        return None, (None if top in self.first_party else top)


def _resolve_module(
    module: ModuleInfo, facts: ModuleImports, resolver: _Resolver
) -> list[ResolvedImport]:
    """Every import of ``module`` resolved, in source order."""
    resolved: list[ResolvedImport] = []
    for line, source, imported, type_only, deferred in facts.imports:
        internal, package = resolver.resolve(module, source, imported)
        third_party = package is not None and package not in _STDLIB
        resolved.append(ResolvedImport(line, internal, package, third_party, type_only, deferred))
    return resolved


def _analyse(project: ProjectFacts) -> ImportAnalysis:
    """Resolve every module's imports in ``project`` into an `ImportAnalysis` (uncached)."""
    resolver = _Resolver(project.modules.values())
    imports: dict[str, list[ResolvedImport]] = {}
    first_line: dict[Pair, int] = {}
    runtime_line: dict[Pair, int] = {}
    top_level: set[Pair] = set()
    external: dict[str, list[str]] = {}
    for module in sorted(project.modules.values(), key=lambda m: m.module_name):
        name = module.module_name
        resolved = _resolve_module(module, project.imports[module.path], resolver)
        imports[name] = resolved
        packages = sorted({r.package for r in resolved if r.third_party and r.package})
        if packages:
            external[name] = packages
        for item in resolved:
            if item.internal is None:
                continue
            pair = (name, item.internal)
            first_line.setdefault(pair, item.line)
            if not item.type_only:
                runtime_line.setdefault(pair, item.line)
                if not item.deferred:
                    top_level.add(pair)
    edges = [ImportEdge(source=s, target=t, line=line) for (s, t), line in first_line.items()]
    deferred = frozenset(runtime_line.keys() - top_level)
    nodes = sorted(resolver.internal)
    cycles = _cycles(nodes, runtime_line.keys(), deferred)
    graph = ImportGraph(
        modules=nodes,
        edges=edges,
        cycles=[list(cycle.path) for cycle in cycles],
        external=external,
    )
    outgoing: dict[str, list[ImportEdge]] = {}
    for edge in edges:
        outgoing.setdefault(edge.source, []).append(edge)
    return ImportAnalysis(
        graph=graph,
        imports=imports,
        type_only=frozenset(first_line.keys() - runtime_line.keys()),
        deferred=deferred,
        runtime_line=runtime_line,
        cycles=cycles,
        outgoing=outgoing,
    )


def project_facts(
    modules: Sequence[ParsedModule],
    symbols: Mapping[str, ModuleSymbols] | None = None,
    *,
    root: Path | None = None,
) -> ProjectFacts:
    """The facts of modules parsed in this process (tests, small trees)."""
    walks = symbols if symbols is not None else {m.path: collect_symbols(m) for m in modules}
    return ProjectFacts(
        map(ModuleInfo.of, modules),
        {m.path: walks[m.path].references for m in modules},
        {m.path: module_imports(m, walks[m.path]) for m in modules},
        root=root,
    )


_CACHE: weakref.WeakKeyDictionary[ProjectFacts, ImportAnalysis] = weakref.WeakKeyDictionary()


def project_imports(project: ProjectFacts) -> ImportAnalysis:
    """The import analysis of every module in ``project``, computed once per `ProjectFacts`.

    Every module of ``project.modules`` needs its entry in ``project.imports``.
    """
    analysis = _CACHE.get(project)
    if analysis is None:
        analysis = _CACHE[project] = _analyse(project)
    return analysis


def analyse_imports(
    modules: Sequence[ParsedModule], symbols: Mapping[str, ModuleSymbols]
) -> ImportAnalysis:
    """The `ImportAnalysis` of modules parsed here (``symbols`` keyed by path); uncached."""
    return _analyse(project_facts(modules, symbols))


def build_import_graph(
    modules: Sequence[ParsedModule], symbols: Mapping[str, ModuleSymbols]
) -> ImportGraph:
    """The `ImportGraph` of ``modules``; ``symbols`` maps each module's path to its facts."""
    return analyse_imports(modules, symbols).graph


def _cycles(
    nodes: Sequence[str], runtime: Iterable[Pair], deferred: frozenset[Pair]
) -> list[Cycle]:
    """Import-time cycles, then groups that only imports inside functions tie together."""
    top_level = set(runtime) - deferred
    return [Cycle(*found) for found in find_import_cycles(nodes, top_level, deferred)]


def _fan(graph: ImportGraph, side: int) -> dict[str, int]:
    counts = dict.fromkeys(graph.modules, 0)
    for pair in {(e.source, e.target) for e in graph.edges if e.source != e.target}:
        counts[pair[side]] = counts.get(pair[side], 0) + 1
    return counts


def fan_in(graph: ImportGraph) -> dict[str, int]:
    """Module -> number of other tree modules importing it (every module, zeros included)."""
    return _fan(graph, 1)


def fan_out(graph: ImportGraph) -> dict[str, int]:
    """Module -> number of other tree modules it imports (every module, zeros included)."""
    return _fan(graph, 0)


def dependents_of(graph: ImportGraph, module: str, *, transitive: bool = False) -> list[str]:
    """Sorted modules importing ``module`` (directly, or through others when ``transitive``)."""
    importers: dict[str, set[str]] = {}
    for edge in graph.edges:
        if edge.source != edge.target:
            importers.setdefault(edge.target, set()).add(edge.source)
    found: set[str] = set(importers.get(module, ()))
    pending = list(found) if transitive else []
    while pending:
        for importer in importers.get(pending.pop(), ()):
            if importer not in found:
                found.add(importer)
                pending.append(importer)
    found.discard(module)
    return sorted(found)
