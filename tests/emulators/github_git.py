"""The GitHub emulator's repository: a real bare git repository, and git's smart HTTP for it.

Refs, branches and merges are real git objects, changed with git plumbing on the bare
repository; clones and pushes go through ``git http-backend`` (CGI) behind the emulator's
HTTP server, with GitHub's Basic authentication (any user name, the token as password).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

BOT_NAME = "GitHub"
BOT_EMAIL = "noreply@github.com"
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)

SEED_FILES = {
    "README.md": "# widgets\n\nEmulated repository.\n",
    "src/widgets/__init__.py": "",
    "src/widgets/app.py": (
        "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
    ),
    ".github/workflows/ci.yml": "name: CI\non: [push, pull_request, workflow_dispatch]\n",
    ".github/workflows/deploy.yml": "name: Deploy\non:\n  workflow_dispatch:\n",
}


class MergeConflict(Exception):
    """The branches cannot be merged without a human."""


@dataclass(frozen=True)
class Commit:
    """The parts of a commit object the API shows."""

    sha: str
    tree: str
    parents: list[str]
    author_name: str
    author_email: str
    author_date: str
    committer_name: str
    committer_email: str
    committer_date: str
    message: str


def _identity(name: str, email: str) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }


class BareRepo:
    """A bare repository under ``root/<owner>/<name>.git``, seeded with one commit."""

    def __init__(self, root: Path, owner: str, name: str, default_branch: str = "main") -> None:
        self.root = root
        self.path = root / owner / f"{name}.git"
        self.default_branch = default_branch
        self.path.mkdir(parents=True)
        self._commits: dict[str, Commit] = {}  # commit objects never change
        self.git("init", "--quiet", "--bare", f"--initial-branch={default_branch}")
        self.git("config", "http.receivepack", "true")
        self.seed_sha = self.commit_files(SEED_FILES, message="Initial commit")
        self.update_ref(f"refs/heads/{default_branch}", self.seed_sha)

    def git(self, *args: str, env: Mapping[str, str] | None = None, check: bool = True) -> str:
        """Run git on the bare repository and return its stdout."""
        done = subprocess.run(
            ["git", "--git-dir", str(self.path), *args],
            env={**os.environ, "LC_ALL": "C", **_identity(BOT_NAME, BOT_EMAIL), **(env or {})},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"git {args[0]} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def commit_files(
        self,
        files: Mapping[str, str],
        *,
        message: str,
        parents: tuple[str, ...] = (),
        author: tuple[str, str] | None = None,
    ) -> str:
        """Commit ``files`` (path -> text) over the first parent's tree; no ref moves.

        ``author`` is (name, email); by default GitHub's web-flow identity.
        """
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if parents:
                self.git("read-tree", parents[0], env=env)
            for path, text in files.items():
                blob = subprocess.run(
                    ["git", "--git-dir", str(self.path), "hash-object", "-w", "--stdin"],
                    input=text,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()
                self.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
            tree = self.git("write-tree", env=env)
        return self.commit_tree(tree, parents, message, author=author)

    def commit_tree(
        self,
        tree: str,
        parents: tuple[str, ...] | list[str],
        message: str,
        *,
        author: tuple[str, str] | None = None,
    ) -> str:
        """Create a commit object (as GitHub's web-flow identity unless ``author`` is given)."""
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        env = None
        if author is not None:
            env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]}
        return self.git(*args, "-m", message, env=env)

    # -- refs ---------------------------------------------------------------------------------

    def refs(self, prefix: str = "refs/") -> dict[str, str]:
        """Full ref name -> sha of the commit it names."""
        out = self.git("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        return dict(line.split(" ", 1) for line in out.splitlines() if line)

    def branches(self) -> dict[str, str]:
        """Branch name -> head sha."""
        return {
            ref.removeprefix("refs/heads/"): sha for ref, sha in self.refs("refs/heads/").items()
        }

    def branch_sha(self, branch: str) -> str | None:
        """The head of ``branch``, or None."""
        return self.refs("refs/heads/").get(f"refs/heads/{branch}")

    def resolve(self, rev: str) -> str | None:
        """The commit a sha, branch or tag names, or None."""
        if rev.startswith("-"):
            return None
        out = self.git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        return out or None

    def valid_ref_name(self, ref: str) -> bool:
        """Whether git accepts ``ref`` as a full reference name."""
        return subprocess.run(["git", "check-ref-format", ref], check=False).returncode == 0

    def update_ref(self, ref: str, sha: str, old: str | None = None) -> None:
        """Point ``ref`` at ``sha`` (atomically against ``old`` when given)."""
        self.git("update-ref", ref, sha, *([old] if old else []))

    def delete_ref(self, ref: str) -> None:
        """Delete ``ref``."""
        self.git("update-ref", "-d", ref)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether ``ancestor`` is reachable from ``descendant``."""
        done = subprocess.run(
            [
                "git",
                "--git-dir",
                str(self.path),
                "merge-base",
                "--is-ancestor",
                ancestor,
                descendant,
            ],
            capture_output=True,
            check=False,
        )
        return done.returncode == 0

    # -- history ------------------------------------------------------------------------------

    def commit(self, sha: str) -> Commit:
        """The commit object ``sha``."""
        if sha in self._commits:
            return self._commits[sha]
        fmt = "%H%n%T%n%P%n%an%n%ae%n%aI%n%cn%n%ce%n%cI%n%B"
        lines = self.git("show", "-s", f"--format={fmt}", sha).split("\n")
        found = Commit(
            sha=lines[0],
            tree=lines[1],
            parents=lines[2].split(),
            author_name=lines[3],
            author_email=lines[4],
            author_date=lines[5],
            committer_name=lines[6],
            committer_email=lines[7],
            committer_date=lines[8],
            message="\n".join(lines[9:]).strip(),
        )
        self._commits[found.sha] = found
        return found

    def commits_between(self, base: str, head: str) -> list[str]:
        """Commits reachable from ``head`` but not ``base``, oldest first."""
        out = self.git("rev-list", "--reverse", f"{base}..{head}")
        return out.split()

    def diff_stats(self, base: str, head: str) -> tuple[int, int, list[str]]:
        """Additions, deletions and changed paths of ``base...head`` (what a PR shows)."""
        additions = deletions = 0
        paths: list[str] = []
        for line in self.git("diff", "--numstat", f"{base}...{head}").splitlines():
            added, deleted, path = line.split("\t", 2)
            additions += int(added) if added.isdigit() else 0
            deletions += int(deleted) if deleted.isdigit() else 0
            paths.append(path)
        return additions, deletions, paths

    def merge_base(self, base: str, head: str) -> str | None:
        """The best common ancestor of two commits, or None when they share no history."""
        found = self.git("merge-base", base, head, check=False)
        return found or None

    def changed_files(self, base: str, head: str) -> list[tuple[str, str, int, int]]:
        """(status letter, path, additions, deletions) of ``base..head``, renames undone."""
        counts: dict[str, tuple[int, int]] = {}
        for line in self.git("diff", "--no-renames", "--numstat", base, head).splitlines():
            added, deleted, path = line.split("\t", 2)
            counts[path] = (
                int(added) if added.isdigit() else 0,
                int(deleted) if deleted.isdigit() else 0,
            )
        changed = []
        for line in self.git("diff", "--no-renames", "--name-status", base, head).splitlines():
            status, path = line.split("\t", 1)
            changed.append((status[0], path, *counts.get(path, (0, 0))))
        return changed

    def diff_lines(self, base: str, head: str, path: str) -> set[int]:
        """Right-side line numbers of ``path`` inside the hunks of ``base...head``."""
        diff = self.git("diff", "-U3", f"{base}...{head}", "--", path)
        lines: set[int] = set()
        for match in _HUNK.finditer(diff):
            start, count = int(match.group(1)), int(match.group(2) or 1)
            lines.update(range(start, start + count))
        return lines

    # -- merging ------------------------------------------------------------------------------

    def merge_tree(self, base: str, head: str) -> str:
        """The tree of merging ``head`` into ``base``; MergeConflict if they conflict."""
        done = subprocess.run(
            ["git", "--git-dir", str(self.path), "merge-tree", "--write-tree", base, head],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 1:
            raise MergeConflict(f"merge conflict between {base[:7]} and {head[:7]}")
        if done.returncode != 0:
            raise RuntimeError(f"git merge-tree failed: {done.stderr.strip()}")
        return done.stdout.split()[0]

    def merge(self, base: str, head: str, method: str, title: str, message: str) -> str:
        """Merge ``head`` into ``base`` like GitHub's merge button; returns the new base sha."""
        text = f"{title}\n\n{message}".strip()
        if method == "rebase":
            return self._rebase(base, head)
        tree = self.merge_tree(base, head)
        parents = (base,) if method == "squash" else (base, head)
        return self.commit_tree(tree, parents, text)

    def _rebase(self, base: str, head: str) -> str:
        """Replay ``base..head`` onto ``base`` (cherry-picks in a throw-away worktree)."""
        commits = self.commits_between(base, head)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp) / "w"
            self.git("worktree", "add", "--quiet", "--detach", str(work), base)
            try:
                for sha in commits:
                    done = subprocess.run(
                        ["git", "-C", str(work), "cherry-pick", "--allow-empty", sha],
                        env={**os.environ, **_identity(BOT_NAME, BOT_EMAIL)},
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if done.returncode != 0:
                        raise MergeConflict(f"commit {sha[:7]} does not apply on {base[:7]}")
                return subprocess.run(
                    ["git", "-C", str(work), "rev-parse", "HEAD"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()
            finally:
                self.git("worktree", "remove", "--force", str(work), check=False)
                self.git("worktree", "prune", check=False)

    def file_text(self, sha: str, path: str) -> str | None:
        """The content of ``path`` at ``sha``, or None."""
        done = subprocess.run(
            ["git", "--git-dir", str(self.path), "show", f"{sha}:{path}"],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout if done.returncode == 0 else None

    def remove(self) -> None:
        """Delete the repository from disk."""
        shutil.rmtree(self.root, ignore_errors=True)


async def http_backend(
    request: web.Request, repo: BareRepo, tail: str, remote_user: str
) -> web.Response:
    """Answer one smart-HTTP request with ``git http-backend`` (CGI)."""
    body = await request.read()
    relative = repo.path.relative_to(repo.root)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repo.root),
        "GIT_PROJECT_ROOT": str(repo.root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": f"/{relative}/{tail}",
        "REQUEST_METHOD": request.method,
        "QUERY_STRING": request.query_string,
        "CONTENT_TYPE": request.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_USER": remote_user,
        "REMOTE_ADDR": "127.0.0.1",
        "GIT_PROTOCOL": request.headers.get("Git-Protocol", ""),
    }
    # aiohttp inflates gzip request bodies itself; tell git only when it did not.
    if body[:2] == b"\x1f\x8b":
        env["HTTP_CONTENT_ENCODING"] = "gzip"
    proc = await asyncio.create_subprocess_exec(
        "git",
        "http-backend",
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate(body)
    head, _, payload = out.partition(b"\r\n\r\n")
    if not _:
        head, _, payload = out.partition(b"\n\n")
    status, headers = 200, {}
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        elif name:
            headers[name.strip()] = value.strip()
    headers.pop("Content-Length", None)
    return web.Response(status=status, body=payload, headers=headers)
