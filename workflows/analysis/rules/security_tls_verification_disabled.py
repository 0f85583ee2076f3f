"""TLS verification disabled.

What it finds: code that turns off certificate or host-name checks: ``verify=False`` (also
``verify_ssl=``, ``verify_certs=``, ``ssl_verify=``, ``validate_certs=False``) in HTTP calls and
clients (``requests.get(url, verify=False)``, ``httpx.Client(verify=False)``,
``session.post(..., verify=False)``), ``ssl=False`` in aiohttp calls, ``cert_reqs=CERT_NONE``,
``ssl._create_unverified_context``, ``ctx.check_hostname = False``,
``ctx.verify_mode = ssl.CERT_NONE`` and ``session.verify = False``; ``urllib3.disable_warnings``
is reported as a warning with low confidence.

Why it matters: without verification anyone on the network path (a proxy, a hostile Wi-Fi, a
compromised CI runner) can impersonate the server and read or change the traffic, tokens
included.

Example: ``requests.get(url, verify=False)`` is reported; fix the trust store, or pass
``verify="/path/to/ca-bundle.pem"`` for a private CA.

Not flagged: ``verify=True``, ``verify=ca_path``, a non-constant ``verify=`` flag,
``verify=None``; ``jwt.decode(..., verify=False)`` (not TLS); comparisons such as
``if ctx.verify_mode == ssl.CERT_NONE``. Settings made only inside an ``if``/``else`` branch
(a library honouring its caller's choice), ``self.check_hostname = False`` (a class
initialising its own field), settings the same function later restores from a variable, and
test files get lower confidence. ``# noqa: S501`` / ``S323`` silence it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from tree_sitter import Node

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.nodes import is_main_guard, node_text, string_value
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._calls import (
    arguments,
    callee_name,
    calls_named,
    import_aliases,
    in_document_order,
    is_falsy_constant,
    mentioned,
    qualified_name,
    spelled,
    spellings,
    unwrap,
)
from workflows.analysis.symbols import ModuleSymbols

RULE_ID = "tls-verification-disabled"
CATEGORY = Category.SECURITY
SEVERITY = Severity.ERROR
NODE_TYPES: frozenset[str] = frozenset({"call", "assignment"})
NOQA_CODES: tuple[str, ...] = ("S501", "S323", "B501", "B323")  # ruff, bandit

_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)
_HTTP_LIBRARIES = frozenset({"requests", "httpx", "aiohttp", "urllib3"})
_NOT_TLS_LIBRARIES = frozenset({"jwt", "jose"})
_HTTP_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"}
    | {"Session", "Client", "AsyncClient", "ClientSession", "TCPConnector", "PoolManager"}
)
_VERIFY_FLAGS = frozenset(
    {"verify_ssl", "verify_certs", "ssl_verify", "tls_verify", "verify_tls", "validate_certs"}
)
_CERT_NONE = frozenset({"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE"})
_CERT_NONE_STRINGS = frozenset({"CERT_NONE", "NONE", "none"})
_UNVERIFIED_CONTEXTS = {"ssl._create_unverified_context": 95, "ssl._create_stdlib_context": 75}
_DISABLE_WARNINGS = frozenset(
    {f"{prefix}urllib3.disable_warnings" for prefix in ("", "requests.", "requests.packages.")}
)
_CALLED_NAMES = frozenset(
    name.rsplit(".", 1)[-1] for name in _UNVERIFIED_CONTEXTS.keys() | _DISABLE_WARNINGS
)
_TLS_KEYWORDS = _VERIFY_FLAGS | {"verify", "ssl", "cert_reqs"}
_TLS_KEYWORD_RE = re.compile(b"|".join(re.escape(k.encode()) for k in sorted(_TLS_KEYWORDS)))
_ATTRIBUTES = ("verify_mode", "check_hostname", "verify")
"""Attributes whose assignment `_check_assignment` may report."""
_UNVERIFIED_CONTEXT_NAME = ("_create_unverified_context",)
_DISABLED = "turns off TLS certificate checks, so traffic can be intercepted"
_CONDITIONAL_PENALTY = 40
_OWN_FIELD_PENALTY = 40
_RESTORED_PENALTY = 40


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report calls and assignments that switch TLS verification off."""
    facts = project.symbols(module)
    aliases = import_aliases(facts)
    wanted = spellings(_CALLED_NAMES, aliases)
    for call in _candidate_calls(module, facts, wanted):
        yield from _check_call(module, call, aliases, wanted)
    assignments = facts.nodes_of("assignment")
    restored: set[str] | None = None  # found when first needed: most files report nothing
    for assignment in _candidate_assignments(module, facts, assignments):
        if restored is None:
            restored = {_restore_key(a) for a in assignments if _is_restore(a)}
        finding = _check_assignment(module, assignment, aliases, restored)
        if finding is not None:
            yield finding


