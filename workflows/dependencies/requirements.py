"""pip requirement lines: `requirements*.txt` files (includes, comments, options, markers,
continuations) and PEP 508 strings, and the version each one is checked at."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from workflows.dependencies.versions import chosen_version

MAX_INCLUDE_DEPTH = 10
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s+|=)(\S+)")
_EDITABLE = re.compile(r"^(?:-e|--editable)(?:\s+|=)")
_COMMENT = re.compile(r"(^|\s)#.*$")
_HASH = re.compile(r"\s--hash[=\s]\S+")


def canonical_name(name: str) -> str:
    """PEP 503: lower case, runs of `-`, `_` and `.` become one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class RequirementLine:
    """One requirement as written, where it was written."""

    text: str
    line: int
    group: str = ""
    hashed: bool = False


@dataclass(frozen=True)
class ParsedRequirement:
    """A requirement with a version to check."""

    name: str
    version: str
    pinned: bool
    marker: str | None


def parse_requirement(line: RequirementLine) -> ParsedRequirement | str:
    """The name and checked version of a PEP 508 requirement, or why it has none."""
    text = line.text.strip()
    if _EDITABLE.match(text):
        return "editable install (-e); not a released version"
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        return f"not a requirement pip understands ({str(exc).splitlines()[0]})"
    if requirement.url:
        return "direct reference (URL or path); not a released version"
    chosen = chosen_version(str(requirement.specifier))
    if chosen.version is None:
        return chosen.reason
    return ParsedRequirement(
        name=canonical_name(requirement.name),
        version=chosen.version,
        pinned=chosen.pinned,
        marker=str(requirement.marker) if requirement.marker else None,
    )


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first physical line number, text) with `\\` continuations joined, comments removed."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        line = _COMMENT.sub("", raw)
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            yield start, joined
    if pending:
        joined = " ".join(part.strip() for part in pending).strip()
        if joined:
            yield start, joined


def read_requirements(
    path: Path, root: Path, visited: set[Path], depth: int = 0
) -> Iterator[tuple[Path, list[RequirementLine], list[str]]]:
    """`path`'s requirement lines and problems, then those of the files it includes (`-r`).

    Includes are read once each and must stay inside `root`; constraint files (`-c`) pin
    nothing by themselves and are not read; other pip options are ignored.
    """
    path = path.resolve()
    if path in visited:
        return
    visited.add(path)
    found: list[RequirementLine] = []
    problems: list[str] = []
    includes: list[Path] = []
    for number, line in _logical_lines(path.read_text(encoding="utf-8")):
        include = _INCLUDE.match(line)
        if include:
            target = (path.parent / _unquote(include.group(1))).resolve()
            if target != root and root not in target.parents:
                problems.append(f"line {number}: include {include.group(1)} leaves the repository")
            elif not target.is_file():
                problems.append(f"line {number}: included file {include.group(1)} not found")
            else:
                includes.append(target)
            continue
        if _EDITABLE.match(line):
            found.append(RequirementLine(text=line, line=number))
            continue
        if line.startswith("-"):
            continue  # constraints, --index-url, --hash-only lines and other pip options
        hashed = bool(_HASH.search(" " + line))
        requirement = _HASH.sub("", " " + line).strip()
        requirement = re.split(r"\s--?[a-z]", " " + requirement, maxsplit=1)[0].strip()
        found.append(RequirementLine(text=requirement, line=number, hashed=hashed))
    yield path, found, problems
    if depth >= MAX_INCLUDE_DEPTH:
        return
    for target in includes:
        yield from read_requirements(target, root, visited, depth + 1)


def _unquote(text: str) -> str:
    try:
        parts = shlex.split(text)
    except ValueError:
        return text
    return parts[0] if parts else text
