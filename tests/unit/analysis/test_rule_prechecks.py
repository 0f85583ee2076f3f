"""Pre-checks the rules take before touching the tree give the same answers as the full look."""

from __future__ import annotations

import textwrap

from workflows.analysis.parsing import parse_source
from workflows.analysis.rules._calls import callee_name, calls_named, mentioned
from workflows.analysis.symbols import collect_symbols

_CALLS = """
import subprocess as sp
from os import system as run_it


def run():
    self.run()  # inside `run`: no reference to `run`, but `run` is defined here


def main(cmd):
    sp.check_output(cmd)
    run_it(cmd)
    obj.method().popen(x)
    print("check_call(x)")  # check_call in a string: no call
    value = helper
"""


def _module(source: str):
    module = parse_source(textwrap.dedent(source).encode(), "m.py")
    return module, collect_symbols(module, {"call"})


def test_mentioned_keeps_called_attributes_reads_and_definitions_drops_the_rest() -> None:
    _, symbols = _module(_CALLS)
    names = {"run", "check_output", "run_it", "popen", "check_call", "absent", "helper"}
    assert mentioned(symbols, names) == {"run", "check_output", "run_it", "popen", "helper"}


def test_calls_named_with_the_walk_matches_the_plain_filter() -> None:
    module, symbols = _module(_CALLS)
    calls = symbols.nodes_of("call")
    for names in ({"run"}, {"check_output", "popen"}, {"run_it"}, {"check_call"}, {"absent"}):
        plain = [call for call in calls if callee_name(call) in names]
        assert calls_named(module, calls, names, symbols) == plain
        assert calls_named(module, calls, names) == plain


def test_calls_named_in_a_module_with_errors_filters_every_call() -> None:
    module, symbols = _module("sp.run(x\nrun(y)\n")
    assert module.has_error
    calls = symbols.nodes_of("call")
    plain = [call for call in calls if callee_name(call) == "run"]
    assert calls_named(module, calls, {"run"}, symbols) == plain