def _candidate_calls(
    module: ParsedModule, facts: ModuleSymbols, wanted: frozenset[str]
) -> list[Node]:
    """The calls `_check_call` may report on: those named in ``wanted`` and those passing one of
    `_TLS_KEYWORDS`, found through where those names are spelled rather than call by call."""
    calls = facts.nodes_of("call")
    named = calls_named(module, calls, wanted, facts)
    if module.has_error:  # a recovered tree: any call may pass one, `_check_call` sorts them out
        return calls if _TLS_KEYWORD_RE.search(module.source) else named
    keywords = spelled(module, _TLS_KEYWORDS, then=b"=")  # a keyword argument's name
    if not keywords:
        return named
    passing = (_call_passing(keyword) for keyword in keywords)
    return in_document_order([*named, *(call for call in passing if call is not None)])


def _call_passing(name: Node) -> Node | None:
    """The call that ``name`` is a keyword argument of (``f(name=...)``), if any."""
    keyword = name.parent
    if keyword is None or keyword.type != "keyword_argument":
        return None
    arglist = keyword.parent
    call = arglist.parent if arglist is not None else None
    return call if call is not None and call.type == "call" else None


def _candidate_assignments(
    module: ParsedModule, facts: ModuleSymbols, assignments: list[Node]
) -> list[Node]:
    """The assignments `_check_assignment` may report on: all of them when the module mentions
    ``_create_unverified_context`` (a value may name it through an alias, but its import
    mentions it), else those whose target is an attribute spelled like one of `_ATTRIBUTES`."""
    if module.has_error or mentioned(facts, _UNVERIFIED_CONTEXT_NAME):
        return assignments
    # an assignment's target attribute: `name = ...` or `name: type = ...`
    targets = (_assigned_attribute(name) for name in spelled(module, _ATTRIBUTES, then=b"=:"))
    return in_document_order(a for a in targets if a is not None)


def _assigned_attribute(name: Node) -> Node | None:
    """The assignment whose target is the attribute ``name`` ends (``ctx.name = ...``), if any."""
    attribute = name.parent
    if attribute is None or attribute.type != "attribute":
        return None
    assignment = attribute.parent
    if assignment is None or assignment.type != "assignment":
        return None
    return assignment if assignment.child_by_field_name("left") == attribute else None


def _may_name_tls_keyword(module: ParsedModule, call: Node) -> bool:
    """A byte-level pre-check: can the call's arguments hold one of `_TLS_KEYWORDS` at all?"""
    arglist = call.child_by_field_name("arguments")
    if arglist is None:
        return False
    return _TLS_KEYWORD_RE.search(module.source, arglist.start_byte, arglist.end_byte) is not None


