"""Raising a dependency's version in its manifest: the plan, and the edit of each line.

Python manifests (`pyproject.toml`, `requirements*.txt`) are edited in place: an exact pin
`==X` becomes `==FIX`, a lower bound `>=X` becomes `>=FIX`, any other range gets `,>=FIX`;
the edit is kept only when the new specifier admits FIX. Lockfiles are not edited (npm's
record integrity hashes only npm can compute), nor are hash-pinned requirements: both become
manual steps saying what to run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Self

from packaging.requirements import InvalidRequirement, Requirement
from pydantic import BaseModel, Field

from workflows.dependencies.manifests import Dependency


class DependencyChange(BaseModel):
    """Taking one occurrence of a dependency (a manifest line) to `target`."""

    ecosystem: str
    name: str
    current: str = Field(description="the version checked")
    target: str
    manifest: str
    line: int
    advisories: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, dep: Dependency, target: str, advisories: list[str], **how: str) -> Self:
        """The change for ``dep``, with the fields (``how``) of the kind of change."""
        where: dict[str, object] = {"ecosystem": dep.ecosystem, "name": dep.name}
        where |= {"current": dep.version, "manifest": dep.manifest, "line": dep.line}
        return cls.model_validate({**where, **how, "target": target, "advisories": advisories})


class Upgrade(DependencyChange):
    """One manifest line to change so the dependency resolves to `target`."""

    requirement: str = Field(description="the requirement as written")
    new_requirement: str


class ManualUpgrade(DependencyChange):
    """A fix the audit cannot write into a manifest, and how to make it."""

    how: str


def edit_requirement(text: str, current: str, target: str) -> str | None:
    """`text` (PEP 508) requiring `target` or later; None when no simple edit does it."""
    head, sep, marker = text.partition(";")
    pinned = re.compile(rf"(===?)(\s*){re.escape(current)}(?![\w.*+!-])")
    lower = re.compile(rf">=(\s*){re.escape(current)}(?![\w.*+!-])")
    if pinned.search(head):
        new_head = pinned.sub(lambda m: f"{m.group(1)}{m.group(2)}{target}", head, count=1)
    elif lower.search(head):
        new_head = lower.sub(lambda m: f">={m.group(1)}{target}", head, count=1)
    else:
        stripped = head.rstrip()
        tail = head[len(stripped) :]
        if stripped.endswith(")"):
            new_head = f"{stripped[:-1]},>={target}){tail}"
        else:
            new_head = f"{stripped},>={target}{tail}"
    new = new_head + sep + marker
    try:
        requirement = Requirement(new)
    except InvalidRequirement:
        return None
    return new if requirement.specifier.contains(target, prereleases=True) else None


def _manual_step(dep: Dependency, target: str) -> str | None:
    """How to fix `dep` by hand when no manifest edit will; None when an edit will."""
    if dep.ecosystem == "npm":
        how = (
            f"`npm install {dep.name}@{target}`"
            if dep.direct
            else f"`npm update {dep.name}`, or an `overrides` entry "
            f'`"{dep.name}": "{target}"` in package.json'
        )
        return how + " (the lockfile is npm's to write)"
    if dep.hashed:
        return "hash-pinned: raise the pin and regenerate the hashes (pip-compile)"
    if edit_requirement(dep.requirement, dep.version, target) is None:
        return f"`{dep.requirement}` excludes {target}: widen the range by hand"
    return None


def plan_upgrades(
    occurrences: Iterable[Dependency], target: str, advisories: list[str]
) -> tuple[list[Upgrade], list[ManualUpgrade]]:
    """The edits (and manual steps) that take every occurrence of a package to `target`."""
    edits: list[Upgrade] = []
    manual: list[ManualUpgrade] = []
    for dep in occurrences:
        how = _manual_step(dep, target)
        if how is not None:
            manual.append(ManualUpgrade.of(dep, target, advisories, how=how))
            continue
        new = edit_requirement(dep.requirement, dep.version, target) or ""
        edits.append(
            Upgrade.of(dep, target, advisories, requirement=dep.requirement, new_requirement=new)
        )
    return edits, manual


def apply_upgrades(root: Path, upgrades: Iterable[Upgrade]) -> tuple[list[Upgrade], list[str]]:
    """Write the edits under `root`: (the edits made, lines that no longer match)."""
    applied: list[Upgrade] = []
    problems: list[str] = []
    by_file: dict[str, list[Upgrade]] = {}
    for upgrade in upgrades:
        by_file.setdefault(upgrade.manifest, []).append(upgrade)
    for manifest, edits in by_file.items():
        path = root / manifest
        if not path.is_file():
            problems += [f"{manifest}: not in the committed tree" for _ in edits]
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for edit in edits:
            index = edit.line - 1
            changed = _edit_line(lines[index], edit) if 0 <= index < len(lines) else None
            if changed is None:
                problems.append(f"{manifest}:{edit.line}: `{edit.requirement}` not found")
                continue
            lines[index] = changed
            applied.append(edit)
        path.write_text("".join(lines), encoding="utf-8")
    return applied, problems


def _edit_line(line: str, edit: Upgrade) -> str | None:
    """The line with the requirement replaced; TOML strings may hold it escaped."""
    if edit.requirement in line:
        return line.replace(edit.requirement, edit.new_requirement, 1)
    escaped, new = json.dumps(edit.requirement)[1:-1], json.dumps(edit.new_requirement)[1:-1]
    if escaped in line:
        return line.replace(escaped, new, 1)
    return None
