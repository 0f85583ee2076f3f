"""Small helpers for reading tree-sitter Python nodes, shared by the walk and the rules."""

from __future__ import annotations

from tree_sitter import Node

__all__ = [
    "dotted_name",
    "is_generic_alias",
    "is_main_guard",
    "line_range",
    "node_text",
    "string_value",
]

_TYPE_GENERICS = frozenset({"list", "dict", "set", "frozenset", "tuple", "type"})
_NOT_TYPE_SUBSCRIPTS = frozenset({"Literal"})


def line_range(node: Node) -> tuple[int, int]:
    """1-based first and last line of ``node``."""
    return node.start_point.row + 1, node.end_point.row + 1


def node_text(node: Node) -> str:
    """Source text of ``node``."""
    return (node.text or b"").decode("utf-8", "replace")


def dotted_name(node: Node) -> str:
    """``a.b.c`` for a ``dotted_name`` node, whitespace and comments dropped."""
    return ".".join(node_text(c) for c in node.named_children if c.type == "identifier")


def string_value(node: Node) -> str | None:
    """The value of a plain (non-f, non-concatenated) string literal, else None."""
    if node.type != "string":
        return None
    parts: list[str] = []
    for child in node.children:
        if child.type == "interpolation":
            return None
        if child.type == "string_content":
            parts.append(node_text(child))
    return "".join(parts)


def is_generic_alias(value: Node | None) -> bool:
    """Whether ``value[...]`` looks like a generic type: ``Optional[...]``, ``t.Sequence[...]``."""
    if value is None or value.type not in ("identifier", "attribute"):
        return False
    name = node_text(value).rsplit(".", 1)[-1]
    if name in _TYPE_GENERICS:
        return True
    return name[:1].isupper() and not name.isupper() and name not in _NOT_TYPE_SUBSCRIPTS


def is_main_guard(node: Node) -> bool:
    """Whether an ``if_statement`` is ``if __name__ == "__main__":`` (either operand order)."""
    condition = node.child_by_field_name("condition")
    if condition is None or condition.type != "comparison_operator":
        return False
    operators = condition.children_by_field_name("operators")
    operands = [c for c in condition.named_children if c.type != "comment"]
    if len(operands) != 2 or [o.type for o in operators] != ["=="]:
        return False
    kinds = {(o.type, string_value(o) if o.type == "string" else node_text(o)) for o in operands}
    return kinds == {("identifier", "__name__"), ("string", "__main__")}
