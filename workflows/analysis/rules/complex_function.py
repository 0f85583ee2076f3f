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

from tree_sitter import Node, Query, QueryCursor

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.nodes import line_range
from workflows.analysis.parsing import PYTHON, ParsedModule
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
_QUERY = Query(
    PYTHON,
    f"[{' '.join(f'({kind})' for kind in sorted(_DECISIONS))}] @decision\n"
    "(for_statement alternative: (else_clause) @loop_else)\n"
    "(while_statement alternative: (else_clause) @loop_else)\n"
    "[(function_definition) (class_definition)] @scope",
)


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


def module_complexity(module: ParsedModule) -> dict[int, int]:
    """Start byte of each ``function_definition`` of ``module`` -> its complexity.

    One query finds every decision point and every function and class; each decision counts for
    the innermost function or class around it, and only when it lies in a function's body (a
    decision in a default value or a class body counts for no function). Same results as
    `complexity` for every function, without a Python visit to every node.
    """
    captures = QueryCursor(_QUERY).captures(module.root)
    scopes = captures.get("scope", [])
    counts = {s.start_byte: 1 for s in scopes if s.type == "function_definition"}
    bodies: dict[int, tuple[int, int]] = {}
    for scope in scopes:
        body = scope.child_by_field_name("body")
        if scope.type == "function_definition" and body is not None:
            bodies[scope.start_byte] = (body.start_byte, body.end_byte)
    # Decisions are points (their start byte), scopes are ranges; a sweep in document order keeps
    # the stack of scopes open at each point, innermost on top.
    points = [d.start_byte for d in captures.get("decision", [])]
    points += [e.start_byte for e in captures.get("loop_else", [])]
    events = sorted([(s.start_byte, 0, s.end_byte) for s in scopes] + [(p, 1, p) for p in points])
    open_scopes: list[tuple[int, int]] = []
    for start, kind, end in events:
        while open_scopes and open_scopes[-1][1] <= start:
            open_scopes.pop()
        if kind == 0:
            open_scopes.append((start, end))
        elif open_scopes:
            owner = open_scopes[-1][0]
            body = bodies.get(owner)
            if body is not None and body[0] <= start < body[1]:
                counts[owner] += 1
    return counts


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report each function of ``module`` whose complexity exceeds `THRESHOLD`."""
    functions = project.symbols(module).nodes_of("function_definition")
    if not functions:
        return
    scores = module_complexity(module)
    for func in functions:
        score = scores.get(func.start_byte, 1)
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
