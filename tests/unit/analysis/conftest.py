"""Fixtures for the analysis tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.analysis.helpers import write_files

# The fixture trees are analysed as data; pytest must never import or collect them.
collect_ignore_glob = ["fixtures/*"]

WriteTree = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def write_tree(tmp_path: Path) -> WriteTree:
    """Write a small source tree into a fresh directory and return that directory."""
    counter = iter(range(1_000))

    def write(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / f"tree{next(counter)}"
        root.mkdir()
        return write_files(root, files)

    return write
