"""Swallowed exception.

What it finds: a broad handler (``except Exception``, ``except BaseException``, a tuple naming
either, or a bare ``except:``) whose body only does ``pass``, ``...``, ``continue``, a docstring
or constant, or ``return`` / ``return None``.

Why it matters: every error, including the bugs nobody expected, disappears without a trace;
the program carries on in a bad state and the failure surfaces later, far from its cause.

Example: ``try: sync() except Exception: pass`` is reported as "`except Exception` swallows
every error silently; log it, re-raise it, or catch a narrower type".

Not flagged: narrow handlers (``except KeyError: pass``); ``contextlib.suppress(...)``; handlers
that do anything else, such as logging (``logger.exception``, ``print``, ``warnings.warn``),
re-raising or using the bound exception. A bare ``except: pass`` is reported here as well as by
``bare-except``, which is about what it catches rather than what it does with it. A comment in
the handler, which often explains why ignoring is fine, lowers the confidence.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.nodes import node_text
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter

RULE_ID = "swallowed-exception"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
NODE_TYPES: frozenset[str] = frozenset({"except_clause"})
NOQA_CODES: tuple[str, ...] = ("S110", "S112", "BLE001", "SIM105")  # bandit, blind-except
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)

_BROAD = frozenset({"Exception", "BaseException"})
_CONSTANTS = frozenset({"string", "concatenated_string", "integer", "float", "none", "ellipsis"})
_CONFIDENCE = {"pass": 90, "continue": 80, "return": 60}
_COMMENTED = 50
"""A comment in the handler usually explains why ignoring the error is fine."""


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report every broad ``except`` clause whose body does nothing with the error."""
    for clause in project.symbols(module).nodes_of("except_clause"):
        caught = _caught(clause)
        if caught is None:
            continue
        body = next((c for c in clause.named_children if c.type == "block"), None)
        how = _swallows(body) if body is not None else None
        if body is None or how is None:
            continue
        commented = any(c.type == "comment" for c in (*clause.children, *body.children))
        yield _REPORT.finding(
            module.path,
            clause.start_point.row + 1,
            clause.end_point.row + 1,
            f"{caught} swallows every error silently; "
            "log it, re-raise it, or catch a narrower type",
            confidence=min(_CONFIDENCE[how], _COMMENTED) if commented else _CONFIDENCE[how],
        )


def _caught(clause: Node) -> str | None:
    """How to name a broad clause in the message (None when it is narrow)."""
    value = clause.child_by_field_name("value")
    if value is None:
        return "bare `except:`"
    if value.type == "as_pattern" and value.named_children:
        value = value.named_children[0]
    types = value.named_children if value.type in ("tuple", "parenthesized_expression") else [value]
    for node in types:
        name = node_text(node).rsplit(".", 1)[-1]
        if node.type in ("identifier", "attribute") and name in _BROAD:
            return f"`except {name}`"
    return None


def _swallows(body: Node) -> str | None:
    """``"pass"``, ``"continue"`` or ``"return"`` when the block only swallows, else None."""
    how = "pass"
    for statement in body.named_children:
        kind = statement.type
        if kind in ("comment", "pass_statement"):
            continue
        if kind == "continue_statement":
            how = "continue" if how == "pass" else how
        elif kind == "return_statement":
            values = [c for c in statement.named_children if c.type != "comment"]
            if values and values[0].type != "none":
                return None
            how = "return"
        elif kind == "expression_statement":
            values = [c for c in statement.named_children if c.type != "comment"]
            if len(values) != 1 or values[0].type not in _CONSTANTS:
                return None
        else:
            return None
    return how
