"""Which findings a change introduces: those on its changed lines with no counterpart on base.

A finding's identity is its rule, its file and what it is about (its symbol, else its message
with numbers masked), never its line: code that only moved keeps its identity. Identities
are counted, so a second bare ``except:`` in a file that had one is still new.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from pydantic import BaseModel, Field

from workflows.analysis.models import Finding
from workflows.quality_gate.diff import ChangedLines

_NUMBER = re.compile(r"\d+")

FindingKey = tuple[str, str, str]


class NewFinding(BaseModel):
    """A finding the change introduces, and the changed line a review comment goes on."""

    finding: Finding
    line: int = Field(ge=1, description="a changed line inside the finding (its own line if it is)")


class Comparison(BaseModel):
    """New findings on the changed lines, and how many findings there were already there."""

    new: list[NewFinding] = Field(default_factory=list)
    existing: int = Field(0, description="findings on changed lines that base already had")


def finding_key(finding: Finding, path: str | None = None) -> FindingKey:
    """Rule, path (``path`` instead of the finding's, for a renamed file) and subject."""
    subject = finding.symbol or _NUMBER.sub("#", finding.message)
    return finding.rule, path or finding.path, subject


def compare_findings(head: list[Finding], base: list[Finding], changed: ChangedLines) -> Comparison:
    """The findings of ``head`` on ``changed`` lines that ``base`` does not account for.

    For each identity, head may have as many as base without anything being new; beyond that
    the surplus is new, taken from the findings on changed lines (in file order).
    """
    renames = changed.renames()
    before = Counter(finding_key(f, renames.get(f.path)) for f in base)
    total: Counter[FindingKey] = Counter()
    on_changed: dict[FindingKey, list[NewFinding]] = defaultdict(list)
    for finding in sorted(head, key=lambda f: (f.path, f.line, f.rule)):
        key = finding_key(finding)
        total[key] += 1
        line = changed.first_changed(finding.path, finding.line, finding.end_line)
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
