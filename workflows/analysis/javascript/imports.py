"""Reading import, re-export, ``require`` and export statements out of JS/TS syntax nodes.

What they yield (`JsImport`, `JsBinding`, `JsExport`) is plain data with no syntax node in it,
so it can leave the process that parsed the file and be cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tree_sitter import Node

from workflows.analysis.javascript.import_layout import ImportLayout, Span, import_layout, span

__all__ = [
    "NAMESPACE",
    "ExportKind",
    "ImportKind",
    "JsBinding",
    "JsExport",
    "JsImport",
    "declaration_kind",
    "declared_names",
    "import_from_statement",
    "import_from_value",
    "node_text",
    "reexport_from_statement",
    "string_literal",
]

ImportKind = Literal["import", "reexport", "require", "dynamic"]
ExportKind = Literal[
    "function", "class", "variable", "enum", "interface", "type", "namespace", "default",
    "clause", "reexport", "commonjs",
]  # fmt: skip

NAMESPACE = "*"
"""``JsBinding.imported`` of a binding that holds the whole module (``import * as ns``)."""

_DECLARATION_KINDS: dict[str, ExportKind] = {
    "function_declaration": "function",
    "generator_function_declaration": "function",
    "function_signature": "function",
    "class_declaration": "class",
    "abstract_class_declaration": "class",
    "lexical_declaration": "variable",
    "variable_declaration": "variable",
    "enum_declaration": "enum",
    "interface_declaration": "interface",
    "type_alias_declaration": "type",
    "internal_module": "namespace",
    "module": "namespace",
}


@dataclass(frozen=True, slots=True)
class JsBinding:
    """A local name an import binds: ``b`` in ``import {a as b}`` (``imported`` is ``a``)."""

    local: str
    imported: str
    """The export it reads: a name, ``default``, or ``*`` for the whole module."""
    line: int
    end_line: int
    span: Span
    """Where the specifier (or the bound identifier) is in the source."""
    type_only: bool = False


@dataclass(frozen=True, slots=True)
class JsImport:
    """One import of another module, in any of the ES, CommonJS and dynamic forms."""

    specifier: str
    kind: ImportKind
    line: int
    end_line: int
    """The last line of the statement (or of the ``require()``/``import()`` expression)."""
    bindings: tuple[JsBinding, ...] = ()
    names: frozenset[str] = frozenset()
    """Exports it asks for without binding them (re-exports, ``require("m").x``)."""
    all_names: bool = False
    """Asks for every export: ``export * as ns``, a bare ``require()``, ``import()``."""
    star: bool = False
    """``export * from``: forwards whatever the importer's importers ask for."""
    type_only: bool = False
    lazy: bool = False
    """Evaluated later than the importer: ``import()`` or ``require()`` inside a function."""
    layout: ImportLayout | None = None
    """Where the parts of an ES ``import`` statement are (what a fix removing some needs)."""


@dataclass(frozen=True, slots=True)
class JsExport:
    """One exported name of a module."""

    name: str
    kind: ExportKind
    line: int
    end_line: int


def node_text(node: Node) -> str:
    """Source text of ``node``."""
    return (node.text or b"").decode("utf-8", "replace")


def string_literal(node: Node | None) -> str | None:
    """The value of a plain string (or substitution-free template string), else None."""
    if node is None:
        return None
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.children
    ):
        return node_text(node)[1:-1]
    if node.type == "string":
        return node_text(node)[1:-1]
    return None


def _line(node: Node) -> int:
    return node.start_point.row + 1


def _end_line(node: Node) -> int:
    return node.end_point.row + 1


def _has_type_keyword(node: Node) -> bool:
    return any(c.type == "type" and not c.is_named for c in node.children)


def _specifier_name(node: Node | None) -> str:
    if node is None:
        return ""
    return string_literal(node) or node_text(node)


def _binding(local: Node, imported: str, holder: Node, type_only: bool) -> JsBinding:
    return JsBinding(
        node_text(local), imported, _line(holder), _end_line(holder), span(holder), type_only
    )


def import_from_statement(node: Node, file_source: bytes) -> JsImport | None:
    """The import an ``import_statement`` makes (ES or TS ``import x = require()``) in
    ``file_source``, the file's bytes."""
    statement_type = _has_type_keyword(node)
    source = node.child_by_field_name("source")
    bindings: list[JsBinding] = []
    for clause in node.named_children:
        if clause.type == "import_require_clause":
            source = clause.child_by_field_name("source")
            local = clause.named_children[0]
            bindings.append(_binding(local, NAMESPACE, local, statement_type))
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                bindings.append(_binding(part, "default", part, statement_type))
            elif part.type == "namespace_import":
                local = next(c for c in part.named_children if c.type == "identifier")
                bindings.append(_binding(local, NAMESPACE, part, statement_type))
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    name = spec.child_by_field_name("name")
                    bound = spec.child_by_field_name("alias") or name
                    if name is None or bound is None:
                        continue
                    type_only = statement_type or _has_type_keyword(spec)
                    bindings.append(_binding(bound, _specifier_name(name), spec, type_only))
    specifier = string_literal(source)
    if specifier is None:
        return None
    type_only = statement_type or (bool(bindings) and all(b.type_only for b in bindings))
    return JsImport(
        specifier, "import", _line(node), _end_line(node), tuple(bindings), type_only=type_only,
        layout=import_layout(file_source, node),
    )  # fmt: skip


