"""The JS/TS rule registry: one module per rule, found by name in this package.

Every module here whose name does not start with ``_`` is a rule (helpers start with ``_``).
A rule module has a docstring in the Python rules' shape (title line, then "What it finds:",
"Why it matters:", "Example:", "Not flagged:") and exposes ``RULE_ID`` (prefixed ``js-``),
``CATEGORY``, ``SEVERITY`` and ``check(module, project) -> Iterable[Finding]``, which reads the
file's tree-free facts (`JsFile`) and the project view (`JsProject`) in the main process.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType

from workflows.analysis.javascript.file_analysis import JsFile
from workflows.analysis.javascript.project import JsProject
from workflows.analysis.models import Finding
from workflows.analysis.registry import BaseRule, discover_rule_modules, select_from

__all__ = ["JS_RULES", "JS_RULE_MODULES", "JS_RULE_PREFIX", "JsCheck", "JsRule", "select_js_rules"]

JS_RULE_PREFIX = "js-"
JsCheck = Callable[[JsFile, JsProject], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class JsRule(BaseRule[JsCheck]):
    """A registered JS/TS rule: its identity, classification and check function."""


JS_RULE_MODULES: tuple[ModuleType, ...] = discover_rule_modules(__name__, __path__)

JS_RULES: Mapping[str, JsRule] = MappingProxyType(
    {rule.id: rule for rule in map(JsRule.from_module, JS_RULE_MODULES)}
)


def select_js_rules(select: Collection[str] | None = None) -> list[JsRule]:
    """The JS/TS rules to run: all when ``select`` is None, else the ``js-`` ids it names.

    Ids without the ``js-`` prefix belong to other languages' engines and are ignored, so one
    selection can serve every engine. An unknown ``js-`` id raises ValueError naming the valid ids.
    """
    return select_from(
        JS_RULES,
        select,
        kind="JS/TS rule",
        applies=lambda rule_id: rule_id.startswith(JS_RULE_PREFIX),
    )
