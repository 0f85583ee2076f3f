"""Integration point.

What it finds: an inventory of where the code touches the outside world, one finding per call
site: HTTP calls and clients (requests, httpx, aiohttp, urllib.request, urllib3, http.client),
database access (sqlite3, psycopg/psycopg2, asyncpg, SQLAlchemy engines, MongoDB, Redis, and
``.execute("SELECT ...")`` with SQL text), file system writes (``open(..., "w")``, ``Path``
writes, ``shutil``, ``os.remove``/``rename``/``makedirs``...), subprocesses (``subprocess``,
``os.system``/``popen``/``exec*``, ``asyncio.create_subprocess_*``), and, once per module at its
first such import, the third-party libraries it imports. ``symbol`` holds the kind (http,
database, filesystem, subprocess, library) so the report can group them.

Why it matters: these are the places that fail, time out, need credentials, mocks and
retries, and that a reviewer must know about before changing or deploying a component.

Example: ``requests.get(url)`` gives "HTTP call: requests.get"; ``open(path, "w")`` gives
"file write: open(mode='w')"; ``import requests, yaml`` gives "third-party libraries: requests,
yaml". Calls go through import aliases (``import subprocess as sp; sp.run()``).

Not flagged: test files; reads (``open(path)``, ``Path.read_text``); ``open`` with a mode that
is not a string literal; methods of objects the rule cannot tie to a client, connection or
path (``str.replace``, ``self.write_text``). Confidence: 95 for a known function, 85-90 for a
client or path made or annotated in the module, 60-75 when only the receiver's name
(``out_dir``) says it is a path, 50 for SQL text in ``.execute``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence

from tree_sitter import Node

from workflows.analysis.graph import project_imports
from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.nodes import node_text, string_value
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ModuleInfo, ProjectFacts, ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._calls import (
    calls_named,
    import_aliases,
    in_document_order,
    word_from,
    word_to,
)
from workflows.analysis.rules._resolve import (
    TRACKING_NODE_TYPES,
    Receivers,
    argument,
    qualified_name,
    receiver_text,
    tracked_receivers,
)
from workflows.analysis.symbols import ModuleSymbols

RULE_ID = "integration-point"
CATEGORY = Category.INTEGRATION
SEVERITY = Severity.INFO
NODE_TYPES: frozenset[str] = frozenset({"call"}) | TRACKING_NODE_TYPES
NOQA_CODES: tuple[str, ...] = ()
_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY, test_penalty=0)

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
HTTP_FUNCTIONS = frozenset(
    {f"{lib}.{verb}" for lib in ("requests", "httpx") for verb in _VERBS}
    | {"httpx.stream", "aiohttp.request", "urllib3.request"}
    | {"urllib.request.urlopen", "urllib.request.urlretrieve"}
)
HTTP_CLIENTS = frozenset(
    {"requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient"}
    | {"aiohttp.ClientSession", "urllib.request.build_opener"}
    | {"urllib3.PoolManager", "urllib3.ProxyManager", "urllib3.connection_from_url"}
    | {"urllib3.HTTPConnectionPool", "urllib3.HTTPSConnectionPool"}
    | {"http.client.HTTPConnection", "http.client.HTTPSConnection"}
)
_HTTP_METHODS = frozenset({*_VERBS, "stream", "send", "urlopen", "open", "ws_connect"})
DATABASE_FUNCTIONS = frozenset(
    {"sqlite3.connect", "aiosqlite.connect", "psycopg2.connect", "pymysql.connect"}
    | {"psycopg.connect", "psycopg.Connection.connect", "psycopg.AsyncConnection.connect"}
    | {"psycopg_pool.ConnectionPool", "psycopg_pool.AsyncConnectionPool"}
    | {"asyncpg.connect", "asyncpg.create_pool", "mysql.connector.connect"}
    | {"sqlalchemy.create_engine", "sqlalchemy.ext.asyncio.create_async_engine"}
    | {"pymongo.MongoClient", "motor.motor_asyncio.AsyncIOMotorClient"}
    | {"redis.Redis", "redis.StrictRedis", "redis.from_url", "redis.Redis.from_url"}
    | {"redis.asyncio.Redis", "redis.asyncio.from_url"}
)
_SQL_METHODS = frozenset({"execute", "executemany", "executescript"})
_DB_METHODS = _SQL_METHODS | {"fetch", "fetchrow", "fetchval"}
_SQL_RE = re.compile(
    r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|WITH|PRAGMA|REPLACE|MERGE|TRUNCATE)\b",
    re.IGNORECASE,
)
FILE_WRITE_FUNCTIONS = frozenset(
    {f"shutil.{f}" for f in ("copy", "copy2", "copyfile", "copytree", "move", "rmtree")}
    | {f"os.{f}" for f in ("remove", "unlink", "rename", "renames", "replace", "truncate")}
    | {f"os.{f}" for f in ("makedirs", "mkdir", "rmdir", "removedirs", "symlink", "link")}
)
_OPEN_FUNCTIONS = frozenset(
    {"open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open", "aiofiles.open"}
)
_PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "anyio.Path"})
_PATH_WRITES = frozenset(
    {"write_text", "write_bytes", "mkdir", "unlink", "rmdir", "touch", "symlink_to"}
)
_PATH_RETURNING = frozenset(
    {"with_suffix", "with_name", "with_stem", "joinpath", "resolve", "expanduser", "absolute"}
)
_PATH_NAME_RE = re.compile(
    r"(^|_)(paths?|dir|directory|file|folder|root|home|dest|destination|target|out|output|tmp"
    r"|temp|cache)(_|$)|(path|dir|file)$",
    re.IGNORECASE,
)
SUBPROCESS_FUNCTIONS = frozenset(
    {f"subprocess.{f}" for f in ("run", "call", "check_call", "check_output", "Popen")}
    | {"subprocess.getoutput", "subprocess.getstatusoutput", "os.system", "os.popen"}
    | {"os.posix_spawn", "os.posix_spawnp"}
    | {"asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell"}
)
_TRACKED = HTTP_CLIENTS | DATABASE_FUNCTIONS | _PATH_CLASSES
_METHOD_BYTES = frozenset(
    name.encode()
    for name in _HTTP_METHODS | _DB_METHODS | _PATH_WRITES | {"rename", "replace", "open"}
)
"""Every method name `_by_method` may report (as bytes)."""

_METHODS = frozenset(name.decode() for name in _METHOD_BYTES)

Hit = tuple[str, str, int]
"""(kind, message, confidence)."""


def collect(module: ParsedModule, index: ProjectIndex) -> list[Finding]:
    """Every integration call of ``module`` (none for test files)."""
    if module.is_test_file:
        return []
    facts = index.symbols(module)
    aliases = import_aliases(facts, relative=False)
    heads = {name.encode() for name in aliases} | {b"open"}
    exact = module.has_error  # a recovered tree may break `_candidates`' assumptions

    @functools.cache
    def tracked() -> Receivers:  # built on first use: most calls never ask
        return tracked_receivers(facts, aliases, _TRACKED.__contains__, _path_expression)

    calls = facts.nodes_of("call")
    if exact:
        calls = [call for call in calls if _may_hit(module.source, call, heads)]
    else:
        calls = _candidates(module, facts, calls, heads)
    findings: list[Finding] = []
    for call in calls:
        hit = _classify(call, aliases, tracked)
        if hit is not None:
            kind, message, confidence = hit
            findings.append(_REPORT.at(module, call, message, symbol=kind, confidence=confidence))
    return findings


def judge(facts: Mapping[str, Sequence[Finding]], project: ProjectFacts) -> Iterator[Finding]:
    """Each module's third-party imports, then its integration calls."""
    for path, calls in facts.items():
        module = project.modules.get(path)
        if module is None or module.is_test_file:
            continue
        library = _libraries(module, project)
        if library is not None:
            yield library
        yield from calls


