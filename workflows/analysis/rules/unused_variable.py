"""Unused local variable.

What it finds: a local variable a function assigns (``=``, ``+=``, ``:=``, ``for``, ``with ... as``,
``except ... as``) but never reads, neither itself nor in a closure nested inside it.

Why it matters: the value is computed for nothing, and the name suggests a use that is missing:
often a typo, a forgotten ``return`` or a leftover of a refactoring.

Example: ``result = fetch()`` in a function that then returns ``None`` is reported as
"local variable `result` is assigned but never used".

Not flagged: ``_`` and ``_``-prefixed names (``for _ in range(3)``); names declared ``global``
or ``nonlocal``; names a nested function or comprehension reads; a variable whose augmented
assignment (``total += x``) is read later; every variable of a function that calls ``locals()``,
``vars()`` or a namespace-less ``eval``/``exec``; module and class attributes. An unused name
unpacked next to a used one (``key, value = pair`` with only ``value`` read) is reported with
low confidence, since the unpacking may be needed for its shape.
"""

from __future__ import annotations

from collections.abc import Iterator

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._functions import function_name
from workflows.analysis.scopes import Binding, function_scope
from workflows.analysis.symbols import FUNCTION_SCOPES

RULE_ID = "unused-variable"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
NODE_TYPES: frozenset[str] = frozenset({"function_definition", FUNCTION_SCOPES})
NOQA_CODES: tuple[str, ...] = ("F841", "B007")  # pyflakes/ruff, bugbear (loop variable)
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY, test_penalty=0)

_CONFIDENCE = {"assign": 90, "augmented": 90, "walrus": 80, "with": 80, "except": 80, "for": 70}
_UNPACKED_CONFIDENCE = 40
_REPORTED = frozenset(_CONFIDENCE)


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report each never-read local variable of each function, at its first assignment."""
    for func in project.symbols(module).nodes_of("function_definition"):
        scope = function_scope(func)
        if scope.dynamic:
            continue
        used = scope.used
        declared = scope.globals | scope.nonlocals
        used_groups = {b.group for b in scope.bindings if b.group and b.name in used}
        first: dict[str, Binding] = {}
        for binding in scope.bindings:
            name = binding.name
            if binding.kind not in _REPORTED or name.startswith("_") or name in used:
                continue
            if name not in declared:
                first.setdefault(name, binding)
        owner = function_name(func)
        for binding in first.values():
            unpacked = binding.group in used_groups
            yield _finding(module, owner, binding, unpacked)


def _finding(module: ParsedModule, owner: str, binding: Binding, unpacked: bool) -> Finding:
    if binding.kind == "for":
        what = f"loop variable `{binding.name}` is never used in `{owner}`; name it `_`"
    elif binding.kind == "except":
        what = f"exception bound to `{binding.name}` is never used in `{owner}`"
    else:
        what = f"local variable `{binding.name}` is assigned but never used in `{owner}`"
    if unpacked:
        what += " (unpacked next to a used name)"
    return _REPORT.at(
        module,
        binding.node,
        what,
        symbol=binding.name,
        confidence=_UNPACKED_CONFIDENCE if unpacked else _CONFIDENCE[binding.kind],
    )
