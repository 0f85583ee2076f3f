"""Shared helpers of the function rules: names, decorators, methods and trivial bodies.

A function's parameters and local scope are the engine's: see `workflows.analysis.scopes`.
"""

from __future__ import annotations

from tree_sitter import Node

from workflows.analysis.memo import per_file
from workflows.analysis.nodes import node_text
from workflows.analysis.parsing import field_id

_NOT_IMPLEMENTED = frozenset({"NotImplementedError", "NotImplemented"})
_NAME = field_id("name")


def function_name(func: Node) -> str:
    """The name of a ``function_definition`` or ``class_definition``."""
    name = func.child_by_field_id(_NAME)
    return node_text(name) if name is not None else ""


def is_dunder(name: str) -> bool:
    """Whether ``name`` is ``__special__``."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _decorators(func: Node) -> list[Node]:
    parent = func.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    return [c for c in parent.children if c.type == "decorator"]


def decorator_names(func: Node) -> list[str]:
    """Decorators as written, call arguments dropped: ``staticmethod``, ``app.route``."""
    names: list[str] = []
    for decorator in _decorators(func):
        expression = next((c for c in decorator.named_children if c.type != "comment"), None)
        if expression is not None and expression.type == "call":
            expression = expression.child_by_field_name("function")
        names.append(node_text(expression) if expression is not None else "")
    return names


def _definition_parent(node: Node) -> Node | None:
    """The node holding a definition's statement (skipping ``decorated_definition``)."""
    parent = node.parent
    if parent is not None and parent.type == "decorated_definition":
        parent = parent.parent
    return parent


def enclosing_class(func: Node) -> Node | None:
    """The ``class_definition`` whose body directly holds ``func``, if any."""
    block = _definition_parent(func)
    if block is None or block.type != "block":
        return None
    owner = block.parent
    return owner if owner is not None and owner.type == "class_definition" else None


def is_method(func: Node) -> bool:
    """Whether ``func`` is defined directly in a class body."""
    return enclosing_class(func) is not None


def is_nested_function(func: Node) -> bool:
    """Whether ``func`` is defined inside another function (at any depth)."""
    node = func.parent
    while node is not None:
        if node.type in ("function_definition", "lambda"):
            return True
        node = node.parent
    return False


@per_file
def takes_implicit_first(func: Node) -> bool:
    """Whether the first parameter is ``self``/``cls``: a method that is not a staticmethod."""
    return is_method(func) and "staticmethod" not in decorator_names(func)


def _statements(block: Node) -> list[Node]:
    return [c for c in block.named_children if c.type != "comment"]


def _is_docstring(statement: Node) -> bool:
    children = [c for c in statement.named_children if c.type != "comment"]
    return (
        statement.type == "expression_statement"
        and len(children) == 1
        and children[0].type in ("string", "concatenated_string")
    )


def _raises_not_implemented(statement: Node) -> bool:
    if statement.type != "raise_statement":
        return False
    raised = next((c for c in statement.named_children if c.type != "comment"), None)
    if raised is not None and raised.type == "call":
        raised = raised.child_by_field_name("function")
    return raised is not None and node_text(raised).rsplit(".", 1)[-1] in _NOT_IMPLEMENTED


def is_trivial_body(func: Node) -> bool:
    """Whether the body is only a docstring, ``...``, ``pass`` or ``raise NotImplementedError``."""
    body = func.child_by_field_name("body")
    if body is None:
        return True
    for statement in _statements(body):
        if statement.type == "pass_statement" or _is_docstring(statement):
            continue
        if statement.type == "expression_statement" and node_text(statement) == "...":
            continue
        if not _raises_not_implemented(statement):
            return False
    return True