def _libraries(module: ModuleInfo, project: ProjectFacts) -> Finding | None:
    """One finding listing the module's third-party packages, at the first such import."""
    analysis = project_imports(project)
    packages = analysis.graph.external.get(module.module_name)
    lines = [i.line for i in analysis.imports.get(module.module_name, ()) if i.third_party]
    if not packages or not lines:
        return None
    message = f"third-party libraries: {', '.join(packages)}"
    return _REPORT.finding(module.path, lines[0], lines[0], message, symbol="library")


def _candidates(
    module: ParsedModule, facts: ModuleSymbols, calls: list[Node], heads: set[bytes]
) -> list[Node]:
    """The ``calls`` `_may_hit` accepts (in a tree without errors), found without reading every
    callee: a call starts where its callee does, so one `bytes.startswith` per call rules out
    most of those not reached through an imported name; calls of a known method are found
    where its name is spelled (`calls_named`)."""
    source, head_tuple = module.source, tuple(heads)
    by_head = [
        call
        for call in calls
        if source.startswith(head_tuple, call.start_byte) and _starts_with_head(source, call, heads)
    ]
    return in_document_order([*by_head, *calls_named(module, calls, _METHODS, facts)])


def _starts_with_head(source: bytes, call: Node, heads: set[bytes]) -> bool:
    """Whether the callee's first word is one of ``heads``."""
    function = call.child_by_field_name("function")
    return function is not None and word_from(source, function.start_byte) in heads


def _may_hit(source: bytes, call: Node, heads: set[bytes]) -> bool:
    """A byte-level pre-check for `_classify`: a known function is reached through an imported
    name (or is ``open``), which starts the callee's text; a method is known by its name, which
    ends it."""
    function = call.child_by_field_name("function")
    if function is None:
        return False
    if word_from(source, function.start_byte) in heads:
        return True
    return word_to(source, function.end_byte) in _METHOD_BYTES


def _classify(
    call: Node, aliases: Mapping[str, str], tracked: Callable[[], Receivers]
) -> Hit | None:
    function = call.child_by_field_name("function")
    if function is None:
        return None
    name = qualified_name(function, aliases)
    if name is None and function.type == "identifier" and node_text(function) == "open":
        name = "open"  # the builtin (an imported `open` resolves through the aliases)
    hit = _by_name(call, name) if name is not None else None
    if hit is None and function.type == "attribute":
        hit = _by_method(call, function, aliases, tracked)
    return hit


