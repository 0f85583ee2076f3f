"""A pull request's two sides on disk: detached worktrees of a cached clone at the merge base
and at the head, and the diff between them.

The clone lives in ``<data dir>/pull-checks/<owner>--<name>`` and is reused; each run gets its
own pair of worktrees, removed when the run is done with them.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from workflows.repository.checkout import CheckoutError, git


class PullTrees(BaseModel):
    """Where the base (merge base) and head of a pull request are checked out."""

    clone: str
    base: str
    head: str
    base_sha: str
    head_sha: str


def clone_path(data_dir: Path, repository: str) -> Path:
    """The cached clone of ``owner/name``."""
    return data_dir / "pull-checks" / repository.replace("/", "--")


@contextmanager
def locked(clone: Path) -> Iterator[None]:
    """One fetch or worktree change at a time per clone, across processes."""
    clone.parent.mkdir(parents=True, exist_ok=True)
    with clone.with_name(clone.name + ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def has_commit(clone: Path, sha: str) -> bool:
    """Whether the clone holds commit ``sha``."""
    try:
        git("cat-file", "-e", f"{sha}^{{commit}}", cwd=clone)
    except CheckoutError:
        return False
    return True


def add_trees(clone: Path, dest: Path, base_sha: str, head_sha: str) -> PullTrees:
    """Worktrees of the merge base of ``base_sha`` and ``head_sha``, and of ``head_sha``."""
    for sha in (base_sha, head_sha):
        if not has_commit(clone, sha):
            raise CheckoutError(f"commit {sha[:12]} is not in the clone; it could not be fetched")
    try:
        merge_base = git("merge-base", base_sha, head_sha, cwd=clone)
    except CheckoutError:
        raise CheckoutError(
            f"{base_sha[:12]} and {head_sha[:12]} share no history; nothing to compare"
        ) from None
    with locked(clone):
        git("worktree", "prune", cwd=clone)
        for name, sha in (("base", merge_base), ("head", head_sha)):
            path = dest / name
            if path.exists():  # left by an interrupted attempt of this run
                shutil.rmtree(path)
            git("worktree", "add", "--quiet", "--detach", str(path), sha, cwd=clone)
    return PullTrees(
        clone=str(clone),
        base=str(dest / "base"),
        head=str(dest / "head"),
        base_sha=merge_base,
        head_sha=head_sha,
    )


def remove_trees(trees: PullTrees) -> None:
    """Remove both worktrees and their directory; what is already gone is fine."""
    clone = Path(trees.clone)
    with locked(clone):
        for path in (trees.base, trees.head):
            try:
                git("worktree", "remove", "--force", path, cwd=clone)
            except CheckoutError:
                shutil.rmtree(path, ignore_errors=True)
        git("worktree", "prune", cwd=clone)
    shutil.rmtree(Path(trees.head).parent, ignore_errors=True)


def diff_text(trees: PullTrees) -> str:
    """``git diff --unified=0 -M base...head``: what the pull request changes, line by line."""
    return git(
        "diff",
        "--unified=0",
        "--find-renames",
        "--no-color",
        "--no-ext-diff",
        f"{trees.base_sha}...{trees.head_sha}",
        cwd=Path(trees.clone),
    )
