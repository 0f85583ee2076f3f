"""`Reporter`: how every rule, of either language, builds its findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict, Unpack

from tree_sitter import Node

from workflows.analysis.models import Category, Finding, Fix, Severity
from workflows.analysis.nodes import line_range
from workflows.analysis.parsing import ParsedModule

__all__ = ["Details", "Reporter"]


class Details(TypedDict, total=False):
    """What a finding may add to its place, message and confidence."""

    severity: Severity
    """Instead of the rule's own."""
    symbol: str | None
    fix: Fix | None


@dataclass(frozen=True, slots=True)
class Reporter:
    """Builds one rule's findings, each with the rule's id, category and severity."""

    rule: str
    category: Category
    severity: Severity
    test_penalty: int = 30
    """Confidence `at` takes off a finding in a test file (test code is not deployed)."""

    def finding(
        self,
        path: str,
        line: int,
        end_line: int,
        message: str,
        *,
        confidence: int = 100,
        **details: Unpack[Details],
    ) -> Finding:
        """A finding on lines ``line`` to ``end_line`` of ``path``."""
        return Finding(
            rule=self.rule,
            category=self.category,
            severity=details.get("severity") or self.severity,
            path=path,
            line=line,
            end_line=end_line,
            message=message,
            symbol=details.get("symbol"),
            confidence=confidence,
            fix=details.get("fix"),
        )

    def at(
        self,
        module: ParsedModule,
        node: Node,
        message: str,
        *,
        confidence: int = 100,
        **details: Unpack[Details],
    ) -> Finding:
        """A finding on the lines of ``node``, `test_penalty` less sure in a test file
        (confidence clamped to 0..100)."""
        line, end_line = line_range(node)
        if module.is_test_file:
            confidence -= self.test_penalty
        confidence = max(0, min(100, confidence))
        return self.finding(module.path, line, end_line, message, confidence=confidence, **details)
