"""Which findings a change introduces: those on its changed lines with no counterpart on base.

A finding is on the changed lines when its lines, or the function around it, include one (a
diff may align a new function's body with an old one's, leaving only its edges "changed"). Its
identity is its rule, its file and what it is about (its symbol, else the function it sits in
and its message with numbers masked), never its line: code that only moved keeps its identity.
Identities are counted, so a second bare ``except:`` in a function that had one is still new.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from pydantic import BaseModel, Field

from workflows.analysis.models import Finding
from workflows.quality_gate.complexity import FunctionComplexity
from workflows.quality_gate.diff import ChangedLines

_NUMBER = re.compile(r"\d+")

FindingKey = tuple[str, str, str]
Scopes = dict[str, list[FunctionComplexity]]
"""A file's functions (name and lines), by path: where a symbol-less finding sits."""


class NewFinding(BaseModel):
    """A finding the change introduces, and the changed line a review comment goes on."""

    finding: Finding
    line: int = Field(ge=1, description="a changed line inside the finding (its own line if it is)")


class Comparison(BaseModel):
    """New findings on the changed lines, and how many findings there were already there."""

    new: list[NewFinding] = Field(default_factory=list)
    existing: int = Field(0, description="findings on changed lines that base already had")


def enclosing_function(
    functions: Sequence[FunctionComplexity], line: int
) -> FunctionComplexity | None:
    """The innermost function holding ``line``; None at module level."""
    holding = [f for f in functions if f.line <= line <= f.end_line]
    return max(holding, key=lambda f: f.line) if holding else None


def changed_line_of(
    finding: Finding, changed: ChangedLines, functions: Sequence[FunctionComplexity] = ()
) -> int | None:
    """The changed line a finding is on: in its own lines, else in the function around it."""
    line = changed.first_changed(finding.path, finding.line, finding.end_line)
    around = enclosing_function(functions, finding.line) if line is None else None
    if around is not None:
        line = changed.first_changed(finding.path, around.line, around.end_line)
    return line


def finding_key(
    finding: Finding, path: str | None = None, functions: Sequence[FunctionComplexity] = ()
) -> FindingKey:
    """Rule, path (``path`` instead of the finding's, for a renamed file) and subject: its
    symbol, else the function it sits in (among ``functions``) and its message."""
    subject = finding.symbol
    if not subject:
        around = enclosing_function(functions, finding.line)
        subject = f"{around.name if around else ''}: {_NUMBER.sub('#', finding.message)}"
    return finding.rule, path or finding.path, subject


def compare_findings(
    head: list[Finding],
    base: list[Finding],
    changed: ChangedLines,
    head_scopes: Scopes | None = None,
    base_scopes: Scopes | None = None,
) -> Comparison:
    """The findings of ``head`` on ``changed`` lines that ``base`` does not account for.

    For each identity, head may have as many as base without anything being new; beyond that
    the surplus is new, taken from the findings on changed lines (in file order). The scopes
    (each file's functions; head paths, base paths) tell where symbol-less findings sit.
    """
    renames = changed.renames()
    head_scopes, base_scopes = head_scopes or {}, base_scopes or {}
    before = Counter(finding_key(f, renames.get(f.path), base_scopes.get(f.path, ())) for f in base)
    total: Counter[FindingKey] = Counter()
    on_changed: dict[FindingKey, list[NewFinding]] = defaultdict(list)
    for finding in sorted(head, key=lambda f: (f.path, f.line, f.rule)):
        functions = head_scopes.get(finding.path, ())
        key = finding_key(finding, functions=functions)
        total[key] += 1
        line = changed_line_of(finding, changed, functions)
        if line is not None:
            on_changed[key].append(NewFinding(finding=finding, line=line))
    new: list[NewFinding] = []
    existing = 0
    for key, candidates in on_changed.items():
        surplus = max(0, total[key] - before[key])
        new += candidates[:surplus]
        existing += max(0, len(candidates) - surplus)
    new.sort(key=lambda n: (n.finding.path, n.line, n.finding.rule))
    return Comparison(new=new, existing=existing)
