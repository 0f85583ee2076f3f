"""Duplicate code.

What it finds: a stretch of at least six lines whose tokens repeat elsewhere in the project (in
another file or the same one), identifiers, strings and numbers aside, so renamed copies count.

Why it matters: a fix or a change made to one copy is easily missed in the others, and the
copies drift apart; a shared function keeps one version of the logic.

Example: two API handlers with the same fifteen lines of validation are each reported as
"lines 12-26 duplicate `api/users.py`:40-54 (15 lines)" (with en dashes).

Not flagged: comments, docstrings, imports, module-level assignments (constants, ``__all__``)
and ``@overload`` stubs, all left out before comparing; runs shorter than 50 tokens or six
lines; data-like stretches with few distinct tokens (``"a", "b", ...``); test files. Each copy is
reported once, against one other copy; copies with mostly different identifiers (renamed, or
merely alike in shape) get lower confidence.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from operator import attrgetter

from workflows.analysis.duplication import (
    MIN_LINES,
    Duplicate,
    ModuleTokens,
    find_duplicates_in,
    module_tokens,
)
from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectFacts, ProjectIndex
from workflows.analysis.reporter import Reporter

RULE_ID = "duplicate-code"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.INFO
NODE_TYPES: frozenset[str] = frozenset()
NOQA_CODES: tuple[str, ...] = ("R0801",)  # pylint duplicate-code
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)

_DASH = "\u2013"  # en dash, as in "lines 12\u201326"


def collect(module: ParsedModule, index: ProjectIndex) -> ModuleTokens | None:
    """The module's normalised tokens; None for test files, which are not compared."""
    return None if module.is_test_file else module_tokens(module)


def judge(facts: Mapping[str, ModuleTokens | None], project: ProjectFacts) -> Iterator[Finding]:
    """Compare every module's tokens (by path, so results do not depend on the order in which
    files were analysed) and report each copy in the module it is located in."""
    streams = sorted(
        (tokens for tokens in facts.values() if tokens is not None), key=attrgetter("path")
    )
    duplication = find_duplicates_in(streams)
    for path in sorted(duplication.by_path):
        for duplicate in duplication.by_path[path]:
            yield _finding(path, duplicate)


def confidence(duplicate: Duplicate) -> int:
    """Verbatim long copies are sure; renamed or merely same-shaped code less so."""
    extra_lines = min(10, (duplicate.copy.lines - MIN_LINES) // 2)
    return min(100, round(40 + 50 * duplicate.similarity) + extra_lines)


def _finding(path: str, duplicate: Duplicate) -> Finding:
    copy, other = duplicate.copy, duplicate.other
    return _REPORT.finding(
        path,
        copy.line,
        copy.end_line,
        f"lines {copy.line}{_DASH}{copy.end_line} duplicate `{other.path}`:"
        f"{other.line}{_DASH}{other.end_line} ({copy.lines} lines)",
        confidence=confidence(duplicate),
    )
