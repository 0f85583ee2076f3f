"""Reading and parsing Python source with tree-sitter into `ParsedModule` objects."""

from __future__ import annotations

import codecs
import io
import tokenize
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

import tree_sitter_python
from tree_sitter import Language, Node, Parser, Tree

__all__ = [
    "PYTHON",
    "ParsedModule",
    "SourceDecodeError",
    "SourceTree",
    "count_lines",
    "field_id",
    "get_parser",
    "is_test_path",
    "kind_ids",
    "module_name_for",
    "normalize_source",
    "package_prefix",
    "parse_source",
    "read_source",
]

PYTHON = Language(tree_sitter_python.language())


def _named_kinds() -> dict[str, frozenset[int]]:
    """Named node type -> its kind ids in the Python grammar."""
    found: dict[str, set[int]] = {}
    for kind in range(PYTHON.node_kind_count):
        name = PYTHON.node_kind_for_id(kind)
        if name is not None and PYTHON.node_kind_is_named(kind):
            found.setdefault(name, set()).add(kind)
    return {name: frozenset(kinds) for name, kinds in found.items()}


_NAMED_KINDS = _named_kinds()


def kind_ids(*names: str) -> frozenset[int]:
    """Every `Node.kind_id` the Python grammar gives named node types ``names`` (aliases give
    some types several ids): hot loops compare these ints, as ``Node.type`` builds a str a call.
    Anonymous tokens of the same spelling (the ``lambda`` keyword) are left out."""
    return frozenset().union(*(_NAMED_KINDS.get(name, ()) for name in names))


def field_id(name: str) -> int:
    """The id of field ``name`` of the Python grammar (for ``Node.child_by_field_id``)."""
    found = PYTHON.field_id_for_name(name)
    assert found is not None, name
    return found


_TEST_DIRS = frozenset({"tests", "test"})


class SourceDecodeError(ValueError):
    """The bytes of a file are not text in UTF-8 or in the encoding its coding cookie declares."""


@cache
def get_parser() -> Parser:
    """The process-wide tree-sitter Python parser (not thread-safe: use processes to scale)."""
    return Parser(PYTHON)


class SourceTree:
    """What a parsed file of any language offers on top of its ``source`` and ``tree``."""

    __slots__ = ()
    source: bytes
    tree: Tree

    @property
    def root(self) -> Node:
        """The node at the top of the tree (``module`` in Python, ``program`` in JS/TS)."""
        return self.tree.root_node

    @property
    def has_error(self) -> bool:
        """Whether tree-sitter had to recover from syntax errors anywhere in the file."""
        return self.tree.root_node.has_error

    def text(self, node: Node) -> str:
        """Source text of ``node`` as a string."""
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class ParsedModule(SourceTree):
    """One parsed Python file: its path, UTF-8 source, syntax tree and a few derived facts."""

    path: str
    """POSIX path relative to the analysed root."""
    source: bytes
    """UTF-8 source (BOM removed, other declared encodings transcoded)."""
    tree: Tree
    line_count: int
    module_name: str
    """Dotted import name, e.g. ``pkg.sub.mod`` (``pkg.sub`` for ``pkg/sub/__init__.py``)."""
    is_package_init: bool
    is_test_file: bool


def normalize_source(raw: bytes) -> bytes:
    """Return ``raw`` as UTF-8 without a BOM, honouring a PEP 263 coding cookie.

    Raises `SourceDecodeError` when the bytes cannot be decoded.
    """
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:
        pass
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding).encode("utf-8")
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SourceDecodeError(f"cannot decode source: {exc}") from exc


def read_source(file: Path) -> bytes:
    """Read ``file`` and return its normalized UTF-8 source (raises OSError, SourceDecodeError)."""
    return normalize_source(file.read_bytes())


def package_prefix(directory: Path) -> str:
    """Dotted package name of ``directory``, judged by ``__init__.py`` in it and its parents."""
    parts: list[str] = []
    current = directory.resolve()
    while (current / "__init__.py").is_file() and current.name:
        parts.append(current.name)
        current = current.parent
    return ".".join(reversed(parts))


def module_name_for(path: str, prefix: str = "") -> str:
    """Dotted module name for a relative POSIX ``path`` under a package ``prefix``."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join([prefix, *parts] if prefix else parts)


def is_test_path(path: str, module_name: str = "") -> bool:
    """Whether a file is test code: ``test_*.py``, ``*_test.py``, ``conftest.py``, ``tests/``."""
    pure = PurePosixPath(path)
    name = pure.name
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    if any(part in _TEST_DIRS for part in pure.parts[:-1]):
        return True
    return any(part in _TEST_DIRS for part in module_name.split(".")[:-1])


def count_lines(source: bytes) -> int:
    """Number of lines in ``source``, a last line without a newline included."""
    if not source:
        return 0
    return source.count(b"\n") + (0 if source.endswith(b"\n") else 1)


def parse_source(source: bytes, path: str = "<string>.py", *, prefix: str = "") -> ParsedModule:
    """Parse normalized UTF-8 ``source`` that lives at relative ``path`` into a `ParsedModule`."""
    module_name = module_name_for(path, prefix)
    return ParsedModule(
        path=path,
        source=source,
        tree=get_parser().parse(source),
        line_count=count_lines(source),
        module_name=module_name,
        is_package_init=PurePosixPath(path).name == "__init__.py",
        is_test_file=is_test_path(path, module_name),
    )
