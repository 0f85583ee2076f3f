"""Shared logic of the unused-function and unused-class rules."""

from __future__ import annotations

from collections.abc import Iterator

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.symbols import DefinitionKind

_EXEMPT_NAMES = frozenset({"main"})
_EXEMPT_PREFIXES: dict[DefinitionKind, str] = {"function": "test", "class": "Test"}


def unused_definitions(
    module: ParsedModule,
    project: ProjectIndex,
    kind: DefinitionKind,
    *,
    rule_id: str,
    category: Category,
    severity: Severity,
) -> Iterator[Finding]:
    """Findings for module-level definitions of ``kind`` that no analysed module references."""
    if module.is_test_file:
        return
    facts = project.symbols(module)
    exported = facts.exported
    for definition in facts.definitions:
        name = definition.name
        if definition.kind != kind or definition.decorated or name in exported:
            continue
        if name in _EXEMPT_NAMES or name.startswith(_EXEMPT_PREFIXES[kind]):
            continue
        if name.startswith("__") and name.endswith("__"):
            continue
        if project.is_referenced(name):
            continue
        yield Finding(
            rule=rule_id,
            category=category,
            severity=severity,
            path=module.path,
            line=definition.line,
            end_line=definition.end_line,
            message=f"{kind} `{name}` is never used",
            symbol=name,
        )
