"""Complex function.

What it finds: a function whose cyclomatic complexity is above `THRESHOLD` (10). Complexity is
1 plus one for each decision point in its body: ``if``/``elif``, ``for``/``while`` and their
``else``, ``except`` clauses, each ``and``/``or``, conditional expressions, comprehension ``for``
and ``if`` clauses, and ``match`` cases.

Why it matters: every decision doubles the paths a reader must keep in mind and a test must
cover; complex functions are where bugs hide and where changes break things.

Example: a 60-line ``handle(event)`` dispatching on a dozen ``if``/``elif`` branches is reported
as "`handle` has cyclomatic complexity 14 (threshold 10)".

Not flagged: functions at or below the threshold. Nested functions and classes count on their
own, not towards the function around them; lambdas count towards it.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.nodes import line_range
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.rules._functions import function_name

RULE_ID = "complex-function"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
NODE_TYPES: frozenset[str] = frozenset({"function_definition"})
NOQA_CODES: tuple[str, ...] = ("C901",)  # mccabe

THRESHOLD = 10
"""Highest complexity that is not reported."""

_DECISIONS = frozenset(
    {
        "if_statement",
        "elif_clause",
        "for_statement",
        "while_statement",
        "except_clause",
        "boolean_operator",
        "conditional_expression",
        "for_in_clause",
        "if_clause",
        "case_clause",
    }
)
_LOOPS = frozenset({"for_statement", "while_statement"})
_OWN_SCOPES = frozenset({"function_definition", "class_definition"})


def complexity(func: Node) -> int:
    """Cyclomatic complexity of a ``function_definition``, nested definitions excluded."""
    body = func.child_by_field_name("body")
    count = 1
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in _DECISIONS:
            count += 1
        if kind in _LOOPS and node.child_by_field_name("alternative") is not None:
            count += 1  # `for/while ... else`
        # Leaves decide nothing: only nodes with named children are worth a visit.
        stack.extend(
            c for c in node.named_children if c.named_child_count and c.type not in _OWN_SCOPES
        )
    return count


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report each function of ``module`` whose complexity exceeds `THRESHOLD`."""
    for func in project.symbols(module).nodes_of("function_definition"):
        score = complexity(func)
        if score <= THRESHOLD:
            continue
        name = function_name(func)
        line, end_line = line_range(func)
        yield Finding(
            rule=RULE_ID,
            category=CATEGORY,
            severity=SEVERITY,
            path=module.path,
            line=line,
            end_line=end_line,
            message=f"`{name}` has cyclomatic complexity {score} (threshold {THRESHOLD})",
            symbol=name,
        )
