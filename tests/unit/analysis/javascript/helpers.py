"""Helpers for the JS/TS analysis tests: fixture markers and applying fixes."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from workflows.analysis.javascript.parsing import JS_SUFFIXES
from workflows.analysis.models import Edit, Finding

FIXTURES = Path(__file__).parent / "fixtures"
WriteTree = Callable[[dict[str, str | bytes]], Path]
"""The ``write_tree`` fixture (from the analysis tests' conftest): files -> fresh root."""
_EXPECT_RE = re.compile(r"//\s*expect:((?:\s+js-[a-z-]+)+)")


def js_files(root: Path) -> list[Path]:
    """The JS/TS files under ``root``."""
    return sorted(p for p in root.rglob("*") if p.name.endswith(JS_SUFFIXES))


def expected_markers(root: Path) -> Counter[tuple[str, int, str]]:
    """``(path, line, rule)`` counts from ``// expect: <rule> [<rule>...]`` comments."""
    expected: Counter[tuple[str, int, str]] = Counter()
    for file in js_files(root):
        rel = file.relative_to(root).as_posix()
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _EXPECT_RE.finditer(line):
                for rule in match.group(1).split():
                    expected[(rel, number, rule)] += 1
    return expected


def fix_edits(findings: Iterable[Finding]) -> list[Edit]:
    """Every edit of the findings' fixes, duplicates (shared by one statement) removed."""
    unique = {
        (e.path, e.start_byte, e.end_byte, e.replacement): e
        for f in findings
        if f.fix is not None
        for e in f.fix.edits
    }
    return list(unique.values())


def apply_edits(source: bytes, edits: Iterable[Edit]) -> bytes:
    """``source`` with non-overlapping ``edits`` applied (raises AssertionError on overlap)."""
    ordered = sorted(edits, key=lambda e: e.start_byte, reverse=True)
    for later, earlier in itertools.pairwise(ordered):
        assert earlier.end_byte <= later.start_byte, f"overlapping edits {earlier} {later}"
    for edit in ordered:
        replacement = edit.replacement.encode("utf-8")
        source = source[: edit.start_byte] + replacement + source[edit.end_byte :]
    return source
