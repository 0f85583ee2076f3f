"""Component paths: cleaned up, kept inside the repository, and resolved only if they exist."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workflows.repository.components import ComponentError, normalise_component, resolve_component


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("a/b", "a/b"),
        ("./a/b/", "a/b"),
        ("a//b", "a/b"),
        ("a/./b", "a/b"),
        ("a\\b\\c", "a/b/c"),
        (".\\a\\b\\", "a/b"),
        ("`a/b`", "a/b"),
        ("  a/b  ", "a/b"),
        (".", ""),
        ("./", ""),
        ("", ""),
        ("``", ""),
        ("my dir/x.py", "my dir/x.py"),
    ],
)
def test_normalise(typed, clean):
    assert normalise_component(typed) == clean


@pytest.mark.parametrize("typed", ["..", "../x", "a/../../b", "a/..", "a\\..\\..\\b"])
def test_normalise_refuses_dotdot(typed):
    with pytest.raises(ComponentError, match="leaves the repository"):
        normalise_component(typed)


@pytest.mark.parametrize("typed", ["/etc", "/", "\\etc", "C:\\x", "c:/x"])
def test_normalise_refuses_absolute(typed):
    with pytest.raises(ComponentError, match="is absolute"):
        normalise_component(typed)


def test_dotdot_inside_a_name_is_fine():
    assert normalise_component("a/..b/c..") == "a/..b/c.."


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "mod.py").write_text("x = 1\n")
    return root


def test_resolve_directory_and_file(repo):
    assert resolve_component(repo, "pkg/sub") == (repo / "pkg" / "sub").resolve()
    assert resolve_component(repo, "./pkg//mod.py") == (repo / "pkg" / "mod.py").resolve()


def test_resolve_whole_repository(repo):
    assert resolve_component(repo, ".") == repo.resolve()
    assert resolve_component(repo, "") == repo.resolve()


def test_resolve_missing_path(repo):
    with pytest.raises(ComponentError, match="`pkg/nope` does not exist"):
        resolve_component(repo, "./pkg/nope/")


def test_resolve_refuses_dotdot_even_if_target_exists(repo):
    (repo.parent / "outside").mkdir()
    with pytest.raises(ComponentError, match="not allowed"):
        resolve_component(repo, "../outside")


def test_symlink_escaping_the_repository_is_refused(repo, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "keys.py").write_text("TOKEN = 'x'\n")
    (repo / "pkg" / "escape").symlink_to(secret, target_is_directory=True)
    with pytest.raises(ComponentError, match="outside the repository"):
        resolve_component(repo, "pkg/escape")
    with pytest.raises(ComponentError, match="outside the repository"):
        resolve_component(repo, "pkg/escape/keys.py")


def test_symlink_inside_the_repository_is_allowed(repo):
    (repo / "link").symlink_to(repo / "pkg" / "sub", target_is_directory=True)
    assert resolve_component(repo, "link") == (repo / "pkg" / "sub").resolve()


def test_repository_reached_through_a_symlink(repo, tmp_path):
    alias = tmp_path / "alias"
    alias.symlink_to(repo, target_is_directory=True)
    assert resolve_component(alias, "pkg/mod.py") == (repo / "pkg" / "mod.py").resolve()


def test_symlink_to_sibling_with_common_prefix_is_refused(tmp_path, repo):
    # `/tmp/x/repo-evil` starts with the text `/tmp/x/repo` but is not inside it.
    evil = tmp_path / "repo-evil"
    evil.mkdir()
    os.symlink(evil, repo / "evil")
    with pytest.raises(ComponentError, match="outside"):
        resolve_component(repo, "evil")
