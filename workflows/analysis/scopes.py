"""Function scopes: what each ``def`` binds and reads, filled by the shared walk.

Scoping is done by hand on the tree-sitter tree: a function's own scope excludes nested
functions, lambdas, classes and comprehensions, except that a name those read from the
enclosing scope (a closure) counts as read in the function. The shared walk
(`collect_symbols`) fills the scopes as it goes (`ScopeWalk`); `function_scope` scans a
function itself only when no walk did (a tree with syntax errors, a direct call).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Final, Literal

from tree_sitter import Node

from workflows.analysis.memo import per_file
from workflows.analysis.nodes import node_text
from workflows.analysis.parsing import field_id, kind_ids

__all__ = [
    "DYNAMIC_PREFIXES",
    "HANDLERS",
    "PENDING",
    "Binding",
    "BindingKind",
    "Parameter",
    "Scope",
    "ScopeMark",
    "ScopeWalk",
    "Unscanned",
    "function_scope",
    "parameters",
]

BindingKind = Literal["assign", "augmented", "walrus", "for", "with", "except", "def", "import"]

_SPLATS = {"list_splat_pattern": "*", "dictionary_splat_pattern": "**"}
_SEPARATORS = frozenset({"positional_separator", "keyword_separator", "comment"})
_COMPREHENSIONS = frozenset(
    {"list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"}
)
_TARGET_GROUPS = frozenset(
    {"pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "expression_list"}
    | {"parenthesized_expression", "list_splat_pattern", "list_splat", "as_pattern_target"}
)
"""Targets that hold several names (or one, wrapped)."""
_DYNAMIC_CALLS = {"locals": 0, "vars": 0, "eval": 1, "exec": 1}
"""Builtins that read the caller's locals when called with this many arguments."""


# The scanner visits most nodes of every function, so it compares integer kind ids (``type``
# builds a new str per call) and looks children up by field id rather than by field name.
_IDENTIFIER = kind_ids("identifier")
_ATTRIBUTE = kind_ids("attribute")
_LEAVES = kind_ids(
    "integer", "float", "true", "false", "none", "ellipsis", "comment", "line_continuation",
    "string_start", "string_content", "string_end", "escape_sequence", "escape_interpolation",
    "type_conversion",
)  # fmt: skip
"""Tokens: named nodes that never have children, so hold no names."""
_FUNCTION = kind_ids("function_definition")
_AS_PATTERN = kind_ids("as_pattern")
_ALIASED_IMPORT = kind_ids("aliased_import")
_GLOBAL = kind_ids("global_statement")
_COMMENT = kind_ids("comment")
_GROUP_IDS = kind_ids(*_TARGET_GROUPS)
_FOR_IN_CLAUSE = kind_ids("for_in_clause")
_WITH_ITEM = kind_ids("with_item")
_SEPARATOR_IDS = kind_ids(*_SEPARATORS)
_TYPED = kind_ids("typed_parameter", "typed_default_parameter")
_TYPED_PARAMETER = kind_ids("typed_parameter")
_SPLAT_IDS = {i: star for name, star in _SPLATS.items() for i in kind_ids(name)}
_DYNAMIC_NAMES = {name.encode(): count for name, count in _DYNAMIC_CALLS.items()}
DYNAMIC_PREFIXES = tuple(_DYNAMIC_NAMES)
"""How a call that may make its scope dynamic begins (a cheap test before `dynamic_call`)."""
_ALIAS, _ARGUMENTS, _BODY, _FUNCTION_FIELD = map(
    field_id, ("alias", "arguments", "body", "function")
)
_LEFT, _NAME, _OBJECT, _PARAMETERS = map(field_id, ("left", "name", "object", "parameters"))
_RETURN_TYPE, _RIGHT, _SUPERCLASSES = map(field_id, ("return_type", "right", "superclasses"))
_TYPE, _VALUE = field_id("type"), field_id("value")


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of a ``def``."""

    name: str
    node: Node
    """The parameter's name identifier."""
    annotated: bool
    star: str
    """``"*"`` for ``*args``, ``"**"`` for ``**kwargs``, else ``""``."""


