"""Complexity of changed functions: the `complex-function` rule's numbers, head against base."""

from __future__ import annotations

from workflows.analysis.parsing import parse_source
from workflows.analysis.rules.complex_function import complexity
from workflows.quality_gate.complexity import complexity_changes, function_complexities
from workflows.quality_gate.diff import ChangedLines, FileLines

BASE = b"""\
def simple(x):
    return x


class Parser:
    def feed(self, line):
        if line:
            return 1
        return 0


def untouched(a, b):
    if a and b:
        return 1
    return 2
"""

HEAD = b"""\
def simple(x):
    return x


class Parser:
    def feed(self, line):
        if line:
            for c in line:
                if c == "#" or c == ";":
                    return 2
            return 1
        return 0

    def helper(self):
        return [x for x in range(3) if x]


def untouched(a, b):
    if a and b:
        return 1
    return 2
"""


def test_numbers_are_the_rules_own() -> None:
    functions = {f.name: f for f in function_complexities(HEAD, "p.py")}
    assert set(functions) == {"simple", "Parser.feed", "Parser.helper", "untouched"}
    module = parse_source(HEAD, "p.py")
    defs = [n for n in _walk(module.root) if n.type == "function_definition"]
    expected = {n.child_by_field_name("name").text.decode(): complexity(n) for n in defs}
    assert functions["Parser.feed"].complexity == expected["feed"] == 5
    assert functions["Parser.helper"].complexity == expected["helper"] == 3
    assert functions["untouched"].complexity == 3
    assert (functions["Parser.feed"].line, functions["Parser.feed"].end_line) == (6, 12)


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


def test_changed_functions_and_their_delta() -> None:
    changed = ChangedLines(
        files={"p.py": FileLines(path="p.py", old_path="p.py", spans=[(8, 11), (13, 16)])}
    )
    changes = complexity_changes(
        {"p.py": function_complexities(HEAD, "p.py")},
        {"p.py": function_complexities(BASE, "p.py")},
        changed,
    )
    by_name = {c.name: c for c in changes}
    assert set(by_name) == {"Parser.feed", "Parser.helper"}  # untouched and simple unchanged
    assert (by_name["Parser.feed"].base, by_name["Parser.feed"].head) == (2, 5)
    assert by_name["Parser.feed"].delta == 3
    assert by_name["Parser.helper"].base is None and by_name["Parser.helper"].delta is None
