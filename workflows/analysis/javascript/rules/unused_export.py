"""Unused JavaScript/TypeScript export.

What it finds: an ``export function``, ``export class``, ``export const/let/var`` or
``export enum`` name that no other analysed file imports and that its own file never reads.

Why it matters: exports nobody imports are dead code that still has to be read, tested and
kept compiling; they also widen a module's apparent API. Reported at confidence 70 because
frameworks, tooling and code outside the analysed tree may use a name by convention.

Example: ``export function formatDate() {}`` in ``src/dates.ts`` when no file says
``import { formatDate } from "./dates"``, ``dates.formatDate`` after ``import * as dates``,
or re-exports it through ``export * from "./dates"`` / ``export { formatDate } from``.

Not flagged: default exports, TypeScript types and interfaces, CommonJS exports; exports of
entry points (``index.*``, ``main.*``, files named by ``main``, ``module``, ``browser``,
``exports`` or ``bin`` of a package.json at the root or in a workspace) and everything they
re-export; test files (``__tests__/``, ``__mocks__/``, ``test/``, ``tests/``, ``*.test.*``,
``*.spec.*``), ``*.stories.*``, ``*.config.*`` and ``.d.ts`` files; framework hooks such as
``getServerSideProps``, ``generateMetadata``, ``GET`` or ``loader`` in files under ``pages/``,
``app/``, ``routes/`` or ``api/`` (or named ``+*``); names imported anywhere from a specifier
that does not resolve (path aliases like ``@/lib/x``); files whose namespace import is used as
a whole or that are loaded with ``import()`` or a bare ``require()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from workflows.analysis.javascript.file_analysis import JsFile
from workflows.analysis.javascript.project import JsProject
from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.reporter import Reporter

RULE_ID = "js-unused-export"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
CONFIDENCE = 70
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)

_CHECKED_KINDS = frozenset({"function", "class", "variable", "enum"})
_EXEMPT_MARKERS = frozenset({"config", "stories", "story"})
_ROUTE_DIRS = frozenset({"pages", "app", "routes", "api"})
# Names that Next.js, Remix and SvelteKit read from route files by convention.
_FRAMEWORK_EXPORTS = frozenset(
    {
        "getServerSideProps", "getStaticProps", "getStaticPaths", "getInitialProps",
        "generateMetadata", "generateStaticParams", "generateViewport", "metadata", "viewport",
        "revalidate", "dynamic", "dynamicParams", "runtime", "preferredRegion", "maxDuration",
        "fetchCache", "config", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
        "loader", "action", "meta", "links", "headers", "handle", "shouldRevalidate",
        "ErrorBoundary", "HydrateFallback", "load", "prerender", "ssr", "csr", "trailingSlash",
        "entries",
    }
)  # fmt: skip


def is_exempt(module: JsFile, project: JsProject) -> bool:
    """Whether the exports of ``module`` are public or conventional by its name or role."""
    name_parts = PurePosixPath(module.path).name.split(".")
    return (
        module.is_declaration
        or module.is_test_file
        or module.path in project.entry_files
        or not _EXEMPT_MARKERS.isdisjoint(name_parts[1:-1])
    )


def _is_route_file(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return parts[-1].startswith("+") or not _ROUTE_DIRS.isdisjoint(parts[:-1])


def check(module: JsFile, project: JsProject) -> Iterator[Finding]:
    """Report named exports of ``module`` that no analysed file asks for."""
    if is_exempt(module, project):
        return
    facts = module.symbols
    route_file = _is_route_file(module.path)
    for export in facts.exports:
        if export.kind not in _CHECKED_KINDS:
            continue
        if route_file and export.name in _FRAMEWORK_EXPORTS:
            continue
        if project.is_export_used(module.path, export.name) or facts.is_used(export.name):
            continue
        yield _REPORT.finding(
            module.path,
            export.line,
            export.end_line,
            f"exported {export.kind} `{export.name}` is not imported by any analysed file",
            symbol=export.name,
            confidence=CONFIDENCE,
        )
