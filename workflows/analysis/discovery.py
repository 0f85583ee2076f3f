"""Finding the Python files to analyse under a root directory."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EXCLUDED_DIRS", "SourceSet", "discover", "discover_python_files"]

EXCLUDED_DIRS: frozenset[str] = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".eggs",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "site-packages",
    }
)
"""Directory names never descended into."""


def discover_python_files(
    root: Path, *, exclude: Collection[str] = EXCLUDED_DIRS, suffixes: Collection[str] = (".py",)
) -> list[str]:
    """Sorted POSIX paths, relative to directory ``root``, of source files below it.

    Directories named in ``exclude`` are pruned; symlinked directories are not followed.
    """
    wanted = tuple(suffixes)
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in exclude]
        rel_dir = Path(dirpath).relative_to(root)
        for name in filenames:
            if name.endswith(wanted):
                found.append((rel_dir / name).as_posix())
    found.sort()
    return found


@dataclass(frozen=True, slots=True)
class SourceSet:
    """The files of one analysis run: a base directory and POSIX paths relative to it."""

    base: Path
    paths: list[str]


def discover(root: Path) -> SourceSet:
    """The files to analyse for ``root``: a directory's Python files, or a single file itself.

    Raises FileNotFoundError when ``root`` does not exist.
    """
    if not root.exists():
        raise FileNotFoundError(f"analysis root does not exist: {root}")
    if root.is_file():
        return SourceSet(root.parent, [root.name])
    return SourceSet(root, discover_python_files(root))
