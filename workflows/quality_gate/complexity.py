"""Cyclomatic complexity of the functions a change touches, head against base.

The numbers are the `complex-function` rule's own (`module_complexity`), so the delta and the
rule never disagree. A function is matched across the change by its qualified name in its file.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, Field
from tree_sitter import Node

from workflows.analysis.nodes import line_range
from workflows.analysis.parsing import parse_source
from workflows.analysis.rules._functions import function_name
from workflows.analysis.rules.complex_function import NODE_TYPES, module_complexity
from workflows.analysis.symbols import collect_symbols
from workflows.quality_gate.diff import ChangedLines

_SCOPES = ("function_definition", "class_definition")


class FunctionComplexity(BaseModel):
    """One function of one file: where it is and its cyclomatic complexity."""

    name: str = Field(description="qualified within the file: `Parser.feed`, `outer.inner`")
    line: int
    end_line: int
    complexity: int


class ComplexityChange(BaseModel):
    """A changed function's complexity before and after (``base`` None: a new function)."""

    path: str
    name: str
    line: int = Field(description="the function's first line on head")
    base: int | None = None
    head: int

    @property
    def delta(self) -> int | None:
        """How much more complex it became; None for a new function (the `complex-function`
        rule judges new code on its own)."""
        return None if self.base is None else self.head - self.base


def _qualified(func: Node) -> str:
    parts = [function_name(func)]
    node = func.parent
    while node is not None:
        if node.type in _SCOPES:
            parts.append(function_name(node))
        node = node.parent
    return ".".join(reversed(parts))


def function_complexities(source: bytes, path: str) -> list[FunctionComplexity]:
    """Every function of a Python file with its complexity, in file order."""
    module = parse_source(source, path)
    symbols = collect_symbols(module, NODE_TYPES)
    scores = module_complexity(module, symbols)
    found = []
    for func in symbols.nodes_of("function_definition"):
        start, end = line_range(func)
        found.append(
            FunctionComplexity(
                name=_qualified(func),
                line=start,
                end_line=end,
                complexity=scores.get(func.start_byte, 1),
            )
        )
    return sorted(found, key=lambda f: f.line)


def complexity_changes(
    head: dict[str, list[FunctionComplexity]],
    base: dict[str, list[FunctionComplexity]],
    changed: ChangedLines,
) -> list[ComplexityChange]:
    """The functions of ``head`` touched by ``changed`` whose complexity moved, or that are new.

    ``head`` and ``base`` map a file (head path; base path for ``base``) to its functions.
    Functions of the same qualified name (a property's getter and setter) pair up in order.
    """
    old_paths = {new: old for old, new in changed.renames().items()}
    changes: list[ComplexityChange] = []
    for path, functions in sorted(head.items()):
        before: dict[str, list[FunctionComplexity]] = defaultdict(list)
        for func in base.get(old_paths.get(path, path), []):
            before[func.name].append(func)
        for func in functions:
            earlier = before[func.name].pop(0) if before[func.name] else None
            if changed.first_changed(path, func.line, func.end_line) is None:
                continue
            previous = earlier.complexity if earlier else None
            if previous == func.complexity:
                continue
            changes.append(
                ComplexityChange(
                    path=path, name=func.name, line=func.line, base=previous, head=func.complexity
                )
            )
    return changes
