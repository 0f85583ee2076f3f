"""Unused class.

What it finds: a module-level class whose name no analysed module mentions: not as a read, a
base class, an annotation (also in strings), an attribute (``mod.Legacy``), an ``__all__``
entry, a ``getattr(obj, "Legacy")`` string, an import-path string (``"pkg.models.Legacy"``,
as in settings and logging configs) or a ``from mod import Legacy``.

Why it matters: an unused class is dead code that still has to be read, type-checked and kept in
step with refactorings, and it suggests a design that no longer exists.

Example: ``class Legacy: ...`` that nothing instantiates, subclasses or imports is reported as
"class `Legacy` is never used"; references from inside its own body do not count.

Not flagged: names in ``__all__``; dunder names; decorated classes (dataclasses are decorated
too, so this rule stays quiet on them); names starting with ``Test``; anything in test files
(``test_*.py``, ``*_test.py``, ``conftest.py``, files under ``tests/``). Names are matched by
spelling across the whole tree, so a same-named attribute elsewhere counts as a use.
A ``# noqa``, ``# noqa: V102`` or ``# noqa: unused-class`` comment on the ``class`` line
silences it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectFacts, ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._unused import Candidates, still_unused, unused_candidates

RULE_ID = "unused-class"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
NODE_TYPES: frozenset[str] = frozenset({"call"})  # for lookup prefixes
NOQA_CODES: tuple[str, ...] = ("V102",)  # vulture
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)


def collect(module: ParsedModule, index: ProjectIndex) -> Candidates:
    """Module-level classes of ``module`` that would be unused if no other module named them."""
    return unused_candidates(module, index, "class", _REPORT)


def judge(facts: Mapping[str, Candidates], project: ProjectFacts) -> Iterator[Finding]:
    """The candidates that no analysed module mentions."""
    return still_unused(facts, project)
