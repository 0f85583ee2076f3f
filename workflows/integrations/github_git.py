"""Clone and push with real git, the token travelling only in git's environment.

For http(s) clone URLs the token becomes an ``Authorization`` header that git reads from
``GIT_CONFIG_*`` environment variables, scoped to the clone URL's origin: it never appears in
a URL, an argument list, ``.git/config`` or an error message. Local work (rev-parse, remote
URLs) goes through `workflows.repository.checkout.git`.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from workflows.integrations.github_models import ClonedRepository
from workflows.repository.checkout import git, redact


def auth_env(url: str, token: str | None) -> dict[str, str]:
    """Environment that makes git send ``token`` to ``url``'s origin, and ask nobody else."""
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "LC_ALL": "C"}
    parts = urlsplit(url)
    if token is None or parts.scheme not in ("http", "https"):
        return env
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    settings = {
        f"http.{parts.scheme}://{parts.netloc}/.extraheader": f"Authorization: Basic {basic}",
        # A credential helper on this machine must neither answer nor store for us.
        "credential.helper": "",
    }
    first = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    for index, (key, value) in enumerate(settings.items(), first):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    env["GIT_CONFIG_COUNT"] = str(first + len(settings))
    return env


def run_git(*args: str, cwd: Path | None, url: str, token: str | None) -> str:
    """Run a networked git command against ``url``; `CheckoutError` in git's words, redacted."""
    secrets = (token or "", base64.b64encode(f"x-access-token:{token}".encode()).decode())
    return git(*args, cwd=cwd, env=auth_env(url, token), secrets=secrets)


def clone(url: str, dest: Path, *, token: str | None, branch: str | None) -> ClonedRepository:
    """Clone ``url`` into ``dest`` (which must not exist or be empty), at ``branch``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    args = ["clone", "--quiet", "--no-tags"]
    if branch:
        args += ["--branch", branch]
    run_git(*args, "--", url, str(dest), cwd=None, url=url, token=token)
    current = git("rev-parse", "--abbrev-ref", "HEAD", cwd=dest)
    return ClonedRepository(
        path=str(dest),
        source=redact(url),
        branch=current,
        commit=git("rev-parse", "HEAD", cwd=dest),
    )


def fetch(workdir: Path, refs: Iterable[str], *, token: str | None) -> None:
    """Fetch ``refs`` (shas GitHub serves when reachable, or refspecs) from ``origin``."""
    wanted = list(refs)
    if any(ref.startswith("-") for ref in wanted):
        raise ValueError(f"not a ref or commit: {next(r for r in wanted if r.startswith('-'))}")
    url = git("remote", "get-url", "origin", cwd=workdir)
    run_git("fetch", "--quiet", "--no-tags", "origin", *wanted, cwd=workdir, url=url, token=token)


def push(workdir: Path, branch: str, *, token: str | None, force: bool = False) -> str:
    """Push local ``branch`` to the same name on ``origin``; returns the pushed sha."""
    url = git("remote", "get-url", "origin", cwd=workdir)
    sha = git("rev-parse", "--verify", f"refs/heads/{branch}^{{commit}}", cwd=workdir)
    refspec = f"{'+' if force else ''}refs/heads/{branch}:refs/heads/{branch}"
    run_git("push", "--quiet", "origin", refspec, cwd=workdir, url=url, token=token)
    return sha
