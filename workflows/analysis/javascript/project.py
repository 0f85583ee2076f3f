"""The project-wide view of a JS/TS tree: resolved imports, export usage and the import graph.

Built in the main process from every file's tree-free facts (`JsFile`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from workflows.analysis.javascript.file_analysis import JsFile
from workflows.analysis.javascript.graph import JsCycle, find_cycles, module_names
from workflows.analysis.javascript.imports import NAMESPACE, JsImport
from workflows.analysis.javascript.parsing import is_entry_name
from workflows.analysis.javascript.resolution import (
    classify_specifier,
    package_name,
    resolve_relative,
)
from workflows.analysis.models import ImportEdge, ImportGraph

__all__ = ["JsProject"]


class JsProject:
    """Every analysed JS/TS file's facts, its imports resolved, and who asks for which export."""

    __slots__ = (
        "_cycles",
        "_targets",
        "entry_files",
        "imported_by_unknown",
        "modules",
        "names",
        "wanted",
        "wants_all",
    )

    def __init__(
        self,
        files: Iterable[JsFile],
        *,
        entry_files: Collection[str] = (),
    ) -> None:
        """Index ``files``; ``entry_files`` are package.json targets."""
        self.modules: dict[str, JsFile] = {f.path: f for f in files}
        self.names: dict[str, str] = module_names(self.modules)
        """File path -> graph module name (``src/app`` for ``src/app.tsx``)."""
        self.entry_files = frozenset(entry_files) | {p for p in self.modules if is_entry_name(p)}
        """Entry points: ``index.*`` and ``main.*`` files plus the given package.json targets."""
        self._targets: dict[tuple[str, str], str | None] = {}
        self.wanted: dict[str, set[str]] = {}
        """File path -> export names other files ask for."""
        self.wants_all: set[str] = set(self.entry_files)
        """Files all of whose exports count as used (entry points, namespace passed around)."""
        self.imported_by_unknown: set[str] = set()
        """Names imported from specifiers that resolve nowhere (path aliases like ``@/x``)."""
        self._cycles: list[JsCycle] | None = None
        self._collect_usage()

    def resolve(self, importer: str, specifier: str) -> str | None:
        """The analysed file a relative ``specifier`` of ``importer`` names, else None."""
        key = (importer, specifier)
        if key not in self._targets:
            relative = classify_specifier(specifier) == "relative"
            found = resolve_relative(importer, specifier, self.modules) if relative else None
            self._targets[key] = found
        return self._targets[key]

    def resolved_imports(self, path: str) -> list[tuple[JsImport, str]]:
        """The imports of file ``path`` that name another analysed file, with that file."""
        found: list[tuple[JsImport, str]] = []
        for imp in self.modules[path].symbols.imports:
            target = self.resolve(path, imp.specifier)
            if target is not None:
                found.append((imp, target))
        return found

    def is_export_used(self, path: str, name: str) -> bool:
        """Whether another file (or an entry point, directly or through re-exports) asks for
        export ``name`` of file ``path``, or an unresolvable import asks for that name."""
        return (
            path in self.wants_all
            or name in self.wanted.get(path, ())
            or name in self.imported_by_unknown
        )

    def _requested(self, path: str, imp: JsImport) -> set[str] | None:
        """Export names ``imp`` in file ``path`` asks for; None for all of them."""
        if imp.all_names:
            return None
        names = set(imp.names)
        for binding in imp.bindings:
            if binding.imported != NAMESPACE:
                names.add(binding.imported)
                continue
            members = self.modules[path].symbols.requested_members(binding.local)
            if members is None:
                return None
            names |= members
        return names

    def _collect_usage(self) -> None:
        stars: dict[str, list[str]] = {}
        for path in sorted(self.modules):
            for imp in self.modules[path].symbols.imports:
                target = self.resolve(path, imp.specifier)
                requested = self._requested(path, imp)
                if target is None:
                    if classify_specifier(imp.specifier) == "other":
                        self.imported_by_unknown |= requested or set()
                elif imp.star:
                    stars.setdefault(path, []).append(target)
                elif requested is None:
                    self.wants_all.add(target)
                else:
                    self.wanted.setdefault(target, set()).update(requested)
        self._forward_star_exports(stars)

    def _forward_star_exports(self, stars: Mapping[str, list[str]]) -> None:
        """``export * from "m"`` passes on what the re-exporter is asked for (not ``default``)."""
        pending = sorted(stars)
        while pending:
            path = pending.pop()
            for target in stars[path]:
                before = (target in self.wants_all, len(self.wanted.get(target, ())))
                if path in self.wants_all:
                    self.wants_all.add(target)
                else:
                    asked = self.wanted.get(path, set()) - {"default"}
                    self.wanted.setdefault(target, set()).update(asked)
                after = (target in self.wants_all, len(self.wanted.get(target, ())))
                if after != before and target in stars:
                    pending.append(target)

    def _runtime_edges(self) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """(eager, lazy) file pairs of runtime imports; type-only imports are left out."""
        eager: set[tuple[str, str]] = set()
        lazy: set[tuple[str, str]] = set()
        for path in sorted(self.modules):
            for imp, target in self.resolved_imports(path):
                if not imp.type_only:
                    (lazy if imp.lazy else eager).add((path, target))
        return eager, lazy

    @property
    def cycles(self) -> list[JsCycle]:
        """Import cycles over file paths: load-time ones, then deferred (lazy-only) ones."""
        if self._cycles is None:
            eager, lazy = self._runtime_edges()
            self._cycles = find_cycles(self.modules, eager, lazy)
        return self._cycles

    def runtime_import(self, path: str, target: str, *, eager: bool) -> JsImport | None:
        """The first runtime import of ``target`` by ``path`` (an eager one if ``eager``)."""
        candidates = [i for i, t in self.resolved_imports(path) if t == target and not i.type_only]
        preferred = [i for i in candidates if not i.lazy] if eager else []
        return next(iter(preferred or candidates), None)

    def import_graph(self) -> ImportGraph:
        """The graph in the report's shape: modules named by path without extension; edges
        include type-only imports (which close no cycle), at their first import line."""
        names = self.names
        edges: dict[tuple[str, str], int] = {}
        external: dict[str, list[str]] = {}
        for path in sorted(self.modules):
            packages: set[str] = set()
            for imp in self.modules[path].symbols.imports:
                target = self.resolve(path, imp.specifier)
                if target is not None:
                    key = (names[path], names[target])
                    edges[key] = min(edges.get(key, imp.line), imp.line)
                elif classify_specifier(imp.specifier) == "package":
                    packages.add(package_name(imp.specifier) or imp.specifier)
            if packages:
                external[names[path]] = sorted(packages)
        return ImportGraph(
            modules=sorted(names.values()),
            edges=[ImportEdge(source=s, target=t, line=n) for (s, t), n in sorted(edges.items())],
            cycles=[[names[p] for p in cycle.path] for cycle in self.cycles],
            external=external,
        )

    def __len__(self) -> int:
        return len(self.modules)
