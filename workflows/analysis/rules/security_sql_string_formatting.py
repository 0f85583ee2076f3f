"""SQL built by string formatting.

What it finds: a call named ``execute``, ``executemany``, ``executescript`` or ``raw``, or
SQLAlchemy's ``text()`` or pandas' ``read_sql``/``read_sql_query``, whose query is built from
non-constant values with an f-string, ``%`` formatting, ``.format()`` or ``+``, and reads like
SQL (``SELECT``, ``INSERT``, ``UPDATE``, ``DELETE``, ``CREATE``, ``DROP``, ``ALTER``,
``REPLACE``, ``MERGE``, ``WITH``, ``TRUNCATE``, in any case). A query held in a local variable
(``sql = f"..."`` or ``sql += f"..."`` earlier in the same function) counts too.

Why it matters: values pasted into SQL text are parsed as SQL, so a quote in a user name or a
branch name changes the statement: the textbook SQL injection.

Example: ``cur.execute(f"SELECT * FROM runs WHERE id = {run_id}")`` is reported; write
``cur.execute("SELECT * FROM runs WHERE id = %s", (run_id,))`` (or ``?`` for sqlite3).

Not flagged: constant queries, parameterised ones (``execute("... %s", (x,))``), queries whose
only formatted parts are constants or placeholder lists (``",".join("?" * len(row))``), text
that does not read like SQL, and ``execute`` calls whose query is a call (``text(...)``,
``select(...)``). Lower confidence for parts built from upper-case constants, for parts that
only name a table (``FROM {table}``), for queries that also pass parameters and in test
files. ``# noqa: S608`` silences it, on the call or on the lines that build the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from tree_sitter import Node

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.nodes import line_range, node_text
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._calls import (
    arguments,
    calls_named,
    import_aliases,
    is_constant,
    is_constant_derived,
    qualified_name,
    spellings,
    string_template,
    unwrap,
)
from workflows.analysis.symbols import ModuleSymbols

RULE_ID = "sql-string-formatting"
CATEGORY = Category.SECURITY
SEVERITY = Severity.ERROR
NODE_TYPES: frozenset[str] = frozenset({"call", "assignment", "augmented_assignment"})
NOQA_CODES: tuple[str, ...] = ("S608", "B608")  # ruff, bandit

_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)
_METHODS = frozenset({"execute", "executemany", "executescript", "raw"})
_SQL_FUNCTIONS = frozenset(
    {"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text"}
    | {"pandas.read_sql", "pandas.read_sql_query"}
)
_LAST_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in _SQL_FUNCTIONS) | _METHODS
_QUERY_KEYWORDS = ("sql", "query", "statement", "operation")
_PARAM_KEYWORDS = frozenset({"params", "parameters", "args"})
_OBJECTS = (
    r"(?:table|index|view|database|schema|trigger|function|procedure|sequence|type|role|user)"
)
_STATEMENT_RE = re.compile(
    r"^[\s(]*(?:select\b.*\bfrom\b|insert\s+(?:or\s+\w+\s+)?into\b|update\b.*\bset\b"
    r"|delete\s+from\b|(?:create|drop|alter)\s+(?:or\s+replace\s+)?(?:temp\w*\s+)?(?:unique\s+)?"
    rf"{_OBJECTS}\b|replace\s+into\b|merge\s+into\b|with\b.*\bas\s*\(|truncate\b)",
    re.IGNORECASE | re.DOTALL,
)
_KEYWORDS = "select|insert|update|delete|create|drop|alter|replace|merge|with|truncate"
_UPPER_START_RE = re.compile(rf"^[\s(]*(?:{_KEYWORDS.upper()})\b")
_KEYWORD_START_RE = re.compile(rf"^[\s(]*(?:{_KEYWORDS})\b", re.IGNORECASE)
_SQL_MARKER_RE = re.compile(
    r"\b(?:from|where|into|set|values|table|join|limit|order\s+by|group\s+by)\b|\*|=",
    re.IGNORECASE,
)
_CLAUSE_RE = re.compile(
    r"^\{\}\s*(?:where|and|or|order\s+by|group\s+by|having|limit|values|(?:inner\s+|left\s+)?join)\b",
    re.IGNORECASE,
)
_IDENTIFIER_SLOT_RE = re.compile(
    r"\b(?:from|join|into|update|table|exists|view|index|schema|database|truncate|select)"
    r"\s*[\[\"`]?$|\.$",
    re.IGNORECASE,
)
_PLACEHOLDER_RE = re.compile(r"""["'](?:\?|%s|%\(\w+\)s)["']""")
_SCOPES = frozenset({"function_definition", "lambda", "module"})


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report SQL text built from non-constant values and passed to a query call."""
    facts = project.symbols(module)
    aliases = import_aliases(facts)
    assignments = facts.nodes_of("assignment") + facts.nodes_of("augmented_assignment")
    wanted = spellings(_LAST_NAMES, aliases)
    for call in calls_named(module, facts.nodes_of("call"), wanted, facts):
        callee = _query_callee(call, aliases)
        if callee is None:
            continue
        args = arguments(call)
        query = args.get(0) or next(
            (args.keywords[k] for k in _QUERY_KEYWORDS if k in args.keywords), None
        )
        if query is None or is_constant(query):
            continue
        parts, how, penalty = [query], _construction(query), 0
        if unwrap(query).type == "identifier":
            parts = _local_parts(unwrap(query), call, assignments)
            how, penalty = f"string formatting into `{node_text(query)}`", 10
        if not parts or _suppressed_where_built(facts, parts):
            continue
        score = _sql_score(parts)
        if score is None:
            continue
        if all(is_constant_derived(part) for part in parts):
            score = min(score, 40)
        if (
            callee in _METHODS and len(args.positional) > 1
        ) or _PARAM_KEYWORDS & args.keywords.keys():
            score -= 20  # values go in as parameters; the formatted part is likely an identifier
        message = (
            f"SQL built with {how} is passed to `{callee}()`; pass values as query parameters "
            "(`%s` / `?` placeholders) instead"
        )
        yield _REPORT.at(module, call, message, confidence=score - penalty, symbol=callee)


def _suppressed_where_built(facts: ModuleSymbols, parts: list[Node]) -> bool:
    """A ``# noqa: S608`` on the lines that build the query (as ruff expects it) counts too."""
    codes = (RULE_ID, *NOQA_CODES)
    return any(facts.suppresses(line, codes) for part in parts for line in line_range(part))


def _query_callee(call: Node, aliases: Mapping[str, str]) -> str | None:
    function = call.child_by_field_name("function")
    if function is None:
        return None
    name = qualified_name(function, aliases)
    if name in _SQL_FUNCTIONS:
        return name
    if function.type == "attribute":
        attribute = function.child_by_field_name("attribute")
        method = node_text(attribute) if attribute is not None else ""
        return method if method in _METHODS else None
    return None


def _is_static(node: Node) -> bool:
    """Constants and placeholder lists such as ``",".join("?" * len(row))``."""
    return is_constant(node) or _PLACEHOLDER_RE.search(node_text(node)) is not None


def _sql_score(parts: list[Node]) -> int | None:
    """How SQL-like the formatted text is (None: not SQL or nothing non-constant in it)."""
    templates = [string_template(part, _is_static) for part in parts]
    if templates[0] is None:
        return None
    text = "".join(t[0] if t else "{}" for t in templates)
    if not any(t is None or t[1] for t in templates):
        return None
    if _STATEMENT_RE.search(text):
        return 60 if _only_identifier_slots(text) else 90
    # "SELECT {}" / "drop table {}", but not prose such as "Update {} now"
    if _UPPER_START_RE.search(text) or (
        _KEYWORD_START_RE.search(text) and _SQL_MARKER_RE.search(text)
    ):
        return 70
    return 60 if _CLAUSE_RE.search(text) else None


def _only_identifier_slots(text: str) -> bool:
    """Whether every formatted part names a table or schema (``FROM {}``), never a value."""
    pieces = text.split("{}")
    return all(_IDENTIFIER_SLOT_RE.search(before) for before in pieces[:-1])


def _construction(query: Node) -> str:
    node = unwrap(query)
    if node.type == "call":
        return "`.format()`"
    if node.type == "binary_operator":
        operator = node.child_by_field_name("operator")
        return "`%` formatting" if operator is not None and operator.type == "%" else "`+`"
    return "an f-string"


def _local_parts(name: Node, call: Node, assignments: list[Node]) -> list[Node]:
    """The values a local variable was built from before ``call``: ``x = ...`` then ``x += ...``."""
    scope = _scope(call)
    spelled = node_text(name)
    parts: list[Node] = []
    for assignment in sorted(assignments, key=lambda n: n.start_byte):
        if assignment.start_byte >= call.start_byte:
            break
        left = assignment.child_by_field_name("left")
        right = assignment.child_by_field_name("right")
        if left is None or right is None or node_text(left) != spelled:
            continue
        if _scope(assignment) != scope:
            continue
        if assignment.type == "assignment":
            parts = [right]
        elif parts and node_text(assignment.child_by_field_name("operator") or left) == "+=":
            parts.append(right)
    return parts


def _scope(node: Node) -> int | None:
    parent = node.parent
    while parent is not None and parent.type not in _SCOPES:
        parent = parent.parent
    return parent.id if parent is not None else None
