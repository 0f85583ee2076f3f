"""Per-module facts gathered in a single walk of the syntax tree.

The walk records imports, module-level definitions, ``__all__``, the ``__main__`` guard, every
name the module mentions, and (on request) every node of chosen types, so rules never re-walk.
Names are matched by spelling only. When `FUNCTION_SCOPES` is among the requested types (the
scope rules request it) the walk also fills every function's local scope on its way, the
scopes `scopes.function_scope` returns, so no rule walks a function body again.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from tree_sitter import Node

from workflows.analysis.nodes import (
    dotted_name,
    is_generic_alias,
    is_main_guard,
    line_range,
    node_text,
    string_value,
)
from workflows.analysis.parsing import ParsedModule, field_id, kind_ids
from workflows.analysis.scopes import DYNAMIC_PREFIXES, HANDLERS, PENDING, ScopeMark, ScopeWalk

__all__ = [
    "FUNCTION_SCOPES",
    "Definition",
    "DefinitionKind",
    "ImportBinding",
    "ModuleSymbols",
    "Noqa",
    "collect_symbols",
    "suppressed",
]

DefinitionKind = Literal["function", "class"]

FUNCTION_SCOPES = "function scopes"
"""Not a node type: a rule that lists it in its ``NODE_TYPES`` has the walk fill every
function's scope (`scopes.function_scope`), which costs about a fifth of the walk."""

# How an identifier is used, decided by its parent and passed down the walk.
_LOAD, _TYPE, _STORE, _ATTR, _SKIP = range(5)

_NAME_RE = re.compile(r"[^\W\d]\w*")
_TYPE_COMMENT_RE = re.compile(r"#\s*type:\s*(.*)")
_NOQA_RE = re.compile(r"#\s*noqa(?::\s*([\w-]+(?:[\s,]+[\w-]+)*))?", re.IGNORECASE)
_MAX_CALLEE_BYTES = 64
_MAX_DOTTED_BYTES = 200
# "pkg.mod.Name" / "pkg.mod:func": import paths in settings, entry points, logging configs.
_DOTTED_PATH_RE = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*(?:\.|:)[^\W\d]\w*")
_ATTR_FUNCS = frozenset({"getattr", "hasattr", "setattr", "delattr"})
_CAST_FUNCS = frozenset({"cast", "typing.cast", "t.cast", "typing_extensions.cast"})
_CALL_PREFIXES = tuple(
    name.encode() for name in (*_ATTR_FUNCS, *_CAST_FUNCS, "__all__.extend", "__all__.append")
)
"""How the calls `_Collector._call` reads begin (besides ``TypeVar``, which may be qualified)."""
_DEFINITION_KINDS: dict[str, DefinitionKind] = {
    "function_definition": "function",
    "class_definition": "class",
}
_IMPORT_TYPES = frozenset({"import_statement", "import_from_statement", "future_import_statement"})
# Node types `_Collector._inspect` looks at.
_INSPECTED = frozenset(
    {"string", "call", "subscript", "assignment", "augmented_assignment", "comment"} | _IMPORT_TYPES
)
_PATTERN_TYPES = frozenset(
    {
        "identifier",
        "list_splat_pattern",
        "dictionary_splat_pattern",
        "tuple_pattern",
        "list_pattern",
        "pattern_list",
        "as_pattern_target",
    }
)
# Parent type -> {field name (None: unnamed child) -> context}. A `_STORE` entry only applies to
# children that are binding patterns; anything else keeps the inherited context.
_CHILD_CONTEXT: dict[str, dict[str | None, int]] = {
    "function_definition": {"name": _STORE},
    "class_definition": {"name": _STORE},
    "keyword_argument": {"name": _STORE},
    "default_parameter": {"name": _STORE},
    "typed_default_parameter": {"name": _STORE},
    "typed_parameter": {None: _STORE},
    "parameters": {None: _STORE},
    "lambda_parameters": {None: _STORE},
    "assignment": {"left": _STORE},
    "named_expression": {"name": _STORE},
    "as_pattern": {"alias": _STORE},
    "for_statement": {"left": _STORE},
    "for_in_clause": {"left": _STORE},
    "attribute": {"attribute": _ATTR},
}


def _by_kind_id[V](by_name: dict[str, V]) -> dict[int, V]:
    return {kind: value for name, value in by_name.items() for kind in kind_ids(name)}


