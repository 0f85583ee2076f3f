"""`function_scope`: what a function binds and reads, however its functions are visited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tree_sitter import Node

from workflows.analysis import memo
from workflows.analysis.parsing import parse_source
from workflows.analysis.scopes import Scope, _walked_scopes, function_scope
from workflows.analysis.symbols import FUNCTION_SCOPES, collect_symbols

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


EVERY_HANDLER = b"""
import os
from typing import cast

@decorate(option=os.sep)
def top(a, /, b: int = DEFAULT, *args: str, c=lambda q=outer_default: q, **kw) -> Result:
    global counter
    counter += 1
    x, (y, *rest) = a.first.second[b], kw
    obj.attr, items[key] = compute(x), other
    total: int = 0
    total += (seen := len(args))
    bare: str
    for i, (j, k) in enumerate(pairs):
        total += i
    else:
        finished = True
    with open(path) as handle, lock:
        data = handle.read()
    try:
        pass
    except (OSError, ValueError) as error:
        raise Wrapped(error) from None
    import json as decoder, sys
    from collections import OrderedDict as od
    squares = {n: n * n for n in range(10) if (big := n) > limit}
    flat = [cell for row in grid for cell in row]
    gen = (z for z in stream)
    print(f"{x!r:>{width}} {y}", sep=separator)
    match command:
        case Point(x=px, y=0) as captured:
            pass
        case [first, *others]:
            pass
    class Local(Base, metaclass=Meta):
        field = x
        def method(self, v=field):
            nonlocal_value = self.v + v
            return lambda w: w + nonlocal_value + closed
    def inner(*, flag=b) -> None:
        nonlocal total
        total = flag
        async def deepest():
            async with ctx() as (p, q):
                await p
            async for r in q:
                yield r
    return cast("Result", inner), eval(source)

class Holder:
    def method(self, arg):
        return [locals() for _ in arg]

    @staticmethod
    def helper(value=[1, 2]):
        return value
"""


_WITH_SCOPES = {"function_definition", FUNCTION_SCOPES}


def _walk_and_direct(source: bytes) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    module = parse_source(source)
    functions = list(_functions(module.tree.root_node))
    memo.clear()
    symbols = collect_symbols(module, _WITH_SCOPES)
    assert symbols.nodes_of("function_definition") == functions
    from_walk = [_summary(function_scope(f)) for f in functions]
    memo.clear()
    direct = [_summary(function_scope(f)) for f in reversed(functions)][::-1]
    memo.clear()
    return from_walk, direct


def test_the_walk_fills_the_scopes_a_scan_would() -> None:
    assert not parse_source(EVERY_HANDLER).has_error  # else the walk leaves scopes to the scan
    from_walk, direct = _walk_and_direct(EVERY_HANDLER)
    assert len(from_walk) == 6
    assert from_walk == direct
    top = from_walk[0]
    assert ("handle", "with", True) in top[0] and ("od", "import", False) in top[0]
    assert {"outer_default", "DEFAULT", "Result"}.isdisjoint(top[1])  # they belong outside
    assert from_walk[4][5]  # `locals()` in a comprehension of `Holder.method`


def test_the_walk_serves_function_scope() -> None:
    module = parse_source(b"def f(a):\n    b = a\n")
    symbols = collect_symbols(module, _WITH_SCOPES)
    (func,) = symbols.nodes_of("function_definition")
    assert func in _walked_scopes()
    served = function_scope(func)
    memo.clear()
    scanned = function_scope(func)
    memo.clear()
    assert _summary(served) == _summary(scanned)
    assert [b.name for b in served.bindings] == ["a", "b"] and served.reads == {"a"}


def test_the_walk_fills_scopes_only_when_asked() -> None:
    module = parse_source(b"def f(a):\n    b = a\n")
    symbols = collect_symbols(module, {"function_definition"})  # e.g. complex-function alone
    (func,) = symbols.nodes_of("function_definition")
    assert func not in _walked_scopes()
    assert FUNCTION_SCOPES not in collect_symbols(module, _WITH_SCOPES).nodes
    assert func in _walked_scopes()
    memo.clear()


def test_a_tree_with_syntax_errors_is_scanned_as_before() -> None:
    from_walk, direct = _walk_and_direct(b"def f(a):\n    b = a +\n    def g(c): return c, a\n")
    assert from_walk == direct


def test_only_the_latest_walk_keeps_its_scopes() -> None:
    first, second = parse_source(b"def f(a):\n    return a\n"), parse_source(b"def g(): pass\n")
    (f,) = collect_symbols(first, _WITH_SCOPES).nodes_of("function_definition")
    (g,) = collect_symbols(second, _WITH_SCOPES).nodes_of("function_definition")
    assert f not in _walked_scopes() and g in _walked_scopes()
    assert function_scope(f).reads == {"a"}  # scanned again
    memo.clear()