def _check_call(
    module: ParsedModule, call: Node, aliases: Mapping[str, str], wanted: frozenset[str]
) -> Iterator[Finding]:
    method = callee_name(call)
    if method not in wanted and not _may_name_tls_keyword(module, call):
        return
    args = arguments(call)
    if method not in wanted and _TLS_KEYWORDS.isdisjoint(args.keywords):
        return
    name = qualified_name(call.child_by_field_name("function"), aliases) or method
    if name in _UNVERIFIED_CONTEXTS:
        message = f"`{name}()` {_DISABLED}; use `ssl.create_default_context()`"
        yield _REPORT.at(module, call, message, confidence=_UNVERIFIED_CONTEXTS[name])
        return
    if name in _DISABLE_WARNINGS:
        message = f"`{name}()` hides warnings about unverified HTTPS requests; fix them instead"
        yield _REPORT.at(module, call, message, confidence=40, severity=Severity.WARNING)
        return
    library = name.split(".", 1)[0]
    if library in _NOT_TLS_LIBRARIES:
        return
    for keyword, value in args.keywords.items():
        confidence = _keyword_confidence(keyword, value, name, aliases)
        if confidence is not None:
            shown = f"{keyword}={node_text(value)}"
            message = f"`{shown}` {_DISABLED}; remove it or pass a CA bundle path"
            yield _REPORT.at(module, call, message, confidence=_adjust(call, confidence))


def _keyword_confidence(
    keyword: str, value: Node, callee: str, aliases: Mapping[str, str]
) -> int | None:
    library = callee.split(".", 1)[0]
    method = callee.rsplit(".", 1)[-1]
    if keyword == "verify" and is_falsy_constant(value) and unwrap(value).type != "none":
        if library in _HTTP_LIBRARIES:
            return 95
        return 80 if method in _HTTP_METHODS else 60
    if keyword in _VERIFY_FLAGS and is_falsy_constant(value):
        return 85 if library in _HTTP_LIBRARIES else 75
    if keyword == "ssl" and unwrap(value).type == "false" and library == "aiohttp":
        return 90
    if keyword == "cert_reqs" and _is_cert_none(value, aliases):
        return 90
    return None


def _check_assignment(
    module: ParsedModule, assignment: Node, aliases: Mapping[str, str], restored: set[str]
) -> Finding | None:
    left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
    if left is None or right is None:
        return None
    if qualified_name(right, aliases) == "ssl._create_unverified_context":
        message = f"installing `ssl._create_unverified_context` {_DISABLED} for the whole process"
        return _REPORT.at(module, assignment, message, confidence=_adjust(assignment, 95))
    if left.type != "attribute":
        return None
    attribute = node_text(left).rsplit(".", 1)[-1]
    if attribute == "verify_mode" and _is_cert_none(right, aliases):
        confidence = 95
    elif attribute in ("check_hostname", "verify") and unwrap(right).type == "false":
        confidence = 90 if attribute == "check_hostname" else 85
    else:
        return None
    if node_text(left).startswith(("self.", "cls.")):
        confidence -= _OWN_FIELD_PENALTY  # a context-like class initialising its own field
    if _restore_key(assignment) in restored:
        confidence -= _RESTORED_PENALTY  # switched off for a moment, then put back
    message = f"`{attribute} = {node_text(right)}` {_DISABLED}"
    return _REPORT.at(module, assignment, message, confidence=_adjust(assignment, confidence))


def _restore_key(assignment: Node) -> str:
    """Where an assignment happens and to what: its function and its target's spelling."""
    scope = assignment.parent
    while scope is not None and scope.type not in ("function_definition", "module"):
        scope = scope.parent
    left = assignment.child_by_field_name("left")
    return f"{scope.id if scope is not None else 0}:{node_text(left) if left else ''}"


def _is_restore(assignment: Node) -> bool:
    """``ctx.check_hostname = saved``: a value put back from a local variable."""
    left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
    if left is None or right is None or left.type != "attribute":
        return False
    return unwrap(right).type == "identifier"


def _is_cert_none(value: Node, aliases: Mapping[str, str]) -> bool:
    if qualified_name(value, aliases) in _CERT_NONE:
        return True
    return string_value(unwrap(value)) in _CERT_NONE_STRINGS


def _adjust(node: Node, confidence: int) -> int:
    """Lower the confidence of a setting made only inside an ``if``/``else`` branch."""
    parent = node.parent
    while parent is not None and parent.type not in ("function_definition", "module"):
        if parent.type in ("elif_clause", "else_clause") or (
            parent.type == "if_statement" and not is_main_guard(parent)
        ):
            return confidence - _CONDITIONAL_PENALTY
        parent = parent.parent
    return confidence