(_IDENTIFIER_ID,) = kind_ids("identifier")
(_ATTRIBUTE_ID,) = kind_ids("attribute")
(_STRING_ID,) = kind_ids("string")
(_COMMENT_ID,) = kind_ids("comment")
(_CALL_ID,) = kind_ids("call")
_TYPE_FIELD = field_id("type")
_FUNCTION_IDS = kind_ids("function_definition")
_INSPECTED_IDS = _by_kind_id({name: name for name in _INSPECTED})
_PATTERN_IDS = kind_ids(*_PATTERN_TYPES)
_CONTEXT_IDS = _by_kind_id(_CHILD_CONTEXT)
_INHERITED = _by_kind_id({**dict.fromkeys(_IMPORT_TYPES, _SKIP), "type": _TYPE})
"""What children inherit from these parents whatever the parent's own context."""
# How the walk treats a kind besides collecting and inspecting it: as a leaf, as a string
# literal (descended into when an f-string), as ``object.attribute``, or by its fields.
_DESCEND, _LEAF, _PLAIN_STRING, _OBJECT_ATTRIBUTE = range(4)
_SHAPES: dict[int, tuple[int, int | None]] = {
    **{kind: (_DESCEND, None) for kind in _CONTEXT_IDS},
    **{kind: (_DESCEND, inherit) for kind, inherit in _INHERITED.items()},
    _COMMENT_ID: (_LEAF, None),
    _STRING_ID: (_PLAIN_STRING, None),
    _ATTRIBUTE_ID: (_OBJECT_ATTRIBUTE, None),
}
"""Kind id -> (shape, the context its children inherit whatever its own, if it decides)."""
type _Plan = tuple[list[Node] | None, str | None, int, int | None]
"""The nodes of the kind collected into, its name when `_Collector._inspect` reads it, its
shape, and the context it gives its children."""


type Noqa = Mapping[int, frozenset[str] | None]
"""Lines with a ``# noqa`` comment -> the codes it names (None: every code)."""


def suppressed(noqa: Noqa, line: int, codes: Collection[str]) -> bool:
    """Whether a ``# noqa`` comment on ``line`` silences any of ``codes`` (or everything)."""
    if line not in noqa:
        return False
    named = noqa[line]
    return named is None or not named.isdisjoint(code.upper() for code in codes)


@dataclass(frozen=True, slots=True)
class ImportBinding:
    """One name bound by an import statement."""

    name: str
    """The bound name: ``a`` for ``import a.b``, ``y`` for ``from m import x as y``."""
    imported: str
    """What was imported: ``a.b`` for ``import a.b``, ``x`` for ``from m import x``."""
    source_module: str | None
    """``m`` / ``.pkg`` / ``.`` for from-imports, None for plain ``import``."""
    alias: str | None
    line: int
    end_line: int
    statement: Node
    is_future: bool = False
    is_redundant_alias: bool = False
    """``import x as x`` / ``from m import x as x``: an explicit re-export."""

    @property
    def qualified(self) -> str:
        """Display form of what was imported: ``a.b``, ``m.x``, ``.x``."""
        if self.source_module is None:
            return self.imported
        separator = "" if self.source_module.endswith(".") else "."
        return f"{self.source_module}{separator}{self.imported}"


@dataclass(frozen=True, slots=True)
class Definition:
    """A module-level ``def`` or ``class``."""

    name: str
    kind: DefinitionKind
    line: int
    end_line: int
    decorated: bool
    node: Node
    """The ``function_definition`` / ``class_definition`` node (decorators sit outside it)."""


@dataclass(slots=True)
class ModuleSymbols:
    """What one walk of a module found."""

    path: str
    imports: list[ImportBinding] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    all_names: list[str] | None = None
    """Entries of ``__all__``; None when the module does not define it."""
    loads: set[str] = field(default_factory=set)
    """Names read anywhere, plus names in string annotations, ``cast`` strings, type comments."""
    references: set[str] = field(default_factory=set)
    """Every name mentioned (reads, attributes, annotation and ``getattr`` strings, ``__all__``,
    from-imported names, the last part of ``"pkg.mod.name"`` / ``"pkg.mod:name"`` strings),
    except mentions inside the module-level definition of that name."""
    has_main_guard: bool = False
    noqa: dict[int, frozenset[str] | None] = field(default_factory=dict)
    """Lines with a ``# noqa`` comment -> the codes it names (None: every code)."""
    nodes: dict[str, list[Node]] = field(default_factory=dict)
    """Nodes of the requested types, in document order."""

    @property
    def exported(self) -> frozenset[str]:
        """Names listed in ``__all__`` (empty when there is none)."""
        return frozenset(self.all_names or ())

    def suppresses(self, line: int, codes: Collection[str]) -> bool:
        """Whether a ``# noqa`` comment on ``line`` silences any of ``codes`` (or everything)."""
        return suppressed(self.noqa, line, codes)

    def nodes_of(self, node_type: str) -> list[Node]:
        """Collected nodes of ``node_type`` (it must have been requested)."""
        return self.nodes.get(node_type, [])


