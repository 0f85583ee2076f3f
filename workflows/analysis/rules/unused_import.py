"""Unused import.

What it finds: a name bound by an ``import`` statement that nothing in the module reads.

Why it matters: dead imports hide a module's real dependencies, slow down start-up and can
create import cycles; they also make readers look for a use that is not there.

Example: ``import os`` in a module that never mentions ``os`` is reported as
"`os` imported but unused".

Not flagged: names listed in ``__all__``; anything in an ``__init__.py`` (package re-exports);
names another analysed module imports from this one (``from compat import X``: a compatibility
module); imports in a class body (they bind class attributes);
``import x as x`` and ``from m import x as x`` (explicit re-exports); ``from __future__``
imports; names used only in string annotations (``x: "Foo"``, also inside ``Optional["Foo"]``
and ``X: TypeAlias = ...``), ``cast("Foo", ...)`` or ``# type:`` comments; lines (or, for a
multi-line import, its first line) with ``# noqa``, ``# noqa: F401`` (or ``V104``) or
``# noqa: unused-import``. ``import a.b.c`` binds ``a`` and is used when ``a`` is read. A read
anywhere in the module counts, so imports inside ``try/except ImportError`` work as usual.

Fix: the whole statement is removed (with its line) when none of its names is used, otherwise
just the unused names (with their commas; a name alone on its line in a parenthesised list goes
with its line). No fix inside a ``try`` statement (optional-import fallbacks), for
``import a.b`` forms (importing a submodule has effects beyond the binding), for statements
that share a line with other code, or when removal would leave an empty block.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from tree_sitter import Node

from workflows.analysis.fixes import line_end, line_start, only_code_on_lines
from workflows.analysis.models import Category, Edit, Finding, Fix, Severity
from workflows.analysis.nodes import line_range, node_text
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectFacts, ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.symbols import ImportBinding, ModuleSymbols

RULE_ID = "unused-import"
CATEGORY = Category.CODE_QUALITY
SEVERITY = Severity.WARNING
NODE_TYPES: frozenset[str] = frozenset()
NOQA_CODES: tuple[str, ...] = ("F401", "V104")  # pyflakes/ruff, vulture
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)


@dataclass(frozen=True, slots=True)
class ImportFacts:
    """One module's unread imports, and what it imports from other modules by name."""

    candidates: tuple[tuple[int, Finding], ...]
    """(start byte of the import statement, the finding to report)."""
    imported_from: tuple[tuple[str, str], ...]
    """(absolute source module, imported name) of every ``from m import name``."""


def collect(module: ParsedModule, index: ProjectIndex) -> ImportFacts:
    """The import bindings of ``module`` that it never reads, and its from-imports."""
    facts = index.symbols(module)
    imported_from = tuple(
        (_absolute(binding.source_module, module), binding.imported)
        for binding in facts.imports
        if binding.source_module is not None
    )
    if module.is_package_init:
        return ImportFacts((), imported_from)
    unused = [
        binding
        for binding in facts.imports
        if not _in_class_body(binding.statement) and _is_unused(binding, facts)
    ]
    fixes = _fixes(module, facts, unused)
    candidates: list[tuple[int, Finding]] = []
    for binding in unused:
        what = f"`{binding.qualified}`"
        if binding.alias is not None:
            what += f" imported as `{binding.alias}`"
        else:
            what += " imported"
        finding = _REPORT.finding(
            module.path,
            binding.line,
            binding.end_line,
            f"{what} but unused",
            symbol=binding.name,
            fix=fixes.get(id(binding)),
        )
        candidates.append((binding.statement.start_byte, finding))
    return ImportFacts(tuple(candidates), imported_from)


def judge(facts: Mapping[str, ImportFacts], project: ProjectFacts) -> Iterator[Finding]:
    """The candidates no other analysed module imports from their module (re-exports).

    When a statement keeps a re-exported name, the fixes of its other names are dropped: they
    were computed for removing them all, which would remove the re-export too.
    """
    reexported = _imported_from_elsewhere(facts, project)
    for path, module_facts in facts.items():
        info = project.modules[path]
        kept = reexported.get(info.module_name, frozenset())
        blocked = {start for start, f in module_facts.candidates if f.symbol in kept}
        for start, finding in module_facts.candidates:
            if finding.symbol in kept:
                continue
            yield finding.model_copy(update={"fix": None}) if start in blocked else finding


def _imported_from_elsewhere(
    facts: Mapping[str, ImportFacts], project: ProjectFacts
) -> dict[str, frozenset[str]]:
    """Module name -> names other analysed modules import from it (`from m import name`).

    Such a name is used even if its own module never reads it: it is a re-export (for
    example a compatibility module choosing between two libraries).
    """
    found: dict[str, set[str]] = {}
    for path, module_facts in facts.items():
        importer = project.modules[path].module_name
        for target, name in module_facts.imported_from:
            if target in project.by_module_name and target != importer:
                found.setdefault(target, set()).add(name)
    return {name: frozenset(names) for name, names in found.items()}


def _absolute(source: str, importer: ParsedModule) -> str:
    """`..a.b` seen from `pkg.sub.mod` is `pkg.a.b`; absolute names stay as they are."""
    level = len(source) - len(source.lstrip("."))
    if level == 0:
        return source
    package = importer.module_name.split(".")
    if not importer.is_package_init:
        package = package[:-1]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    rest = source[level:]
    return ".".join([*base, rest] if rest else base)


def _in_class_body(statement: Node) -> bool:
    """An import in a class body binds a class attribute (`Session.ISession`), not a local."""
    node = statement.parent
    while node is not None:
        if node.type == "class_definition":
            return True
        if node.type in ("function_definition", "module"):
            return False
        node = node.parent
    return False


