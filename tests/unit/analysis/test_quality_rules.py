"""Focused behaviour of the code-quality rules on small trees written into tmp_path."""

from __future__ import annotations

import pytest

from workflows.analysis import Category, Severity, analyze_path
from workflows.analysis.models import AnalysisReport, Finding
from workflows.analysis.parsing import parse_source
from workflows.analysis.rules import RULES
from workflows.analysis.rules.complex_function import THRESHOLD, complexity

QUALITY_RULES = (
    "unused-variable",
    "unused-argument",
    "missing-annotation",
    "swallowed-exception",
    "complex-function",
    "duplicate-code",
)


def _findings(report: AnalysisReport, rule: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule]


@pytest.mark.parametrize("rule_id", QUALITY_RULES)
def test_quality_rules_are_registered_as_code_quality(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.category is Category.CODE_QUALITY
    expected = Severity.WARNING if rule_id in _WARNINGS else Severity.INFO
    assert rule.severity is expected


_WARNINGS = {"unused-variable", "swallowed-exception", "complex-function"}


def test_unused_variable_message_symbol_and_confidence(write_tree) -> None:
    source = """
        def load(pairs):
            result = compute()
            for key, value in pairs:
                print(value)
            first, second = pairs[0]
    """
    report = analyze_path(write_tree({"m.py": source}), select=["unused-variable"])

    found = [(f.line, f.symbol, f.confidence) for f in report.findings]
    assert found == [(2, "result", 90), (3, "key", 40), (5, "first", 90), (5, "second", 90)]
    assert report.findings[0].message == (
        "local variable `result` is assigned but never used in `load`"
    )
    assert "name it `_`" in report.findings[1].message
    assert all(f.fix is None for f in report.findings)


def test_unused_variable_reports_a_name_once_at_its_first_assignment(write_tree) -> None:
    source = """
        def retry():
            attempt = 0
            attempt = 1
            attempt += 1
    """
    report = analyze_path(write_tree({"m.py": source}), select=["unused-variable"])
    assert [(f.line, f.symbol) for f in report.findings] == [(2, "attempt")]


def test_unused_variable_closure_scoping(write_tree) -> None:
    source = """
        def outer():
            read_by_inner = 1
            shadowed = 2

            def inner():
                shadowed = 3
                return read_by_inner + shadowed

            class Holder:
                def method(self):
                    return read_by_inner

            return inner, Holder
    """
    report = analyze_path(write_tree({"m.py": source}), select=["unused-variable"])
    assert [(f.line, f.symbol) for f in report.findings] == [(3, "shadowed")]


def test_unused_variable_ignores_module_and_class_level_names(write_tree) -> None:
    source = """
        UNUSED = 1

        class Config:
            unused = 2
    """
    root = write_tree({"m.py": source})
    assert analyze_path(root, select=["unused-variable"]).findings == []


def test_unused_argument_confidence_depends_on_the_class(write_tree) -> None:
    source = """
        def plain(a, b):
            return a

        class Base:
            def hook(self, event):
                return 1

        class Child(Base):
            def hook(self, event):
                return 2

        class Alone:
            def run(self, job):
                return 3
    """
    report = analyze_path(write_tree({"m.py": source}), select=["unused-argument"])

    found = [(f.line, f.symbol, f.confidence) for f in report.findings]
    assert found == [(1, "b", 60), (5, "event", 40), (9, "event", 40), (13, "job", 60)]
    assert report.findings[0].message == "argument `b` is never used in `plain`"


def test_unused_argument_skips_test_functions_in_test_files(write_tree) -> None:
    source = """
        def test_uses_fixture(database, tmp_path):
            assert True

        def helper(value, unused):
            return value
    """
    report = analyze_path(write_tree({"tests/test_m.py": source}), select=["unused-argument"])
    assert [(f.line, f.symbol) for f in report.findings] == [(4, "unused")]


def test_missing_annotation_lists_what_is_missing(write_tree) -> None:
    source = """
        def fetch(url, *args, timeout: float, **options):
            return url

        class Client:
            def __init__(self, url):
                self.url = url
    """
    report = analyze_path(write_tree({"m.py": source}), select=["missing-annotation"])

    assert [(f.line, f.symbol, f.message) for f in report.findings] == [
        (
            1,
            "fetch",
            "`fetch` is missing annotations: parameters `url`, `*args`, `**options`; return type",
        ),
        (5, "__init__", "`__init__` is missing annotations: parameter `url`"),
    ]
    assert all(f.fix is None for f in report.findings)


def test_missing_annotation_fix_adds_none_return(write_tree) -> None:
    source = """
        def notify(channel: str,
                   text: str):
            print(channel, text)

        def compute(x: int):
            return x * 2

        def stub(x: int):
            ...
    """
    root = write_tree({"m.py": source})
    report = analyze_path(root, select=["missing-annotation"])

    fixes = {f.symbol: f.fix for f in report.findings}
    assert set(fixes) == {"notify", "compute", "stub"}
    assert fixes["compute"] is None and fixes["stub"] is None
    fix = fixes["notify"]
    assert fix is not None and len(fix.edits) == 1
    edit = fix.edits[0]
    data = (root / "m.py").read_bytes()
    patched = data[: edit.start_byte] + edit.replacement.encode() + data[edit.end_byte :]
    assert b"text: str) -> None:\n" in patched
    assert report.findings[0].end_line == 2, "the finding spans the signature"


def test_missing_annotation_skips_test_files(write_tree) -> None:
    root = write_tree({"tests/helpers.py": "def make(x):\n    return x\n"})
    assert analyze_path(root, select=["missing-annotation"]).findings == []


def test_swallowed_bare_except_is_reported_by_both_rules(write_tree) -> None:
    source = """
        try:
            run()
        except:
            pass

        try:
            run()
        except:
            log.exception("failed")
    """
    report = analyze_path(
        write_tree({"m.py": source}), select=["swallowed-exception", "bare-except"]
    )
    assert [(f.line, f.rule) for f in report.findings] == [
        (3, "bare-except"),
        (3, "swallowed-exception"),
        (8, "bare-except"),
    ]


def test_swallowed_exception_confidence(write_tree) -> None:
    source = """
        for item in items:
            try:
                a()
            except Exception:
                pass
            try:
                a()
            except Exception:
                continue
            try:
                a()
            except Exception:
                # the cache is optional
                pass
            try:
                a()
            except Exception:
                return None
    """
    report = analyze_path(write_tree({"m.py": source}), select=["swallowed-exception"])

    assert [(f.line, f.confidence) for f in report.findings] == [
        (4, 90),
        (8, 80),
        (12, 50),
        (17, 60),
    ]
    assert report.findings[0].message.startswith("`except Exception` swallows every error")
    assert report.findings[0].end_line == 5


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("pass", 1),
        ("if a:\n        pass\n    elif b:\n        pass\n    else:\n        pass", 3),
        ("for x in y:\n        pass\n    else:\n        pass", 3),
        ("while x:\n        pass", 2),
        ("try:\n        pass\n    except A:\n        pass\n    except B:\n        pass", 3),
        ("try:\n        pass\n    finally:\n        pass", 1),
        ("return a and b or c", 3),
        ("return a if b else c", 2),
        ("return [x for x in y if x for z in x]", 4),
        ("match x:\n        case 1:\n            pass\n        case _:\n            pass", 3),
        ("assert a\n    with b:\n        pass", 1),
        ("f = lambda x: x or 1", 2),
        ("def inner():\n        if a:\n            pass", 1),
        ("class Inner:\n        if a:\n            pass", 1),
    ],
)
def test_complexity_counts_decision_points(body: str, expected: int) -> None:
    module = parse_source(f"def f():\n    {body}\n".encode())
    assert complexity(module.root.children[0]) == expected


