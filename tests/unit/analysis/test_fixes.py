"""Safe fixes: the edits the rules propose, and applying them to a tree on disk."""

from __future__ import annotations

import codecs
import difflib
from pathlib import Path

import pytest

from tests.unit.analysis.helpers import copy_fixture
from workflows.analysis import analyze_path
from workflows.analysis.fixes import apply_fixes
from workflows.analysis.models import Category, Edit, Finding, Fix, Severity
from workflows.analysis.parsing import parse_source

FIXABLE = ["unused-import", "unused-function"]


def fix_tree(root: Path, select: list[str] = FIXABLE):
    """Analyse, apply every fix, analyse again: (first report, fix result, second report)."""
    before = analyze_path(root, select=select)
    result = apply_fixes(root, before.findings)
    return before, result, analyze_path(root, select=select)


def fix_source(write_tree, source: str, name: str = "mod.py") -> tuple[str, list[str]]:
    """The fixed text of a one-file tree, and the symbols whose finding had no fix."""
    root = write_tree({name: source})
    before, result, _ = fix_tree(root)
    assert result.skipped == []
    text = (root / name).read_text(encoding="utf-8")
    assert not parse_source(text.encode()).has_error
    return text, [f.symbol or "" for f in before.findings if f.fix is None]


def assert_shifted_lines_match(before, result, after) -> None:
    """Unfixed findings, moved by `FixResult.shifted`, sit where a new analysis finds them."""
    fixed = {id(f) for f in result.fixed}
    unfixed = [f for f in before.findings if id(f) not in fixed]
    moved = [result.shifted(f) for f in unfixed]
    assert [(f.symbol, f.line, f.end_line) for f in moved] == [
        (f.symbol, f.line, f.end_line) for f in after.findings
    ]
    assert any(m.line != f.line for m, f in zip(moved, unfixed, strict=True))


def only_deletions(old: str, new: str) -> list[str]:
    """The deleted lines, asserting nothing was added or changed (the rest is byte-identical)."""
    matcher = difflib.SequenceMatcher(a=old.splitlines(True), b=new.splitlines(True))
    deleted = []
    for op, i1, i2, _, _ in matcher.get_opcodes():
        assert op in ("equal", "delete"), (op, old.splitlines(True)[i1:i2])
        if op == "delete":
            deleted += old.splitlines(True)[i1:i2]
    return deleted


def test_the_unused_import_fixture_is_fixed_except_where_it_is_unsafe(tmp_path: Path) -> None:
    root = copy_fixture("unused_import/flagged", tmp_path / "src")
    original = (root / "app.py").read_text(encoding="utf-8")

    before, result, after = fix_tree(root, ["unused-import"])

    fixed = (root / "app.py").read_text(encoding="utf-8")
    assert not parse_source(fixed.encode()).has_error
    assert result.changed_files == ["app.py"] and result.skipped == []
    assert {f.symbol for f in after.findings} == {"xml", "tomllib"}  # `import a.b`, try/except
    assert_shifted_lines_match(before, result, after)
    assert len(result.fixed) == len(before.findings) - 2
    deleted = only_deletions(original, fixed)
    assert all("# expect: unused-import" in line for line in deleted)
    assert "    OrderedDict,  # expect: unused-import\n" in deleted
    assert "    defaultdict,\n" in fixed.splitlines(True)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import os\nprint(1)\n", "print(1)\n"),
        ("from m import a, b, c\nprint(a)\n", "from m import a\nprint(a)\n"),
        ("from m import a, b, c\nprint(c)\n", "from m import c\nprint(c)\n"),
        ("from m import a, b, c\nprint(b)\n", "from m import b\nprint(b)\n"),
        ("from m import (a, b,)\nprint(a)\n", "from m import (a,)\nprint(a)\n"),
        ("from m import (\n    a,\n    b\n)\nprint(a)\n", "from m import (\n    a,\n)\nprint(a)\n"),
        (
            "from m import (\n    a,  # why a\n    b,  # why b\n    c,\n)\nprint(b)\n",
            "from m import (\n    b,  # why b\n)\nprint(b)\n",
        ),
        ("from m import a, \\\n    b\nprint(b)\n", "from m import b\nprint(b)\n"),
        ("import os, sys as s\nprint(s)\n", "import sys as s\nprint(s)\n"),
        ("import os  # old\nx = 1\n", "x = 1\n"),
        ("def f():\n    import re\n    return 1\n", "def f():\n    return 1\n"),
        (
            "if T:\n    import os\n    import sys\nprint(sys)\n",
            "if T:\n    import sys\nprint(sys)\n",
        ),
        ("x = 1\nimport os", "x = 1\n"),
    ],
)
def test_unused_import_fixes(write_tree, source: str, expected: str) -> None:
    assert fix_source(write_tree, source)[0] == expected


