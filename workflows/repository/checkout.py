"""Getting a repository onto disk with real git: use a local tree, or clone and refresh."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

if TYPE_CHECKING:
    from prefect.states import State

_URL_PREFIXES = ("http://", "https://", "ssh://", "git://", "file://", "git@")
_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")
GIT_TIMEOUT_S = 300


# git's words for failures that may go away on their own (network, server trouble).
_TRANSIENT = (
    "could not resolve host",
    "connection timed out",
    "connection refused",
    "couldn't connect to server",
    "failed to connect",
    "connection reset",
    "the remote end hung up",
    "early eof",
    "rpc failed",
    "operation timed out",
    "returned error: 5",
    "took longer than",
)


class CheckoutError(RuntimeError):
    """The repository could not be made available; the message says why."""

    @property
    def transient(self) -> bool:
        """True when trying again later may succeed (network or server trouble)."""
        text = str(self).lower()
        return any(words in text for words in _TRANSIENT)


class Checkout(BaseModel):
    """A repository on disk, ready to analyse."""

    source: str
    path: str
    commit: str | None = None
    ref: str | None = None
    cloned: bool = False


def redact(text: str) -> str:
    """Hide credentials embedded in URLs (`https://user:token@host` -> `https://***@host`)."""
    return _CREDENTIALS.sub("***@", text)


def is_remote(repo: str) -> bool:
    """True for git URLs; False for local paths."""
    return repo.startswith(_URL_PREFIXES)


def git(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    secrets: Iterable[str] = (),
) -> str:
    """Run git and return its stdout; raise `CheckoutError` with git's own words on failure.

    ``env`` adds variables (credentials travel there, never in argv); every string of
    ``secrets`` is blanked out of the error, as are credentials in URLs.
    """
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise CheckoutError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise CheckoutError(f"git {args[0]} took longer than {GIT_TIMEOUT_S} s") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        # git ends many errors with advice ("Please make sure ..."); its first error says why.
        errors = [line for line in lines if line.startswith(("fatal:", "error:"))]
        reason = errors[0] if errors else lines[-1] if lines else f"exit code {done.returncode}"
        message = f"git {args[0]} failed: {reason}"
        for secret in secrets:
            if secret:
                message = message.replace(secret, "***")
        raise CheckoutError(redact(message))
    return done.stdout.strip()


def _head_commit(path: Path) -> str | None:
    try:
        return git("rev-parse", "HEAD", cwd=path)
    except CheckoutError:
        return None  # a repository without commits yet


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Serialise refreshes of one cached clone across processes."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def checkout_repository(repo: str, ref: str | None, cache_dir: Path) -> Checkout:
    """Make `repo` available on disk.

    A local tree without a ref is analysed in place (uncommitted edits included); a URL, or a
    local repository with a ref, is cloned into `cache_dir` once and refreshed afterwards.
    """
    if not is_remote(repo) and ref is None:
        path = Path(repo).expanduser().resolve()
        if not path.is_dir():
            raise CheckoutError(f"repository path {path} does not exist or is not a directory")
        inside_git = (path / ".git").exists()
        if not inside_git:
            try:
                inside_git = git("rev-parse", "--is-inside-work-tree", cwd=path) == "true"
            except CheckoutError:
                inside_git = False
        commit = _head_commit(path) if inside_git else None
        return Checkout(source=str(path), path=str(path), commit=commit)

    source = repo if is_remote(repo) else str(Path(repo).expanduser().resolve())
    key = hashlib.sha256(source.encode()).hexdigest()[:16]
    target = cache_dir / "checkouts" / key
    with _locked(cache_dir / "checkouts" / f"{key}.lock"):
        if (target / ".git").exists():
            git("fetch", "--prune", "--tags", "--force", "origin", cwd=target)
        else:
            git("clone", "--quiet", source, str(target))
        wanted = ref or _default_branch(target)
        git("checkout", "--quiet", "--force", "--detach", _resolvable(target, wanted), cwd=target)
        git("clean", "-fdxq", cwd=target)
        return Checkout(
            source=redact(source),
            path=str(target),
            commit=_head_commit(target),
            ref=wanted,
            cloned=True,
        )


def _default_branch(clone: Path) -> str:
    try:
        head = git("symbolic-ref", "--short", "refs/remotes/origin/HEAD", cwd=clone)
        return head.removeprefix("origin/")
    except CheckoutError:
        return "HEAD"


def _resolvable(clone: Path, ref: str) -> str:
    """Prefer the freshly fetched remote branch over a stale local one of the same name."""
    for candidate in (f"origin/{ref}", ref):
        try:
            return git("rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}", cwd=clone)
        except CheckoutError:
            continue
    raise CheckoutError(f"ref `{ref}` was not found in the repository")


def transient_checkout_failure(task: object, task_run: object, state: State) -> bool:
    """A Prefect ``retry_condition_fn``: retry network trouble; a missing repository or ref
    will not fix itself."""
    try:
        state.result()
    except CheckoutError as exc:
        return exc.transient
    except Exception:
        return False
    return False
