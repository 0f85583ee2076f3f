"""Reading calls through a module's imports, for the integration-point rule.

``import requests as r`` makes ``r.get(...)`` read as ``requests.get``; a name assigned from a
known constructor (``client = httpx.Client()``, ``async with ClientSession() as s``, a parameter
annotated ``client: httpx.AsyncClient``) is remembered by its spelling in its function (names
with a dot, like ``self._client``, module-wide).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tree_sitter import Node

from workflows.analysis.nodes import node_text
from workflows.analysis.rules import _calls
from workflows.analysis.rules._calls import dotted_name, word_from
from workflows.analysis.symbols import ModuleSymbols

__all__ = [
    "TRACKING_NODE_TYPES",
    "Receivers",
    "argument",
    "keyword",
    "qualified_name",
    "receiver_text",
    "tracked_receivers",
]

TRACKING_NODE_TYPES = frozenset(
    {"assignment", "as_pattern", "typed_parameter", "typed_default_parameter"}
)
"""Node types `tracked_receivers` reads: request them in the rule's ``NODE_TYPES``."""

_MAX_RECEIVER = 80
_NAME_TYPES = ("identifier", "attribute")


def qualified_name(node: Node | None, aliases: Mapping[str, str]) -> str | None:
    """Import-resolved dotted name of ``node`` (``sp.run`` -> ``subprocess.run``), or None when
    its first part is not imported (builtins included) or it is not a plain chain of names."""
    if node is None or node.type not in _NAME_TYPES:
        return None
    # Cheap first: a chain's text starts with its first part, which must be imported.
    if word_from(node.text or b"", 0).decode("utf-8", "replace") not in aliases:
        return None
    return _calls.qualified_name(node, aliases, builtins=False, parentheses=False)


def receiver_text(node: Node) -> str | None:
    """Spelling of a receiver expression (``client``, ``self._client``) if short and plain."""
    if (
        node.type not in ("identifier", "attribute")
        or node.end_byte - node.start_byte > _MAX_RECEIVER
    ):
        return None
    return dotted_name(node, parentheses=False)


def argument(call: Node, index: int, name: str | None = None) -> Node | None:
    """The ``index``-th positional argument of ``call``, or its keyword ``name``."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "argument_list":
        return None
    positional = [
        a
        for a in arguments.named_children
        if a.type not in ("keyword_argument", "comment", "list_splat", "dictionary_splat")
    ]
    if index < len(positional):
        return positional[index]
    return keyword(call, name) if name is not None else None


def keyword(call: Node, name: str) -> Node | None:
    """The value of keyword argument ``name`` of ``call``."""
    arguments = call.child_by_field_name("arguments")
    for child in arguments.named_children if arguments is not None else ():
        key = child.child_by_field_name("name") if child.type == "keyword_argument" else None
        if key is not None and node_text(key) == name:
            return child.child_by_field_name("value")
    return None


def _constructed(value: Node | None, resolve: Callable[[Node], str | None]) -> str | None:
    """What ``value`` constructs: the resolved callee of a (possibly awaited) call."""
    while value is not None and value.type in ("await", "parenthesized_expression"):
        value = value.named_children[0] if value.named_children else None
    if value is None or value.type != "call":
        return None
    return resolve(value.child_by_field_name("function") or value)


def _scope(node: Node) -> int:
    """Id of the function ``node`` sits in (0 at module level)."""
    parent = node.parent
    while parent is not None and parent.type != "function_definition":
        parent = parent.parent
    return parent.id if parent is not None else 0


class Receivers:
    """Receiver spellings remembered with what made them, looked up by node."""

    def __init__(self) -> None:
        self._known: dict[tuple[int, str], str] = {}

    def remember(self, target: Node, origin: str) -> None:
        """Record that ``target`` (a name or ``self.x``) holds what ``origin`` made."""
        name = receiver_text(target)
        if name is not None:
            self._known.setdefault((0 if "." in name else _scope(target), name), origin)

    def get(self, receiver: Node) -> str | None:
        """What made ``receiver``, if its spelling was recorded in its function or module-wide."""
        name = receiver_text(receiver)
        if name is None:
            return None
        if "." not in name and (found := self._known.get((_scope(receiver), name))):
            return found
        return self._known.get((0, name))


def _assigned_origin(
    node: Node,
    resolve: Callable[[Node], str | None],
    value_origin: Callable[[Node], str | None],
) -> str | None:
    """What an assignment's value makes, or else what its annotation names."""
    value = node.child_by_field_name("right")
    origin = _constructed(value, resolve) or (value_origin(value) if value else None)
    if origin is None:
        annotation = node.child_by_field_name("type")
        if annotation is not None and annotation.named_children:
            origin = resolve(annotation.named_children[0])
    return origin


def tracked_receivers(
    symbols: ModuleSymbols,
    aliases: Mapping[str, str],
    wanted: Callable[[str], bool],
    value_origin: Callable[[Node], str | None] = lambda _: None,
) -> Receivers:
    """Receivers made with (or annotated as) a ``wanted`` constructor, by spelling and scope.

    ``value_origin`` names what an assigned value other than a call makes (``root / "x"``).
    """

    def resolve(node: Node) -> str | None:
        return qualified_name(node, aliases)

    tracked = Receivers()

    def remember(target: Node | None, origin: str | None) -> None:
        if target is not None and origin is not None and wanted(origin):
            tracked.remember(target, origin)

    for node in symbols.nodes_of("assignment"):
        origin = _assigned_origin(node, resolve, value_origin)
        if origin is not None and wanted(origin):  # the target is read only when it counts
            remember(node.child_by_field_name("left"), origin)
    for node in symbols.nodes_of("as_pattern"):
        alias = node.child_by_field_name("alias")
        target = alias.named_children[0] if alias is not None and alias.named_children else None
        remember(target, _constructed(node.named_children[0], resolve))
    for kind in ("typed_parameter", "typed_default_parameter"):
        for node in symbols.nodes_of(kind):
            annotation = node.child_by_field_name("type")
            name = node.child_by_field_name("name")
            if name is None and node.named_children:
                name = node.named_children[0]
            if annotation is not None and annotation.named_children:
                remember(name, resolve(annotation.named_children[0]))
    return tracked
