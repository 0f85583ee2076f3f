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
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._functions import function_name
from workflows.analysis.symbols import ModuleSymbols, collect_symbols

RULE_ID = "complex-function"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
NOQA_CODES: tuple[str, ...] = ("C901",)  # mccabe
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY, test_penalty=0)

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
NODE_TYPES: frozenset[str] = _OWN_SCOPES | _DECISIONS
"""Functions, classes and decision points, all collected by the shared walk."""


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


def module_complexity(module: ParsedModule, symbols: ModuleSymbols | None = None) -> dict[int, int]:
    """Start byte of each ``function_definition`` of ``module`` -> its complexity.

    Each decision point counts for the innermost function or class around it, and only when it
    lies in a function's body (a decision in a default value or a class body counts for no
    function). Same results as `complexity` for every function, without a Python visit to every
    node: the decision points, functions and classes are those the shared walk collected
    (``symbols``, walked here when not given).
    """
    if symbols is None:
        symbols = collect_symbols(module, NODE_TYPES)
    functions = symbols.nodes_of("function_definition")
    scopes = functions + symbols.nodes_of("class_definition")
    counts = {f.start_byte: 1 for f in functions}
    bodies: dict[int, tuple[int, int]] = {}
    for function in functions:
        body = function.child_by_field_name("body")
        if body is not None:
            bodies[function.start_byte] = (body.start_byte, body.end_byte)
    # Decisions are points (their start byte), scopes are ranges; a sweep in document order keeps
    # the stack of scopes open at each point, innermost on top.
    events = [(s.start_byte, 0, s.end_byte) for s in scopes]
    events += [(p, 1, p) for p in _decision_points(symbols)]
    events.sort()
    open_scopes: list[tuple[int, int]] = []
    for start, kind, end in events:
        while open_scopes and open_scopes[-1][1] <= start:
            open_scopes.pop()
        if kind == 0:
            open_scopes.append((start, end))
        elif open_scopes:
            owner = open_scopes[-1][0]
            span = bodies.get(owner)
            if span is not None and span[0] <= start < span[1]:
                counts[owner] += 1
    return counts


def _decision_points(symbols: ModuleSymbols) -> list[int]:
    """Start bytes of the decision points: `_DECISIONS` and the ``else`` of loops."""
    points = [node.start_byte for kind in sorted(_DECISIONS) for node in symbols.nodes_of(kind)]
    for kind in sorted(_LOOPS):
        for loop in symbols.nodes_of(kind):
            alternative = loop.child_by_field_name("alternative")
            if alternative is not None and alternative.type == "else_clause":
                points.append(alternative.start_byte)
    return points


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report each function of ``module`` whose complexity exceeds `THRESHOLD`."""
    symbols = project.symbols(module)
    functions = symbols.nodes_of("function_definition")
    # A function's score is 1 plus decisions of the module (a loop's `else` among them): with
    # too few in the whole module, none can pass the threshold.
    decisions = sum(len(symbols.nodes_of(kind)) for kind in (*_DECISIONS, *_LOOPS))
    if not functions or decisions < THRESHOLD:
        return
    scores = module_complexity(module, symbols)
    for func in functions:
        score = scores.get(func.start_byte, 1)
        if score <= THRESHOLD:
            continue
        name = function_name(func)
        yield _REPORT.at(
            module,
            func,
            f"`{name}` has cyclomatic complexity {score} (threshold {THRESHOLD})",
            symbol=name,
        )
