"""Focused behaviour of each rule on small trees written into tmp_path."""

from __future__ import annotations

from workflows.analysis import Category, Severity, analyze_path
from workflows.analysis.models import AnalysisReport


def _rule_findings(report: AnalysisReport, rule: str) -> list[tuple[str, int, str | None]]:
    return [(f.path, f.line, f.symbol) for f in report.findings if f.rule == rule]


def test_unused_import_message_symbol_and_classification(write_tree) -> None:
    root = write_tree({"m.py": "import os\nimport a.b.c\nfrom p import q as r\n"})

    report = analyze_path(root, select=["unused-import"])

    assert [(f.line, f.symbol, f.message) for f in report.findings] == [
        (1, "os", "`os` imported but unused"),
        (2, "a", "`a.b.c` imported but unused"),
        (3, "r", "`p.q` imported as `r` but unused"),
    ]
    assert {(f.category, f.severity) for f in report.findings} == {
        (Category.CODE_QUALITY, Severity.WARNING)
    }


def test_unused_import_dotted_import_is_used_through_its_first_name(write_tree) -> None:
    root = write_tree({"m.py": "import a.b.c\n\nprint(a)\n"})
    assert analyze_path(root, select=["unused-import"]).findings == []


def test_unused_import_is_checked_in_modules_but_not_in_package_inits(write_tree) -> None:
    root = write_tree(
        {
            "pkg/__init__.py": "from .impl import thing\nimport os\n",
            "pkg/impl.py": "import os\nthing = 1\n",
        }
    )

    report = analyze_path(root, select=["unused-import"])

    assert _rule_findings(report, "unused-import") == [("pkg/impl.py", 1, "os")]


def test_unused_import_in_try_except_import_error_is_used_when_read_anywhere(write_tree) -> None:
    guarded = """
        try:
            import tomllib
        except ImportError:
            import tomli as tomllib

        def load(data):
            return tomllib.loads(data)
    """
    unused = """
        try:
            import tomllib
        except ImportError:
            tomllib = None
    """
    root = write_tree({"guarded.py": guarded, "unused.py": unused})

    report = analyze_path(root, select=["unused-import"])

    assert _rule_findings(report, "unused-import") == [("unused.py", 2, "tomllib")]


def test_unused_function_cross_file_use_counts(write_tree) -> None:
    root = write_tree(
        {
            "a.py": "def helper():\n    return 1\n\n\ndef orphan():\n    return 2\n",
            "b.py": "from a import helper\n\nhelper()\n",
        }
    )

    report = analyze_path(root, select=["unused-function"])

    assert _rule_findings(report, "unused-function") == [("a.py", 5, "orphan")]
    assert report.findings[0].message == "function `orphan` is never used"
    assert report.findings[0].end_line == 6


def test_unused_function_is_flagged_once_its_only_caller_is_gone(write_tree) -> None:
    root = write_tree({"a.py": "def helper():\n    return 1\n", "b.py": "x = 1\n"})

    report = analyze_path(root, select=["unused-function"])

    assert _rule_findings(report, "unused-function") == [("a.py", 1, "helper")]


def test_unused_definitions_are_not_flagged_in_test_files(write_tree) -> None:
    body = "def helper():\n    pass\n\n\nclass Legacy:\n    pass\n"
    root = write_tree(
        {
            "test_things.py": body,
            "things_test.py": body,
            "conftest.py": body,
            "tests/support.py": body,
            "lib/code.py": body,
        }
    )

    report = analyze_path(root, select=["unused-function", "unused-class"])

    assert [(f.path, f.rule, f.symbol) for f in report.findings] == [
        ("lib/code.py", "unused-function", "helper"),
        ("lib/code.py", "unused-class", "Legacy"),
    ]


def test_unused_class_message(write_tree) -> None:
    root = write_tree({"m.py": "class Legacy:\n    pass\n"})

    report = analyze_path(root, select=["unused-class"])

    assert [(f.rule, f.line, f.message, f.symbol) for f in report.findings] == [
        ("unused-class", 1, "class `Legacy` is never used", "Legacy")
    ]


def test_unused_function_and_class_rules_do_not_report_each_other(write_tree) -> None:
    root = write_tree({"m.py": "def f():\n    pass\n\n\nclass C:\n    pass\n"})

    functions = analyze_path(root, select=["unused-function"])
    classes = analyze_path(root, select=["unused-class"])

    assert [f.symbol for f in functions.findings] == ["f"]
    assert [f.symbol for f in classes.findings] == ["C"]


def test_bare_except_message_and_position(write_tree) -> None:
    root = write_tree({"m.py": "try:\n    pass\nexcept:\n    pass\n"})

    report = analyze_path(root, select=["bare-except"])

    assert [(f.line, f.end_line, f.symbol) for f in report.findings] == [(3, 3, None)]
    assert report.findings[0].message == (
        "bare `except:` catches SystemExit and KeyboardInterrupt too; name the exception"
    )


def test_noqa_with_rule_id_or_vulture_code_silences_every_rule(write_tree) -> None:
    source = """
        import os  # noqa: unused-import


        def helper():  # noqa: unused-function
            try:
                pass
            except:  # noqa: bare-except
                pass


        class Legacy:  # noqa: unused-class
            pass


        import sys  # noqa: bare-except


        import re  # noqa: V104


        def other():  # noqa: V103
            pass


        class Other:  # noqa: V102
            pass
    """
    root = write_tree({"m.py": source})

    report = analyze_path(
        root, select=["unused-import", "unused-function", "unused-class", "bare-except"]
    )

    assert [(f.line, f.rule) for f in report.findings] == [(15, "unused-import")]
