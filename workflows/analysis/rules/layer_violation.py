"""Layer violation.

What it finds: a module importing a module of a higher layer than its own. Layers are declared
top to bottom in the ``pyproject.toml`` of the analysed root, or of its nearest parent holding
one, as ``[tool.cicd]`` ``layers = ["bot", "blocks", "workflows"]``: each entry is a module
prefix (``bot`` covers ``bot`` and ``bot.*``; the longest matching prefix wins); a layer may
import its own and lower layers.

Why it matters: the layering is the architecture; an upward import couples the lower layer to
code that was meant to sit on top of it, invites cycles and keeps the lower layer from being
reused or tested alone.

Example: with the layers above, ``from bot.app import app`` in ``workflows/flows.py`` is
reported; pass what ``workflows`` needs in as a parameter, or move it down a layer.

Not flagged: anything when no ``layers`` are declared (the rule is silent); modules outside
every declared layer, and imports of such modules; imports within a layer or downwards.
Imports under ``if TYPE_CHECKING:`` are reported with confidence 70 (a typing-only dependency).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from workflows.analysis.graph import project_imports
from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectFacts, ProjectIndex
from workflows.analysis.reporter import Reporter

RULE_ID = "layer-violation"
CATEGORY = Category.ARCHITECTURE
SEVERITY = Severity.WARNING
NODE_TYPES: frozenset[str] = frozenset()
NOQA_CODES: tuple[str, ...] = ()
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)

_TYPE_ONLY_CONFIDENCE = 70


def collect(module: ParsedModule, index: ProjectIndex) -> None:
    """Nothing per module: the imports `ProjectFacts` carries are enough."""
    return None


def judge(facts: Mapping[str, None], project: ProjectFacts) -> Iterator[Finding]:
    """Report every import of every module that reaches into a higher layer."""
    layers = declared_layers(project.root) if project.root is not None else ()
    if not layers:
        return
    analysis = project_imports(project)
    for module in project.modules.values():
        own = layer_of(module.module_name, layers)
        if own is None:
            continue
        for edge in analysis.outgoing.get(module.module_name, ()):
            target = layer_of(edge.target, layers)
            if target is None or target >= own:
                continue
            type_only = (edge.source, edge.target) in analysis.type_only
            yield _REPORT.finding(
                module.path,
                edge.line,
                edge.line,
                f"layer violation: {edge.source} (layer '{layers[own]}') imports "
                f"{edge.target} of the higher layer '{layers[target]}'",
                symbol=edge.target,
                confidence=_TYPE_ONLY_CONFIDENCE if type_only else 100,
            )


def layer_of(module_name: str, layers: Sequence[str]) -> int | None:
    """Index in ``layers`` of the longest prefix covering ``module_name``, None outside all."""
    covering = [
        (len(prefix), index)
        for index, prefix in enumerate(layers)
        if module_name == prefix or module_name.startswith(prefix + ".")
    ]
    return max(covering)[1] if covering else None


def declared_layers(root: Path) -> tuple[str, ...]:
    """``tool.cicd.layers`` from the nearest ``pyproject.toml`` at or above ``root``."""
    root = root.resolve()
    start = root if root.is_dir() else root.parent
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return _read_layers(candidate.resolve(), candidate.stat().st_mtime_ns)
    return ()


@lru_cache(maxsize=32)
def _read_layers(pyproject: Path, mtime_ns: int) -> tuple[str, ...]:
    """The declared layers of one ``pyproject.toml`` version (``mtime_ns`` keys the cache)."""
    try:
        with pyproject.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError):
        return ()
    layers: object = data
    for key in ("tool", "cicd", "layers"):
        layers = layers.get(key) if isinstance(layers, dict) else None
    if not isinstance(layers, list):
        return ()
    return tuple(layer for layer in layers if isinstance(layer, str) and layer)
