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

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import Any

from workflows.analysis.models import Finding
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.registry import BaseRule, discover_rule_modules, select_from

__all__ = ["RULES", "RULE_MODULES", "CheckFunction", "Rule", "select_rules"]

CheckFunction = Callable[[ParsedModule, ProjectIndex], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule(BaseRule[CheckFunction]):
    """A registered Python rule: a `BaseRule` plus the node types and noqa codes it uses."""

    node_types: frozenset[str]
    noqa_codes: tuple[str, ...]
    """Codes a ``# noqa: ...`` comment may name to silence this rule (its id first)."""

    @classmethod
    def module_fields(cls, module: ModuleType) -> dict[str, Any]:
        """`BaseRule`'s fields plus ``NODE_TYPES`` and ``NOQA_CODES`` (both optional)."""
        return {
            **BaseRule.module_fields(module),
            "node_types": frozenset(getattr(module, "NODE_TYPES", ())),
            "noqa_codes": (module.RULE_ID, *getattr(module, "NOQA_CODES", ())),
        }


RULE_MODULES: tuple[ModuleType, ...] = discover_rule_modules(__name__, __path__)

RULES: Mapping[str, Rule] = MappingProxyType(
    {rule.id: rule for rule in map(Rule.from_module, RULE_MODULES)}
)


def select_rules(select: Collection[str] | None = None) -> list[Rule]:
    """The rules to run: all when ``select`` is None, else those ids in registry order.

    Raises ValueError naming the valid ids when ``select`` contains an unknown one.
    """
    return select_from(RULES, select)