_INTERPOLATING_PREFIXES = frozenset(b"fFtT")
_QUOTES = frozenset(b"\"'")


def _interpolates(source: bytes, start: int) -> bool:
    """Whether the string literal at ``start`` is an f-string (or t-string): its prefix says."""
    for byte in source[start : start + 3]:
        if byte in _QUOTES:
            return False
        if byte in _INTERPOLATING_PREFIXES:
            return True
    return False


def _may_be_dotted(literal: bytes) -> bool:
    """Whether a string literal's bytes could hold a ``pkg.mod.name`` path (cheap pre-check:
    such a path has a dot or colon and no space, and the quotes add neither)."""
    return b" " not in literal and (b"." in literal or b":" in literal)


_FEW_CHILDREN = 16


def collect_symbols(module: ParsedModule, node_types: Collection[str] = ()) -> ModuleSymbols:
    """Walk ``module`` once and return its facts, collecting nodes of ``node_types`` as well."""
    return _Collector(module, frozenset(node_types)).run()


class _Collector:
    """The single walk behind `collect_symbols`."""

    def __init__(self, module: ParsedModule, node_types: frozenset[str]) -> None:
        self.module = module
        wants_scopes = FUNCTION_SCOPES in node_types
        node_types = node_types - {FUNCTION_SCOPES}
        self.symbols = ModuleSymbols(path=module.path, nodes={t: [] for t in node_types})
        collected = {
            kind: self.symbols.nodes[name] for name in node_types for kind in kind_ids(name)
        }
        self.plans: dict[int, _Plan] = {
            kind: (collected.get(kind), _INSPECTED_IDS.get(kind), *_SHAPES.get(kind, (0, None)))
            for kind in collected.keys() | _INSPECTED_IDS.keys() | _SHAPES.keys()
        }
        """What the walk does with a node of each kind (kinds without a plan: only descend)."""
        self.owner: str | None = None
        self.owner_bytes: bytes | None = None
        self.load_bytes: set[bytes] = set()
        self.reference_bytes: set[bytes] = set()
        """Names the walk's hot loop found, as bytes (decoded once, at the end)."""
        self.stack: list[tuple[Node, int, int, ScopeMark, int]] = []
        """The walk's pending nodes, with their context, kind id, scope mark, and number of
        named children (read when pushing them anyway)."""
        self.unread: set[bytes] = set()
        """Where the walk puts the names it does not read (those of an import statement)."""
        self.type_roots: set[int] = set()
        """Ids of nodes whose subtree is a type expression (``cast`` targets, aliases...)."""
        self.scopes: ScopeWalk | None = None
        """Fills the scopes `function_scope` returns, when they are wanted and the tree is
        clean (the scope marks rely on the grammar's shape, as the walk's shortcuts do)."""
        if wants_scopes and not module.has_error:
            self.scopes = ScopeWalk(module.source)

    def run(self) -> ModuleSymbols:
        for top in self.module.root.children:
            self.owner = self._top_level(top)
            self.owner_bytes = self.owner.encode() if self.owner is not None else None
            self._walk(top)
        if self.scopes is not None:
            self.scopes.finish()
        self.symbols.loads.update(name.decode() for name in self.load_bytes)
        self.symbols.references.update(name.decode() for name in self.reference_bytes)
        return self.symbols

    def _top_level(self, node: Node) -> str | None:
        """Record a module-level definition or ``__main__`` guard; return the definition name."""
        decorated = node.type == "decorated_definition"
        target = node.child_by_field_name("definition") if decorated else node
        kind = _DEFINITION_KINDS.get(target.type) if target is not None else None
        if target is not None and kind is not None:
            name_node = target.child_by_field_name("name")
            if name_node is None:
                return None
            name = node_text(name_node)
            start, end = line_range(target)
            self.symbols.definitions.append(Definition(name, kind, start, end, decorated, target))
            return name
        if node.type == "if_statement" and is_main_guard(node):
            self.symbols.has_main_guard = True
        return None

    def _walk(self, start: Node) -> None:  # noqa: C901  hot loop: a split adds calls per node
        # Only named nodes matter (punctuation and keywords carry no facts). Identifiers are
        # settled as their parent is expanded, and other leaves but comments are dropped
        # there, so most nodes of a tree never reach the stack. This loop runs for every
        # node of every file, so it is written for speed: node kinds are integer ids
        # (`Node.kind_id` builds no string), identifier names are gathered as bytes and
        # decoded once per distinct name, and children of the common parents, whose
        # context does not depend on their field, take a loop without field lookups.
        # Each pending node also carries its scope mark for `ScopeWalk` (None: no function
        # scope, or no scopes wanted), so function scopes cost no walk of their own.
        type_roots, source, plans = self.type_roots, self.module.source, self.plans
        clean = not self.module.has_error  # shortcuts that read the grammar's shape
        identifier, comment = _IDENTIFIER_ID, _COMMENT_ID
        scopes = self.scopes
        pending, handlers, dynamic_prefixes = PENDING, HANDLERS, DYNAMIC_PREFIXES
        owner, load_bytes, reference_bytes = self.owner_bytes, self.load_bytes, self.reference_bytes
        unread = self.unread
        assigned = scopes.assigned if scopes is not None else {}
        start_kind = start.kind_id
        if start_kind == identifier:
            self._identifier(start, _LOAD)
            return
        stack = self.stack
        stack.append((start, _LOAD, start_kind, None, start.named_child_count))
        pop, push = stack.pop, stack.append
        while stack:
            node, ctx, kind, mark, count = pop()
            if type_roots and ctx == _LOAD and node.id in type_roots:
                ctx = _TYPE
            inherited = ctx if ctx in (_TYPE, _SKIP) else _LOAD
            if mark is None:
                if scopes is not None and kind in _FUNCTION_IDS:
                    scopes.start(node)  # a function in no function: its own scope
                    mark = pending
            elif mark is not pending:  # scanned by scope `mark`: handled like `_Scanner` does
                handler = handlers.get(kind)
                if handler is not None:
                    handler(mark, node)
                    mark = pending
                elif kind == _CALL_ID and source.startswith(dynamic_prefixes, node.start_byte):
                    mark.dynamic_call(node)
            plan = plans.get(kind)
            if plan is not None:  # a kind something is done with; most kinds have no plan
                found, inspect_as, shape, inherit = plan
                if found is not None:
                    found.append(node)
                if inspect_as is not None and (ctx != _SKIP or kind == comment):
                    if kind != _CALL_ID:
                        self._inspect(node, inspect_as, ctx)
                    else:  # a call: `_call` reads few, told by how they begin (inlined: common)
                        head = source[node.start_byte : node.start_byte + _MAX_CALLEE_BYTES]
                        if head.startswith(_CALL_PREFIXES) or b"TypeVar" in head:
                            self._call(node)
                if shape == _LEAF:
                    continue
                if shape == _PLAIN_STRING and clean and not _interpolates(source, node.start_byte):
                    continue  # only an f-string's parts hold names
                if inherit is not None:
                    inherited = inherit
                if shape == _OBJECT_ATTRIBUTE and clean and ctx != _STORE and inherited != _SKIP:
                    # `object.attribute`, the commonest parent: its fields are its two children.
                    attribute = node.named_child(1) if count == 2 else None
                    if attribute is not None and attribute.kind_id == identifier:
                        value = node.named_child(0)
                        name = source[attribute.start_byte : attribute.end_byte]
                        if name != owner:
                            reference_bytes.add(name)
                        value_kind = value.kind_id
                        if value_kind == identifier:
                            name = source[value.start_byte : value.end_byte]
                            load_bytes.add(name)
                            if name != owner:
                                reference_bytes.add(name)
                            if mark is not None and mark is not pending:
                                mark.names.add(name)  # a scope reads an attribute's object
                        elif (value_count := value.named_child_count) or value_kind == comment:
                            if mark is pending:  # the mark a handler gave it, if any
                                mark = assigned.pop(value.id, pending) if assigned else pending
                            push((value, inherited, value_kind, mark, value_count))
                        continue
                if ctx != _STORE and inherited != _SKIP and kind in _CONTEXT_IDS:
                    self._expand_by_field(node, ctx, kind, inherited, mark, count)
                    continue
            if ctx == _STORE:
                self._expand_by_field(node, ctx, kind, inherited, mark, count)
                continue
            # The hottest loop: every child gets `inherited`. Its identifiers are read, into
            # the scope `mark` too when there is one (else into `loads` a second time, so no
            # name needs a test); under an import nothing is read (`unread` takes the names).
            # Other children keep `mark`, or under `PENDING` take the mark a handler gave them.
            if inherited == _SKIP:
                loads = references = reads = unread
            elif mark is None or mark is pending:
                loads = reads = load_bytes
                references = reference_bytes
            else:
                loads, references, reads = load_bytes, reference_bytes, mark.names
            chosen = assigned if mark is pending else None
            # `Node.named_children` builds a Python object for every child, punctuation
            # included, so for the usual few children `Node.named_child` is cheaper; it scans
            # the children up to the index, though, so long lists still take the list.
            child_at = (
                node.named_child if count <= _FEW_CHILDREN else node.named_children.__getitem__
            )
            for index in range(count - 1, -1, -1):
                child = child_at(index)
                child_kind = child.kind_id
                if child_kind == identifier:
                    name = source[child.start_byte : child.end_byte]
                    loads.add(name)
                    reads.add(name)
                    if name != owner:
                        references.add(name)
                elif (child_count := child.named_child_count) or child_kind == comment:
                    child_mark = mark if chosen is None else chosen.pop(child.id, pending)
                    push((child, inherited, child_kind, child_mark, child_count))

    def _expand_by_field(
        self, node: Node, ctx: int, kind: int, inherited: int, mark: ScopeMark, count: int
    ) -> None:
        """Push the children of a node whose children's contexts depend on their fields."""
        spec = _CONTEXT_IDS[kind] if ctx != _STORE else None
        patterns, push, pending = _PATTERN_IDS, self.stack.append, PENDING
        if kind == _ATTRIBUTE_ID and mark is not None and mark is not pending:
            mark.visit(node)  # a scope reads only an attribute's object: `visit` marks it
            mark = pending
        reads = mark.names if mark is not None and mark is not pending else None
        assigned = self.scopes.assigned if mark is pending and self.scopes is not None else None
        # how `_walk` gets a child, for the same reason
        child_at = node.named_child if count <= _FEW_CHILDREN else node.named_children.__getitem__
        for index in range(count - 1, -1, -1):
            child = child_at(index)
            child_kind = child.kind_id
            if spec is None:  # inside a binding target
                child_ctx = _STORE if child_kind in patterns else _LOAD
            else:
                child_ctx = spec.get(node.field_name_for_named_child(index), inherited)
                if child_ctx == _STORE and child_kind not in patterns:
                    child_ctx = inherited
            if child_kind == _IDENTIFIER_ID:
                if child_ctx in (_LOAD, _TYPE, _ATTR) or reads is not None:
                    name = self.module.source[child.start_byte : child.end_byte]
                    if reads is not None:
                        reads.add(name)
                    if child_ctx in (_LOAD, _TYPE, _ATTR):
                        if child_ctx != _ATTR:
                            self.load_bytes.add(name)
                        if name != self.owner_bytes:
                            self.reference_bytes.add(name)
            elif (child_count := child.named_child_count) or child_kind == _COMMENT_ID:
                child_mark = assigned.pop(child.id, pending) if assigned else mark
                push((child, child_ctx, child_kind, child_mark, child_count))

    def _identifier(self, node: Node, ctx: int) -> None:
        if ctx in (_LOAD, _TYPE):
            self._load(node_text(node))
        elif ctx == _ATTR:
            self._ref(node_text(node))

    def _inspect(self, node: Node, kind: str, ctx: int) -> None:
        """Facts carried by a node itself rather than by its identifiers."""
        if kind == "string":
            if ctx == _TYPE:
                self._annotation(string_value(node))
            elif node.end_byte - node.start_byte <= _MAX_DOTTED_BYTES and _may_be_dotted(
                self.module.source[node.start_byte : node.end_byte]
            ):
                value = string_value(node)
                if value and _DOTTED_PATH_RE.fullmatch(value):
                    self._ref(re.split(r"[.:]", value)[-1])
        elif kind == "subscript":
            if ctx == _LOAD and is_generic_alias(node.child_by_field_name("value")):
                self.type_roots.update(c.id for c in node.children_by_field_name("subscript"))
        elif kind in _IMPORT_TYPES:
            self._import(node)
        elif kind in ("assignment", "augmented_assignment"):
            self._assignment(node)
        elif kind == "comment":
            self._comment(node)

    def _assignment(self, node: Node) -> None:
        """``__all__ = [...]`` entries, and the value of an ``X: TypeAlias = ...``."""
        if not self.module.source.startswith(b"__all__", node.start_byte) and (
            node.child_by_field_id(_TYPE_FIELD) is None
        ):
            return  # neither `__all__ = ...` (the left side starts the node) nor annotated
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if (
            left is not None
            and right is not None
            and left.type == "identifier"
            and node_text(left) == "__all__"
        ):
            self._all_entries(right)
        annotation = node.child_by_field_name("type")
        if (
            right is not None
            and annotation is not None
            and node_text(annotation).endswith("TypeAlias")
        ):
            self.type_roots.add(right.id)

    def _comment(self, node: Node) -> None:
        """Type comments count as annotations; ``# noqa`` comments are recorded by line."""
        text = node_text(node)
        match = _TYPE_COMMENT_RE.match(text)
        if match and not match.group(1).startswith("ignore"):
            self._annotation(match.group(1))
        noqa = _NOQA_RE.search(text)
        if noqa:
            codes = noqa.group(1)
            line = node.start_point.row + 1
            self.symbols.noqa[line] = (
                frozenset(c.upper() for c in re.split(r"[\s,]+", codes)) if codes else None
            )

    def _load(self, name: str) -> None:
        self.symbols.loads.add(name)
        if name != self.owner:
            self.symbols.references.add(name)

    def _ref(self, name: str) -> None:
        if name != self.owner:
            self.symbols.references.add(name)

    def _annotation(self, text: str | None) -> None:
        """Names inside a string annotation or type comment count as reads."""
        if text:
            for name in _NAME_RE.findall(text):
                self._load(name)

    def _call(self, node: Node) -> None:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if function is None or arguments is None or arguments.type != "argument_list":
            return
        if function.type not in ("identifier", "attribute"):
            return
        if function.end_byte - function.start_byte > _MAX_CALLEE_BYTES:
            return
        args = [a for a in arguments.named_children if a.type != "comment"]
        name = node_text(function)
        if name in _ATTR_FUNCS and len(args) >= 2:
            attribute = string_value(args[1])
            if attribute and attribute.isidentifier():
                self._ref(attribute)
        elif name in _CAST_FUNCS and args:
            self.type_roots.add(args[0].id)
        elif name.rsplit(".", 1)[-1] == "TypeVar":
            for arg in args[1:]:
                value = arg.child_by_field_name("value") if arg.type == "keyword_argument" else arg
                if value is not None:
                    self.type_roots.add(value.id)
        elif name in ("__all__.extend", "__all__.append"):
            for arg in args:
                self._all_entries(arg)

    def _all_entries(self, node: Node) -> None:
        """Collect the string entries of an ``__all__`` value (lists, tuples, concatenations)."""
        if self.symbols.all_names is None:
            self.symbols.all_names = []
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type == "string":
                value = string_value(current)
                if value:
                    self.symbols.all_names.append(value)
                    self._ref(value)
            elif current.type in ("list", "tuple", "binary_operator", "parenthesized_expression"):
                stack.extend(reversed(current.named_children))

    def _import(self, node: Node) -> None:
        source: str | None = None
        is_future = node.type == "future_import_statement"
        if is_future:
            source = "__future__"
        elif node.type == "import_from_statement":
            module_name = node.child_by_field_name("module_name")
            source = node_text(module_name) if module_name is not None else ""
        for child in node.children_by_field_name("name"):
            alias: str | None = None
            if child.type == "aliased_import":
                target = child.child_by_field_name("name")
                alias_node = child.child_by_field_name("alias")
                if target is None or alias_node is None:
                    continue
                imported, alias = dotted_name(target), node_text(alias_node)
            elif child.type == "dotted_name":
                imported = dotted_name(child)
            else:
                continue
            if not imported:
                continue
            if source is not None:
                self._ref(imported.rsplit(".", 1)[-1])
            bound = alias or (imported.split(".", 1)[0] if source is None else imported)
            line, end_line = line_range(child)
            binding = ImportBinding(
                name=bound,
                imported=imported,
                source_module=source,
                alias=alias,
                line=line,
                end_line=end_line,
                statement=node,
                is_future=is_future,
                is_redundant_alias=alias is not None and alias == imported,
            )
            self.symbols.imports.append(binding)