@pytest.mark.parametrize(
    ("source", "unfixed"),
    [
        ("try:\n    import os\nexcept ImportError:\n    os = None\n", ["os"]),
        ("import os.path\n", ["os"]),
        ("import os; x = 1\n", ["os"]),
        ("if T:\n    import os\n", ["os"]),
        ("from m import (a,  # about a\n    b)\nprint(a)\n", ["b"]),
    ],
)
def test_unused_imports_left_alone(write_tree, source: str, unfixed: list[str]) -> None:
    text, no_fix = fix_source(write_tree, source)
    assert text == source
    assert no_fix == unfixed


def test_no_fixes_in_package_init(write_tree) -> None:
    root = write_tree({"pkg/__init__.py": "import os\n", "pkg/_hidden.py": "x = 1\n"})
    before, result, _ = fix_tree(root)
    assert before.findings == [] and result.changed_files == []


def test_a_noqa_name_keeps_its_statement(write_tree) -> None:
    source = "from m import (\n    a,  # noqa: F401\n    b,\n)\n"
    text, _ = fix_source(write_tree, source)
    assert text == "from m import (\n    a,  # noqa: F401\n)\n"


MODULE = """\
import sys

# Helpers.


def _dead(x):
    return x * 2


def used():
    return sys.argv


def public_unused():
    return 1


def _dead_too():
    pass
"""


def test_private_unused_functions_are_removed_and_public_ones_kept(write_tree) -> None:
    root = write_tree({"mod.py": MODULE, "main.py": "from mod import used\nused()\n"})
    before, result, after = fix_tree(root)
    fixed = (root / "mod.py").read_text()
    assert {f.symbol for f in result.fixed} == {"_dead", "_dead_too"}
    assert [f.symbol for f in after.findings] == ["public_unused"]
    assert_shifted_lines_match(before, result, after)
    assert fixed == (
        "import sys\n\n# Helpers.\n\n\ndef used():\n    return sys.argv\n\n\n"
        "def public_unused():\n    return 1\n"
    )
    only_deletions(MODULE, fixed)
    confidence = {f.symbol: f.confidence for f in before.findings}
    assert confidence == {"_dead": 90, "public_unused": 60, "_dead_too": 90}


def test_decorated_and_nested_functions_are_not_touched(write_tree) -> None:
    source = (
        "import functools\n\n\n@functools.cache\ndef _cached():\n    def _inner():\n        pass\n"
    )
    text, _ = fix_source(write_tree, source)
    assert text == source


# -- apply_fixes -----------------------------------------------------------------------------


def finding(path: str, *edits: tuple[int, int, str], line: int = 1) -> Finding:
    return Finding(
        rule="unused-import",
        category=Category.CODE_QUALITY,
        severity=Severity.WARNING,
        path=path,
        line=line,
        end_line=line,
        message="m",
        fix=Fix(
            description="d",
            edits=[Edit(path=path, start_byte=s, end_byte=e, replacement=r) for s, e, r in edits],
        ),
    )


SOURCE = "a = 1\nb = 2\nc = 3\n"


def test_edits_apply_from_the_end_and_overlaps_are_skipped(write_tree) -> None:
    root = write_tree({"m.py": SOURCE})
    first = finding("m.py", (0, 6, ""))  # drop line 1
    overlapping = finding("m.py", (4, 8, "x"), line=2)
    last = finding("m.py", (12, 18, "c = 4\n"), line=3)
    result = apply_fixes(root, [first, overlapping, last])
    assert (root / "m.py").read_text() == "b = 2\nc = 4\n"
    assert result.fixed == [first, last]
    (skipped,) = result.skipped
    assert skipped.finding is overlapping and "overlaps" in skipped.reason
    assert result.changed_files == ["m.py"]


