"""Parsing helpers and file discovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.analysis.discovery import discover, discover_python_files
from workflows.analysis.parsing import (
    SourceDecodeError,
    get_parser,
    is_test_path,
    module_name_for,
    normalize_source,
    package_prefix,
    parse_source,
)


def test_parser_is_cached_per_process() -> None:
    assert get_parser() is get_parser()


def test_parsed_module_facts() -> None:
    module = parse_source(b"x = 1\ny = 2", "pkg/sub/__init__.py", prefix="top")
    assert module.line_count == 2
    assert module.module_name == "top.pkg.sub"
    assert module.is_package_init
    assert not module.is_test_file
    assert not module.has_error
    assert module.root.type == "module"
    assert module.text(module.root.children[1]) == "y = 2"
    assert parse_source(b"def f(:\n", "bad.py").has_error


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a/b.py", "a.b"),
        ("a/__init__.py", "a"),
        ("__init__.py", ""),
        ("mod.py", "mod"),
    ],
)
def test_module_name_for(path: str, expected: str) -> None:
    assert module_name_for(path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("test_x.py", True),
        ("x_test.py", True),
        ("conftest.py", True),
        ("tests/helpers.py", True),
        ("pkg/tests/data.py", True),
        ("pkg/testing.py", False),
        ("contest.py", False),
        ("latest_tests.py", False),
    ],
)
def test_is_test_path(path: str, expected: bool) -> None:
    assert is_test_path(path) is expected


def test_package_prefix_follows_init_files(tmp_path: Path) -> None:
    (tmp_path / "top" / "sub").mkdir(parents=True)
    (tmp_path / "top" / "__init__.py").write_text("")
    (tmp_path / "top" / "sub" / "__init__.py").write_text("")
    assert package_prefix(tmp_path / "top" / "sub") == "top.sub"
    assert package_prefix(tmp_path) == ""


def test_normalize_source() -> None:
    assert normalize_source(b"\xef\xbb\xbfx = 1\n") == b"x = 1\n"
    latin = "# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n".encode("latin-1")
    assert normalize_source(latin).decode("utf-8").endswith("s = 'café'\n")
    with pytest.raises(SourceDecodeError):
        normalize_source(b"x = '\xff\xfe'\n")


def test_discovery_is_sorted_relative_posix_and_skips_tool_dirs(tmp_path: Path) -> None:
    for rel in [
        "z.py",
        "a/b/c.py",
        "a/a.py",
        "notes.txt",
        "stub.pyi",
        ".git/hooks/x.py",
        ".venv/lib/y.py",
        "node_modules/pkg/z.py",
        "a/__pycache__/c.py",
        "build/lib/m.py",
        "lib/site-packages/s.py",
    ]:
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("")
    assert discover_python_files(tmp_path) == ["a/a.py", "a/b/c.py", "z.py"]


def test_discover_single_file_and_missing_root(tmp_path: Path) -> None:
    file = tmp_path / "one.py"
    file.write_text("x = 1\n")
    sources = discover(file)
    assert (sources.base, sources.paths) == (tmp_path, ["one.py"])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        discover(tmp_path / "missing")