def _by_name(call: Node, name: str) -> Hit | None:
    """A call of a known module-level function or constructor."""
    if name in HTTP_FUNCTIONS:
        return "http", f"HTTP call: {name}", 95
    if name in HTTP_CLIENTS:
        return "http", f"HTTP client: {name}", 90
    if name in DATABASE_FUNCTIONS:
        return "database", f"database: {name}", 95
    if name in SUBPROCESS_FUNCTIONS or name.startswith(("os.exec", "os.spawn")):
        return "subprocess", f"subprocess: {name}", 95
    if name in FILE_WRITE_FUNCTIONS:
        return "filesystem", f"file write: {name}", 95
    if name in _OPEN_FUNCTIONS:
        mode = _write_mode(argument(call, 1, "mode"))
        return ("filesystem", f"file write: {name}(mode={mode!r})", 95) if mode else None
    return None


def _by_method(
    call: Node, function: Node, aliases: Mapping[str, str], tracked: Callable[[], Receivers]
) -> Hit | None:
    """A method call on a client, connection or path, or one recognised by its name."""
    method = node_text(function.child_by_field_name("attribute") or function)
    if method not in _METHODS:
        return None  # every hit below needs one of them: skip resolving the receiver
    receiver = function.child_by_field_name("object")
    if receiver is None:
        return None
    origin = _origin(receiver, aliases, tracked)
    if origin in HTTP_CLIENTS and method in _HTTP_METHODS:
        return "http", f"HTTP call: {origin}.{method}", 85
    if origin in DATABASE_FUNCTIONS and method in _DB_METHODS:
        return "database", f"database: {method} on {origin}", 85
    if method in _SQL_METHODS and _is_sql(argument(call, 0)):
        return "database", f"database: SQL via {receiver_text(receiver) or '...'}.{method}", 50
    if origin is not None and origin not in _PATH_CLASSES:
        return None  # a module, client or connection: not a path
    if origin in _PATH_CLASSES or _path_expression(receiver):
        confidence = 90
    elif _PATH_NAME_RE.search((receiver_text(receiver) or "").rsplit(".", 1)[-1]):
        confidence = 75  # only the receiver's name says it is a path
    else:
        return None
    if method in _PATH_WRITES:
        return "filesystem", f"file write: Path.{method}", confidence
    if method in ("rename", "replace") and _single_positional(call):
        return "filesystem", f"file write: Path.{method}", confidence - 15
    mode = _write_mode(argument(call, 0, "mode")) if method == "open" else None
    return ("filesystem", f"file write: Path.open(mode={mode!r})", confidence) if mode else None


def _origin(
    receiver: Node, aliases: Mapping[str, str], tracked: Callable[[], Receivers]
) -> str | None:
    """What the receiver is: a tracked constructor, a constructed call, or an imported name."""
    if receiver.type == "call":
        return qualified_name(receiver.child_by_field_name("function"), aliases)
    return tracked().get(receiver) or qualified_name(receiver, aliases)


def _path_expression(node: Node) -> str | None:
    """``pathlib.Path`` for ``base / "x"``, ``p.with_suffix(...)``, ``p.parent``, else None."""
    while node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    if node.type == "binary_operator":
        operator = node.child_by_field_name("operator")
        is_path = operator is not None and operator.type == "/"
        # str / str is an error and numbers are not strings: a string operand means a path
        is_path = is_path and any(c.type == "string" for c in node.named_children)
    elif node.type == "attribute":
        attribute = node.child_by_field_name("attribute")
        is_path = attribute is not None and node_text(attribute) == "parent"
    elif node.type == "call":
        function = node.child_by_field_name("function")
        attribute = function.child_by_field_name("attribute") if function is not None else None
        is_path = attribute is not None and node_text(attribute) in _PATH_RETURNING
    else:
        is_path = False
    return "pathlib.Path" if is_path else None


def _single_positional(call: Node) -> bool:
    arguments = call.child_by_field_name("arguments")
    children = [c for c in arguments.named_children if c.type != "comment"] if arguments else []
    return len(children) == 1 and children[0].type not in (
        "keyword_argument",
        "list_splat",
        "dictionary_splat",
    )


def _write_mode(node: Node | None) -> str | None:
    """The mode string if it is a literal that writes, appends, creates or updates."""
    mode = string_value(node) if node is not None else None
    return mode if mode and any(flag in mode for flag in "wax+") else None


def _is_sql(node: Node | None) -> bool:
    """Whether an argument is (or wraps, as in ``text("...")``) SQL text."""
    if node is not None and node.type == "call":
        node = argument(node, 0)
    while node is not None and node.type == "concatenated_string":
        node = node.named_children[0] if node.named_children else None
    if node is None or node.type != "string":
        return False
    head = "".join(node_text(c) for c in node.children if c.type == "string_content")
    return bool(_SQL_RE.match(head))