def reexport_from_statement(node: Node) -> JsImport | None:
    """The import hidden in ``export ... from "m"`` (None for an export without ``from``)."""
    specifier = string_literal(node.child_by_field_name("source"))
    if specifier is None:
        return None
    type_only = _has_type_keyword(node)
    names: set[str] = set()
    all_names = star = False
    for child in node.named_children:
        if child.type == "namespace_export":
            all_names = True
        elif child.type == "export_clause":
            for spec in child.named_children:
                name = spec.child_by_field_name("name")
                if spec.type == "export_specifier" and name is not None:
                    names.add(_specifier_name(name))
    if not names and not all_names:
        star = True  # export * from "m"
    return JsImport(
        specifier, "reexport", _line(node), _end_line(node), names=frozenset(names),
        all_names=all_names, star=star, type_only=type_only,
    )  # fmt: skip


def _call_specifier(call: Node) -> tuple[ImportKind, str] | None:
    """``("require", "m")`` for ``require("m")``, ``("dynamic", "m")`` for ``import("m")``."""
    if call.type != "call_expression":
        return None
    function = call.child_by_field_name("function")
    arguments = call.child_by_field_name("arguments")
    if function is None or arguments is None:
        return None
    if function.type == "import":
        kind: ImportKind = "dynamic"
    elif function.type == "identifier" and node_text(function) == "require":
        kind = "require"
    else:
        return None
    args = arguments.named_children
    specifier = string_literal(args[0]) if len(args) == 1 else None
    return None if specifier is None else (kind, specifier)


def import_from_value(value: Node, target: Node | None, *, lazy: bool) -> JsImport | None:
    """The import made by ``value`` (``require("m")``, ``require("m").x``, ``await import("m")``)
    when its result is bound to ``target`` (a declarator's name, or None when unbound)."""
    call, member = value, None
    if value.type == "await_expression" and value.named_child_count == 1:
        call = value.named_children[0]
    elif value.type == "member_expression":
        call = value.child_by_field_name("object") or value
        prop = value.child_by_field_name("property")
        member = node_text(prop) if prop is not None else None
    found = _call_specifier(call)
    if found is None or (member is not None and found[0] != "require"):
        return None
    kind, specifier = found
    lazy = lazy or kind == "dynamic"
    imported = member or NAMESPACE
    bindings: list[JsBinding] = []
    names: set[str] = set()
    all_names = target is None and member is None
    if target is None:
        names.update([member] if member else [])
    elif target.type == "identifier":
        bindings.append(_binding(target, imported, target, False))
    elif target.type == "object_pattern" and member is None:
        all_names = _destructured(target, bindings, names)
    else:
        all_names = member is None
        names.update([member] if member else [])
    return JsImport(
        specifier, kind, _line(value), _end_line(value), tuple(bindings), frozenset(names),
        all_names=all_names, lazy=lazy,
    )  # fmt: skip


def _destructured(pattern: Node, bindings: list[JsBinding], names: set[str]) -> bool:
    """Fill ``bindings``/``names`` from ``{a, b: c, d = 1, ...rest}``; True if it takes all."""
    takes_all = False
    for entry in pattern.named_children:
        if entry.type == "object_assignment_pattern":
            entry = entry.child_by_field_name("left") or entry
        if entry.type == "shorthand_property_identifier_pattern":
            bindings.append(_binding(entry, node_text(entry), entry, False))
        elif entry.type == "pair_pattern":
            key, value = entry.child_by_field_name("key"), entry.child_by_field_name("value")
            if key is None or key.type not in ("property_identifier", "string"):
                takes_all = True
                continue
            if value is not None and value.type == "assignment_pattern":
                value = value.child_by_field_name("left")
            if value is not None and value.type == "identifier":
                bindings.append(_binding(value, _specifier_name(key), entry, False))
            else:
                names.add(_specifier_name(key))
        elif entry.type == "rest_pattern":
            takes_all = True
    return takes_all


def declared_names(declaration: Node) -> list[Node]:
    """The name nodes a declaration introduces (``const {a, b: [c]} = ...`` gives a and c)."""
    if declaration.type == "ambient_declaration":
        inner = [c for c in declaration.named_children if c.type in _DECLARATION_KINDS]
        return declared_names(inner[0]) if inner else []
    if declaration.type in ("lexical_declaration", "variable_declaration"):
        found: list[Node] = []
        for declarator in declaration.named_children:
            name = declarator.child_by_field_name("name")
            if declarator.type == "variable_declarator" and name is not None:
                found.extend(_pattern_names(name))
        return found
    name = declaration.child_by_field_name("name")
    return [name] if name is not None and name.type != "string" else []


def declaration_kind(declaration: Node) -> ExportKind | None:
    """The export kind of a declaration node, or None if it declares nothing exportable."""
    if declaration.type == "ambient_declaration":
        inner = [c for c in declaration.named_children if c.type in _DECLARATION_KINDS]
        return _DECLARATION_KINDS[inner[0].type] if inner else None
    return _DECLARATION_KINDS.get(declaration.type)


def _pattern_names(pattern: Node) -> list[Node]:
    if pattern.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [pattern]
    found: list[Node] = []
    for child in pattern.named_children:
        if pattern.type == "pair_pattern" and child == pattern.child_by_field_name("key"):
            continue
        if child.type in ("assignment_pattern", "object_assignment_pattern"):
            child = child.child_by_field_name("left") or child
        found.extend(_pattern_names(child))
    return found
