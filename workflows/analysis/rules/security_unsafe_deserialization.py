"""Unsafe deserialization.

What it finds: loading non-constant data with deserializers that can build arbitrary objects:
``pickle``/``cPickle``/``_pickle``/``dill``/``cloudpickle`` ``load``/``loads``/``Unpickler``,
``marshal.load``/``loads``, ``jsonpickle.decode``, ``shelve.open``, ``yaml.unsafe_load`` and
``yaml.load``/``load_all`` without a safe ``Loader``.

Why it matters: unpickling (and PyYAML's full object construction) calls constructors chosen by
the data, so a crafted payload runs code on load; a cache file, a message body or an artifact
someone else can write becomes remote code execution.

Example: ``pickle.loads(request.body)`` and ``yaml.load(text)`` are reported; use JSON, or
``yaml.safe_load(text)`` / ``yaml.load(text, Loader=yaml.SafeLoader)``.

Not flagged: ``yaml.load`` with ``SafeLoader``, ``CSafeLoader`` or ``BaseLoader``;
``yaml.safe_load``; constant data (``pickle.loads(b"...")``); a round trip of data the code just
produced (``pickle.loads(pickle.dumps(x))``); ``shelve.open("cache.db")`` with a constant name.
``FullLoader`` / ``yaml.full_load``, unknown loaders and modules that also write the format
(``pickle.dumps`` elsewhere in the module) are reported with lower confidence, as are test
files.
``# noqa: S301`` / ``S302`` / ``S506`` silence it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from tree_sitter import Node

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.nodes import node_text
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._calls import (
    Arguments,
    arguments,
    calls_named,
    import_aliases,
    is_constant,
    qualified_name,
    spellings,
    unwrap,
)

RULE_ID = "unsafe-deserialization"
CATEGORY = Category.SECURITY
SEVERITY = Severity.ERROR
NODE_TYPES: frozenset[str] = frozenset({"call"})
NOQA_CODES: tuple[str, ...] = ("S301", "S302", "S506", "B301", "B302", "B506")  # ruff, bandit

_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)
_PICKLERS = ("pickle", "cPickle", "_pickle", "dill", "cloudpickle")
# qualified name -> confidence when called on non-constant data
_LOADERS: dict[str, int] = {
    **{f"{lib}.{fn}": 75 for lib in _PICKLERS for fn in ("load", "loads", "Unpickler")},
    "marshal.load": 75,
    "marshal.loads": 75,
    "jsonpickle.decode": 80,
    "jsonpickle.loads": 80,
    "shelve.open": 50,
    "yaml.unsafe_load": 85,
    "yaml.unsafe_load_all": 85,
    "yaml.full_load": 50,
    "yaml.full_load_all": 50,
}
_YAML_LOAD = frozenset({"yaml.load", "yaml.load_all"})
_SAFE_LOADER_MARKS = ("SafeLoader", "BaseLoader")
_UNSAFE_LOADERS: dict[str, int] = {
    "Loader": 90,
    "CLoader": 90,
    "UnsafeLoader": 90,
    "CUnsafeLoader": 90,
    "FullLoader": 50,
    "CFullLoader": 50,
}
_UNKNOWN_LOADER = 35
_ROUND_TRIP = frozenset({"dump", "dumps", "encode"})
_OWN_DATA_PENALTY = 30
_LAST_NAMES = frozenset(n.rsplit(".", 1)[-1] for n in _LOADERS.keys() | _YAML_LOAD) | _ROUND_TRIP


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report deserializer calls that may load attacker-controlled objects."""
    facts = project.symbols(module)
    aliases = import_aliases(facts)
    wanted = spellings(_LAST_NAMES, aliases)
    names = [
        (qualified_name(c.child_by_field_name("function"), aliases), c)
        for c in calls_named(module, facts.nodes_of("call"), wanted, facts)
    ]
    writers = {n.rpartition(".")[0] for n, _ in names if n and n.rpartition(".")[2] in _ROUND_TRIP}
    for name, call in names:
        if name is None or (name not in _LOADERS and name not in _YAML_LOAD):
            continue
        args = arguments(call)
        data = args.get(0)
        if data is None or is_constant(data) or _is_round_trip(data, name, aliases):
            continue
        if name in _YAML_LOAD:
            confidence = _yaml_confidence(args, aliases)
            if confidence is None:
                continue
            message = (
                f"`{name}()` without a safe Loader can build arbitrary Python objects; "
                "use `yaml.safe_load()` or `Loader=yaml.SafeLoader`"
            )
        else:
            confidence = _LOADERS[name]
            if name.rpartition(".")[0] in writers:
                confidence -= _OWN_DATA_PENALTY  # the module reads back what it wrote itself
            message = f"`{name}()` can run code chosen by the data; {_advice(name)}"
        yield _REPORT.at(module, call, message, confidence=confidence, symbol=name)


def _advice(name: str) -> str:
    if name.startswith("yaml."):
        return "use `yaml.safe_load()`"
    if name == "shelve.open":
        return "only open shelves the application wrote itself"
    return "load only data you produced and can authenticate, or use JSON"


def _yaml_confidence(args: Arguments, aliases: Mapping[str, str]) -> int | None:
    """None when the loader is safe, else how likely the call is unsafe."""
    loader = args.get(1, "Loader")
    if loader is None:
        return 90
    text = node_text(loader)
    if any(mark in text for mark in _SAFE_LOADER_MARKS):
        return None
    name = qualified_name(loader, aliases) or ""
    if not name.startswith("yaml."):
        return _UNKNOWN_LOADER
    return _UNSAFE_LOADERS.get(name.rsplit(".", 1)[-1], _UNKNOWN_LOADER)


def _is_round_trip(data: Node, name: str, aliases: Mapping[str, str]) -> bool:
    """``pickle.loads(pickle.dumps(x))``: the data was produced by the same library."""
    data = unwrap(data)
    if data.type != "call":
        return False
    producer = qualified_name(data.child_by_field_name("function"), aliases) or ""
    library, _, function = producer.rpartition(".")
    return function in _ROUND_TRIP and library == name.rpartition(".")[0]
