"""What every language's rule registry shares: rule modules found by name, rules built from them,
selection by id.

A rule module has a docstring (title line first) and exposes ``RULE_ID``, ``CATEGORY``,
``SEVERITY`` and ``check``; each language's registry subclasses `BaseRule` with its own check
signature and extra fields.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Self

from workflows.analysis.models import Category, Severity

__all__ = ["BaseRule", "discover_rule_modules", "select_from"]


@dataclass(frozen=True, slots=True)
class BaseRule[CheckT]:
    """A registered rule: its identity, classification and check function."""

    id: str
    title: str
    category: Category
    severity: Severity
    check: CheckT
    doc: str

    @classmethod
    def module_fields(cls, module: ModuleType) -> dict[str, Any]:
        """The constructor arguments read from a rule module (subclasses add their own)."""
        doc = inspect.cleandoc(module.__doc__ or "")
        return {
            "id": module.RULE_ID,
            "title": doc.splitlines()[0].rstrip(".") if doc else module.RULE_ID,
            "category": module.CATEGORY,
            "severity": module.SEVERITY,
            "check": getattr(module, "check", None),
            "doc": doc,
        }

    @classmethod
    def from_module(cls, module: ModuleType) -> Self:
        """Build a rule from a rule module's constants, docstring and ``check``."""
        return cls(**cls.module_fields(module))


def discover_rule_modules(package_name: str, path: Iterable[str]) -> tuple[ModuleType, ...]:
    """The modules of package ``package_name`` (its ``__path__`` is ``path``) whose names do not
    start with ``_``, imported, sorted by name."""
    names = sorted(m.name for m in pkgutil.iter_modules(path) if not m.name.startswith("_"))
    return tuple(importlib.import_module(f"{package_name}.{name}") for name in names)


def select_from[R: BaseRule[Any]](
    rules: Mapping[str, R],
    select: Collection[str] | None,
    *,
    kind: str = "rule",
    applies: Callable[[str], bool] = lambda rule_id: True,
) -> list[R]:
    """The rules to run: all when ``select`` is None, else the ids it names that ``applies``
    accepts, in registry order.

    Raises ValueError naming the valid ``kind`` ids when an accepted id is unknown.
    """
    if select is None:
        return list(rules.values())
    wanted = {select} if isinstance(select, str) else set(select)
    wanted = {rule_id for rule_id in wanted if applies(rule_id)}
    unknown = sorted(wanted - rules.keys())
    if unknown:
        raise ValueError(
            f"unknown rule id(s): {', '.join(unknown)}; valid {kind} ids: {', '.join(rules)}"
        )
    return [rule for rule in rules.values() if rule.id in wanted]
