"""Import cycle.

What it finds: modules of the analysed tree that import each other, directly or through others
(strongly connected modules of the import graph), and modules that import themselves. Each
cycle is reported once, on its import line in the cycle's lexicographically first module, as
"import cycle: a -> b -> a"; when more modules are tangled in the same group, it says how many.

Why it matters: at import time a cycle hands one module a half-initialised other
(``ImportError: cannot import name ... (most likely due to a circular import)``), and it ties
the modules together so that neither can be understood, tested or moved alone.

Example: ``a.py`` says ``from b import helper`` and ``b.py`` says ``from a import CONFIG``; move
what both need into a third module, or invert the dependency.

Not flagged: imports under ``if TYPE_CHECKING:`` (they never run); a function importing its own
module. A cycle that only closes through an import inside a function is reported with
confidence 60 (no import-time failure, but still coupling); others have confidence 100.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from workflows.analysis.cycles import cycle_finding
from workflows.analysis.graph import project_imports
from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectFacts, ProjectIndex
from workflows.analysis.reporter import Reporter

RULE_ID = "import-cycle"
CATEGORY = Category.ARCHITECTURE
SEVERITY = Severity.WARNING
NODE_TYPES: frozenset[str] = frozenset()
NOQA_CODES: tuple[str, ...] = ("R0401",)  # pylint cyclic-import
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)


def collect(module: ParsedModule, index: ProjectIndex) -> None:
    """Nothing per module: the imports `ProjectFacts` carries are enough."""
    return None


def judge(facts: Mapping[str, None], project: ProjectFacts) -> Iterator[Finding]:
    """Report each import cycle in the module its path starts with."""
    analysis = project_imports(project)
    if not analysis.cycles:
        return
    paths: dict[str, list[str]] = {}
    for info in project.modules.values():
        paths.setdefault(info.module_name, []).append(info.path)
    for cycle in analysis.cycles:
        path = cycle.path
        target = path[1] if len(path) > 1 else path[0]
        line = analysis.runtime_line[(path[0], target)]
        for module_path in paths.get(path[0], ()):
            yield cycle_finding(
                _REPORT,
                path,
                group_size=len(cycle.group),
                deferred=cycle.deferred,
                members="modules",
                lazy="an import inside a function",
                path=module_path,
                line=line,
                end_line=line,
                symbol=target,
            )
