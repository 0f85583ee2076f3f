"""Unused argument.

What it finds: a parameter of a ``def`` that its body never reads (a closure reading it counts).

Why it matters: callers pass a value that changes nothing, which misleads them and hides bugs
where the body uses a global or another parameter instead of the one meant.

Example: ``def render(report, width): return str(report)`` is reported as
"argument `width` is never used in `render`".

Not flagged: ``self`` and ``cls``, ``_``-prefixed names, ``*args`` and ``**kwargs``; dunder
methods; bodies that are only a docstring, ``...``, ``pass`` or ``raise NotImplementedError``
(abstract methods, protocols, stubs); decorated functions (routes, callbacks, fixtures,
``@overload``) other than ``staticmethod``/``classmethod``; lambdas; ``test_*`` functions in test
files (pytest fixtures are requested by name); functions calling ``locals()``. A function's
signature may be fixed by a caller that passes it as a callback, so findings have moderate
confidence, and low confidence for methods of classes with bases or subclassed in the same
module (likely overrides, or hooks meant to be overridden).
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.nodes import node_text
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._functions import (
    decorator_names,
    enclosing_class,
    function_name,
    is_dunder,
    is_trivial_body,
    takes_implicit_first,
)
from workflows.analysis.scopes import function_scope, parameters
from workflows.analysis.symbols import FUNCTION_SCOPES

RULE_ID = "unused-argument"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.INFO
NODE_TYPES: frozenset[str] = frozenset({"function_definition", "class_definition", FUNCTION_SCOPES})
NOQA_CODES: tuple[str, ...] = ("ARG001", "ARG002", "ARG003", "ARG004")  # flake8-unused-arguments
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY, test_penalty=0)

CONFIDENCE = 60
"""Whether some caller fixes the signature (a callback, a hook) is not knowable."""
OVERRIDE_CONFIDENCE = 40
"""A method of a class with bases, or subclassed in its module, shares an inherited signature."""
_PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod"})
_IMPLICIT_NAMES = frozenset({"self", "cls"})


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report every parameter that its function never reads."""
    facts = project.symbols(module)
    subclassed = _base_names(facts.nodes_of("class_definition"))
    for func in facts.nodes_of("function_definition"):
        name = function_name(func)
        if _exempt(module, func, name):
            continue
        declared = parameters(func)
        if declared and takes_implicit_first(func):
            declared = declared[1:]
        params = [
            p
            for p in declared
            if not p.star and not p.name.startswith("_") and p.name not in _IMPLICIT_NAMES
        ]
        if not params:
            continue
        scope = function_scope(func)
        if scope.dynamic:
            continue
        used = scope.used
        inherited = _in_hierarchy(func, subclassed)
        confidence = OVERRIDE_CONFIDENCE if inherited else CONFIDENCE
        for param in params:
            if param.name in used:
                continue
            yield _REPORT.at(
                module,
                param.node,
                f"argument `{param.name}` is never used in `{name}`",
                symbol=param.name,
                confidence=confidence,
            )


def _exempt(module: ParsedModule, func: Node, name: str) -> bool:
    if is_dunder(name) or (module.is_test_file and name.startswith("test")):
        return True
    if any(d not in _PLAIN_DECORATORS for d in decorator_names(func)):
        return True
    return is_trivial_body(func)


def _bases(owner: Node) -> list[Node]:
    bases = owner.child_by_field_name("superclasses")
    return [c for c in bases.named_children if c.type != "comment"] if bases is not None else []


def _base_names(classes: list[Node]) -> set[str]:
    """Last parts of the names classes of the module derive from: ``Base`` for ``mod.Base``."""
    return {node_text(b).rsplit(".", 1)[-1] for owner in classes for b in _bases(owner)}


def _in_hierarchy(func: Node, subclassed: set[str]) -> bool:
    """Whether ``func`` is a method of a class with bases or one subclassed in its module."""
    owner = enclosing_class(func)
    return owner is not None and (bool(_bases(owner)) or function_name(owner) in subclassed)
