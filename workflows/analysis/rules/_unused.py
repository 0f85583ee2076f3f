"""Shared logic of the unused-function and unused-class rules.

Confidence: 90 for private (``_``-prefixed) names, which nothing outside the analysed tree is
meant to use, 60 for public ones, which code outside it (other components, plugins, entry
points) may still call. Unused private functions get a fix that deletes their lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from workflows.analysis.fixes import line_end, line_start, only_code_on_lines
from workflows.analysis.models import Category, Edit, Finding, Fix, Severity
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectFacts, ProjectIndex
from workflows.analysis.symbols import Definition, DefinitionKind

_EXEMPT_NAMES = frozenset({"main"})
_EXEMPT_PREFIXES: dict[DefinitionKind, str] = {"function": "test", "class": "Test"}
PRIVATE_CONFIDENCE = 90
PUBLIC_CONFIDENCE = 60


def unused_candidates(
    module: ParsedModule,
    index: ProjectIndex,
    kind: DefinitionKind,
    *,
    rule_id: str,
    category: Category,
    severity: Severity,
) -> list[Finding]:
    """Findings for module-level definitions of ``kind``, were nothing else to mention them.

    Everything one module can tell is decided here (exemptions, confidence, fix); whether
    another module mentions the name is left to `still_unused`.
    """
    if module.is_test_file:
        return []
    facts = index.symbols(module)
    exported = facts.exported
    candidates: list[Finding] = []
    for definition in facts.definitions:
        name = definition.name
        if definition.kind != kind or definition.decorated or name in exported:
            continue
        if name in _EXEMPT_NAMES or name.startswith(_EXEMPT_PREFIXES[kind]):
            continue
        if name.startswith("__") and name.endswith("__"):
            continue
        private = name.startswith("_")
        fix = remove_definition(module, definition) if private and kind == "function" else None
        candidates.append(
            Finding(
                rule=rule_id,
                category=category,
                severity=severity,
                path=module.path,
                line=definition.line,
                end_line=definition.end_line,
                message=f"{kind} `{name}` is never used",
                symbol=name,
                confidence=PRIVATE_CONFIDENCE if private else PUBLIC_CONFIDENCE,
                fix=fix,
            )
        )
    return candidates


def still_unused(
    candidates: Mapping[str, Iterable[Finding]], project: ProjectFacts
) -> Iterator[Finding]:
    """The candidates whose name no analysed module mentions."""
    for found in candidates.values():
        for finding in found:
            if finding.symbol is not None and not project.is_referenced(finding.symbol):
                yield finding


def remove_definition(module: ParsedModule, definition: Definition) -> Fix | None:
    """A fix deleting an undecorated module-level definition's lines and the blank lines after.

    Comments above it stay. At the end of the file the blank lines before it go instead, so the
    file does not end in blank lines. None when the definition shares a line with other code.
    """
    source = module.source
    node = definition.node
    if definition.decorated or not only_code_on_lines(source, node.start_byte, node.end_byte):
        return None
    start = line_start(source, node.start_byte)
    end = line_end(source, node.end_byte)
    while end < len(source) and not source[end : line_end(source, end)].strip():
        end = line_end(source, end)
    if end == len(source):
        while start > 0 and not source[line_start(source, start - 1) : start].strip():
            start = line_start(source, start - 1)
    edit = Edit(path=module.path, start_byte=start, end_byte=end)
    return Fix(description=f"Remove the unused {definition.kind} `{definition.name}`", edits=[edit])
