"""Eval or exec of non-constant input.

What it finds: calls of the built-ins ``eval``, ``exec`` and ``compile`` whose source argument
is not a constant (a variable, an f-string, a concatenation with a variable, a call result).

Why it matters: whoever controls that string runs arbitrary Python inside the process, with
its credentials and its file system; it is the classic path from "parse a value" to remote
code execution.

Example: ``eval(request.args["expr"])`` and ``exec(f"x = {value}")`` are reported; parse data
with ``ast.literal_eval`` or ``json.loads`` and dispatch on names instead of building code.

Not flagged: a string literal or constant-only concatenation (``exec("import a" + "b")``);
``ast.literal_eval``; methods and other functions that share the name (``df.eval``,
``re.compile``, ``model.eval()``, a module's own ``def eval``); ``exec(compile(...))`` and
``code = compile(...)`` then ``exec(code)`` report only the ``compile`` call; a bare
``compile(text, "", "eval")`` statement is a syntax check and not reported. Sources still
built from constants (upper-case names, ``dedent("...")``) and calls in test files are
reported with lower confidence. ``# noqa: S307`` / ``S102`` silence it.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.nodes import node_text
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._calls import (
    arguments,
    calls_named,
    import_aliases,
    is_constant,
    is_constant_derived,
    mentioned,
    qualified_name,
    spellings,
    string_template,
    unwrap,
)

RULE_ID = "eval-exec"
CATEGORY = Category.SECURITY
SEVERITY = Severity.ERROR
NODE_TYPES: frozenset[str] = frozenset({"call", "assignment"})
NOQA_CODES: tuple[str, ...] = ("S307", "S102", "B307", "B102")  # ruff, bandit

_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)
_BUILTINS = ("eval", "exec", "compile")
_BUILTIN_BYTES = tuple(name.encode() for name in _BUILTINS)
_TARGETS = {name: name for name in _BUILTINS} | {f"builtins.{name}": name for name in _BUILTINS}
_ADVICE = {
    "eval": "runs code built from non-constant input; parse data with `ast.literal_eval`",
    "exec": "runs code built from non-constant input; do not build code from data",
    "compile": "turns non-constant input into runnable code; make sure the source is trusted",
}


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report ``eval``/``exec``/``compile`` calls on non-constant sources."""
    facts = project.symbols(module)
    if module.has_error:  # a recovered tree may hide a mention from the walk: ask the bytes
        if not any(builtin in module.source for builtin in _BUILTIN_BYTES):
            return
    elif not mentioned(facts, _BUILTINS):
        return  # every way to reach them (a call, an import) mentions them
    aliases = import_aliases(facts)
    own = {d.name for d in facts.definitions}
    compiled: set[str] | None = None  # found when first needed: few sources are names
    wanted = spellings(frozenset(_BUILTINS), aliases)
    for call in calls_named(module, facts.nodes_of("call"), wanted, facts):
        name = qualified_name(call.child_by_field_name("function"), aliases)
        builtin = _TARGETS.get(name or "")
        if builtin is None or (name == builtin and builtin in own):
            continue
        if (
            builtin == "compile"
            and call.parent is not None
            and call.parent.type == ("expression_statement")
        ):
            continue  # result discarded: a syntax check, nothing runs
        source = arguments(call).get(0, "source")
        if source is None or is_constant(source) or _is_compile_call(source, aliases):
            continue
        if unwrap(source).type == "identifier":
            if compiled is None:
                compiled = _names_bound_to_compile(facts.nodes_of("assignment"), aliases)
            if node_text(unwrap(source)) in compiled:
                continue  # `code = compile(...)` is reported; `exec(code)` adds nothing
        yield _REPORT.at(
            module,
            call,
            f"`{builtin}()` {_ADVICE[builtin]}",
            confidence=_confidence(builtin, source),
            symbol=builtin,
        )


def _names_bound_to_compile(assignments: list[Node], aliases: dict[str, str]) -> set[str]:
    """Names assigned a ``compile(...)`` result anywhere in the module (``code = compile(...)``)."""
    names: set[str] = set()
    for assignment in assignments:
        right = assignment.child_by_field_name("right")
        if right is None or not _is_compile_call(right, aliases):
            continue
        left = assignment.child_by_field_name("left")
        if left is not None:
            names.add(node_text(left))
    return names


def _is_compile_call(node: Node, aliases: dict[str, str]) -> bool:
    node = unwrap(node)
    if node.type != "call":
        return False
    return _TARGETS.get(qualified_name(node.child_by_field_name("function"), aliases) or "") == (
        "compile"
    )


def _confidence(builtin: str, source: Node) -> int:
    if is_constant_derived(source):
        return 40
    if builtin == "compile":
        return 60
    built = string_template(source)
    return 90 if built is not None and built[1] else 70
