"""Helpers for the analysis tests: writing source trees and reading fixture markers."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
_EXPECT_RE = re.compile(r"#\s*expect:\s*([a-z0-9-]+)")


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> source) under ``root``; text is dedented."""
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def copy_fixture(name: str, destination: Path) -> Path:
    """Copy the fixture tree ``fixtures/<name>`` to ``destination`` and return it."""
    shutil.copytree(FIXTURES / name, destination)
    return destination


def expected_markers(root: Path) -> set[tuple[str, int, str]]:
    """``(path, line, rule)`` for every ``# expect: <rule>`` comment in the tree at ``root``."""
    expected: set[tuple[str, int, str]] = set()
    for file in sorted(root.rglob("*.py")):
        rel = file.relative_to(root).as_posix()
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _EXPECT_RE.finditer(line):
                expected.add((rel, number, match.group(1)))
    return expected
