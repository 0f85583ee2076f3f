"""Unused JavaScript/TypeScript import.

What it finds: a name bound by an ES ``import`` (default, ``{a as b}``, ``* as ns``,
``import type``), a TypeScript ``import x = require()`` or a CommonJS ``const x = require()`` /
``const {a} = require()`` that nothing in the file reads.

Why it matters: dead imports hide a file's real dependencies, grow bundles when tree-shaking
cannot prove the module side-effect free, and create import cycles.

Example: ``import { useState, useEffect } from "react"`` in a component that only calls
``useState`` reports `useEffect`; the fix deletes ``, useEffect`` (or the whole statement when
nothing it binds is used).

Not flagged: side-effect imports (``import "./polyfill"``); ``export ... from`` re-exports;
bindings re-exported with ``export { x }``, ``export default x`` or declared by
``export const x = require("m")``; names used in TypeScript
types (``let x: Foo``), JSX tags (``<Foo />``, ``<ns.Foo />``) or JSDoc ``{Foo}`` types;
``.d.ts`` files. A default or namespace ``React`` import in a file with JSX is reported at
confidence 30 without a fix, since the classic JSX runtime needs it in scope.
"""

from __future__ import annotations

from collections.abc import Iterator

from workflows.analysis.javascript.file_analysis import JsFile
from workflows.analysis.javascript.imports import JsBinding, JsImport
from workflows.analysis.javascript.project import JsProject
from workflows.analysis.javascript.rules._import_fix import import_removal_fix
from workflows.analysis.javascript.symbols import JsSymbols
from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.reporter import Reporter

RULE_ID = "js-unused-import"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)

_CLASSIC_RUNTIME_CONFIDENCE = 30
_REQUIRE_CONFIDENCE = 90  # a require() may be kept for its side effects


def _needed_by_jsx(binding: JsBinding, facts: JsSymbols) -> bool:
    return facts.has_jsx and binding.local == "React" and binding.imported in ("default", "*")


def _describe(binding: JsBinding, imp: JsImport) -> str:
    if binding.imported == "*":
        what = f"`{binding.local}`"
    elif binding.imported == "default":
        what = f"default import `{binding.local}`"
    elif binding.imported != binding.local:
        what = f"`{binding.imported}` imported as `{binding.local}`"
    else:
        what = f"`{binding.local}`"
    return f"{what} from '{imp.specifier}' is never used"


def check(module: JsFile, project: JsProject) -> Iterator[Finding]:
    """Report every import binding of ``module`` that the file never reads."""
    if module.is_declaration:
        return
    facts = module.symbols
    exported = facts.exported_names()
    for imp in facts.imports:
        if imp.kind not in ("import", "require"):
            continue
        unused = [b for b in imp.bindings if not facts.is_used(b.local) and b.local not in exported]
        fixable = [b for b in unused if not _needed_by_jsx(b, facts)]
        fix = import_removal_fix(module.path, imp, fixable)
        for binding in unused:
            jsx_runtime = _needed_by_jsx(binding, facts)
            message = _describe(binding, imp)
            if jsx_runtime:
                message += " (unless the classic JSX runtime needs it in scope)"
                confidence = _CLASSIC_RUNTIME_CONFIDENCE
            else:
                confidence = 100 if imp.kind == "import" else _REQUIRE_CONFIDENCE
            yield _REPORT.finding(
                module.path,
                binding.line,
                binding.end_line,
                message,
                symbol=binding.local,
                confidence=confidence,
                fix=None if jsx_runtime else fix,
            )
