"""The rule registry: one module per rule, found by name in this package.

Every module here whose name does not start with ``_`` is a rule (helpers start with ``_``).

A rule module has a docstring (title line, then "What it finds:", "Why it matters:",
"Example:", "Not flagged:") and exposes ``RULE_ID``, ``CATEGORY``, ``SEVERITY``, optionally
``NODE_TYPES`` (tree-sitter node types it wants collected during the shared walk) and
``NOQA_CODES`` (other linters' codes for the same check, e.g. ``F401``), and
``check(module, project) -> Iterable[Finding]``. A ``# noqa`` comment on a finding's line that is
bare or names the rule id or one of its codes suppresses the finding.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex

__all__ = ["RULES", "RULE_MODULES", "CheckFunction", "Rule", "select_rules"]

CheckFunction = Callable[[ParsedModule, ProjectIndex], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered rule: its identity, classification and check function."""

    id: str
    title: str
    category: Category
    severity: Severity
    check: CheckFunction
    node_types: frozenset[str]
    noqa_codes: tuple[str, ...]
    """Codes a ``# noqa: ...`` comment may name to silence this rule (its id first)."""
    doc: str

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        """Build a `Rule` from a rule module's constants, docstring and ``check``."""
        doc = inspect.cleandoc(module.__doc__ or "")
        return cls(
            id=module.RULE_ID,
            title=doc.splitlines()[0].rstrip(".") if doc else module.RULE_ID,
            category=module.CATEGORY,
            severity=module.SEVERITY,
            check=module.check,
            node_types=frozenset(getattr(module, "NODE_TYPES", ())),
            noqa_codes=(module.RULE_ID, *getattr(module, "NOQA_CODES", ())),
            doc=doc,
        )


def _rule_modules() -> tuple[ModuleType, ...]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in names)


RULE_MODULES: tuple[ModuleType, ...] = _rule_modules()

RULES: Mapping[str, Rule] = MappingProxyType(
    {rule.id: rule for rule in map(Rule.from_module, RULE_MODULES)}
)


def select_rules(select: Collection[str] | None = None) -> list[Rule]:
    """The rules to run: all when ``select`` is None, else those ids in registry order.

    Raises ValueError naming the valid ids when ``select`` contains an unknown one.
    """
    if select is None:
        return list(RULES.values())
    wanted = {select} if isinstance(select, str) else set(select)
    unknown = sorted(wanted - RULES.keys())
    if unknown:
        raise ValueError(
            f"unknown rule id(s): {', '.join(unknown)}; valid rule ids: {', '.join(RULES)}"
        )
    return [rule for rule in RULES.values() if rule.id in wanted]
