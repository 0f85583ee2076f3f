"""Duplicate detection on token streams, its per-project cache and the duplicate-code rule."""

from __future__ import annotations

import gc
import textwrap

import pytest

from workflows.analysis import analyze_path, duplication
from workflows.analysis.duplication import MIN_LINES, Span, duplication_of, find_duplicates
from workflows.analysis.parsing import ParsedModule, parse_source
from workflows.analysis.project import ProjectIndex

BODY = """
def {name}({items}, {limit}):
    kept = []
    for {item} in {items}:
        if {item}.get("id") is None or {item}["size"] > {limit}:
            continue
        total = sum(part["price"] * part["qty"] for part in {item}["parts"])
        kept.append({{"id": {item}["id"], "total": total, "tag": "{tag}"}})
    return sorted(kept, key=lambda entry: entry["total"])
"""


def _copy(name: str = "select", *, items: str = "rows", item: str = "row", tag: str = "a") -> str:
    return BODY.format(name=name, items=items, limit="limit", item=item, tag=tag)


def _module(path: str, source: str) -> ParsedModule:
    return parse_source(textwrap.dedent(source).lstrip("\n").encode(), path)


def _spans(result: duplication.Duplication, path: str) -> list[tuple[int, int, Span]]:
    return [(d.copy.line, d.copy.end_line, d.other) for d in result.of(path)]


def test_renamed_copy_in_another_file_is_found_both_ways() -> None:
    a = _module("a.py", "import os\n" + _copy())
    b = _module("b.py", "x = 1\n\n" + _copy("pick", items="records", item="record", tag="b"))

    result = find_duplicates([a, b])

    assert _spans(result, "a.py") == [(3, 10, Span("b.py", 4, 11))]
    assert _spans(result, "b.py") == [(4, 11, Span("a.py", 3, 10))]
    [copy] = result.of("b.py")
    assert 0.2 < copy.similarity < 1.0


def test_verbatim_copy_has_full_similarity_and_same_file_copies_count() -> None:
    source = _copy("first") + "\n\nprint('between')\n" + _copy("second")
    result = find_duplicates([_module("m.py", source)])

    copies = result.of("m.py")
    assert [(d.copy.line, d.other.line) for d in copies] == [(1, 13), (13, 1)]
    assert all(0.95 < d.similarity < 1.0 for d in copies), "only the function names differ"


def test_comments_docstrings_and_blank_lines_do_not_break_a_match() -> None:
    noisy = _copy().replace("    kept = []\n", '    """Doc."""\n    # note\n\n    kept = []\n')
    result = find_duplicates([_module("a.py", _copy()), _module("b.py", noisy)])
    assert [(d.copy.line, d.copy.end_line) for d in result.of("b.py")] == [(1, 11)]


def test_short_copies_are_not_reported() -> None:
    short = "def f(a, b):\n    total = a + b * 2 - a // 3\n    return [total, a, b]\n"
    result = find_duplicates([_module("a.py", short), _module("b.py", short)])
    assert result.by_path == {}


def test_ignored_parts_never_match() -> None:
    ignored = '''
        """A long module docstring.

        It is the same in both files,
        and long enough to span six lines,
        which must not count as code.
        """
        import os
        import sys
        from collections import defaultdict, OrderedDict, Counter, deque, ChainMap
        from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

        LIMITS = {"small": 1, "medium": 10, "large": 100, "huge": 1000, "giant": 10000}
        NAMES = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
        __all__ = ["LIMITS", "NAMES", "alpha", "beta", "gamma", "delta", "epsilon"]
    '''
    result = find_duplicates([_module("a.py", ignored), _module("b.py", ignored)])
    assert result.by_path == {}