@dataclass(frozen=True, slots=True)
class Binding:
    """A name bound in a scope by one target."""

    name: str
    node: Node
    kind: BindingKind
    group: int
    """Id of the unpacking target it shares with other names (0 for a lone name)."""


@dataclass(slots=True)
class Scope:
    """What one function, class, lambda or comprehension scope binds and reads."""

    kind: str
    bindings: list[Binding] = field(default_factory=list)
    reads: set[str] = field(default_factory=set)
    """Names read in this scope itself."""
    inner: set[str] = field(default_factory=set)
    """Names nested scopes read from outside themselves (closures)."""
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    dynamic: bool = False
    """Calls ``locals()``, ``vars()``, or ``eval``/``exec`` without namespaces."""

    @property
    def used(self) -> set[str]:
        """Every name read here or by a closure, ``nonlocal`` declarations included."""
        return self.reads | self.inner | self.nonlocals

    def free(self) -> set[str]:
        """Names this scope reads from enclosing scopes."""
        bound = {b.name for b in self.bindings} - self.nonlocals - self.globals
        if self.kind == "class_definition":  # methods skip the class scope
            return (self.reads - bound) | self.inner
        return self.used - bound - self.globals


@per_file
def parameters(func: Node) -> tuple[Parameter, ...]:
    """The parameters of a ``function_definition`` (or ``lambda``), in order.

    Cached while the module is checked: the scope scan and several rules ask for them.
    """
    params = func.child_by_field_id(_PARAMETERS)
    if params is None:
        return ()
    found: list[Parameter] = []
    for child in params.named_children:
        kind = child.kind_id
        if kind in _SEPARATOR_IDS:
            continue
        target = child.child_by_field_id(_NAME) or child
        if kind in _TYPED_PARAMETER:
            target = child.named_children[0]
        star = _SPLAT_IDS.get(target.kind_id, "")
        if star:
            target = next((c for c in target.named_children if c.kind_id in _IDENTIFIER), target)
        if target.kind_id in _IDENTIFIER:
            found.append(Parameter(node_text(target), target, kind in _TYPED, star))
    return tuple(found)


@per_file
def _nested_scopes() -> dict[Node, Scope]:
    """Scopes of the functions met while scanning an enclosing one, by node, until `clear`."""
    return {}


@per_file
def _walked_scopes() -> dict[Node, Scope]:
    """Function scopes the latest shared walk filled (`ScopeWalk`), by node, until `clear`.

    Each walk starts this afresh: rules check the module walked last, and a caller walking
    many modules first (`load_modules`) keeps one module's scopes, not a whole tree's.
    """
    return {}


@per_file
def function_scope(func: Node) -> Scope:
    """The local scope of a ``function_definition``: its parameters, bindings and reads.

    Cached while the module is checked: unused-variable and unused-argument share one scan
    per function, and a nested function reuses the scope its enclosing function's scan built,
    so callers must treat the scope as read-only.
    """
    known = _walked_scopes().get(func)
    if known is None:
        known = _nested_scopes().get(func)
    if known is not None:
        return known
    scanner = _Scanner(Scope("function_definition"))
    for param in parameters(func):
        scanner.scope.bindings.append(Binding(param.name, param.node, "def", 0))
    body = func.child_by_field_id(_BODY)
    if body is not None:
        scanner.scan(body)
    return scanner.scope


