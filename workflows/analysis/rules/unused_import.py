"""Unused import.

What it finds: a name bound by an ``import`` statement that nothing in the module reads.

Why it matters: dead imports hide a module's real dependencies, slow down start-up and can
create import cycles; they also make readers look for a use that is not there.

Example: ``import os`` in a module that never mentions ``os`` is reported as
"`os` imported but unused".

Not flagged: names listed in ``__all__``; anything in an ``__init__.py`` (package re-exports);
``import x as x`` and ``from m import x as x`` (explicit re-exports); ``from __future__``
imports; names used only in string annotations (``x: "Foo"``, also inside ``Optional["Foo"]``
and ``X: TypeAlias = ...``), ``cast("Foo", ...)`` or ``# type:`` comments; lines (or, for a
multi-line import, its first line) with ``# noqa``, ``# noqa: F401`` (or ``V104``) or
``# noqa: unused-import``. ``import a.b.c`` binds ``a`` and is used when ``a`` is read. A read
anywhere in the module counts, so imports inside ``try/except ImportError`` work as usual.
"""

from __future__ import annotations

from collections.abc import Iterator

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex

RULE_ID = "unused-import"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
NODE_TYPES: frozenset[str] = frozenset()
NOQA_CODES: tuple[str, ...] = ("F401", "V104")  # pyflakes/ruff, vulture


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report every import binding of ``module`` that is never read."""
    if module.is_package_init:
        return
    facts = project.symbols(module)
    exported = facts.exported
    for binding in facts.imports:
        if binding.is_future or binding.is_redundant_alias:
            continue
        if binding.name in facts.loads or binding.name in exported:
            continue
        if facts.suppresses(binding.statement.start_point.row + 1, (RULE_ID, *NOQA_CODES)):
            continue  # suppressed on the first line of a multi-line import
        what = f"`{binding.qualified}`"
        if binding.alias is not None:
            what += f" imported as `{binding.alias}`"
        else:
            what += " imported"
        yield Finding(
            rule=RULE_ID,
            category=CATEGORY,
            severity=SEVERITY,
            path=module.path,
            line=binding.line,
            end_line=binding.end_line,
            message=f"{what} but unused",
            symbol=binding.name,
        )
