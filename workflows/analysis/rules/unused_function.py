"""Unused function.

What it finds: a module-level function whose name no analysed module mentions: not as a call or
other read, not as an attribute (``mod.helper``), not in ``__all__``, not in a
``getattr(obj, "helper")`` string, not as the last part of an import-path string
(``"pkg.mod.helper"``, ``"pkg.mod:helper"``) and not in a ``from mod import helper``.

Why it matters: dead code still has to be read, kept compiling and migrated; it misleads readers
about what the program does and inflates coverage gaps.

Example: ``def helper(): ...`` in ``a.py`` that nothing calls is reported as
"function `helper` is never used"; a call to it from inside itself does not count as a use.

Not flagged: names in ``__all__``; dunder names such as ``__getattr__``; decorated functions
(decorators usually register them: routes, CLI commands, fixtures, flows, tasks); ``main``;
names starting with ``test``; anything in test files (``test_*.py``, ``*_test.py``,
``conftest.py``, files under ``tests/``); names starting with a prefix some analysed module
looks names up by (``getattr(module, "cmd_" + name)`` keeps every ``cmd_*`` function). Names
are matched by spelling across the whole tree, so a same-named attribute or variable elsewhere
counts as a use.
A ``# noqa``, ``# noqa: V103`` or ``# noqa: unused-function`` comment on the ``def`` line
silences it.

Confidence: 90 for private (``_helper``) functions, 60 for public ones, which code outside the
analysed tree may call. Fix (private functions only): delete the ``def`` lines and the blank
lines after them; comments above it stay.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectFacts, ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._unused import Candidates, still_unused, unused_candidates

RULE_ID = "unused-function"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
NODE_TYPES: frozenset[str] = frozenset({"call"})  # for lookup prefixes
NOQA_CODES: tuple[str, ...] = ("V103",)  # vulture
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)


def collect(module: ParsedModule, index: ProjectIndex) -> Candidates:
    """Module-level functions of ``module`` that would be unused if no other module named them."""
    return unused_candidates(module, index, "function", _REPORT)


def judge(facts: Mapping[str, Candidates], project: ProjectFacts) -> Iterator[Finding]:
    """The candidates that no analysed module mentions."""
    return still_unused(facts, project)
