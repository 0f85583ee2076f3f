"""What the rules see: one module's context while it is checked, and tree-free project facts.

The engine parses files in worker processes, so the syntax trees of a project never meet in
one place. A rule is either *local* (``check(module, index)`` sees one module and its walk) or
*project-wide*: its ``collect(module, index)`` distils each module into small picklable facts in
the worker, and its ``judge(facts, project)`` decides in the main process from every module's
facts plus the `ProjectFacts` below. Both sides are cached per file by content hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workflows.analysis.parsing import ParsedModule
from workflows.analysis.symbols import ModuleSymbols, collect_symbols

if TYPE_CHECKING:
    from workflows.analysis.graph import ModuleImports

__all__ = ["ModuleInfo", "ProjectFacts", "ProjectIndex"]


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    """A module's identity, without its tree."""

    path: str
    module_name: str
    is_package_init: bool
    is_test_file: bool
    line_count: int

    @classmethod
    def of(cls, module: ParsedModule) -> ModuleInfo:
        """The identity of a parsed module."""
        return cls(
            module.path,
            module.module_name,
            module.is_package_init,
            module.is_test_file,
            module.line_count,
        )


class ProjectIndex:
    """The modules checked together in one process, with their walks (usually just one).

    Local rules and ``collect`` functions get this; cross-file questions belong in ``judge``.
    """

    __slots__ = ("__weakref__", "_symbols", "by_module_name", "modules", "root")

    def __init__(
        self,
        modules: Sequence[ParsedModule],
        symbols: Mapping[str, ModuleSymbols],
        *,
        root: Path | None = None,
    ) -> None:
        self.root = root
        """The analysed directory or file, when known (rules read its configuration)."""
        self.modules: dict[str, ParsedModule] = {m.path: m for m in modules}
        self.by_module_name: dict[str, ParsedModule] = {m.module_name: m for m in modules}
        self._symbols: dict[str, ModuleSymbols] = dict(symbols)

    @classmethod
    def build(
        cls, modules: Sequence[ParsedModule], *, node_types: Iterable[str] = ()
    ) -> ProjectIndex:
        """Walk every module (collecting nodes of ``node_types``) and index the results."""
        wanted = frozenset(node_types)
        return cls(modules, {m.path: collect_symbols(m, wanted) for m in modules})

    def symbols(self, module: ParsedModule | str) -> ModuleSymbols:
        """The facts of ``module`` (a `ParsedModule` or its relative path)."""
        return self._symbols[module if isinstance(module, str) else module.path]

    def __len__(self) -> int:
        return len(self.modules)


class ProjectFacts:
    """Every analysed module's identity, the names each mentions and its imports; no trees."""

    __slots__ = (
        "__weakref__",
        "_by_path",
        "_index",
        "_referenced",
        "by_module_name",
        "imports",
        "modules",
        "root",
    )

    def __init__(
        self,
        modules: Iterable[ModuleInfo],
        references: Mapping[str, Iterable[str]],
        imports: Mapping[str, ModuleImports],
        *,
        root: Path | None = None,
    ) -> None:
        self.root = root
        """The analysed directory or file, when known (rules read its configuration)."""
        self.modules: dict[str, ModuleInfo] = {m.path: m for m in modules}
        self.by_module_name: dict[str, ModuleInfo] = {
            m.module_name: m for m in self.modules.values()
        }
        self.imports: Mapping[str, ModuleImports] = imports
        """Each module's imports by path, as `graph.module_imports` found them."""
        self._by_path = references
        self._referenced: set[str] = set().union(*references.values())
        self._index: dict[str, set[str]] | None = None

    def referencing_modules(self, name: str) -> frozenset[str]:
        """Paths of modules that mention ``name`` (outside its own module-level definition)."""
        if self._index is None:  # built on first use: most runs only ask `is_referenced`
            self._index = {}
            for path, names in self._by_path.items():
                for mentioned in names:
                    self._index.setdefault(mentioned, set()).add(path)
        return frozenset(self._index.get(name, ()))

    def is_referenced(self, name: str) -> bool:
        """Whether any analysed module mentions ``name`` outside its own definition."""
        return name in self._referenced

    def __len__(self) -> int:
        return len(self.modules)