def test_the_same_edit_from_two_findings_fixes_both(write_tree) -> None:
    root = write_tree({"m.py": SOURCE})
    one, two = finding("m.py", (0, 6, "")), finding("m.py", (0, 6, ""))
    result = apply_fixes(root, [one, two])
    assert (root / "m.py").read_text() == "b = 2\nc = 3\n"
    assert len(result.fixed) == 2 and result.skipped == []


def test_a_fix_that_breaks_the_syntax_leaves_every_file_it_touches_alone(write_tree) -> None:
    root = write_tree({"m.py": SOURCE, "n.py": SOURCE, "o.py": SOURCE})
    breaking = finding("m.py", (0, 1, "def ("))
    breaking.fix.edits.append(Edit(path="n.py", start_byte=0, end_byte=6))  # type: ignore[union-attr]
    fine = finding("o.py", (0, 6, ""))
    result = apply_fixes(root, [breaking, fine])
    assert (root / "m.py").read_text() == SOURCE
    assert (root / "n.py").read_text() == SOURCE
    assert (root / "o.py").read_text() == "b = 2\nc = 3\n"
    assert result.fixed == [fine] and result.changed_files == ["o.py"]
    assert "syntax error" in result.skipped[0].reason


def test_other_fixes_in_a_broken_file_are_not_applied_either(write_tree) -> None:
    root = write_tree({"m.py": SOURCE})
    good, bad = finding("m.py", (0, 6, "")), finding("m.py", (12, 13, "("), line=3)
    result = apply_fixes(root, [good, bad])
    assert (root / "m.py").read_text() == SOURCE
    assert result.fixed == [] and len(result.skipped) == 2


@pytest.mark.parametrize(
    ("files", "edit", "reason"),
    [
        ({"m.py": SOURCE}, ("m.py", 0, 999), "out of range"),
        ({"m.py": SOURCE}, ("../m.py", 0, 1), "outside the analysed root"),
        ({"m.py": SOURCE}, ("gone.py", 0, 1), "cannot read"),
        ({"m.py": "x = (\n"}, ("m.py", 0, 1), "already has syntax errors"),
        ({"m.py": "s = 'é'\n".encode("latin-1")}, ("m.py", 0, 1), "not UTF-8"),
    ],
)
def test_unsafe_edits_are_skipped_with_a_reason(write_tree, files, edit, reason) -> None:
    root = write_tree(files)
    before = {p: (root / p).read_bytes() for p in files}
    bad = finding(edit[0], (edit[1], edit[2], ""))
    result = apply_fixes(root, [bad])
    assert result.fixed == [] and reason in result.skipped[0].reason
    assert {p: (root / p).read_bytes() for p in files} == before


def test_a_byte_order_mark_is_kept_and_offsets_ignore_it(write_tree) -> None:
    root = write_tree({"m.py": codecs.BOM_UTF8 + b"import os\nx = 1\n"})
    _, result, after = fix_tree(root, ["unused-import"])
    assert (root / "m.py").read_bytes() == codecs.BOM_UTF8 + b"x = 1\n"
    assert after.findings == [] and len(result.fixed) == 1


def test_findings_without_fixes_are_ignored(write_tree) -> None:
    root = write_tree({"m.py": SOURCE})
    plain = finding("m.py")
    plain.fix = None
    assert apply_fixes(root, [plain]).model_dump() == {
        "fixed": [],
        "skipped": [],
        "changed_files": [],
        "line_shifts": {},
    }


def test_findings_after_a_fix_move_up_with_the_removed_lines(write_tree) -> None:
    source = (
        "from m import a, \\\n    b\nprint(b)\n"
        "try:\n    import os\nexcept ImportError:\n    pass\n"
        "\n\ndef _gone():\n    pass\n\n\ndef kept():\n    pass\n"
    )
    root = write_tree({"mod.py": source})
    before, result, after = fix_tree(root)
    assert {f.symbol for f in result.fixed} == {"a", "_gone"}
    assert [(f.symbol, f.line) for f in after.findings] == [("os", 4), ("kept", 9)]
    assert_shifted_lines_match(before, result, after)