class _Scanner:
    """Fills one `Scope` from the nodes that belong to it, recursing into nested scopes."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.stack: list[Node] = []
        self.names: set[bytes] = set()
        """Identifiers read, as source bytes: `scan` decodes each distinct one once."""

    def scan(self, *roots: Node) -> None:
        """Visit ``roots`` and what they hold, then add the names read to the scope."""
        for root in reversed(roots):
            self.visit(root)
        stack, names, handlers = self.stack, self.names, _HANDLERS
        identifier, attribute, leaves = _IDENTIFIER, _ATTRIBUTE, _LEAVES
        while stack:  # holds no identifier, attribute or leaf: `visit` and the loop filter them
            node = stack.pop()
            handler = handlers.get(node.kind_id)
            if handler is not None:
                handler(self, node)
                continue
            for child in reversed(node.named_children):
                kind = child.kind_id
                if kind in attribute:
                    self.visit(child)
                elif kind in identifier:
                    names.add(child.text or b"")
                elif kind not in leaves:
                    stack.append(child)
        self.scope.reads.update(name.decode("utf-8", "replace") for name in names)

    def push(self, *nodes: Node | None) -> None:
        """Visit ``nodes`` after what is pending, in order."""
        for node in reversed(nodes):
            self.visit(node)

    def visit(self, node: Node | None) -> None:
        """Visit ``node`` after what is pending.

        An identifier is read at once (reads are a set: reading early changes nothing), and
        ``a.b.c`` is visited as ``a``: an attribute's name is no read.
        """
        while node is not None and node.kind_id in _ATTRIBUTE:
            node = node.child_by_field_id(_OBJECT)
        if node is None:
            return
        kind = node.kind_id
        if kind in _IDENTIFIER:
            self.names.add(self.spelling(node))
        elif kind not in _LEAVES:
            self.later(node)

    def spelling(self, node: Node) -> bytes:
        """The source bytes of ``node`` (an identifier)."""
        return node.text or b""

    def later(self, node: Node) -> None:
        """Have ``node`` scanned in this scope once what is pending is done."""
        self.stack.append(node)

    def note_dynamic_call(self, name: bytes, arguments: Node | None) -> None:
        """Mark the scope dynamic when ``name(arguments)`` reads its locals (``locals()``...)."""
        expected = _DYNAMIC_NAMES.get(name, -1)
        if expected >= 0 and arguments is not None:  # rare: count the arguments only then
            count = len([a for a in arguments.named_children if a.kind_id not in _COMMENT])
            if count == expected:
                self.scope.dynamic = True

    def bind(self, target: Node | None, kind: BindingKind, group: int = 0) -> None:
        """Record the names a target binds; attributes and subscripts in it are reads."""
        if target is None:
            return
        target_kind = target.kind_id
        if target_kind in _IDENTIFIER:
            name = self.spelling(target).decode("utf-8", "replace")
            self.scope.bindings.append(Binding(name, target, kind, group))
        elif target_kind in _GROUP_IDS:
            inner = group or target.id
            for child in target.named_children:
                self.bind(child, kind, inner)
        elif target_kind not in _COMMENT:
            self.visit(target)

    def nested(self, kind: str, roots: Sequence[Node], bound: Sequence[Node] = ()) -> Scope:
        """Scan ``roots`` as a nested scope binding ``bound``; keep what it reads from here."""
        inner = Scope(kind)
        scanner = _Scanner(inner)
        for target in bound:
            scanner.bind(target, "def")
        scanner.scan(*roots)
        self.scope.inner |= inner.free()
        if kind in _COMPREHENSIONS and inner.dynamic:  # inlined: `locals()` sees ours (PEP 709)
            self.scope.dynamic = True
        return inner

    # Handlers, one per node type that binds names or opens a scope.

    def _assignment(self, node: Node) -> None:
        right = node.child_by_field_id(_RIGHT)
        self.push(node.child_by_field_id(_TYPE), right)
        if right is None:  # a bare annotation `x: int` binds nothing
            return
        self.bind(node.child_by_field_id(_LEFT), "assign")

    def _augmented(self, node: Node) -> None:
        left = node.child_by_field_id(_LEFT)
        self.visit(node.child_by_field_id(_RIGHT))
        if left is not None and left.kind_id in _IDENTIFIER:
            self.bind(left, "augmented")
        else:
            self.visit(left)

    def _walrus(self, node: Node) -> None:
        name = node.child_by_field_id(_NAME)
        self.visit(node.child_by_field_id(_VALUE))
        if self.scope.kind in _COMPREHENSIONS and name is not None:
            self.scope.reads.add(node_text(name))  # binds in the enclosing scope: keep it used
        else:
            self.bind(name, "walrus")

    def _for(self, node: Node) -> None:
        left = node.child_by_field_id(_LEFT)
        self.bind(left, "for")
        self.push(*(c for c in node.named_children if c != left))

    def _as_clause(self, node: Node) -> None:
        kind: BindingKind = "with" if node.kind_id in _WITH_ITEM else "except"
        for child in node.named_children:
            if child.kind_id in _AS_PATTERN:
                value = child.named_children[0] if child.named_child_count else None
                self.visit(value)
                self.bind(child.child_by_field_id(_ALIAS), kind)
            else:
                self.visit(child)

    def _declaration(self, node: Node) -> None:
        names = {node_text(c) for c in node.named_children if c.kind_id in _IDENTIFIER}
        if node.kind_id in _GLOBAL:
            self.scope.globals |= names
        else:
            self.scope.nonlocals |= names

    def _import(self, node: Node) -> None:
        for child in node.children_by_field_id(_NAME):
            if child.kind_id in _ALIASED_IMPORT:
                self.bind(child.child_by_field_id(_ALIAS), "import")
            elif child.named_child_count:  # `import a.b` binds `a`; `from m import x` binds `x`
                self.bind(child.named_children[0], "import")

    def _function(self, node: Node) -> None:
        self.bind(node.child_by_field_id(_NAME), "def")
        params = node.child_by_field_id(_PARAMETERS)
        for param in params.named_children if params is not None else ():
            # defaults and annotations belong out here (the annotation is visited first)
            self.push(param.child_by_field_id(_TYPE), param.child_by_field_id(_VALUE))
        self.visit(node.child_by_field_id(_RETURN_TYPE))
        body = node.child_by_field_id(_BODY)
        names = [p.node for p in parameters(node)]
        inner = self.nested(node.type, [body] if body is not None else [], names)
        if node.kind_id in _FUNCTION:
            self.record(node, inner)

    def record(self, func: Node, scope: Scope) -> None:
        """Keep the scope of a nested ``def`` for `function_scope`."""
        _nested_scopes()[func] = scope

    def _class(self, node: Node) -> None:
        self.bind(node.child_by_field_id(_NAME), "def")
        self.visit(node.child_by_field_id(_SUPERCLASSES))
        body = node.child_by_field_id(_BODY)
        self.nested("class_definition", [body] if body is not None else [])

    def _comprehension(self, node: Node) -> None:
        children = node.named_children
        clauses = [c for c in children if c.kind_id in _FOR_IN_CLAUSE]
        targets = [t for c in clauses if (t := c.child_by_field_id(_LEFT)) is not None]
        roots = [c for c in children if c.kind_id not in _FOR_IN_CLAUSE]
        roots += [n for c in clauses for n in c.named_children if n != c.child_by_field_id(_LEFT)]
        self.nested(node.type, roots, targets)

    def _call(self, node: Node) -> None:
        function = node.child_by_field_id(_FUNCTION_FIELD)
        arguments = node.child_by_field_id(_ARGUMENTS)
        if function is not None and function.kind_id in _IDENTIFIER:
            name = self.spelling(function)
            self.names.add(name)
            self.note_dynamic_call(name, arguments)
            self.visit(arguments)
        else:
            self.push(function, arguments)

    def _keyword(self, node: Node) -> None:
        self.visit(node.child_by_field_id(_VALUE))


_HANDLERS = {
    kind: handler
    for name, handler in {
        "assignment": _Scanner._assignment,
        "augmented_assignment": _Scanner._augmented,
        "named_expression": _Scanner._walrus,
        "for_statement": _Scanner._for,
        "with_item": _Scanner._as_clause,
        "except_clause": _Scanner._as_clause,
        "global_statement": _Scanner._declaration,
        "nonlocal_statement": _Scanner._declaration,
        "import_statement": _Scanner._import,
        "import_from_statement": _Scanner._import,
        "function_definition": _Scanner._function,
        "lambda": _Scanner._function,
        "class_definition": _Scanner._class,
        "call": _Scanner._call,
        "keyword_argument": _Scanner._keyword,
        **dict.fromkeys(_COMPREHENSIONS, _Scanner._comprehension),
    }.items()
    for kind in kind_ids(name)
}
"""Handler per kind id (every id of an aliased type), keyed like `Node.kind_id`."""


class Unscanned(Enum):
    """The scope mark `PENDING`."""

    PENDING = "pending"


PENDING: Final = Unscanned.PENDING
"""Scope mark of a node the shared walk meets that no scope scans itself (a parameter list, a
binding target, an attribute's name...): only the descendants a handler chose are scanned."""
type ScopeMark = _Deferred | Unscanned | None
"""What the walk knows of a node's function scope: the scope that scans it, `PENDING`, or
None (no function scope, or scopes not wanted)."""


class ScopeWalk:
    """Function scopes filled by the shared walk (`collect_symbols`) instead of a scan per
    function: the walk visits every node anyway, so it carries the scope each node belongs to.

    The walk hands each node it expands, with its scope mark, to this protocol: a node scanned
    by scope ``S`` (a `_Deferred`) whose kind is in `HANDLERS` is handled as `_Scanner` would
    (bindings now, the parts it scans marked in `assigned`) and its children are `PENDING`;
    other nodes of ``S`` pass ``S`` to their children, whose identifiers are reads of ``S``. A
    ``def`` met outside any function scope opens a fresh scope, as `function_scope` would.
    `finish` then does what `_Scanner.nested` does once a nested scope is complete.
    """

    def __init__(self, source: bytes) -> None:
        self.source = source
        """The module's bytes: slicing them is far cheaper than `Node.text`."""
        self.assigned: dict[int, _Deferred] = {}
        """Ids of nodes a handler chose to scan -> their scope, until the walk meets them (a
        child of a `PENDING` node missing here is `PENDING` too)."""
        self.states: list[_Deferred] = []
        """Every scope opened, enclosing ones before the scopes nested in them."""
        self.scopes = _walked_scopes()
        """Function scopes by node, where `function_scope` looks first."""
        self.scopes.clear()

    def start(self, func: Node) -> None:
        """Open the scope of a ``function_definition`` that lies in no function scope."""
        state = _Deferred(Scope("function_definition"), self, None)
        for param in parameters(func):
            state.scope.bindings.append(Binding(param.name, param.node, "def", 0))
        body = func.child_by_field_id(_BODY)
        if body is not None:
            state.visit(body)
        self.scopes[func] = state.scope

    def finish(self) -> None:
        """Complete every scope, nested ones first: reads decoded, closures and ``locals()``
        passed to the enclosing scope."""
        for state in reversed(self.states):
            scope = state.scope
            scope.reads.update(name.decode("utf-8", "replace") for name in state.names)
            parent = state.parent
            if parent is not None:
                parent.scope.inner |= scope.free()
                if scope.kind in _COMPREHENSIONS and scope.dynamic:
                    parent.scope.dynamic = True
        self.states.clear()
        self.assigned.clear()


class _Deferred(_Scanner):
    """A `_Scanner` whose visits are left to the shared walk: `later` marks a node for the walk
    instead of stacking it, and a nested scope is opened, not scanned."""

    def __init__(self, scope: Scope, walk: ScopeWalk, parent: _Deferred | None) -> None:
        super().__init__(scope)
        self.walk = walk
        self.parent = parent
        walk.states.append(self)

    def spelling(self, node: Node) -> bytes:
        """Sliced from the module's source: far cheaper than `Node.text`."""
        return self.walk.source[node.start_byte : node.end_byte]

    def later(self, node: Node) -> None:
        """Have the walk scan ``node`` in this scope when it meets it."""
        self.walk.assigned[node.id] = self

    def record(self, func: Node, scope: Scope) -> None:
        """Keep the scope of a nested ``def`` with the walk's scopes."""
        self.walk.scopes[func] = scope

    def nested(self, kind: str, roots: Sequence[Node], bound: Sequence[Node] = ()) -> Scope:
        """Open a nested scope binding ``bound`` whose ``roots`` the walk scans."""
        inner = _Deferred(Scope(kind), self.walk, self)
        for target in bound:
            inner.bind(target, "def")
        for root in roots:
            inner.visit(root)
        return inner.scope

    def dynamic_call(self, node: Node) -> None:
        """What `_Scanner._call` does besides reading: note ``locals()`` and the like."""
        function = node.child_by_field_id(_FUNCTION_FIELD)
        arguments = node.child_by_field_id(_ARGUMENTS)
        if function is not None and function.kind_id in _IDENTIFIER:
            self.note_dynamic_call(self.spelling(function), arguments)


HANDLERS = {kind: handler for kind, handler in _HANDLERS.items() if handler != _Scanner._call}
"""`_HANDLERS` as the walk uses them: a call is scanned like any node, see `dynamic_call`."""
