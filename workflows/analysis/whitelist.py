"""The whitelist: findings a project has looked at and decided to keep.

The file is ``.cicd-whitelist`` at the analysed root (or any file given with ``--whitelist``).
One entry per line; blank lines are ignored and ``#`` starts a comment (a whole line, or after
a space). Five forms::

    unused-class                         # a rule id: that rule is off everywhere
    legacy/**                            # a path glob: nothing under legacy/ is reported
    unused-function:plugins/**           # rule:glob: that rule is off for those paths
    unused-function:app.py:on_startup    # rule:glob:symbol: one name in matching files
    register_handler                     # a Python name: any finding about that symbol

Paths are POSIX and relative to the analysed root, like the paths in the report. ``*``
matches within one directory level, ``**`` across levels, ``?`` one character, ``[ab]`` one
of a set; a pattern that matches a directory covers everything below it. A bare word is a rule
when it is a known rule id and a symbol when it is any other Python name, so write
``build/`` (not ``build``) for a directory; likewise ``rule:name`` means a symbol and
``rule:path.py`` or ``rule:dir/`` a path. Entries never contain spaces. A mistake raises
``ValueError`` naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from workflows.analysis.models import Finding

__all__ = [
    "WHITELIST_FILE",
    "Whitelist",
    "WhitelistEntry",
    "find_whitelist",
    "load_whitelist",
    "parse_entry",
    "parse_whitelist",
]

WHITELIST_FILE = ".cicd-whitelist"

_RULE_ID_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")
_COMMENT_RE = re.compile(r"(?:^|\s)#.*$")


@dataclass(frozen=True, slots=True)
class WhitelistEntry:
    """One parsed entry: every part that is set must match for a finding to be whitelisted."""

    text: str
    rule: str | None = None
    path: re.Pattern[str] | None = None
    symbol: str | None = None

    def matches(self, finding: Finding) -> bool:
        """Whether this entry whitelists ``finding``."""
        if self.rule is not None and finding.rule != self.rule:
            return False
        if self.symbol is not None and finding.symbol != self.symbol:
            return False
        return self.path is None or _path_matches(self.path, finding.path)


@dataclass(frozen=True, slots=True)
class Whitelist:
    """A compiled list of entries."""

    entries: tuple[WhitelistEntry, ...] = ()

    @classmethod
    def from_entries(cls, entries: Iterable[str], known_rules: Collection[str]) -> Whitelist:
        """Compile entry strings; raises ValueError naming the first bad entry."""
        compiled = []
        for number, text in enumerate(entries, start=1):
            try:
                compiled.append(parse_entry(text, known_rules))
            except ValueError as exc:
                raise ValueError(f"whitelist entry {number} `{text}`: {exc}") from None
        return cls(tuple(compiled))

    def suppresses(self, finding: Finding) -> bool:
        """Whether any entry whitelists ``finding``."""
        return any(entry.matches(finding) for entry in self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)


def parse_entry(text: str, known_rules: Collection[str]) -> WhitelistEntry:
    """Parse one entry (no comment, no surrounding space); raises ValueError saying why."""
    entry = text.strip()
    if not entry:
        raise ValueError("empty entry")
    if any(ch.isspace() for ch in entry):
        raise ValueError("an entry has no spaces; write one entry per line")
    parts = entry.split(":")
    if len(parts) > 3:
        raise ValueError("too many `:`; the forms are rule, path, rule:path, rule:path:symbol")
    if any(not part for part in parts):
        raise ValueError("empty part around `:`")
    if len(parts) == 1:
        return _single_entry(entry, known_rules)
    rule = parts[0]
    if rule not in known_rules:
        raise ValueError(_unknown_rule(rule, known_rules))
    if len(parts) == 2:
        if parts[1].isidentifier():
            return WhitelistEntry(entry, rule=rule, symbol=parts[1])
        return WhitelistEntry(entry, rule=rule, path=_compile_glob(parts[1]))
    symbol = parts[2]
    if not symbol.isidentifier():
        raise ValueError(f"`{symbol}` is not a Python name")
    return WhitelistEntry(entry, rule=rule, path=_compile_glob(parts[1]), symbol=symbol)


def _single_entry(entry: str, known_rules: Collection[str]) -> WhitelistEntry:
    """An entry without ``:``: a rule id, a symbol or a path glob, as its spelling says."""
    if entry in known_rules:
        return WhitelistEntry(entry, rule=entry)
    if entry.isidentifier():
        return WhitelistEntry(entry, symbol=entry)
    if _RULE_ID_RE.fullmatch(entry):
        raise ValueError(_unknown_rule(entry, known_rules))
    return WhitelistEntry(entry, path=_compile_glob(entry))


def parse_whitelist(
    text: str, known_rules: Collection[str], source: str = WHITELIST_FILE
) -> list[str]:
    """The entries of a whitelist file's text, each checked; errors name ``source`` and line."""
    entries: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = _COMMENT_RE.sub("", line).strip()
        if not entry:
            continue
        try:
            parse_entry(entry, known_rules)
        except ValueError as exc:
            raise ValueError(f"{source} line {number}: `{entry}`: {exc}") from None
        entries.append(entry)
    return entries


def load_whitelist(path: Path, known_rules: Collection[str]) -> list[str]:
    """Read and check the whitelist file at ``path`` (OSError when unreadable)."""
    return parse_whitelist(path.read_text(encoding="utf-8"), known_rules, source=str(path))


def find_whitelist(root: Path) -> Path | None:
    """``.cicd-whitelist`` of an analysed root (a directory, or a file's directory), if any."""
    base = root if root.is_dir() else root.parent
    candidate = base / WHITELIST_FILE
    return candidate if candidate.is_file() else None


def _unknown_rule(rule: str, known_rules: Collection[str]) -> str:
    return f"unknown rule id `{rule}`; valid rule ids: {', '.join(sorted(known_rules))}"


def _compile_glob(pattern: str) -> re.Pattern[str]:
    """A regex for a root-relative glob (``*``, ``**``, ``?``, ``[...]``)."""
    clean = pattern.removeprefix("./").strip("/")
    if not clean:
        raise ValueError("a path pattern needs at least one name")
    if ".." in PurePosixPath(clean).parts:
        raise ValueError("paths are relative to the analysed root; `..` is not allowed")
    clean = re.sub(r"\*{3,}", "**", clean)
    while "**/**" in clean:  # repeated `**` adds nothing but backtracking
        clean = clean.replace("**/**", "**")
    out: list[str] = []
    i, n = 0, len(clean)
    while i < n:
        if clean.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif clean.startswith("**", i):
            out.append(".*")
            i += 2
        elif clean[i] == "*":
            out.append("[^/]*")
            i += 1
        elif clean[i] == "?":
            out.append("[^/]")
            i += 1
        elif clean[i] == "[" and (close := clean.find("]", i + 2)) != -1:
            body = clean[i + 1 : close]
            negate = body.startswith("!")
            body = re.escape(body[1:] if negate else body).replace(r"\-", "-")
            out.append(f"[{'^' if negate else ''}{body}]")
            i = close + 1
        else:
            out.append(re.escape(clean[i]))
            i += 1
    return re.compile("".join(out))


def _path_matches(pattern: re.Pattern[str], path: str) -> bool:
    """Whether ``pattern`` matches ``path`` or one of the directories above it."""
    if pattern.fullmatch(path):
        return True
    parts = path.split("/")
    return any(pattern.fullmatch("/".join(parts[:end])) for end in range(1, len(parts)))
