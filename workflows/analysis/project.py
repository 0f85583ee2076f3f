"""The project-wide index: every module's facts plus who references which name."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from workflows.analysis.parsing import ParsedModule
from workflows.analysis.symbols import ModuleSymbols, collect_symbols

__all__ = ["ProjectIndex"]


class ProjectIndex:
    """Facts about all analysed modules, and a name -> referencing-modules index across them.

    References are by spelling (``helper`` in ``b.py`` counts for a ``helper`` defined anywhere);
    resolving them through imports is left to a later cross-file symbol table.
    """

    __slots__ = ("__weakref__", "_references", "_symbols", "by_module_name", "modules", "root")

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
        references: dict[str, set[str]] = {}
        for path, facts in self._symbols.items():
            for name in facts.references:
                references.setdefault(name, set()).add(path)
        self._references = references

    @classmethod
    def build(
        cls, modules: Sequence[ParsedModule], *, node_types: Collection[str] = ()
    ) -> ProjectIndex:
        """Walk every module (collecting nodes of ``node_types``) and index the results."""
        return cls(modules, {m.path: collect_symbols(m, node_types) for m in modules})

    def symbols(self, module: ParsedModule | str) -> ModuleSymbols:
        """The facts of ``module`` (a `ParsedModule` or its relative path)."""
        return self._symbols[module if isinstance(module, str) else module.path]

    def referencing_modules(self, name: str) -> frozenset[str]:
        """Paths of modules that mention ``name`` (outside its own module-level definition)."""
        return frozenset(self._references.get(name, ()))

    def is_referenced(self, name: str) -> bool:
        """Whether any analysed module mentions ``name`` outside its own definition."""
        return name in self._references

    def __len__(self) -> int:
        return len(self.modules)