def _is_unused(binding: ImportBinding, facts: ModuleSymbols) -> bool:
    if binding.is_future or binding.is_redundant_alias:
        return False
    if binding.name in facts.loads or binding.name in facts.exported:
        return False
    # suppressed on the first line of a multi-line import
    return not facts.suppresses(binding.statement.start_point.row + 1, (RULE_ID, *NOQA_CODES))


# -- fixes -------------------------------------------------------------------------------------


def _fixes(
    module: ParsedModule, facts: ModuleSymbols, unused: list[ImportBinding]
) -> dict[int, Fix]:
    """Fixes keyed by ``id(binding)`` for the unused bindings that can be removed safely."""
    codes = (RULE_ID, *NOQA_CODES)
    by_statement: dict[int, list[ImportBinding]] = {}
    for binding in unused:
        # a suppression comment on the name's own line keeps it (the engine drops the finding)
        if not facts.suppresses(binding.line, codes):
            by_statement.setdefault(binding.statement.id, []).append(binding)
    fixes: dict[int, Fix] = {}
    for bindings in by_statement.values():
        statement = bindings[0].statement
        if _inside_try(statement):
            continue
        children = _name_children(statement, facts.imports)
        removable = {
            index
            for index, (_, binding) in enumerate(children)
            if binding is not None and binding in bindings and not _is_submodule_import(binding)
        }
        if not removable:
            continue
        if len(removable) == len(children):
            edit = _remove_statement(module, statement)
            if edit is not None:
                fix = Fix(description=f"Remove `{_one_line(statement, 80)}`", edits=[edit])
                fixes.update((id(children[i][1]), fix) for i in removable)
            continue
        for index, edit in _remove_names(module, statement, children, removable).items():
            name_node, removed = children[index]
            if removed is not None:
                what = node_text(name_node)
                fixes[id(removed)] = Fix(description=f"Remove unused `{what}`", edits=[edit])
    return fixes


def _inside_try(node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.type == "try_statement":
            return True
        parent = parent.parent
    return False


def _is_submodule_import(binding: ImportBinding) -> bool:
    return binding.source_module is None and "." in binding.imported


def _one_line(node: Node, limit: int) -> str:
    text = " ".join(node_text(node).replace("\\\n", " ").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name_children(
    statement: Node, imports: list[ImportBinding]
) -> list[tuple[Node, ImportBinding | None]]:
    """The statement's imported names in order, each with its binding (None if unknown)."""
    pool = [b for b in imports if b.statement.id == statement.id]
    out: list[tuple[Node, ImportBinding | None]] = []
    for child in statement.children_by_field_name("name"):
        start, end = line_range(child)
        bound = _bound_name(child, statement)
        match = next(
            (b for b in pool if b.name == bound and (b.line, b.end_line) == (start, end)), None
        )
        if match is not None:
            pool.remove(match)
        out.append((child, match))
    return out


def _bound_name(child: Node, statement: Node) -> str:
    if child.type == "aliased_import":
        alias = child.child_by_field_name("alias")
        return node_text(alias) if alias is not None else ""
    text = ".".join(node_text(c) for c in child.named_children if c.type == "identifier")
    return text.split(".", 1)[0] if statement.type == "import_statement" else text


def _remove_statement(module: ParsedModule, statement: Node) -> Edit | None:
    """Delete the statement's lines, unless it shares them or is the only one in its block."""
    source = module.source
    if not only_code_on_lines(source, statement.start_byte, statement.end_byte):
        return None
    parent = statement.parent
    siblings = parent.named_children if parent is not None and parent.type == "block" else None
    if siblings is not None and sum(1 for c in siblings if c.type != "comment") <= 1:
        return None
    start = line_start(source, statement.start_byte)
    return Edit(path=module.path, start_byte=start, end_byte=line_end(source, statement.end_byte))


def _remove_names(
    module: ParsedModule,
    statement: Node,
    children: list[tuple[Node, ImportBinding | None]],
    removable: set[int],
) -> dict[int, Edit]:
    """Edits removing some (not all) names of a statement; the ranges never overlap.

    One name per line (a parenthesised vertical list): remove those lines. Otherwise a name
    with a kept name somewhere after it goes with the text up to the next name, and a name in
    the trailing run of removed names goes with the text back to the previous name.
    """
    source = module.source
    nodes = [node for node, _ in children]
    edits: dict[int, Edit] = {}
    if all(only_code_on_lines(source, n.start_byte, _after_comma(source, n)) for n in nodes):
        for index in removable:
            start, end = nodes[index].start_byte, nodes[index].end_byte
            edits[index] = Edit(
                path=module.path,
                start_byte=line_start(source, start),
                end_byte=line_end(source, end),
            )
        return edits
    comments = [c for c in statement.children if c.type == "comment"]
    last_kept = max(i for i in range(len(nodes)) if i not in removable)
    for index in removable:
        if index < last_kept:
            start, end = nodes[index].start_byte, nodes[index + 1].start_byte
        else:
            start, end = nodes[index - 1].end_byte, nodes[index].end_byte
        if any(start <= c.start_byte < end for c in comments):
            continue  # the comment may be about a kept name: leave this one alone
        edits[index] = Edit(path=module.path, start_byte=start, end_byte=end)
    return edits


def _after_comma(source: bytes, node: Node) -> int:
    """End of ``node`` extended over a directly following comma."""
    end = node.end_byte
    rest = source[end : line_end(source, end)]
    stripped = rest.lstrip(b" \t")
    if stripped.startswith(b","):
        return end + (len(rest) - len(stripped)) + 1
    return end