def test_overload_stubs_and_data_tables_are_ignored() -> None:
    stubs = "from typing import overload\n\n" + "".join(
        f"@overload\ndef parse(value: int, *, strict: bool = False, base: int = 10,\n"
        f"          default: str | None = None, encoding: str = 'utf-8') -> int{i}: ...\n"
        for i in range(4)
    )
    rows = ",\n".join(f'    ("{n}", "{n * 2}", "{n * 3}")' for n in "abcdefghijkl")
    table = f"def table():\n    return [\n{rows}\n    ]\n"
    result = find_duplicates([_module("a.py", stubs + table), _module("b.py", stubs + table)])
    assert result.by_path == {}


def test_repetitive_code_does_not_match_itself_with_overlap() -> None:
    lines = "".join(f"    if flags & {1 << i}:\n        out.append('f{i}')\n" for i in range(40))
    result = find_duplicates([_module("m.py", f"def decode(flags, out):\n{lines}")])
    for copy in result.of("m.py"):
        other = copy.other
        assert copy.copy.end_line < other.line or other.end_line < copy.copy.line


def test_each_location_is_reported_once() -> None:
    modules = [_module(f"m{i}.py", _copy(f"f{i}")) for i in range(4)]
    result = find_duplicates(modules)
    for module in modules:
        assert len(result.of(module.path)) == 1


def test_regions_are_trimmed_to_the_statements_they_hold() -> None:
    tail = (
        "\n\n@decorator(\n    option=True,\n)\ndef following(\n    value,\n):\n    return value\n"
    )
    a = _module("a.py", "if flag:\n    go()\n" + _copy() + tail)
    b = _module("b.py", "while flag:\n    go()\n" + _copy() + tail.replace("True", "False"))
    result = find_duplicates([a, b])
    # The match runs from `go()` to `@decorator(option=`; the copy is the function alone.
    assert [(d.copy.line, d.copy.end_line) for d in result.of("a.py")] == [(4, 11)]


def test_duplication_is_computed_once_per_project_and_released(monkeypatch) -> None:
    calls: list[int] = []
    real = duplication.find_duplicates

    def counting(modules):
        found = list(modules)
        calls.append(len(found))
        return real(found)

    monkeypatch.setattr(duplication, "find_duplicates", counting)
    modules = [
        _module("a.py", _copy()),
        _module("b.py", _copy("g")),
        _module("tests/test_c.py", _copy("h")),
    ]
    project = ProjectIndex.build(modules)

    first = duplication_of(project)
    assert duplication_of(project) is first
    assert calls == [2], "test files are left out"
    other = ProjectIndex.build(modules[:1])
    duplication_of(other)
    assert duplication_of(project) is first and calls == [2, 1]
    cached = len(duplication._BY_PROJECT)
    del other
    gc.collect()
    assert len(duplication._BY_PROJECT) == cached - 1, "a result goes with its project"


def test_rule_reports_each_copy_with_message_and_confidence(write_tree) -> None:
    root = write_tree(
        {
            "a.py": _copy(),
            "b.py": _copy("pick", items="records", item="record", tag="b"),
            "c.py": _copy(),
            "tests/test_d.py": _copy(),
        }
    )
    report = analyze_path(root, select=["duplicate-code"])

    by_path = {f.path: f for f in report.findings}
    assert set(by_path) == {"a.py", "b.py", "c.py"}
    assert by_path["a.py"].message == "lines 1\u20138 duplicate `b.py`:1\u20138 (8 lines)"
    assert (by_path["a.py"].line, by_path["a.py"].end_line) == (1, 8)
    assert by_path["c.py"].confidence > by_path["b.py"].confidence >= 50
    assert by_path["c.py"].confidence >= 90


@pytest.mark.parametrize("lines", [MIN_LINES - 1, MIN_LINES])
def test_minimum_length_in_lines(lines: int) -> None:
    calls = "".join(
        f"    client.send(channel, {{'id': ident, 'step': step{i}}}, retry=True)\n"
        for i in range(lines - 1)
    )
    source = f"def send_all(client, channel, ident):\n{calls}"
    result = find_duplicates([_module("a.py", source), _module("b.py", source)])
    assert bool(result.by_path) == (lines >= MIN_LINES)
