"""Dependencies read from a project's manifests: `pyproject.toml`, `requirements*.txt` and
`package-lock.json`.

Each dependency says which version is checked and why: an exact pin (`==`), the lowest version
a range allows (`>=3.2,<4` is checked at 3.2), or the version a lockfile records. Requirements
that name no checkable version (no lower bound, URLs, editable installs) are listed as
unchecked with the reason, never silently dropped. Pure: reads files, touches nothing else.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from workflows.dependencies.requirements import (
    RequirementLine,
    canonical_name,
    parse_requirement,
    read_requirements,
)

Ecosystem = Literal["PyPI", "npm"]
Checked = Literal["pinned", "lowest-allowed", "locked"]

SKIPPED_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox", "site-packages"}
    | {"build", "dist", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
)


class Dependency(BaseModel):
    """One dependency at one place in one manifest, and the version checked for it."""

    ecosystem: Ecosystem
    name: str = Field(description="as the package index names it (PyPI names normalised)")
    version: str = Field(description="the version looked up in the advisory database")
    requirement: str = Field(description="as written: `django>=3.2,<4`, `lodash@4.17.15`")
    checked: Checked = Field(description="pinned (==), lowest-allowed of a range, or locked")
    manifest: str = Field(description="POSIX path relative to the repository root")
    line: int = Field(ge=1)
    group: str = Field("", description="`dependencies`, `optional: dev`, `dev` ...")
    marker: str | None = Field(None, description="environment marker, checked regardless")
    hashed: bool = Field(False, description="pinned with --hash (a bump needs new hashes)")
    direct: bool = Field(True, description="False for a lockfile's transitive packages")

    @property
    def key(self) -> tuple[str, str, str]:
        """What the advisory database is asked about: (ecosystem, name, version)."""
        return (self.ecosystem, self.name, self.version)


class UncheckedDependency(BaseModel):
    """A requirement with no version to check, and why."""

    name: str
    requirement: str
    manifest: str
    line: int = Field(ge=1)
    reason: str


class DependencyScan(BaseModel):
    """Everything read from the manifests of a repository or component."""

    manifests: list[str] = Field(default_factory=list)
    dependencies: list[Dependency] = Field(default_factory=list)
    unchecked: list[UncheckedDependency] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list, description="manifests that could not be read")

    def packages(self) -> list[tuple[str, str, str]]:
        """Each (ecosystem, name, version) once, in the order first seen."""
        return list(dict.fromkeys(d.key for d in self.dependencies))


# -- discovery -------------------------------------------------------------------------------


def is_manifest(path: Path) -> bool:
    """A file this module reads."""
    name = path.name
    return (
        name in ("pyproject.toml", "package-lock.json")
        or (name.startswith("requirements") and name.endswith(".txt"))
        or (path.parent.name == "requirements" and name.endswith(".txt"))
    )


def find_manifests(start: Path) -> list[Path]:
    """Manifests at or under `start` (a file or directory), vendored trees skipped."""
    if start.is_file():
        return [start] if is_manifest(start) else []
    found: list[Path] = []
    for folder, dirs, files in os.walk(start):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        found += [Path(folder) / f for f in sorted(files) if is_manifest(Path(folder) / f)]
    return found


def read_dependencies(root: Path, start: Path | None = None) -> DependencyScan:
    """The dependencies of the manifests under `start` (default `root`); paths relative to root."""
    root = root.resolve()
    scan = DependencyScan()
    visited: set[Path] = set()
    for path in find_manifests((start or root).resolve()):
        if path in visited:
            continue  # already read through a `-r` include
        try:
            _read_one(root, path, scan, visited)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            scan.errors.append(f"{_relative(root, path)}: {_reason(exc)}")
    return scan


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _read_one(root: Path, path: Path, scan: DependencyScan, visited: set[Path]) -> None:
    if path.name == "pyproject.toml":
        visited.add(path.resolve())
        rel = _relative(root, path)
        scan.manifests.append(rel)
        _add_python(scan, rel, pyproject_requirements(path.read_text(encoding="utf-8")))
    elif path.name == "package-lock.json":
        visited.add(path.resolve())
        rel = _relative(root, path)
        scan.manifests.append(rel)
        scan.dependencies += package_lock_dependencies(path.read_text(encoding="utf-8"), rel)
    else:
        for file, lines, problems in read_requirements(path, root, visited):
            rel = _relative(root, file)
            scan.manifests.append(rel)
            scan.errors += [f"{rel}: {p}" for p in problems]
            _add_python(scan, rel, lines)


def _add_python(scan: DependencyScan, manifest: str, lines: list[RequirementLine]) -> None:
    for line in lines:
        found = parse_requirement(line)
        if isinstance(found, str):
            scan.unchecked.append(
                UncheckedDependency(
                    name=_rough_name(line.text),
                    requirement=line.text,
                    manifest=manifest,
                    line=line.line,
                    reason=found,
                )
            )
            continue
        scan.dependencies.append(
            Dependency(
                ecosystem="PyPI",
                name=found.name,
                version=found.version,
                requirement=line.text,
                checked="pinned" if found.pinned else "lowest-allowed",
                manifest=manifest,
                line=line.line,
                group=line.group,
                marker=found.marker,
                hashed=line.hashed,
            )
        )


def _rough_name(text: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    return canonical_name(match.group(1)) if match else text.strip()[:60]


# -- pyproject.toml --------------------------------------------------------------------------


def pyproject_requirements(text: str) -> list[RequirementLine]:
    """PEP 621 `dependencies` and `optional-dependencies`, and PEP 735 `dependency-groups`."""
    data = tomllib.loads(text)
    lines = text.splitlines()
    used: set[int] = set()
    found: list[RequirementLine] = []

    def add(requirement: object, group: str) -> None:
        if isinstance(requirement, str):
            number = _line_of_string(lines, requirement, used)
            found.append(RequirementLine(text=requirement, line=number, group=group))

    project = data.get("project") or {}
    for requirement in project.get("dependencies") or []:
        add(requirement, "dependencies")
    for extra, requirements in (project.get("optional-dependencies") or {}).items():
        for requirement in requirements or []:
            add(requirement, f"optional: {extra}")
    for name, requirements in (data.get("dependency-groups") or {}).items():
        for requirement in requirements or []:
            add(requirement, f"group: {name}")  # {include-group = ...} tables are skipped
    return found


def _line_of_string(lines: list[str], value: str, used: set[int]) -> int:
    """The first line not yet claimed that holds `value` as a quoted TOML string."""
    quoted = (json.dumps(value), f"'{value}'")
    for number, line in enumerate(lines, start=1):
        if number not in used and any(q in line for q in quoted):
            used.add(number)
            return number
    return 1


# -- package-lock.json -----------------------------------------------------------------------


def package_lock_dependencies(text: str, manifest: str) -> list[Dependency]:
    """The packages an npm lockfile installs: v2/v3 `packages`, else v1 `dependencies`."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a package-lock.json object")
    lines = text.splitlines()
    if isinstance(data.get("packages"), dict):
        entries = list(_lock_packages(data["packages"]))
    else:
        entries = list(_lock_v1(data.get("dependencies") or {}, depth=0))
    seen: set[tuple[str, str]] = set()
    found: list[Dependency] = []
    for entry in entries:
        version = entry.info.get("version")
        if not isinstance(version, str) or entry.info.get("link"):
            continue
        if (entry.name, version) in seen or not re.match(r"^v?\d", version):
            continue  # one entry per name@version; git, file: and tarball URLs are no versions
        seen.add((entry.name, version))
        found.append(
            Dependency(
                ecosystem="npm",
                name=entry.name,
                version=version.removeprefix("v"),
                requirement=f"{entry.name}@{version}",
                checked="locked",
                manifest=manifest,
                line=_line_of_entry(lines, entry, version),
                group=_lock_group(entry.info),
                direct=entry.direct,
            )
        )
    return found


