"""JavaScript/TypeScript import cycle.

What it finds: files that import each other in a loop (``a -> b -> a`` or longer) and files
that import themselves; one finding per cycle, on its import in the cycle's first file (in
path order), naming the modules, and saying how many files are tangled when the group is larger.

Why it matters: in a cycle one module is evaluated while another is only half initialised,
so imports can be ``undefined`` at load time (ES ``ReferenceError``s in the temporal dead
zone, empty CommonJS ``exports``); cycles also make modules impossible to test or move alone.

Example: ``src/a.ts`` says ``import { b } from "./b"`` and ``src/b.ts`` says
``import { a } from "./a"``: "import cycle: src/a -> src/b -> src/a".

Not flagged: loops closed only by type-only imports (``import type``, ``export type ... from``,
``import { type T }``), which are erased at compile time; imports of packages or of files
outside the tree. A loop that closes only through a lazy import (``import()``, or ``require()``
inside a function) is reported at confidence 60: no load-time failure, but still coupling.
"""

from __future__ import annotations

from collections.abc import Iterator

from workflows.analysis.cycles import cycle_finding
from workflows.analysis.javascript.file_analysis import JsFile
from workflows.analysis.javascript.project import JsProject
from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.reporter import Reporter

RULE_ID = "js-import-cycle"
CATEGORY = Category.ARCHITECTURE
SEVERITY = Severity.WARNING
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)


def check(module: JsFile, project: JsProject) -> Iterator[Finding]:
    """Report each import cycle whose first file is ``module``."""
    for cycle in project.cycles:
        path = cycle.path
        if path[0] != module.path:
            continue
        target = path[1] if len(path) > 1 else path[0]
        imp = project.runtime_import(module.path, target, eager=not cycle.deferred)
        line, end_line = (1, 1) if imp is None else (imp.line, imp.end_line)
        yield cycle_finding(
            _REPORT,
            [project.names[p] for p in path],
            group_size=len(cycle.group),
            deferred=cycle.deferred,
            members="files",
            lazy="a lazy import()/require()",
            path=module.path,
            line=line,
            end_line=end_line,
            symbol=project.names[target],
        )
