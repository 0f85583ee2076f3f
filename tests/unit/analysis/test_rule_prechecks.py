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


def test_lookup_prefixes_reads_getattr_calls_only_and_is_remembered_per_file() -> None:
    from workflows.analysis import memo
    from workflows.analysis.rules._unused import lookup_prefixes

    source = """
    def f(self, name, kind):
        getattr(self, "opt_" + name)
        hasattr(self, f"visit_{kind}")
        self.getattr(self, "nope_" + name)  # a method, not the builtin
        getattr(self, "fixed")
    """
    module, symbols = _module(source)
    try:
        assert lookup_prefixes(module, symbols) == {"opt_", "visit_"}
        assert lookup_prefixes(module, symbols) is lookup_prefixes(module, symbols)
        other_module, other = _module(source.replace("opt_", "cmd_"))
        assert lookup_prefixes(other_module, other) == {"cmd_", "visit_"}
    finally:
        memo.clear()
    broken, broken_symbols = _module("getattr(self, 'do_' + x)\nif:\n")
    assert broken.has_error
    assert lookup_prefixes(broken, broken_symbols) == {"do_"}
    memo.clear()


def test_unused_method_collect_finds_plain_and_decorated_methods_only() -> None:
    from workflows.analysis.project import ProjectIndex
    from workflows.analysis.rules import unused_method

    source = """
    class A(Base):
        def plain(self): ...
        @staticmethod
        def static(): ...
        @property
        def prop(self): ...
        if flag:
            def conditional(self): ...
        class Inner:
            def inner(self): ...
    """
    module = parse_source(textwrap.dedent(source).encode(), "m.py")
    index = ProjectIndex.build([module], node_types=unused_method.NODE_TYPES)
    facts = unused_method.collect(module, index)
    assert [name for name, _ in facts.classes] == ["A", "Inner"]
    assert facts.classes[0][1].methods == {"plain", "static", "prop"}
    assert facts.classes[0][1].bases == ("Base",)
    assert [f.symbol for _, f in facts.candidates] == ["plain", "static", "inner"]


def test_hardcoded_secret_looks_at_values_of_credential_like_names_only() -> None:
    from workflows.analysis.project import ProjectIndex
    from workflows.analysis.rules import security_hardcoded_secret as rule

    source = """
    dbPassword = "Zq8#kL2!vR9@xT4$"
    settings = {"API_KEY": "Zq8#kL2!vR9@xT4$", "colour": "Zq8#kL2!vR9@xT4$"}
    connect(auth_token="Zq8#kL2!vR9@xT4$", timeout="Zq8#kL2!vR9@xT4$")
    title = "Zq8#kL2!vR9@xT4$"
    """
    module = parse_source(textwrap.dedent(source).encode(), "m.py")
    index = ProjectIndex.build([module], node_types=rule.NODE_TYPES)
    found = sorted((f.line, f.symbol) for f in rule.check(module, index))
    assert found == [(2, "dbPassword"), (3, "API_KEY"), (4, "auth_token")]


def test_tls_keywords_and_attributes_are_found_before_their_equals_sign() -> None:
    from workflows.analysis.project import ProjectIndex
    from workflows.analysis.rules import security_tls_verification_disabled as rule

    source = """
    import requests
    import ssl
    requests.get(url, verify=False)
    requests.get(url, verify  # why not
        =False)
    requests.get(url, ssl.verify)
    ctx = ssl.create_default_context()
    ctx.check_hostname: bool = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.verify_mode == ssl.CERT_NONE
    """
    module = parse_source(textwrap.dedent(source).encode(), "m.py")
    index = ProjectIndex.build([module], node_types=rule.NODE_TYPES)
    assert sorted(f.line for f in rule.check(module, index)) == [4, 5, 9, 10]


def test_complex_function_skips_modules_with_too_few_decisions_only() -> None:
    from workflows.analysis.project import ProjectIndex
    from workflows.analysis.rules import complex_function as rule

    def module_with(ifs: int):
        body = "".join(f"    if x == {i}:\n        pass\n" for i in range(ifs))
        module = parse_source(f"def f(x):\n{body}".encode(), "m.py")
        return module, ProjectIndex.build([module], node_types=rule.NODE_TYPES)

    for ifs, expected in ((9, []), (10, [11])):
        module, index = module_with(ifs)
        assert [int(f.message.split()[-3]) for f in rule.check(module, index)] == expected


