"""Shared logic of the unused-function and unused-class rules.

Confidence: 90 for private (``_``-prefixed) names, which nothing outside the analysed tree is
meant to use, 60 for public ones, which code outside it (other components, plugins, entry
points) may still call. Unused private functions get a fix that deletes their lines.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from workflows.analysis.fixes import line_end, line_start, only_code_on_lines
from workflows.analysis.memo import per_object
from workflows.analysis.models import Edit, Finding, Fix
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectFacts, ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._calls import arguments, calls_named, mentioned, string_template
from workflows.analysis.symbols import Definition, DefinitionKind, ModuleSymbols

_EXEMPT_NAMES = frozenset({"main"})
_EXEMPT_PREFIXES: dict[DefinitionKind, str] = {"function": "test", "class": "Test"}
PRIVATE_CONFIDENCE = 90
PUBLIC_CONFIDENCE = 60


@dataclass(frozen=True, slots=True)
class Candidates:
    """One module's definitions nothing in it mentions, and the prefixes it looks names up by."""

    findings: tuple[Finding, ...]
    prefixes: frozenset[str]


_LOOKUPS = frozenset({"getattr", "hasattr"})
_LOOKUP_BYTES = frozenset(name.encode() for name in _LOOKUPS)


def lookup_prefixes(module: ParsedModule, facts: ModuleSymbols) -> frozenset[str]:
    """Name prefixes a module looks up at run time: ``getattr(self, "opt_" + name)``, ``"do_%s"
    % cmd`` or ``f"visit_{kind}"`` give ``opt_``, ``do_``, ``visit_``. Needs ``call`` nodes."""
    if module.has_error:
        if b"getattr" not in module.source and b"hasattr" not in module.source:
            return frozenset()
    elif not mentioned(facts, _LOOKUPS):  # most modules: no such call to read
        return frozenset()
    return _prefixes(module, facts)


@per_object  # the unused-class, -function and -method rules all ask
def _prefixes(module: ParsedModule, facts: ModuleSymbols) -> frozenset[str]:
    """`lookup_prefixes`, computed: calls of ``getattr``/``hasattr`` found where they are
    spelled (`calls_named`) rather than among every call."""
    found: set[str] = set()
    for call in calls_named(module, facts.nodes_of("call"), _LOOKUPS, facts):
        function = call.child_by_field_name("function")
        if function is None or function.type != "identifier" or function.text not in _LOOKUP_BYTES:
            continue
        name = arguments(call).get(1)
        template = string_template(name) if name is not None else None
        if template is None or not template[1]:
            continue
        prefix = template[0].split("{}", 1)[0]
        if len(prefix) >= 2 and prefix.isidentifier():
            found.add(prefix)
    return frozenset(found)


def looked_up(name: str, prefixes: frozenset[str]) -> bool:
    """Whether ``name`` starts with a prefix some module looks names up by."""
    return any(name.startswith(prefix) for prefix in prefixes)


def unused_candidates(
    module: ParsedModule,
    index: ProjectIndex,
    kind: DefinitionKind,
    report: Reporter,
) -> Candidates:
    """Findings (made by ``report``) for module-level definitions of ``kind``, were nothing
    else to mention them.

    Everything one module can tell is decided here (exemptions, confidence, fix); whether
    another module mentions the name is left to `still_unused`.
    """
    facts = index.symbols(module)
    prefixes = lookup_prefixes(module, facts)
    if module.is_test_file:
        return Candidates((), prefixes)
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
            report.finding(
                module.path,
                definition.line,
                definition.end_line,
                f"{kind} `{name}` is never used",
                symbol=name,
                confidence=PRIVATE_CONFIDENCE if private else PUBLIC_CONFIDENCE,
                fix=fix,
            )
        )
    return Candidates(tuple(candidates), prefixes)


def still_unused(candidates: Mapping[str, Candidates], project: ProjectFacts) -> Iterator[Finding]:
    """The candidates whose name no analysed module mentions or looks up by a prefix."""
    prefixes = frozenset().union(*(c.prefixes for c in candidates.values()))
    for found in candidates.values():
        for finding in found.findings:
            name = finding.symbol
            if name is None or project.is_referenced(name) or looked_up(name, prefixes):
                continue
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
