"""`function_scope`: what a function binds and reads, however its functions are visited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tree_sitter import Node

from workflows.analysis import memo
from workflows.analysis.parsing import parse_source
from workflows.analysis.rules._functions import Scope, function_scope

SOURCE = b"""
def outer(a, b=(w := 1)):
    x, y = a.first.second, locals
    def inner(c: int = x) -> None:
        nonlocal y
        y = [c for c in range(b)]
        def deepest():
            return c.attr(key=y)
    return inner
"""


def _functions(node: Node) -> Iterator[Node]:
    if node.type == "function_definition":
        yield node
    for child in node.children:
        yield from _functions(child)


def _summary(scope: Scope) -> tuple[object, ...]:
    bindings = [(b.name, b.kind, bool(b.group)) for b in scope.bindings]
    return bindings, scope.reads, scope.inner, scope.globals, scope.nonlocals, scope.dynamic


@pytest.fixture
def functions() -> Iterator[list[Node]]:
    module = parse_source(SOURCE)
    yield list(_functions(module.tree.root_node))
    memo.clear()


def test_reads_bindings_and_closures(functions: list[Node]) -> None:
    outer, inner, deepest = (function_scope(f) for f in functions)
    assert [(b.name, b.kind) for b in outer.bindings] == [
        ("a", "def"),
        ("b", "def"),
        ("x", "assign"),
        ("y", "assign"),
        ("inner", "def"),
    ]
    assert outer.reads == {"a", "locals", "x", "int", "inner"}  # attribute names are no reads
    assert outer.inner == {"y", "b", "range"}  # what `inner` and its comprehension read
    assert not outer.dynamic
    assert inner.nonlocals == {"y"} and inner.inner == {"y", "range", "b", "c"}
    assert deepest.reads == {"c", "y"}


def test_nested_scope_is_the_same_whichever_function_comes_first(functions: list[Node]) -> None:
    outer_first = [_summary(function_scope(f)) for f in functions]
    memo.clear()
    inner_first = [_summary(function_scope(f)) for f in reversed(functions)][::-1]
    assert outer_first == inner_first


def test_locals_call_makes_the_scope_dynamic() -> None:
    module = parse_source(b"def f(a):\n    return locals()\n")
    (func,) = _functions(module.tree.root_node)
    assert function_scope(func).dynamic
    memo.clear()
