"""Shared reading of calls and expressions for the security rules.

Qualified names go through the module's imports (``import subprocess as sp`` makes ``sp.run``
read as ``subprocess.run``); constness is judged on the syntax tree alone, without data flow.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from tree_sitter import Node

from workflows.analysis.memo import per_file, per_object
from workflows.analysis.nodes import node_text, string_value
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.symbols import ModuleSymbols

__all__ = [
    "Arguments",
    "arguments",
    "callee_name",
    "calls_named",
    "dotted_name",
    "import_aliases",
    "in_document_order",
    "is_constant",
    "is_constant_derived",
    "is_falsy_constant",
    "is_truthy_constant",
    "mentioned",
    "qualified_name",
    "spelled",
    "spellings",
    "string_template",
    "unwrap",
    "word_from",
    "word_to",
]

_LITERALS = frozenset({"integer", "float", "true", "false", "none", "ellipsis"})
_CONTAINERS = frozenset({"tuple", "list", "set", "expression_list"})
_CONSTANT_NAME_RE = re.compile(r"_*[A-Z][A-Z0-9_]*")
_PERCENT_FIELD_RE = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxXeEgGc]")
_FORMAT_FIELD_RE = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")
_FALSY_TEXTS = frozenset({"False", "None", "0", "0.0", "''", '""'})
# Bytes an identifier may be made of: ASCII letters, digits, ``_`` and any byte of a non-ASCII
# character (outside strings and comments, only identifiers hold those).
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") | set(
    range(0x80, 0x100)
)
_SPACE_RE = re.compile(rb"[ \t\r\n\f]*")
_WORD_RE = re.compile(rb"[A-Za-z0-9_\x80-\xff]*")


@per_object
def import_aliases(symbols: ModuleSymbols, *, relative: bool = True) -> dict[str, str]:
    """Bound name -> what it stands for: ``sp`` -> ``subprocess``, ``run`` -> ``subprocess.run``.

    ``import a.b`` binds ``a`` to ``a``. When a name is bound twice (``try: import cPickle as
    pickle`` / ``except ImportError: import pickle``) the first binding wins. Without
    ``relative``, relative imports are left out (they are the tree's own code). Made once per
    walk and shared: callers must not change the result.
    """
    aliases: dict[str, str] = {}
    for binding in symbols.imports:
        if binding.is_future or (not relative and (binding.source_module or "").startswith(".")):
            continue
        if binding.source_module is None:
            target = binding.imported if binding.alias else binding.name
        else:
            target = binding.qualified
        aliases.setdefault(binding.name, target)
    return aliases


def unwrap(node: Node) -> Node:
    """``node`` without surrounding parentheses."""
    while node.type == "parenthesized_expression":
        inner = [child for child in node.named_children if child.type != "comment"]
        if len(inner) != 1:
            break
        node = inner[0]
    return node


@per_file
def dotted_name(node: Node, *, parentheses: bool = True) -> str | None:
    """``a.b.c`` for an identifier or an attribute chain of identifiers, else None (``f().x``,
    ``a[0].b``); with ``parentheses``, ``(a).b`` counts as ``a.b``."""
    look_through = unwrap if parentheses else lambda n: n
    parts: list[str] = []
    current = look_through(node)
    while current.type == "attribute":
        attribute = current.child_by_field_name("attribute")
        target = current.child_by_field_name("object")
        if attribute is None or target is None:
            return None
        parts.append(node_text(attribute))
        current = look_through(target)
    if current.type != "identifier":
        return None
    parts.append(node_text(current))
    return ".".join(reversed(parts))


def qualified_name(
    node: Node | None,
    aliases: Mapping[str, str],
    *,
    builtins: bool = True,
    parentheses: bool = True,
) -> str | None:
    """Dotted name of an ``a.b.c`` expression with its first part resolved through imports.

    With ``builtins``, a lone name that is not imported stays as it is (``eval``); without, it
    is None. None when the expression is not a plain chain of names (see `dotted_name`) or its
    first part is not imported: in ``yaml = YAML(); yaml.load(...)`` the name is a local object,
    not the module.
    """
    dotted = dotted_name(node, parentheses=parentheses) if node is not None else None
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    origin = aliases.get(head)
    if origin is None:
        return head if builtins and not rest else None
    return f"{origin}.{rest}" if rest else origin


@per_file
def callee_name(call: Node) -> str:
    """The last part of what ``call`` calls (``run`` for ``sp.run(...)``): a cheap pre-filter."""
    function = call.child_by_field_name("function")
    if function is not None and function.type == "attribute":
        function = function.child_by_field_name("attribute")
    return node_text(function) if function is not None and function.type == "identifier" else ""


def spelled(module: ParsedModule, names: Collection[str], *, then: bytes = b"") -> list[Node]:
    """Identifier nodes of ``module`` spelled as one of ``names``, found without a walk.

    The source bytes are searched for the names; each whole word found (not part of a longer
    one) is mapped to the identifier spanning exactly its bytes, if any: words in strings and
    comments are not identifiers. With ``then``, only words whose next significant byte may be
    one of ``then`` are looked up (``b"("`` for a callee).
    """
    anchors, words = _anchors(frozenset(names))
    root, source = module.root, module.source
    found: dict[int, Node] = {}
    for anchor in anchors:
        start = source.find(anchor)
        while start >= 0:
            left, right = _word_around(source, start, start + len(anchor))
            if source[left:right] in words and _next_fits(source, right, then):
                node = root.named_descendant_for_byte_range(left, right)
                if node is not None and node.byte_range == (left, right):
                    found.setdefault(left, node)  # a word holding two anchors is found twice
            start = source.find(anchor, right)
    return [node for node in found.values() if node.type == "identifier"]


@functools.lru_cache(maxsize=256)
def _anchors(names: frozenset[str]) -> tuple[tuple[bytes, ...], frozenset[bytes]]:
    """Names to search for, so that every name holds one (``load`` finds ``loads`` and
    ``unsafe_load`` too: each ``bytes.find`` scans the whole source), and all names as bytes."""
    anchors: list[bytes] = []
    for word in sorted(sorted(name.encode() for name in names), key=len):
        if not any(anchor in word for anchor in anchors):
            anchors.append(word)
    return tuple(anchors), frozenset(name.encode() for name in names)


def word_from(source: bytes, start: int) -> bytes:
    """The run of identifier bytes starting at ``start``: an identifier's text, when one starts
    there (what follows an identifier is never an identifier byte)."""
    return _WORD_RE.match(source, start).group()  # type: ignore[union-attr]  # `*` matches


def word_to(source: bytes, end: int) -> bytes:
    """The run of identifier bytes ending at ``end``: an identifier's text, when one ends there."""
    start = end
    while start and source[start - 1] in _WORD_BYTES:
        start -= 1
    return source[start:end]


def _word_around(source: bytes, start: int, end: int) -> tuple[int, int]:
    """The bytes of the word holding ``source[start:end]``: an identifier's, when it is one."""
    while start and source[start - 1] in _WORD_BYTES:
        start -= 1
    size = len(source)
    while end < size and source[end] in _WORD_BYTES:
        end += 1
    return start, end


def _next_fits(source: bytes, end: int, then: bytes) -> bool:
    """Whether the first byte after ``end`` that is not white space is one of ``then`` (or may
    start a comment or line continuation hiding it); always true for an empty ``then``."""
    if not then:
        return True
    at = _SPACE_RE.match(source, end).end()  # type: ignore[union-attr]  # `*` always matches
    following = source[at : at + 1]
    return following in (b"#", b"\\") or (len(following) == 1 and following in then)


def calls_named(
    module: ParsedModule,
    calls: list[Node],
    names: Collection[str],
    symbols: ModuleSymbols | None = None,
) -> list[Node]:
    """Those of ``calls`` (all the module's ``call`` nodes, in document order) whose
    `callee_name` is in ``names``, in the same order.

    Same result as filtering ``calls`` with `callee_name`, but the work grows with how often
    the names are spelled in the source rather than with the number of calls: each spelling
    found by `spelled` is tied to the call it names, if any. Given the module's walk
    (``symbols``), names it never mentions are not even searched for (see `mentioned`). Files
    with syntax errors take the plain filter (their trees may hold calls the walk did not
    collect).
    """
    if module.has_error:
        return [call for call in calls if callee_name(call) in names]
    if symbols is not None:
        names = mentioned(symbols, names)
        if not names:  # most modules call none of the names: no search at all
            return []
    named = (_call_of_callee(identifier) for identifier in spelled(module, names, then=b"("))
    return in_document_order(call for call in named if call is not None)


def mentioned(symbols: ModuleSymbols, names: Collection[str]) -> frozenset[str]:
    """Those of ``names`` the walk saw read or mentioned as an attribute (the callee of a call
    is one or the other), or that name a module-level definition (whose own body's mentions
    of its name are no references): a superset of the `callee_name` of every call."""
    loads, references = symbols.loads, symbols.references
    found = {name for name in names if name in references or name in loads}
    if len(found) < len(names):
        found.update(d.name for d in symbols.definitions if d.name in names)
    return frozenset(found)


def in_document_order(nodes: Iterable[Node]) -> list[Node]:
    """``nodes`` without repeats, in the walk's order: by start, an enclosing node (ending
    later) before the nodes inside it."""
    return sorted(set(nodes), key=lambda node: (node.start_byte, -node.end_byte))


def _call_of_callee(identifier: Node) -> Node | None:
    """The call whose `callee_name` is ``identifier`` (``f`` of ``f()`` or ``a.f()``), if any."""
    callee, parent = identifier, identifier.parent
    if parent is not None and parent.type == "attribute":
        if parent.child_by_field_name("attribute") != identifier:
            return None
        callee, parent = parent, parent.parent
    if parent is None or parent.type != "call" or parent.child_by_field_name("function") != callee:
        return None
    return parent


def spellings(last_names: frozenset[str], aliases: Mapping[str, str]) -> frozenset[str]:
    """What `callee_name` may return for a call worth resolving: ``last_names`` plus local
    names imported as one of them (``co`` after ``from subprocess import check_output as co``).
    """
    by_last = _by_last_name(aliases)
    if by_last.keys().isdisjoint(last_names):  # most modules import none of them
        return last_names
    return last_names.union(*(by_last[name] for name in by_last.keys() & last_names))


@per_object
def _by_last_name(aliases: Mapping[str, str]) -> dict[str, set[str]]:
    """Last part of what each alias stands for -> the aliases (made once per ``aliases``)."""
    by_last: dict[str, set[str]] = {}
    for name, target in aliases.items():
        by_last.setdefault(target.rsplit(".", 1)[-1], set()).add(name)
    return by_last


@dataclass(frozen=True, slots=True)
class Arguments:
    """A call's arguments: positional ones in order, keyword ones by name."""

    positional: list[Node]
    keywords: dict[str, Node]
    has_splat: bool
    """Whether ``*args`` or ``**kwargs`` may pass more than is visible."""

    def get(self, index: int, name: str | None = None) -> Node | None:
        """The argument at position ``index``, or passed as keyword ``name``."""
        if index < len(self.positional):
            return self.positional[index]
        return self.keywords.get(name) if name is not None else None


@per_file
def arguments(call: Node) -> Arguments:
    """Split the arguments of a ``call`` node (empty for ``f(x for x in y)``)."""
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    has_splat = False
    node = call.child_by_field_name("arguments")
    if node is None or node.type != "argument_list":
        return Arguments(positional, keywords, has_splat)
    for child in node.named_children:
        if child.type == "keyword_argument":
            name = child.child_by_field_name("name")
            value = child.child_by_field_name("value")
            if name is not None and value is not None:
                keywords[node_text(name)] = value
        elif child.type in ("list_splat", "dictionary_splat"):
            has_splat = True
        elif child.type != "comment":
            positional.append(child)
    return Arguments(positional, keywords, has_splat)


def is_constant(node: Node) -> bool:
    """Whether ``node`` is a literal or built only from literals (``"a" + "b"``, ``-1``)."""
    node = unwrap(node)
    kind = node.type
    if kind in _LITERALS:
        return True
    if kind == "string":
        return all(child.type != "interpolation" for child in node.children)
    if kind == "concatenated_string" or kind in _CONTAINERS:
        return all(is_constant(c) for c in node.named_children if c.type != "comment")
    if kind == "dictionary":
        return all(c.type == "pair" and is_constant(c) for c in node.named_children)
    if kind == "pair":
        return all(is_constant(c) for c in node.named_children)
    if kind in ("unary_operator", "not_operator"):
        operand = node.child_by_field_name("argument")
        return operand is not None and is_constant(operand)
    if kind == "binary_operator":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        return left is not None and right is not None and is_constant(left) and is_constant(right)
    return False


def is_constant_derived(node: Node) -> bool:
    """Whether a non-literal ``node`` is still obviously built from constants.

    ``SCRIPT`` and ``cfg.SCRIPT`` (upper-case names), ``dedent("...")``, ``"-".join(["a"])``,
    ``"a" if flag else "b"`` and f-strings or operators over such parts.
    """
    node = unwrap(node)
    if is_constant(node):
        return True
    kind = node.type
    if kind in ("identifier", "attribute"):
        last = node_text(node).rsplit(".", 1)[-1]
        return _CONSTANT_NAME_RE.fullmatch(last) is not None
    if kind == "conditional_expression":
        branches = node.named_children
        return len(branches) == 3 and all(is_constant_derived(b) for b in branches[:2])
    if kind == "binary_operator":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        return all(side is not None and is_constant_derived(side) for side in (left, right))
    if kind == "string":
        parts = [_interpolated(c) for c in node.children if c.type == "interpolation"]
        return all(part is not None and is_constant_derived(part) for part in parts)
    if kind == "concatenated_string" or kind in _CONTAINERS:
        return all(is_constant_derived(c) for c in node.named_children if c.type != "comment")
    if kind == "call":
        function = node.child_by_field_name("function")
        args = arguments(node)
        if function is None or args.has_splat or not (args.positional or args.keywords):
            return False
        receiver = function.child_by_field_name("object") if function.type == "attribute" else None
        if receiver is not None and not is_constant_derived(receiver):
            return False
        return all(is_constant_derived(a) for a in [*args.positional, *args.keywords.values()])
    return False


def _interpolated(interpolation: Node) -> Node | None:
    return interpolation.child_by_field_name("expression")


def is_truthy_constant(node: Node) -> bool:
    """``True``, a non-zero number or a non-empty string literal."""
    node = unwrap(node)
    if node.type == "true":
        return True
    if node.type in ("integer", "float"):
        return node_text(node).strip("0._") not in ("", "x", "o", "b", "j")
    if node.type == "string":
        return bool(string_value(node))
    return False


def is_falsy_constant(node: Node) -> bool:
    """``False``, ``None``, ``0`` or an empty string literal."""
    return unwrap(node).type in _LITERALS | {"string"} and node_text(unwrap(node)) in _FALSY_TEXTS


def string_template(
    node: Node, static: Callable[[Node], bool] = is_constant
) -> tuple[str, bool] | None:
    """Text of a string expression with every non-``static`` part (or field) shown as ``{}``.

    Handles literals, f-strings, ``+``, ``"..." % args`` and ``"...".format(args)``; returns the
    text and whether any part was not static, or None when ``node`` is not such an expression.
    """
    node = unwrap(node)
    kind = node.type
    if kind == "string":
        return _literal_template(node, static)
    if kind == "concatenated_string":
        pieces = [string_template(c, static) for c in node.named_children if c.type == "string"]
        return "".join(p[0] for p in pieces if p), any(p[1] for p in pieces if p)
    if kind == "call":
        return _format_template(node, static)
    if kind == "binary_operator":
        return _operator_template(node, static)
    return None


def _literal_template(string: Node, static: Callable[[Node], bool]) -> tuple[str, bool]:
    """A string literal (an f-string's non-``static`` fields shown as ``{}``)."""
    parts: list[str] = []
    dynamic = False
    for child in string.children:
        if child.type == "string_content":
            parts.append(node_text(child))
        elif child.type == "interpolation":
            expression = _interpolated(child)
            if expression is not None and static(expression):
                parts.append(node_text(expression))
            else:
                parts.append("{}")
                dynamic = True
    return "".join(parts), dynamic


def _operator_template(node: Node, static: Callable[[Node], bool]) -> tuple[str, bool] | None:
    """``"..." % args`` and ``a + b`` where a side is a string expression."""
    operator = node.child_by_field_name("operator")
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if operator is None or left is None or right is None:
        return None
    if operator.type == "%":
        base = string_template(left, static)
        if base is None or static(right):
            return base
        return _PERCENT_FIELD_RE.sub("{}", base[0]), True
    if operator.type != "+":
        return None
    sides = [string_template(left, static), string_template(right, static)]
    if sides[0] is None and sides[1] is None:
        return None
    text = "".join(side[0] if side else "{}" for side in sides)
    pairs = zip(sides, (left, right), strict=True)
    dynamic = any(side[1] if side else not static(raw) for side, raw in pairs)
    return text, dynamic


def _format_template(call: Node, static: Callable[[Node], bool]) -> tuple[str, bool] | None:
    """``"...".format(args)``: the literal's text, dynamic when any argument is not static."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "attribute":
        return None
    attribute = function.child_by_field_name("attribute")
    receiver = function.child_by_field_name("object")
    if attribute is None or receiver is None or node_text(attribute) != "format":
        return None
    base = string_template(receiver, static)
    if base is None:
        return None
    args = arguments(call)
    values = [*args.positional, *args.keywords.values()]
    if not args.has_splat and all(static(a) for a in values):
        return base
    return _FORMAT_FIELD_RE.sub("{}", base[0]), True
