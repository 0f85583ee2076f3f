"""A change prepared on its own branch in a git worktree: create, measure, commit, discard.

The worktree shares the repository's objects and branches, so a branch kept after approval is
an ordinary branch of the repository (or of the cached clone, for a remote one).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from workflows.repository.checkout import CheckoutError, git

BOT_NAME = "cicd-chatops"
BOT_EMAIL = "cicd-chatops@users.noreply.github.com"


class FileChange(BaseModel):
    """One changed file: lines removed and added (git's numstat)."""

    path: str
    removed: int
    added: int


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One worktree operation at a time per data directory (git locks its own files anyway)."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def add_worktree(repo: Path, path: Path, branch: str, commit: str) -> Path:
    """A worktree at `path` on a new `branch` at `commit`; reused if it is already that."""
    with _locked(path.parent):
        if (path / ".git").exists():
            current = git("rev-parse", "--abbrev-ref", "HEAD", cwd=path)
            if current == branch:
                return path
            raise CheckoutError(f"{path} holds branch {current}, not {branch}")
        git("worktree", "prune", cwd=repo)
        if _branch_exists(repo, branch):
            git("worktree", "add", "--quiet", str(path), branch, cwd=repo)
        else:
            git("worktree", "add", "--quiet", "-b", branch, str(path), commit, cwd=repo)
    return path


def _branch_exists(repo: Path, branch: str) -> bool:
    try:
        git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", cwd=repo)
    except CheckoutError:
        return False
    return True


def changed_files(worktree: Path) -> list[FileChange]:
    """The uncommitted changes of the worktree, file by file."""
    out = git("diff", "--numstat", "HEAD", cwd=worktree)
    changes = []
    for line in out.splitlines():
        added, removed, path = line.split("\t", 2)
        changes.append(
            FileChange(
                path=path,
                added=int(added) if added.isdigit() else 0,
                removed=int(removed) if removed.isdigit() else 0,
            )
        )
    return changes


def diff_digest(worktree: Path) -> str:
    """SHA-256 of the full patch against HEAD: the same edits on the same base, the same digest."""
    patch = git("diff", "--binary", "--no-color", "--no-ext-diff", "HEAD", cwd=worktree)
    return hashlib.sha256(patch.encode()).hexdigest()


def _identity() -> list[str]:
    """Commit as the bot unless git is told who to be by the environment."""
    if os.environ.get("GIT_AUTHOR_NAME") and os.environ.get("GIT_AUTHOR_EMAIL"):
        return []
    return ["-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}"]


def commit_all(worktree: Path, message: str) -> str:
    """Commit every change in the worktree; returns the new commit."""
    git("add", "--all", cwd=worktree)
    git(*_identity(), "commit", "--quiet", "--no-verify", "-m", message, cwd=worktree)
    return git("rev-parse", "HEAD", cwd=worktree)


def remove_worktree(repo: Path, path: Path, *, branch: str | None = None) -> None:
    """Remove the worktree (and `branch`, when given); missing pieces are fine."""
    with _locked(path.parent):
        try:
            git("worktree", "remove", "--force", str(path), cwd=repo)
        except CheckoutError:
            shutil.rmtree(path, ignore_errors=True)
            git("worktree", "prune", cwd=repo)
        if branch and _branch_exists(repo, branch):
            git("branch", "-D", branch, cwd=repo)
