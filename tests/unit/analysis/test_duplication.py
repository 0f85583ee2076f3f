"""Duplicate detection on picklable token streams, and the duplicate-code rule."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from array import array
from dataclasses import replace
from pathlib import Path

import pytest

from workflows.analysis import analyze_path, duplication
from workflows.analysis.duplication import (
    MIN_LINES,
    ModuleTokens,
    Span,
    find_duplicates,
    find_duplicates_in,
    module_tokens,
)
from workflows.analysis.graph import project_facts
from workflows.analysis.parsing import PYTHON, ParsedModule, parse_source
from workflows.analysis.project import ProjectIndex
from workflows.analysis.rules import duplicate_code

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


def test_rule_collects_tokens_of_non_test_files_and_judges_them_in_path_order() -> None:
    modules = [
        _module("b.py", _copy("pick", items="records", item="record", tag="b")),
        _module("a.py", _copy()),
        _module("tests/test_c.py", _copy("h")),
    ]
    index = ProjectIndex.build(modules)
    facts = {m.path: duplicate_code.collect(m, index) for m in modules}
    assert facts["tests/test_c.py"] is None, "test files are left out"
    assert facts["a.py"] == module_tokens(modules[1])
    project = project_facts(modules)

    findings = list(duplicate_code.judge(facts, project))
    reordered = list(duplicate_code.judge(dict(reversed(facts.items())), project))

    assert [(f.path, f.line, f.end_line) for f in findings] == [("a.py", 1, 8), ("b.py", 1, 8)]
    assert findings[0].message == "lines 1\u20138 duplicate `b.py`:1\u20138 (8 lines)"
    assert reordered == findings, "the order of the facts does not matter"
    assert list(duplicate_code.judge({"tests/test_c.py": None}, project)) == []


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


def _results(result: duplication.Duplication) -> dict[str, list[tuple[Span, Span, float]]]:
    return {p: [(d.copy, d.other, d.similarity) for d in c] for p, c in result.by_path.items()}


def test_module_tokens_keep_lines_of_code_and_their_indentation() -> None:
    source = "def f(a):\n    # note\n\n    return g(a,\n\t     'x')\n"
    tokens = module_tokens(_module("m.py", source))
    assert tokens.path == "m.py"
    assert len(tokens.kinds) == len(tokens.names) == 13
    assert list(tokens.anchors) == [0, 6, 11], "comment and blank lines have no tokens"
    assert list(tokens.lines) == [0, 3, 4]
    assert list(tokens.indents) == [0, 4, 6]
    names = tokens.names
    assert [i for i, n in enumerate(names) if n] == [1, 3, 7, 9], "identifiers only: f a g a"
    assert names[3] == names[9] and len({names[1], names[3], names[7]}) == 3
    assert len(tokens.spellings) == 3
    assert tokens.kinds.typecode == "B" and len(set(tokens.vocabulary)) == len(tokens.vocabulary)
    assert module_tokens(_module("e.py", "")) == ModuleTokens("e.py", *(array("B"),) * 7)


def test_token_ids_of_distinct_kinds_are_distinct() -> None:
    kinds = {PYTHON.node_kind_for_id(i) for i in range(PYTHON.node_kind_count)}
    names = {k for k in kinds if k is not None} | {"ID", "STR", "NUM", "ERROR"}
    assert len({duplication._code(n) for n in names}) == len(names)


def test_module_tokens_round_trip_through_pickle() -> None:
    tokens = module_tokens(_module("a.py", "import os\n" + _copy()))
    data = pickle.dumps(tokens, protocol=pickle.HIGHEST_PROTOCOL)
    back = pickle.loads(data)
    assert back == tokens and back is not tokens
    assert len(data) < 3 * len(tokens.kinds) + 600, "compact: a few bytes per token"


_CHILD = """
import pickle, sys
from workflows.analysis.duplication import module_tokens
from workflows.analysis.parsing import parse_source
sys.stdout.buffer.write(pickle.dumps(module_tokens(parse_source(sys.stdin.buffer.read(), "a.py"))))
"""


def test_token_ids_are_the_same_in_another_process() -> None:
    module = _module("a.py", "import os\n" + _copy() + "\n\nvalue = first.second(third)\n")
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"  # str hashes differ
    env = {**os.environ, "PYTHONHASHSEED": seed}
    root = Path(__file__).resolve().parents[3]
    child = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=module.source,
        capture_output=True,
        env=env,
        cwd=root,
        check=True,
        timeout=120,
    )
    assert pickle.loads(child.stdout) == module_tokens(module)


def test_duplicates_in_unpickled_streams_are_those_in_fresh_ones() -> None:
    modules = [
        _module("a.py", "import os\n" + _copy()),
        _module("b.py", "x = 1\n\n" + _copy("pick", items="records", item="record", tag="b")),
        _module("m.py", _copy("first") + "\n\nprint('between')\n" + _copy("second")),
    ]
    fresh = [module_tokens(m) for m in modules]
    unpickled = pickle.loads(pickle.dumps(fresh))

    expected = find_duplicates_in(fresh)
    assert expected.by_path, "the case has duplicates"
    assert _results(find_duplicates_in(unpickled)) == _results(expected)
    assert _results(find_duplicates(modules)) == _results(expected)


def test_streams_over_more_than_256_kinds_in_all_still_match() -> None:
    plain = [module_tokens(_module(p, _copy(p[0]))) for p in ("a.py", "b.py")]
    extra = 300  # kinds no other stream has: the shared vocabulary outgrows a byte
    wide = replace(
        plain[1],
        vocabulary=array("I", [*range(1 << 31, (1 << 31) + extra), *plain[1].vocabulary]),
        kinds=array("H", (kind + extra for kind in plain[1].kinds)),
    )
    assert _results(find_duplicates_in([plain[0], wide])) == _results(find_duplicates_in(plain))
    assert find_duplicates_in(plain).of("b.py")


def test_vocabulary_renumbering_as_bytes_matches_the_general_path() -> None:
    from workflows.analysis import duplication

    module = parse_source(b"def f(x):\n    return g(x) + [1, 'a']\n", "m.py")
    tokens = duplication.module_tokens(module)
    broken = parse_source(b"def f(:\n    return $\n", "b.py")
    assert broken.has_error
    duplication.module_tokens(broken)  # meets an ERROR node: a kind id above a byte
    error = max(duplication._CODES)
    assert error >= 0x100
    kind_ids = [kind for kind in duplication._CODES if kind < 0x100]
    kind_ids = [kind_ids[i % len(kind_ids)] for i in (3, 1, 3, 0, 2, 1)]
    fast = duplication._vocabulary(kind_ids)
    general = duplication._vocabulary([*kind_ids, error])  # an id above a byte: the dict path
    assert list(fast[0]) == list(general[0])[: len(fast[0])]
    assert list(fast[1]) == list(general[1])[:-1]
    assert fast[1].typecode == general[1].typecode == "B"
    assert tokens.kinds.typecode == "B" and len(tokens.vocabulary) == len(set(tokens.kinds))
