"""Bare except.

What it finds: an ``except:`` clause that names no exception type.

Why it matters: a bare ``except:`` also catches ``SystemExit``, ``KeyboardInterrupt`` and
``GeneratorExit``, so Ctrl-C, ``sys.exit()`` and task cancellation get swallowed and real bugs
disappear silently.

Example: ``try: run() except: pass`` is reported; write ``except Exception:`` (or the specific
error you expect) instead.

Not flagged: ``except Exception:``, ``except (A, B):``, ``except E as e:`` and ``except* E:``;
lines with ``# noqa``, ``# noqa: E722`` or ``# noqa: bare-except``.
"""

from __future__ import annotations

from collections.abc import Iterator

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter

RULE_ID = "bare-except"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
NODE_TYPES: frozenset[str] = frozenset({"except_clause"})
NOQA_CODES: tuple[str, ...] = ("E722",)  # pycodestyle/ruff
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)

_MESSAGE = "bare `except:` catches SystemExit and KeyboardInterrupt too; name the exception"
_BODY_TYPES = frozenset({"block", "comment"})


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report every ``except:`` clause of ``module`` without an exception type."""
    for clause in project.symbols(module).nodes_of("except_clause"):
        if any(child.type not in _BODY_TYPES for child in clause.named_children):
            continue
        line = clause.start_point.row + 1
        yield _REPORT.finding(module.path, line, line, _MESSAGE)