class _LockEntry(BaseModel):
    key: str  # v2/v3: the `packages` key; v1: the package name
    name: str
    info: dict[str, Any]
    direct: bool
    v1: bool = False


def _lock_group(info: dict[str, Any]) -> str:
    if info.get("dev"):
        return "dev"
    return "optional" if info.get("optional") else ""


_ROOT_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


def _lock_packages(packages: dict[str, Any]) -> Iterator[_LockEntry]:
    found = packages.get("")
    root: dict[str, Any] = found if isinstance(found, dict) else {}
    declared = {name for field in _ROOT_FIELDS for name in (root.get(field) or {})}
    for key, info in packages.items():
        if not key or not isinstance(info, dict) or "node_modules/" not in key:
            continue  # "" is the project itself; workspace folders are not packages
        name = str(info.get("name") or key.rsplit("node_modules/", 1)[1])
        top = key == f"node_modules/{name}"
        yield _LockEntry(key=key, name=name, info=info, direct=top and name in declared)


def _lock_v1(dependencies: dict[str, Any], depth: int) -> Iterator[_LockEntry]:
    """v1 nests `dependencies` inside entries. It does not say which packages package.json
    names, so the top level (hoisted ones included) counts as direct."""
    for name, info in dependencies.items():
        if isinstance(info, dict):
            yield _LockEntry(key=name, name=name, info=info, direct=depth == 0, v1=True)
            yield from _lock_v1(info.get("dependencies") or {}, depth + 1)


def _line_of_entry(lines: list[str], entry: _LockEntry, version: str) -> int:
    """The line of a lockfile entry: its exact key (v2/v3), or `"name": {` before its version."""
    opening = f"{json.dumps(entry.key)}: {{"
    pinned = f'"version": {json.dumps(version)}'
    for number, line in enumerate(lines, start=1):
        if not line.strip().startswith(opening):
            continue
        if not entry.v1 or any(pinned in later for later in lines[number : number + 3]):
            return number
    return 1
