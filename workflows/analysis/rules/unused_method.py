"""Unused method.

What it finds: a method defined in a class body whose name no analysed module mentions: not as
an attribute (``obj.refresh``, ``self.refresh``, ``Cls.refresh``), not as a read, not in
``__all__``, not in a ``getattr(obj, "refresh")`` string and not as the last part of an
import-path string (``"pkg.mod.Cls.refresh"``). A method's own ``def`` name is not a use.

Why it matters: dead methods still have to be read, tested and kept in step with refactorings of
their class, and they suggest behaviour the program no longer has.

Example: ``class Report:`` with ``def _legacy_total(self): ...`` that nothing calls is reported
as "method `Report._legacy_total` is never used".

Not flagged: dunder methods and ``_sunder_`` hooks (``_missing_``, ``_repr_html_``); methods
decorated with anything but ``@staticmethod`` / ``@classmethod`` (``@property``, ``@x.setter``,
``@abstractmethod``, ``@override``, routes, handlers registered by decorators); names starting with
``test``, ``setUp`` or ``tearDown``; anything in test files; methods of ``Protocol``, ``ABC`` and
zope ``Interface`` classes (and of classes with ``metaclass=ABCMeta``); methods overriding a
same-named method of a base class defined in the analysed tree; methods whose name starts with a
prefix some analysed module looks names up by (``getattr(self, "opt_" + name)``, ``"ssh_%s" %
kind``, ``f"visit_{kind}"``: every ``opt_*`` method is then in use). Names are matched by spelling
across the whole tree, so a same-named attribute, call or method use anywhere counts as a use (a
method calling itself counts too). A ``# noqa``, ``# noqa: V103`` or ``# noqa: unused-method``
comment on the ``def`` line silences it.

Confidence: 90 for private (``_refresh``) methods, 60 for public ones, which code outside the
analysed tree may call; 40 for public methods of classes with a base class other than ``object``
(they may override a framework hook such as ``run`` or ``emit``) and for visitor-style names
(``visit_*``, ``do_*``, ``handle_*``), which are looked up by name at run time. No fix.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from tree_sitter import Node

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.nodes import node_text
from workflows.analysis.parsing import ParsedModule, field_id, kind_ids
from workflows.analysis.project import ProjectFacts, ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._functions import decorator_names, function_name, is_dunder
from workflows.analysis.rules._unused import looked_up, lookup_prefixes

RULE_ID = "unused-method"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
NODE_TYPES: frozenset[str] = frozenset({"class_definition", "call"})
NOQA_CODES: tuple[str, ...] = ("V103",)  # vulture reports unused functions and methods alike
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY, test_penalty=0)

PRIVATE_CONFIDENCE = 90
PUBLIC_CONFIDENCE = 60
OVERRIDE_CONFIDENCE = 40
"""A public method of a class with an outside base, or a name looked up dynamically."""

_DECORATED, _FUNCTION = kind_ids("decorated_definition"), kind_ids("function_definition")
_BODY, _DEFINITION = field_id("body"), field_id("definition")
_PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod"})
_EXEMPT_PREFIXES = ("test", "setUp", "tearDown")
_DYNAMIC_PREFIXES = ("visit_", "do_", "handle_")
_INTERFACE_BASES = frozenset({"Protocol", "ABC", "Interface"})  # Interface: zope.interface
_ABSTRACT_METACLASSES = frozenset({"ABCMeta"})


@dataclass(frozen=True, slots=True)
class _ClassInfo:
    bases: tuple[str, ...]
    """Last parts of the base-class names (``Base`` for ``mod.Base[T]``), ``object`` dropped."""
    metaclass: str | None
    methods: frozenset[str]


@dataclass(frozen=True, slots=True)
class MethodFacts:
    """One module's classes and the methods that would be unused if nothing else named them."""

    classes: tuple[tuple[str, _ClassInfo], ...]
    """(class name, its bases and methods) for every class of the module."""
    candidates: tuple[tuple[int, Finding], ...]
    """(index into ``classes`` of the method's class, the finding to report)."""
    prefixes: frozenset[str] = frozenset()
    """Prefixes the module looks names up by (``getattr(self, "opt_" + name)``)."""


def collect(module: ParsedModule, index: ProjectIndex) -> MethodFacts:
    """Every class of ``module``, and its methods that no local exemption covers."""
    classes: list[tuple[str, _ClassInfo]] = []
    candidates: list[tuple[int, Finding]] = []
    for owner in index.symbols(module).nodes_of("class_definition"):
        methods = [(m, function_name(m), decorated) for m, decorated in _methods(owner)]
        info = _class_info(owner, frozenset(name for _, name, _ in methods))
        class_name = function_name(owner)
        classes.append((class_name, info))
        if module.is_test_file or _is_interface(info):
            continue
        has_base = bool(info.bases)
        for method, name, decorated in methods:
            if not name or _exempt(method, name, decorated=decorated):
                continue
            finding = _REPORT.at(
                module,
                method,
                f"method `{class_name}.{name}` is never used",
                symbol=name,
                confidence=_confidence(name, has_base),
            )
            candidates.append((len(classes) - 1, finding))
    prefixes = lookup_prefixes(module, index.symbols(module))
    return MethodFacts(tuple(classes), tuple(candidates), prefixes)


