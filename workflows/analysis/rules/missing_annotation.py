"""Missing type annotation.

What it finds: a public function or method whose parameters (other than ``self``/``cls``) or
return type are not annotated; one finding per function lists everything that is missing.

Why it matters: annotations on public signatures are the contract callers rely on; without them
type checkers treat the values as ``Any`` and stop catching mistakes at the boundary.

Example: ``def fetch(url, timeout: float):`` is reported as
"`fetch` is missing annotations: parameter `url`; return type".

Not flagged: names starting with ``_`` (dunder methods do count as public); ``__init__``'s return
type; functions nested in functions and methods of ``_``-prefixed classes; lambdas; test files.
When only the return type is missing and the body never returns a value or yields, the finding
carries a fix that adds ``-> None``.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from workflows.analysis.models import Category, Edit, Finding, Fix, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._functions import (
    enclosing_class,
    function_name,
    is_dunder,
    is_nested_function,
    is_trivial_body,
    takes_implicit_first,
)
from workflows.analysis.scopes import parameters

RULE_ID = "missing-annotation"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.INFO
NODE_TYPES: frozenset[str] = frozenset({"function_definition"})
NOQA_CODES: tuple[str, ...] = ("ANN001", "ANN002", "ANN003", "ANN201", "ANN204", "ANN206")
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)

_NESTED_SCOPES = frozenset({"function_definition", "lambda", "class_definition"})


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report each public function whose signature is not fully annotated."""
    if module.is_test_file:
        return
    functions = project.symbols(module).nodes_of("function_definition")
    nested = _nesting(functions) if not module.has_error else None
    for index, func in enumerate(functions):
        name = function_name(func)
        if name.startswith("_") and not is_dunder(name):
            continue
        inner = nested[index] if nested is not None else is_nested_function(func)
        if inner or not _in_public_classes(func):
            continue
        params = parameters(func)
        if params and takes_implicit_first(func):
            params = params[1:]
        bare = [f"`{p.star}{p.name}`" for p in params if not p.annotated]
        missing = [f"parameter{'s' if len(bare) > 1 else ''} {', '.join(bare)}"] if bare else []
        if func.child_by_field_name("return_type") is None and name != "__init__":
            missing.append("return type")
        if not missing:
            continue
        header_end = func.child_by_field_name("parameters") or func
        yield _REPORT.finding(
            module.path,
            func.start_point.row + 1,
            header_end.end_point.row + 1,
            f"`{name}` is missing annotations: {'; '.join(missing)}",
            symbol=name,
            fix=_none_return_fix(module, func) if missing == ["return type"] else None,
        )


def _nesting(functions: list[Node]) -> list[bool]:
    """Whether each of ``functions`` (every ``def`` of a module, in document order) lies inside
    another: `is_nested_function` for all of them in one sweep over their byte ranges, for a
    tree without errors (where a ``def`` can be inside no lambda)."""
    nested: list[bool] = []
    open_ends: list[int] = []  # end bytes of the functions around the current one
    for func in functions:
        start = func.start_byte
        while open_ends and open_ends[-1] <= start:
            open_ends.pop()
        nested.append(bool(open_ends))
        open_ends.append(func.end_byte)
    return nested


def _in_public_classes(func: Node) -> bool:
    """Whether no class around ``func`` (a class body holding it, and so on) is ``_``-prefixed."""
    owner = enclosing_class(func)
    while owner is not None:
        if function_name(owner).startswith("_"):
            return False
        owner = enclosing_class(owner)
    return True


def _none_return_fix(module: ParsedModule, func: Node) -> Fix | None:
    """``-> None`` when the body has no ``return <value>``, no ``yield`` and is not a stub."""
    params = func.child_by_field_name("parameters")
    body = func.child_by_field_name("body")
    if params is None or body is None or is_trivial_body(func):
        return None
    if _mentions_return_or_yield(module.source, body) and _returns_value(body):
        return None
    at = params.end_byte
    edit = Edit(path=module.path, start_byte=at, end_byte=at, replacement=" -> None")
    return Fix(description="annotate the return type as `None`", edits=[edit])


def _mentions_return_or_yield(source: bytes, body: Node) -> bool:
    """A byte-level pre-check for `_returns_value`: without the words it has nothing to find."""
    start, end = body.start_byte, body.end_byte
    return source.find(b"return", start, end) >= 0 or source.find(b"yield", start, end) >= 0


def _returns_value(body: Node) -> bool:
    """Whether ``body`` (nested scopes excluded) returns a value, yields or awaits a yield."""
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "yield":
            return True
        if node.type == "return_statement" and any(
            c.type != "comment" for c in node.named_children
        ):
            return True
        stack.extend(c for c in node.named_children if c.type not in _NESTED_SCOPES)
    return False
