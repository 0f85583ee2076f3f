"""The rule registry: one module per rule, found by name in this package.

Every module here whose name does not start with ``_`` is a rule (helpers start with ``_``).

A rule module has a docstring (title line, then "What it finds:", "Why it matters:",
"Example:", "Not flagged:") and exposes ``RULE_ID``, ``CATEGORY``, ``SEVERITY``, optionally
``NODE_TYPES`` (tree-sitter node types it wants collected during the shared walk, and
`symbols.FUNCTION_SCOPES` to have the walk fill the scopes `scopes.function_scope`
returns) and ``NOQA_CODES`` (other linters' codes for the same check, e.g. ``F401``), and either

- ``check(module, index) -> Iterable[Finding]`` (a *local* rule: one module is enough), or
- ``collect(module, index) -> facts`` and ``judge(facts_by_path, project) -> Iterable[Finding]``
  (a *project* rule): ``collect`` runs where the module was parsed and returns small picklable
  facts; ``judge`` sees every module's facts and the tree-free `ProjectFacts`.

A ``# noqa`` comment on a finding's line that is bare or names the rule id or one of its codes
suppresses the finding.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import Any

from workflows.analysis.models import Finding
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectFacts, ProjectIndex
from workflows.analysis.registry import BaseRule, discover_rule_modules, select_from

__all__ = [
    "RULES",
    "RULE_MODULES",
    "CheckFunction",
    "CollectFunction",
    "JudgeFunction",
    "Rule",
    "select_rules",
]

CheckFunction = Callable[[ParsedModule, ProjectIndex], Iterable[Finding]]
CollectFunction = Callable[[ParsedModule, ProjectIndex], Any]
JudgeFunction = Callable[[Mapping[str, Any], ProjectFacts], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule(BaseRule[CheckFunction | None]):
    """A registered Python rule: a `BaseRule` plus its node types, noqa codes and project side."""

    node_types: frozenset[str]
    noqa_codes: tuple[str, ...]
    """Codes a ``# noqa: ...`` comment may name to silence this rule (its id first)."""
    collect: CollectFunction | None
    judge: JudgeFunction | None

    @property
    def is_project_rule(self) -> bool:
        """Whether the rule judges from every module's facts (else it checks one module)."""
        return self.judge is not None

    @classmethod
    def module_fields(cls, module: ModuleType) -> dict[str, Any]:
        """`BaseRule`'s fields plus ``NODE_TYPES`` and ``NOQA_CODES`` (both optional)."""
        return {
            **BaseRule.module_fields(module),
            "node_types": frozenset(getattr(module, "NODE_TYPES", ())),
            "noqa_codes": (module.RULE_ID, *getattr(module, "NOQA_CODES", ())),
            "collect": getattr(module, "collect", None),
            "judge": getattr(module, "judge", None),
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
