"""`checkout_repository` with real git: local trees in place, clones cached and refreshed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from workflows.repository.checkout import (
    CheckoutError,
    checkout_repository,
    git,
    is_remote,
    redact,
)


@pytest.fixture(autouse=True)
def git_env(monkeypatch, tmp_path):
    """A fixed identity, no user or system git config, and no repository above tmp_path."""
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    for kind in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{kind}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{kind}_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


def run_git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit_file(repo: Path, name: str, text: str) -> str:
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text(text)
    run_git("add", "-A", cwd=repo)
    run_git("commit", "-qm", f"add {name}", cwd=repo)
    return run_git("rev-parse", "HEAD", cwd=repo)


@pytest.fixture
def upstream(tmp_path) -> Path:
    """A repository with main (two commits), a tag v1 on the first, and a branch `feature`."""
    repo = tmp_path / "upstream"
    repo.mkdir()
    run_git("init", "-q", "-b", "main", cwd=repo)
    commit_file(repo, "pkg/a.py", "A = 1\n")
    run_git("tag", "v1", cwd=repo)
    run_git("checkout", "-qb", "feature", cwd=repo)
    commit_file(repo, "pkg/feature.py", "F = 1\n")
    run_git("checkout", "-q", "main", cwd=repo)
    commit_file(repo, "pkg/b.py", "B = 1\n")
    return repo


def sha(repo: Path, ref: str) -> str:
    return run_git("rev-parse", f"{ref}^{{commit}}", cwd=repo)


# -- local trees ----------------------------------------------------------------------------


def test_local_tree_is_used_in_place_with_head_commit(upstream, tmp_path):
    cache = tmp_path / "cache"
    (upstream / "pkg" / "a.py").write_text("A = 2  # uncommitted\n")
    checkout = checkout_repository(str(upstream), None, cache)
    assert checkout.path == str(upstream.resolve())
    assert checkout.source == str(upstream.resolve())
    assert checkout.commit == sha(upstream, "HEAD")
    assert checkout.cloned is False and checkout.ref is None
    assert "uncommitted" in (Path(checkout.path) / "pkg" / "a.py").read_text()
    assert not (cache / "checkouts").exists()  # nothing was cloned


def test_subdirectory_of_a_repository_gets_the_head_commit(upstream, tmp_path):
    checkout = checkout_repository(str(upstream / "pkg"), None, tmp_path / "cache")
    assert checkout.path == str((upstream / "pkg").resolve())
    assert checkout.commit == sha(upstream, "HEAD")


def test_non_git_directory_has_no_commit(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "x.py").write_text("x = 1\n")
    checkout = checkout_repository(str(plain), None, tmp_path / "cache")
    assert checkout.commit is None
    assert checkout.path == str(plain.resolve())


def test_repository_without_commits_has_no_commit(tmp_path):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    run_git("init", "-q", cwd=fresh)
    assert checkout_repository(str(fresh), None, tmp_path / "cache").commit is None


def test_missing_local_path(tmp_path):
    missing = tmp_path / "does-not-exist"
    with pytest.raises(CheckoutError, match="does not exist"):
        checkout_repository(str(missing), None, tmp_path / "cache")


def test_local_file_is_not_a_repository(tmp_path):
    file = tmp_path / "file.py"
    file.write_text("")
    with pytest.raises(CheckoutError, match="not a directory"):
        checkout_repository(str(file), None, tmp_path / "cache")


# -- clones ---------------------------------------------------------------------------------


def test_file_url_is_cloned_then_refreshed(upstream, tmp_path):
    cache = tmp_path / "cache"
    url = upstream.resolve().as_uri()
    assert url.startswith("file://")

    first = checkout_repository(url, None, cache)
    clone = Path(first.path)
    assert clone.parent == cache / "checkouts"
    assert first.cloned is True and first.source == url
    assert first.ref == "main"
    assert first.commit == sha(upstream, "main")
    assert (clone / "pkg" / "b.py").read_text() == "B = 1\n"

    # Upstream moves on; local mess in the clone must not survive a refresh.
    new = commit_file(upstream, "pkg/c.py", "C = 1\n")
    (clone / "pkg" / "a.py").write_text("edited in the cache\n")
    (clone / "junk.txt").write_text("untracked\n")

    second = checkout_repository(url, None, cache)
    assert second.path == first.path  # same cached clone, fetched, not cloned again
    assert second.commit == new != first.commit
    assert (clone / "pkg" / "c.py").exists()
    assert (clone / "pkg" / "a.py").read_text() == "A = 1\n"
    assert not (clone / "junk.txt").exists()


@pytest.mark.parametrize("ref", ["v1", "feature", "main"])
def test_ref_checks_out_tag_or_branch(upstream, tmp_path, ref):
    checkout = checkout_repository(upstream.resolve().as_uri(), ref, tmp_path / "cache")
    assert checkout.commit == sha(upstream, ref)
    assert checkout.ref == ref
    present = {p.name for p in (Path(checkout.path) / "pkg").iterdir()}
    assert ("feature.py" in present) is (ref == "feature")
    assert ("b.py" in present) is (ref == "main")


def test_ref_by_commit_sha(upstream, tmp_path):
    wanted = sha(upstream, "v1")
    checkout = checkout_repository(upstream.resolve().as_uri(), wanted[:10], tmp_path / "cache")
    assert checkout.commit == wanted


def test_switching_refs_in_one_cached_clone(upstream, tmp_path):
    url, cache = upstream.resolve().as_uri(), tmp_path / "cache"
    assert checkout_repository(url, "v1", cache).commit == sha(upstream, "v1")
    assert checkout_repository(url, "feature", cache).commit == sha(upstream, "feature")
    assert checkout_repository(url, None, cache).commit == sha(upstream, "main")


def test_named_branch_is_refreshed_not_stale(upstream, tmp_path):
    url, cache = upstream.resolve().as_uri(), tmp_path / "cache"
    checkout_repository(url, "main", cache)
    run_git("checkout", "-q", "feature", cwd=upstream)
    newer_feature = commit_file(upstream, "pkg/feature2.py", "F2 = 1\n")
    run_git("checkout", "-q", "main", cwd=upstream)
    newer_main = commit_file(upstream, "pkg/d.py", "D = 1\n")
    # The clone has a local `main` from the first clone; the fetched origin/main must win.
    assert checkout_repository(url, "main", cache).commit == newer_main
    assert checkout_repository(url, "feature", cache).commit == newer_feature


def test_moved_tag_is_followed(upstream, tmp_path):
    url, cache = upstream.resolve().as_uri(), tmp_path / "cache"
    assert checkout_repository(url, "v1", cache).commit == sha(upstream, "v1")
    run_git("tag", "-f", "v1", "main", cwd=upstream)
    assert checkout_repository(url, "v1", cache).commit == sha(upstream, "main")


def test_local_repository_with_ref_is_cloned(upstream, tmp_path):
    checkout = checkout_repository(str(upstream), "v1", tmp_path / "cache")
    assert checkout.cloned is True
    assert Path(checkout.path).parent == tmp_path / "cache" / "checkouts"
    assert checkout.source == str(upstream.resolve())
    assert checkout.commit == sha(upstream, "v1")
    assert sha(upstream, "HEAD") == sha(upstream, "main")  # the original is untouched


def test_unknown_ref(upstream, tmp_path):
    with pytest.raises(CheckoutError) as caught:
        checkout_repository(upstream.resolve().as_uri(), "no-such-branch", tmp_path / "cache")
    assert "`no-such-branch`" in str(caught.value)
    assert "not found" in str(caught.value)


def test_missing_remote_repository_says_why(tmp_path):
    url = (tmp_path / "nowhere.git").as_uri()
    with pytest.raises(CheckoutError) as caught:
        checkout_repository(url, None, tmp_path / "cache")
    message = str(caught.value)
    assert message.startswith("git clone failed")
    assert "does not appear to be a git repository" in message  # not git's closing advice


# -- credentials ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:token@github.com/a/b.git", "https://***@github.com/a/b.git"),
        ("https://x-access-token:ghs_abc123@host/r", "https://***@host/r"),
        ("http://tok@127.0.0.1:9/r.git", "http://***@127.0.0.1:9/r.git"),
        ("ssh://git:pw@host/r", "ssh://***@host/r"),
        ("https://github.com/a/b.git", "https://github.com/a/b.git"),
        ("git@github.com:a/b.git", "git@github.com:a/b.git"),
        ("from https://u:p@a/x to https://v:q@b/y", "from https://***@a/x to https://***@b/y"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_clone_failure_never_shows_the_token(tmp_path):
    url = "https://x-access-token:SECRET123@127.0.0.1:9/repo.git"  # port 9: refused at once
    with pytest.raises(CheckoutError) as caught:
        checkout_repository(url, None, tmp_path / "cache")
    message = str(caught.value)
    assert "SECRET123" not in message
    assert "clone failed" in message


def test_git_errors_are_redacted_even_when_git_repeats_the_url(tmp_path):
    # git echoes this (nonsense) path verbatim in its error, credentials included.
    source = "file:///nonexistent/https://user:SECRET123@example.com/repo.git"
    with pytest.raises(CheckoutError) as caught:
        git("clone", "--quiet", source, str(tmp_path / "dest"))
    message = str(caught.value)
    assert "SECRET123" not in message
    assert "https://***@example.com/repo.git" in message


@pytest.mark.parametrize(
    ("repo", "remote"),
    [
        ("https://github.com/a/b.git", True),
        ("http://127.0.0.1/x", True),
        ("ssh://git@host/x", True),
        ("git://host/x", True),
        ("file:///srv/x", True),
        ("git@github.com:a/b.git", True),
        ("/srv/repo", False),
        (".", False),
        ("contexten/agents", False),
    ],
)
def test_is_remote(repo, remote):
    assert is_remote(repo) is remote


@pytest.mark.parametrize(
    ("message", "transient"),
    [
        ("git clone failed: fatal: unable to access 'x': Could not resolve host: github.com", True),
        ("git fetch failed: fatal: the remote end hung up unexpectedly", True),
        (
            "git clone failed: error: RPC failed; HTTP 502 curl 22 returned error: 502",
            True,
        ),
        ("git clone failed: fatal: repository 'https://x/y.git/' not found", False),
        ("ref `nope` was not found in the repository", False),
    ],
)
def test_transient_failures_are_told_apart(message, transient):
    assert CheckoutError(message).transient is transient