def test_complex_function_message_and_span(write_tree) -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(THRESHOLD + 3))
    source = f"def handle(x):\n{branches}    return None\n"
    report = analyze_path(write_tree({"m.py": source}), select=["complex-function"])

    [finding] = report.findings
    assert finding.message == f"`handle` has cyclomatic complexity {THRESHOLD + 4} (threshold 10)"
    assert (finding.line, finding.end_line) == (1, source.count("\n"))
    assert finding.symbol == "handle"


def test_complex_function_respects_noqa(write_tree) -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(THRESHOLD + 3))
    source = f"def handle(x):  # noqa: C901\n{branches}"
    assert analyze_path(write_tree({"m.py": source}), select=["complex-function"]).findings == []


def test_module_complexity_matches_the_per_function_walk() -> None:
    from workflows.analysis.parsing import parse_source
    from workflows.analysis.rules.complex_function import complexity, module_complexity
    from workflows.analysis.symbols import collect_symbols

    source = b"""
def outer(a, b=1 if x else 2):
    if a and b or a:
        for i in a:
            pass
        else:
            pass
    def inner(c):
        while c:
            c = c - 1 if c else 0
        else:
            return [y for y in c if y]
    class Local:
        z = 1 if a else 2
        def method(self):
            try:
                pass
            except ValueError:
                pass
            except TypeError:
                pass
    match a:
        case 1:
            pass
        case _:
            pass
    return lambda q: q if q else None
"""
    module = parse_source(source, "m.py")
    functions = collect_symbols(module, {"function_definition"}).nodes_of("function_definition")
    expected = {f.start_byte: complexity(f) for f in functions}
    assert module_complexity(module) == expected
    assert sorted(expected.values()) == [3, 6, 9]  # method, inner, outer (default not counted)
