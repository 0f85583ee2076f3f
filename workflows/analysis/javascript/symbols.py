"""Per-file facts of a JS/TS module gathered in a single walk of its syntax tree.

The walk records imports (ES, ``export ... from``, CommonJS ``require``, ``import()``), exports
(ES and CommonJS) and every name the file reads: identifiers outside binding sites, TypeScript
type names and JSX component names. Names are matched by spelling: there is no scope analysis.
The facts hold no syntax node, so they can be pickled across processes and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from workflows.analysis.javascript.imports import (
    ExportKind,
    JsExport,
    JsImport,
    declaration_kind,
    declared_names,
    import_from_statement,
    import_from_value,
    node_text,
    reexport_from_statement,
)
from workflows.analysis.javascript.parsing import JsModule

__all__ = ["JsSymbols", "collect_js_symbols"]

# How a node is used, decided by its parent and passed down the walk.
_LOAD, _STORE, _MEMBER, _JSX_NAME, _SKIP = range(5)

_NAME_TYPES = frozenset({"identifier", "type_identifier", "shorthand_property_identifier"})
# Nodes that never hold a name read (walking into them would only cost time).
_INERT_TYPES = frozenset(
    {"string", "number", "regex", "property_identifier", "private_property_identifier",
     "statement_identifier", "predefined_type", "jsx_text", "jsx_namespace_name", "true",
     "false", "null", "undefined", "this", "super", "hash_bang_line", "literal_type"}
)  # fmt: skip
_PATTERN_TYPES = frozenset(
    {"object_pattern", "array_pattern", "rest_pattern", "pair_pattern", "assignment_pattern",
     "object_assignment_pattern", "shorthand_property_identifier_pattern"}
)  # fmt: skip
_FUNCTION_TYPES = frozenset(
    {"function_declaration", "generator_function_declaration", "function_expression",
     "function", "generator_function", "arrow_function", "method_definition"}
)  # fmt: skip
_OWNER_TYPES = frozenset(
    {"function_declaration", "generator_function_declaration", "class_declaration",
     "abstract_class_declaration"}
)  # fmt: skip
_NAMED: dict[str | None, int] = {"name": _STORE}
# Parent type -> {field name (None: unnamed child) -> context}. `_STORE` only applies to
# children that are identifiers or binding patterns; anything else is read (`_LOAD`).
_CHILD_CONTEXT: dict[str, dict[str | None, int]] = {
    **dict.fromkeys(
        ["function_declaration", "generator_function_declaration", "function_expression",
         "function", "generator_function", "function_signature", "class_declaration", "class",
         "abstract_class_declaration", "interface_declaration", "type_alias_declaration",
         "enum_declaration", "internal_module", "module", "variable_declarator",
         "type_parameter", "index_signature"],
        _NAMED,
    ),
    "formal_parameters": {None: _STORE},
    "required_parameter": {"pattern": _STORE},
    "optional_parameter": {"pattern": _STORE},
    "arrow_function": {"parameter": _STORE},
    "catch_clause": {"parameter": _STORE},
    "for_in_statement": {"left": _STORE},
    "assignment_expression": {"left": _STORE},
    "member_expression": {"object": _MEMBER},
    "nested_identifier": {"object": _MEMBER},
    "nested_type_identifier": {"module": _MEMBER, "name": _SKIP},
    "jsx_opening_element": {"name": _JSX_NAME},
    "jsx_closing_element": {"name": _JSX_NAME},
    "jsx_self_closing_element": {"name": _JSX_NAME},
}  # fmt: skip
_PATTERN_CONTEXT: dict[str, dict[str | None, int]] = {
    "pair_pattern": {"key": _LOAD, "value": _STORE},
    "assignment_pattern": {"left": _STORE, "right": _LOAD},
    "object_assignment_pattern": {"left": _STORE, "right": _LOAD},
}
_EXPORT_KEY_TYPES = frozenset({"shorthand_property_identifier", "property_identifier"})
_JSDOC_TYPE_RE = re.compile(r"\{([^{}]*)\}")
_JS_NAME_RE = re.compile(r"[A-Za-z_$][\w$]*")


@dataclass(slots=True)
class JsSymbols:
    """What one walk of a JS/TS file found."""

    path: str
    imports: list[JsImport] = field(default_factory=list)
    exports: list[JsExport] = field(default_factory=list)
    references: set[str] = field(default_factory=set)
    """Names read anywhere (values, types, JSX tags, ``export {x}``), binding sites excluded,
    and except reads of a top-level function or class name inside its own body."""
    bare_references: set[str] = field(default_factory=set)
    """The subset of `references` read other than as ``name.member``."""
    member_uses: set[tuple[str, str]] = field(default_factory=set)
    """``(name, member)`` for every ``name.member`` read (values and ``ns.Type`` types)."""
    doc_references: set[str] = field(default_factory=set)
    """Names inside ``{...}`` of JSDoc comments (``@type {Foo}``)."""
    has_jsx: bool = False

    def requested_members(self, local: str) -> frozenset[str] | None:
        """Members read through namespace binding ``local``; None when it is used as a whole."""
        if local in self.bare_references:
            return None
        return frozenset(member for name, member in self.member_uses if name == local)

    def is_used(self, name: str) -> bool:
        """Whether the file reads ``name`` (in code, types, JSX or JSDoc)."""
        return name in self.references or name in self.doc_references

    def exported_names(self) -> frozenset[str]:
        """Names the file exports (``export const x = require("y")`` makes ``x`` one)."""
        return frozenset(e.name for e in self.exports)


def collect_js_symbols(module: JsModule) -> JsSymbols:
    """Walk ``module`` once and return its facts."""
    return _Collector(module).run()


class _Collector:
    """The single walk behind `collect_js_symbols`."""

    def __init__(self, module: JsModule) -> None:
        self.module = module
        self.symbols = JsSymbols(path=module.path)

    def run(self) -> JsSymbols:
        for top in self.module.root.children:
            self._walk(top, _owner_of(top))
        return self.symbols

    def _reference(self, name: str, owner: str | None, *, bare: bool) -> None:
        if name == owner:
            return
        self.symbols.references.add(name)
        if bare:
            self.symbols.bare_references.add(name)

    def _walk(self, start: Node, owner: str | None) -> None:
        stack: list[tuple[Node, int, bool]] = [(start, _LOAD, False)]
        while stack:
            node, ctx, in_function = stack.pop()
            kind = node.type
            if kind in _NAME_TYPES:
                if ctx in (_LOAD, _MEMBER) or (ctx == _JSX_NAME and _is_component(node)):
                    self._reference(node_text(node), owner, bare=ctx != _MEMBER)
                continue
            if ctx == _SKIP or kind in _INERT_TYPES:
                continue
            if kind == "comment":
                self._comment(node)
                continue
            if kind.startswith("jsx_"):
                self.symbols.has_jsx = True
            if self._special(node, in_function, stack):
                continue
            in_function = in_function or kind in _FUNCTION_TYPES
            rules = _PATTERN_CONTEXT.get(kind) if ctx == _STORE else None
            if ctx == _STORE and kind in _PATTERN_TYPES and rules is None:
                stack.extend((c, _STORE, in_function) for c in reversed(node.named_children))
                continue
            rules = rules or _CHILD_CONTEXT.get(kind)
            if rules is None:
                stack.extend((c, _LOAD, in_function) for c in reversed(node.named_children))
                continue
            _push_by_field(node, rules, in_function, stack)
            if kind == "member_expression" or kind == "nested_type_identifier":
                self._member(node)

    def _special(self, node: Node, in_function: bool, stack: list[tuple[Node, int, bool]]) -> bool:
        """Handle import/export/require nodes; True when their children need no walk."""
        kind = node.type
        if kind == "import_statement":
            found = import_from_statement(node, self.module.source)
            if found is not None:
                self.symbols.imports.append(found)
            return True
        if kind == "export_statement":
            return self._export(node, stack)
        if kind == "variable_declarator":
            value, name = node.child_by_field_name("value"), node.child_by_field_name("name")
            found = None if value is None else import_from_value(value, name, lazy=in_function)
            if found is None or name is None:
                return False
            self.symbols.imports.append(found)
            stack.append((name, _STORE, in_function))
            return True
        if kind == "call_expression":
            found = import_from_value(node, None, lazy=in_function)
            if found is not None:
                self.symbols.imports.append(found)
            return found is not None
        if kind == "assignment_expression":
            self._commonjs_export(node)
        return False

    def _export(self, node: Node, stack: list[tuple[Node, int, bool]]) -> bool:
        top_level = node.parent is not None and node.parent.type == "program"
        reexport = reexport_from_statement(node)
        if reexport is not None:
            self.symbols.imports.append(reexport)
            if top_level:
                for child in node.named_children:
                    self._clause_exports(child, "reexport")
            return True
        if top_level:
            self._statement_exports(node)
        for child in node.named_children:
            if child.type == "export_clause":
                if top_level:
                    self._clause_exports(child, "clause")
                for spec in child.named_children:
                    local = spec.child_by_field_name("name")
                    if local is not None and local.type == "identifier":
                        self._reference(node_text(local), None, bare=True)
            else:
                stack.append((child, _LOAD, False))
        return True

    def _statement_exports(self, node: Node) -> None:
        """What a top-level ``export`` statement exports besides its clause."""
        declaration = node.child_by_field_name("declaration")
        if any(c.type == "default" for c in node.children):
            self._add_export("default", "default", node, node)
        elif declaration is not None:
            export_kind = declaration_kind(declaration)
            for name in declared_names(declaration) if export_kind else ():
                self._add_export(node_text(name), export_kind or "variable", name, declaration)
        elif any(c.type == "=" for c in node.children):
            self._add_export("default", "commonjs", node, node)

    def _clause_exports(self, clause: Node, kind: ExportKind) -> None:
        if clause.type == "namespace_export":
            names = [c for c in clause.named_children if c.type in ("identifier", "string")]
            for name in names:
                self._add_export(node_text(name).strip("\"'"), kind, name, clause)
        if clause.type != "export_clause":
            return
        for spec in clause.named_children:
            exported = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
            if spec.type == "export_specifier" and exported is not None:
                self._add_export(node_text(exported).strip("\"'"), kind, spec, spec)

    def _commonjs_export(self, node: Node) -> None:
        """Record ``module.exports = ...``, ``exports.x = ...`` and ``module.exports.x = ...``."""
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or left.type != "member_expression":
            return
        target = node_text(left)
        if target == "module.exports":
            self._add_export("default", "commonjs", left, node)
            entries = right.named_children if right is not None and right.type == "object" else []
            for entry in entries:
                key = entry.child_by_field_name("key") if entry.type == "pair" else entry
                if key is not None and key.type in _EXPORT_KEY_TYPES:
                    self._add_export(node_text(key), "commonjs", key, entry)
        else:
            owner, _, name = target.rpartition(".")
            if owner in ("exports", "module.exports"):
                self._add_export(name, "commonjs", left, node)

    def _add_export(self, name: str, kind: ExportKind, node: Node, extent: Node) -> None:
        """Record export ``name`` declared at ``node``; ``extent`` gives its last line."""
        line, end_line = node.start_point.row + 1, max(extent.end_point.row, node.end_point.row) + 1
        self.symbols.exports.append(JsExport(name, kind, line, end_line))

    def _member(self, node: Node) -> None:
        obj = node.child_by_field_name("object") or node.child_by_field_name("module")
        prop = node.child_by_field_name("property") or node.child_by_field_name("name")
        if obj is not None and prop is not None and obj.type == "identifier":
            self.symbols.member_uses.add((node_text(obj), node_text(prop)))

    def _comment(self, node: Node) -> None:
        text = node_text(node)
        if text.startswith("/**"):
            for braces in _JSDOC_TYPE_RE.findall(text):
                self.symbols.doc_references.update(_JS_NAME_RE.findall(braces))


def _push_by_field(
    node: Node, rules: dict[str | None, int], in_function: bool, stack: list[tuple[Node, int, bool]]
) -> None:
    """Push the named children of ``node`` with the contexts ``rules`` gives their fields."""
    children = node.children
    for index in range(len(children) - 1, -1, -1):
        child = children[index]
        if child.is_named:
            child_ctx = rules.get(node.field_name_for_child(index), _LOAD)
            if child_ctx == _STORE and not _is_binding(child):
                child_ctx = _LOAD
            stack.append((child, child_ctx, in_function))


def _owner_of(top: Node) -> str | None:
    """The name of a top-level function or class declaration (also behind ``export``)."""
    target = top
    if top.type == "export_statement":
        target = top.child_by_field_name("declaration") or top
    if target.type not in _OWNER_TYPES:
        return None
    name = target.child_by_field_name("name")
    return node_text(name) if name is not None else None


def _is_binding(node: Node) -> bool:
    return node.type in _PATTERN_TYPES or node.type in ("identifier", "type_identifier")


def _is_component(node: Node) -> bool:
    """Whether a JSX tag name is a component (``Foo``) rather than an element (``div``)."""
    text = node_text(node)
    return node.type == "identifier" and not text[:1].islower() and "-" not in text