def test_eval_exec_is_found_through_every_way_to_name_it() -> None:
    from workflows.analysis.project import ProjectIndex
    from workflows.analysis.rules import security_eval_exec as rule

    sources = {
        "plain.py": "eval(text)\n",
        "module.py": "import builtins as b\n\ndef eval(text):\n    return b.eval(text)\n",
        "alias.py": "from builtins import exec as run\nrun(code)\n",
        "none.py": "evaluate(text)\nx.execute(code)\n",
    }
    found = {}
    for path, source in sources.items():
        module = parse_source(source.encode(), path)
        index = ProjectIndex.build([module], node_types=rule.NODE_TYPES)
        found[path] = [f.line for f in rule.check(module, index)]
    assert found == {"plain.py": [1], "module.py": [4], "alias.py": [2], "none.py": []}


def test_missing_annotation_skips_nested_and_private_class_functions_with_or_without_errors() -> (
    None
):
    from workflows.analysis.project import ProjectIndex
    from workflows.analysis.rules import missing_annotation as rule

    source = """
    def outer(a):
        def inner(b): ...
        return inner
    class Public:
        def method(self, c): ...
        class _Hidden:
            def hidden(self, d): ...
    class _Private:
        def also_hidden(self, e): ...
    def after(f): ...
    """
    for extra in ("", "def broken(:\n"):
        module = parse_source((textwrap.dedent(source) + extra).encode(), "m.py")
        assert module.has_error == bool(extra)
        index = ProjectIndex.build([module], node_types=rule.NODE_TYPES)
        found = [f.symbol for f in rule.check(module, index)]
        assert found[:3] == ["outer", "method", "after"]


def test_import_aliases_and_spellings_are_shared_while_a_module_is_checked() -> None:
    from workflows.analysis import memo
    from workflows.analysis.rules._calls import import_aliases, spellings

    _, symbols = _module("import subprocess as sp\nfrom os import system as run_it\n")
    try:
        aliases = import_aliases(symbols)
        assert aliases == {"sp": "subprocess", "run_it": "os.system"}
        assert import_aliases(symbols) is aliases
        assert import_aliases(symbols, relative=False) == aliases
        assert spellings(frozenset({"system", "run"}), aliases) == {"system", "run", "run_it"}
        assert spellings(frozenset({"popen"}), aliases) == {"popen"}
        _, other = _module("from os import popen as po\n")
        assert spellings(frozenset({"popen"}), import_aliases(other)) == {"popen", "po"}
    finally:
        memo.clear()


def test_the_byte_prefix_pattern_finds_what_the_text_pattern_finds() -> None:
    from workflows.analysis.rules import security_hardcoded_secret as rule

    found = "AKIA ASIA ABIA ACCA AIza ghp_ gho_ ghu_ ghs_ ghr_ github_pat_ xoxa- xoxb- xoxp- xoxo-"
    found += " xoxs- xoxr- xapp- lin_api_ sk_live_ rk_live_ eyJ -----BEGIN_PRIVATE_KEY-----"
    missed = "AKI ghx_ gh_ github_ xox- xapp lin_api k_live eyj PRIVATE_KEY plain"
    samples = [s.replace("_PRIVATE_KEY", " PRIVATE KEY") for s in f"{found} {missed}".split(" ")]
    for sample in samples:
        expected = rule._PREFIX_RE.search(sample) is not None
        assert (rule._PREFIX_BYTES_RE.search(sample.encode()) is not None) == expected, sample


def test_eval_exec_in_a_module_with_errors_still_reads_the_calls() -> None:
    from workflows.analysis.project import ProjectIndex
    from workflows.analysis.rules import security_eval_exec as rule

    module = parse_source(b"eval(text)\ndef broken(:\n", "m.py")
    assert module.has_error
    index = ProjectIndex.build([module], node_types=rule.NODE_TYPES)
    assert [f.line for f in rule.check(module, index)] == [1]


def test_integration_point_candidates_are_the_calls_may_hit_accepts() -> None:
    from workflows.analysis.rules import integration_point as rule

    source = """
    import subprocess as sp
    from pathlib import Path

    sp.Popen(cmd).communicate()
    (sp.run)(cmd)
    Path(x).write_text(data)
    client . get(url)
    open(name, "w")
    helper(a).other()
    items[0].send(x)
    f()(y)
    """
    module, symbols = _module(source)
    calls = symbols.nodes_of("call")
    heads = {b"sp", b"Path", b"open"}
    expected = [call for call in calls if rule._may_hit(module.source, call, heads)]
    assert len(expected) == 7
    assert rule._candidates(module, symbols, calls, heads) == expected
