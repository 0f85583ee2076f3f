"""Hard-coded secret.

What it finds: string literals that look like credentials: any literal containing a known token
format (AWS ``AKIA``/``ASIA`` key ids, GitHub ``ghp_``/``gho_``/``ghs_``/``ghu_``/``ghr_``/
``github_pat_``, Slack ``xox?-``/``xapp-``, Linear ``lin_api_``, Stripe ``sk_live_``/``rk_live_``,
Google ``AIza``, PEM private keys, JWTs), and literals assigned to a name, attribute, dict key,
keyword argument or parameter default whose name ends in a credential word (``password``,
``passwd``, ``secret``, ``token``, ``api_key``, ``private_key``, ``access_key``, ``auth``...).

Why it matters: a secret in source ends up in every clone, fork, CI log and backup, and cannot
be rotated without a code change; leaked tokens are found and used by scanners within minutes.

Example: ``SLACK_TOKEN = "xoxb-..."`` (confidence 95) and ``db_password = "hunter2"`` (50; 80
for a random-looking value of 16+ characters) are reported; read them from the environment or a
secret store. Messages show only a masked prefix (``xoxb-****``), never the secret.

Not flagged: placeholders (empty, ``"changeme"``, ``"xxx"``, ``"<token>"``, ``"${TOKEN}"``,
``"{{ token }}"``, ``"your-api-key-here"``, masks such as ``":****"``, env-var names, URLs,
file paths, prose with spaces), field names as values (``token_type = "access_token"``),
values read at run time (``os.environ["TOKEN"]``), names that merely contain a credential word
(``token_url``, ``password_field``, ``author``), plain words bound to token names
(``_COLUMN_TOKEN = "column"``), raw strings and regular expressions, values inside
``examples=[...]``. Test files are checked with confidence lowered by 30.
``# noqa: S105`` / ``S106`` / ``S107`` silence it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

from tree_sitter import Node

from workflows.analysis.models import Category, Finding, Severity
from workflows.analysis.nodes import node_text, string_value
from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex
from workflows.analysis.reporter import Reporter
from workflows.analysis.rules._calls import unwrap

RULE_ID = "hardcoded-secret"
CATEGORY = Category.SECURITY
SEVERITY = Severity.ERROR
NODE_TYPES: frozenset[str] = frozenset(
    {"string", "assignment", "keyword_argument", "pair"}
    | {"default_parameter", "typed_default_parameter"}
)
NOQA_CODES: tuple[str, ...] = ("S105", "S106", "S107", "B105", "B106", "B107")  # ruff, bandit

_REPORT = Reporter(RULE_ID, CATEGORY, SEVERITY)
_HIGH_ENTROPY_BITS = 3.5
_HIGH_ENTROPY_LENGTH = 16

# (description, pattern, masked prefix length, confidence)
_FORMATS: list[tuple[str, re.Pattern[str], int, int]] = [
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"), 4, 95),
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"), 4, 95),
    ("GitHub token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b"), 11, 95),
    ("Slack token", re.compile(r"\bxox[abposr]-\d{6,}-[0-9A-Za-z-]{8,}"), 5, 95),
    ("Slack app token", re.compile(r"\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{16,}"), 5, 95),
    ("Linear API key", re.compile(r"\blin_api_[A-Za-z0-9]{32,}"), 8, 95),
    ("Stripe live key", re.compile(r"\b[rs]k_live_[0-9A-Za-z]{16,}"), 8, 95),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}"), 4, 95),
    (
        "private key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\s|\\[nr])*[\w+/]{16}"
        ),
        11,
        95,
    ),
    ("JSON Web Token", re.compile(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}"), 3, 85),
]
_PREFIX_RE = re.compile(
    r"AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox[abposr]-|xapp-|lin_api_|k_live_|AIza"
    r"|PRIVATE KEY|eyJ"
)
_PREFIX_BYTES_RE = re.compile(
    rb"A(?:KIA|SIA|BIA|CCA|Iza)|g(?:h[pousr]_|ithub_pat_)|x(?:ox[abposr]-|app-)|lin_api_|k_live_"
    rb"|PRIVATE KEY|eyJ"
)
"""`_PREFIX_RE` on bytes, its branches grouped by first letter (the search tries fewer)."""
_MIN_FORMAT_LENGTH = 20
"""Characters of the shortest text `_known_format` looks at."""
_QUOTES = frozenset(b"\"'")
_CLOSE = ord(")")
_BLANKS = frozenset(b" \t\f")
_BEFORE_CLOSE = _QUOTES | frozenset(b")\r\n")
_FAKE_RE = re.compile(r"example|sample|dummy|fake|placeholder|redacted|your|here|xxxx|0000|1234")
_MIN_TOKEN_ENTROPY = 3.0

_CREDENTIAL_WORDS = frozenset(
    {"password", "passwd", "passphrase", "pwd", "pass", "secret", "secrets", "token", "tokens"}
    | {"apikey", "apikeys", "credential", "credentials", "auth", "authorization"}
    | {"privatekey", "accesskey", "secretkey"}
)
_CREDENTIAL_STEMS = ("pass", "pwd", "secret", "token", "key", "credential", "auth")
"""Every credential word (and ``key``) holds one of these."""
_KEY_QUALIFIERS = frozenset(
    {"api", "access", "secret", "private", "signing", "encryption", "master", "client", "app"}
    | {"consumer", "license", "auth"}
)
_PLACEHOLDERS = frozenset(
    {"changeme", "changeit", "password", "passwd", "secret", "token", "none", "null", "nil"}
    | {"undefined", "empty", "todo", "fixme", "tbd", "redacted", "hidden", "masked", "dummy"}
    | {"example", "sample", "placeholder", "default", "test", "testing", "required", "optional"}
    | {"basic", "bearer", "digest", "oauth", "oauth2", "jwt", "ntlm", "kerberos", "hmac", "header"}
    | {"query", "cookie", "session", "true", "false", "yes", "no"}
)
_SCHEME_RE = re.compile(r"(?:bearer|basic|token)\s+", re.IGNORECASE)
_TEMPLATE_RE = re.compile(
    r"<[^>]*>|\$\{[^}]*\}|\{\{.*\}\}|\$[A-Za-z_]\w*|%\(\w+\)s|%[A-Za-z_]\w*%|\{\w*\}"
    r"|[xX*.#_-]+|(.)\1*"
    r"|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"  # an environment variable's name
)
_PLACEHOLDER_RE = re.compile(
    r"change.?me|your[-_ ]|[-_]here\b|example|placeholder|dummy|redacted|replace.?me|not.?set|\*{3}"
    r"|fake|^(?:env|vault|arn|ssm|secret|file|op):|^\.{0,2}/|^~/|^[a-z][\w+.-]*://[^@]*$"
    r"|\.(?:pem|key|crt|cer|der|p12|pfx|json|txt|ya?ml|env|ini|cfg|toml)$",
    re.IGNORECASE,
)
_FIELD_NAME_RE = re.compile(r"[a-z][a-z0-9]*(?:[-_./+][a-z0-9]+)*", re.IGNORECASE)
_DOTTED_RE = re.compile(r"\.*[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|\.+[A-Za-z_]\w*")
_REGEX_RE = re.compile(r"\[[^\]]+\][+*?{]|\\[wdsWDSbB]|\(\?[:=!<P]")
_EXAMPLE_WORDS = frozenset({"example", "examples", "sample", "samples", "demo"})
_EXAMPLE_DEPTH = 6
_FIELDS = {"assignment": ("left", "right"), "pair": ("key", "value")}
"""Target and value fields of the nodes that bind a name to a literal (else name and value)."""
_NAME_FIELDS = {"keyword_argument": "name", "assignment": "left", "pair": "key"}
_STATEMENT_TYPES = frozenset(
    {"expression_statement", "function_definition", "class_definition", "block", "module"}
)
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_MIN_VALUE_LENGTH = 4
# Names ending in these are often parser tokens or sentinels, whose values are plain words.
_MARKER_WORDS = frozenset({"token", "tokens", "auth", "authorization"})
_WORD_LIKE_RE = re.compile(r"_*[a-z]+(?:[_-][a-z]+)*")


def check(module: ParsedModule, project: ProjectIndex) -> Iterator[Finding]:
    """Report known token formats anywhere and literals bound to credential-like names."""
    facts = project.symbols(module)
    reported: set[int] = set()
    for string in facts.nodes_of("string"):
        if _may_hold_format(module.source, string):
            finding = _known_format(module, string)
            if finding is not None:
                reported.add(string.id)
                yield finding
    exact = module.has_error  # a recovered tree may break `_may_be_literal`'s assumption
    for node_type in sorted(NODE_TYPES - {"string"}):
        for node in facts.nodes_of(node_type):
            if not exact and not _may_be_literal(module.source, node):
                continue
            binding = _named_literal(node)
            if binding is None or binding[1].id in reported:
                continue
            finding = _named_secret(module, *binding)
            if finding is not None:
                yield finding


def _may_hold_format(source: bytes, string: Node) -> bool:
    """A byte-level pre-check for `_known_format`: most strings are too short, and a string
    without interpolations (start, content, end: three children at most) has its text right
    in the source, where `_PREFIX_BYTES_RE` can look without decoding it."""
    start, end = string.start_byte, string.end_byte
    if end - start < _MIN_FORMAT_LENGTH + 2:  # the quotes take two bytes at least
        return False
    return string.child_count > 3 or _PREFIX_BYTES_RE.search(source, start, end) is not None


def _known_format(module: ParsedModule, string: Node) -> Finding | None:
    text = "".join(node_text(c) for c in string.children if c.type == "string_content")
    if len(text) < _MIN_FORMAT_LENGTH or not _PREFIX_RE.search(text):
        return None
    for description, pattern, shown, confidence in _FORMATS:
        for match in pattern.finditer(text):
            token = match.group()
            body = token[shown:]
            if _FAKE_RE.search(body.lower()) or (
                description != "private key" and _entropy(body) < _MIN_TOKEN_ENTROPY
            ):
                continue
            message = (
                f"hard-coded {description} `{token[:shown]}****`; revoke it and load it from "
                "the environment or a secret store"
            )
            return _REPORT.at(module, string, message, confidence=confidence)
    return None


def _may_be_literal(source: bytes, node: Node) -> bool:
    """A byte-level pre-check for `_named_literal`: the value ends the node (trailing comments
    never belong to it), so a string value ends it with a quote; in parentheses, with a ``)``
    right after a quote, another ``)`` or a line break (maybe after a comment)."""
    end = node.end_byte - 1
    if source[end] != _CLOSE:
        return source[end] in _QUOTES
    end -= 1
    while source[end] in _BLANKS:
        end -= 1
    return source[end] in _BEFORE_CLOSE


def _named_literal(node: Node) -> tuple[str, Node] | None:
    """``(name, string literal)`` for ``name = "..."``, ``f(name="...")``, ``{"name": "..."}``
    when the name may be a credential's (`_may_be_credential`: `_named_secret` reports no
    other, so the value is not looked at for the others)."""
    target_field, value_field = _FIELDS.get(node.type, ("name", "value"))
    target = node.child_by_field_name(target_field)
    if target is None:
        return None
    name = string_value(target) if node.type == "pair" else _target_name(target)
    if not name or not _may_be_credential(name):
        return None
    value = node.child_by_field_name(value_field)
    if value is None:
        return None
    value = unwrap(value)
    if value.type != "string" or string_value(value) is None or _is_raw(value):
        return None
    if _in_example(node):
        return None
    return name, value


def _may_be_credential(name: str) -> bool:
    """A cheap pre-check for `_is_credential_name`: every credential word holds one of
    `_CREDENTIAL_STEMS`, and a word of ``name`` is a run of its lower-cased characters."""
    lowered = name.lower()
    return any(stem in lowered for stem in _CREDENTIAL_STEMS)


def _is_raw(string: Node) -> bool:
    """``r"..."``: raw strings hold regular expressions and paths, not credentials."""
    start = string.children[0] if string.children else None
    return start is not None and "r" in node_text(start).lower()


def _in_example(node: Node) -> bool:
    """Whether ``node`` sits in an ``examples=[...]`` / ``SAMPLE = {...}`` style value."""
    current: Node | None = node.parent
    for _ in range(_EXAMPLE_DEPTH):
        if current is None or current.type in _STATEMENT_TYPES:
            return False
        field = _NAME_FIELDS.get(current.type)
        target = current.child_by_field_name(field) if field is not None else None
        if target is not None:
            name = string_value(target) or node_text(target)
            if _EXAMPLE_WORDS.intersection(_words(name)):
                return True
        current = current.parent
    return False


def _target_name(target: Node) -> str | None:
    if target.type == "identifier":
        return node_text(target)
    if target.type == "attribute":
        attribute = target.child_by_field_name("attribute")
        return node_text(attribute) if attribute is not None else None
    if target.type == "subscript":
        keys = target.children_by_field_name("subscript")
        return string_value(keys[0]) if len(keys) == 1 else None
    return None


def _named_secret(module: ParsedModule, name: str, value: Node) -> Finding | None:
    words = _words(name)
    if not _is_credential_name(words):
        return None
    secret = _SCHEME_RE.sub("", (string_value(value) or "").strip(), count=1)
    if _is_placeholder(secret):
        return None
    if words[-1] in _MARKER_WORDS and _WORD_LIKE_RE.fullmatch(secret):
        return None  # a lexer or sentinel token such as "relationship", not a credential
    high = len(secret) >= _HIGH_ENTROPY_LENGTH and _entropy(secret) >= _HIGH_ENTROPY_BITS
    confidence = 80 if high else 50
    message = (
        f"`{name}` is set to a hard-coded string (`****`); read it from the environment or a "
        "secret store"
    )
    return _REPORT.at(module, value, message, confidence=confidence, symbol=name)


def _words(name: str) -> list[str]:
    """``"X-API-Key"`` -> ``["x", "api", "key"]``; ``"dbPassword"`` -> ``["db", "password"]``."""
    return [w for w in re.split(r"[^a-z0-9]+", _CAMEL_RE.sub("_", name).lower()) if w]


def _is_credential_name(words: list[str]) -> bool:
    if not words:
        return False
    if words[-1] in _CREDENTIAL_WORDS:
        return True
    return len(words) > 1 and words[-1] in ("key", "keys") and words[-2] in _KEY_QUALIFIERS


def _is_placeholder(value: str) -> bool:
    """Values that are not secrets: templates, markers, names, URLs, paths, prose."""
    if len(value) < _MIN_VALUE_LENGTH or any(c.isspace() for c in value):
        return True
    if value.lower() in _PLACEHOLDERS or _TEMPLATE_RE.fullmatch(value):
        return True
    if _PLACEHOLDER_RE.search(value) or _DOTTED_RE.fullmatch(value) or _REGEX_RE.search(value):
        return True
    # a field or header name such as "access_token" or "x-api-key"
    return _FIELD_NAME_RE.fullmatch(value) is not None and _is_credential_name(_words(value))


def _entropy(text: str) -> float:
    """Shannon entropy of ``text`` in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