def judge(facts: Mapping[str, MethodFacts], project: ProjectFacts) -> Iterator[Finding]:
    """Candidates nothing mentions that do not override a method of an analysed base class."""
    by_name: dict[str, list[_ClassInfo]] = {}
    prefixes = frozenset().union(*(f.prefixes for f in facts.values()))
    for module_facts in facts.values():
        for class_name, info in module_facts.classes:
            by_name.setdefault(class_name, []).append(info)
    for module_facts in facts.values():
        for owner, finding in module_facts.candidates:
            name = finding.symbol or ""
            if project.is_referenced(name) or looked_up(name, prefixes):
                continue
            if _overrides_known_base(module_facts.classes[owner][1], name, by_name):
                continue
            yield finding


def _exempt(method: Node, name: str, *, decorated: bool) -> bool:
    if is_dunder(name) or _is_sunder(name) or name.startswith(_EXEMPT_PREFIXES):
        return True
    return decorated and any(d not in _PLAIN_DECORATORS for d in decorator_names(method))


def _is_sunder(name: str) -> bool:
    """``_missing_``, ``_repr_html_``: hooks that enums and IPython look up by name."""
    return len(name) > 2 and name.startswith("_") and name.endswith("_")


def _confidence(name: str, has_base: bool) -> int:
    if name.startswith(_DYNAMIC_PREFIXES):
        return OVERRIDE_CONFIDENCE
    if name.startswith("_"):
        return PRIVATE_CONFIDENCE
    return OVERRIDE_CONFIDENCE if has_base else PUBLIC_CONFIDENCE


def _methods(owner: Node) -> Iterator[tuple[Node, bool]]:
    """``def`` statements directly in the class body, each with whether it is decorated."""
    body = owner.child_by_field_id(_BODY)
    if body is None:
        return
    for statement in body.named_children:  # every statement of every class: kind ids are cheap
        kind = statement.kind_id
        if kind in _DECORATED:
            definition = statement.child_by_field_id(_DEFINITION)
            if definition is not None and definition.kind_id in _FUNCTION:
                yield definition, True
        elif kind in _FUNCTION:
            yield statement, False


def _class_info(owner: Node, methods: frozenset[str]) -> _ClassInfo:
    """The bases and metaclass of class ``owner``, whose methods are named ``methods``."""
    bases: list[str] = []
    metaclass: str | None = None
    superclasses = owner.child_by_field_name("superclasses")
    for arg in superclasses.named_children if superclasses is not None else ():
        if arg.type == "comment":
            continue
        if arg.type == "keyword_argument":
            key, value = arg.child_by_field_name("name"), arg.child_by_field_name("value")
            if key is not None and value is not None and node_text(key) == "metaclass":
                metaclass = node_text(value).rsplit(".", 1)[-1]
            continue
        if arg.type in ("list_splat", "dictionary_splat"):
            bases.append("")  # unknown bases: treat the class as derived
            continue
        if arg.type == "subscript":
            value = arg.child_by_field_name("value")
            arg = value if value is not None else arg
        base = node_text(arg).rsplit(".", 1)[-1]
        if base != "object":
            bases.append(base)
    return _ClassInfo(tuple(bases), metaclass, methods)


def _ancestors(info: _ClassInfo, classes: dict[str, list[_ClassInfo]]) -> Iterator[_ClassInfo]:
    """Analysed classes named as (transitive) bases of ``info``, each base name visited once."""
    seen: set[str] = set()
    pending = list(info.bases)
    while pending:
        base = pending.pop()
        if base in seen:
            continue
        seen.add(base)
        for candidate in classes.get(base, ()):
            if candidate is info:
                continue
            yield candidate
            pending.extend(candidate.bases)


def _is_interface(info: _ClassInfo) -> bool:
    """A class deriving directly from ``Protocol``, ``ABC`` or zope's ``Interface``, or with
    ``metaclass=ABCMeta``."""
    return info.metaclass in _ABSTRACT_METACLASSES or not _INTERFACE_BASES.isdisjoint(info.bases)


def _overrides_known_base(
    info: _ClassInfo, name: str, classes: dict[str, list[_ClassInfo]]
) -> bool:
    return any(name in ancestor.methods for ancestor in _ancestors(info, classes))
