"""What the result buttons (Open issue, Ask for a fix) read from a finished run's result.

Any result type takes part by having `top_findings(limit)` (the problems to show first, in the
order its Slack message lists them) and, where it knows them, `request.repo`,
`request.component` and `commit` (or a `result_source()` saying so). Finding paths are
relative to the component. A result that is not a component analysis also says what its
whole-result issue is titled and holds, and why it may have nothing to act on (`Summarised`).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Protocol, runtime_checkable
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, Field

from workflows.analysis.models import Finding

MAX_FINDINGS = 50  # what a button hands on: an issue table, an agent prompt


@runtime_checkable
class WithFindings(Protocol):
    """A result that lists its findings, most important first."""

    def top_findings(self, limit: int = 10) -> list[Finding]:
        """The first `limit` findings, in the order the result's message shows them."""
        ...


class ResultSource(BaseModel):
    """Where a result's findings live: repository, component and commit, as far as known."""

    repo: str | None = Field(None, description="a local path or a git URL")
    component: str = ""
    commit: str | None = None
    github_repository: str | None = Field(
        None, description="`owner/name` when the result names its GitHub repository"
    )


@runtime_checkable
class WithSource(Protocol):
    """A result that says where its findings live (its fields are not the usual ones)."""

    def result_source(self) -> ResultSource:
        """Repository, component and commit of the findings."""
        ...


@runtime_checkable
class Summarised(Protocol):
    """A result that titles and describes its own whole-result issue, and says when it has
    nothing to act on."""

    def issue_title(self) -> str:
        """`CI #42 failed: test failure` (the run's name is added after it)."""
        ...

    def issue_details(self) -> list[str]:
        """Markdown lines describing the result beyond its findings."""
        ...

    def nothing_to_fix(self) -> str:
        """Why an agent has nothing to fix, said when `top_findings` is empty."""
        ...

    def nothing_to_report(self) -> str | None:
        """Why there is nothing to open an issue about; None when an issue is worth it."""
        ...


NO_FINDINGS = "✨ This result has no findings to fix."


def findings_of(result: object, limit: int = MAX_FINDINGS) -> list[Finding]:
    """The result's findings (empty for a result type without any)."""
    return result.top_findings(limit) if isinstance(result, WithFindings) else []


def nothing_to_fix(result: object) -> str:
    """The private answer to Ask for a fix on a result without findings."""
    return result.nothing_to_fix() if isinstance(result, Summarised) else NO_FINDINGS


def nothing_to_report(result: object) -> str | None:
    """The private answer to Open issue on a result with nothing worth an issue, if so."""
    return result.nothing_to_report() if isinstance(result, Summarised) else None


def source_of(result: object) -> ResultSource:
    """Repository, component and commit of a result, read from its usual fields."""
    if isinstance(result, WithSource):
        return result.result_source()
    request = getattr(result, "request", None)
    repo = getattr(request, "repo", None)
    component = getattr(request, "component", None)
    commit = getattr(result, "commit", None)
    return ResultSource(
        repo=repo if isinstance(repo, str) else None,
        component=component if isinstance(component, str) else "",
        commit=commit if isinstance(commit, str) else None,
    )


def repo_path(component: str, path: str) -> str:
    """A finding's path from the repository's top: the component joined with `path`.

    A component that is one file (`pkg/worker.py`) reports its findings under the file's name.
    """
    if not component:
        return path
    own = PurePosixPath(component)
    if own.suffix and own.name == path:
        return component
    return f"{component.rstrip('/')}/{path}"


def github_web_base(api_url: str, web_url: str | None = None) -> str:
    """GitHub's web address: `web_url` when given, else derived from the API's address.

    `https://api.github.com` → `https://github.com`; GitHub Enterprise's
    `https://ghe.example.com/api/v3` → `https://ghe.example.com`; anything else: its origin.
    """
    if web_url:
        return web_url.rstrip("/")
    parts = urlsplit(api_url)
    host = parts.netloc
    if host == "api.github.com":
        host = "github.com"
    return f"{parts.scheme or 'https'}://{host}"


def github_line_url(web_base: str, repository: str, commit: str, path: str, line: int) -> str:
    """`https://github.com/acme/app/blob/<sha>/src/app.py#L12`."""
    return f"{web_base}/{repository}/blob/{commit}/{quote(path)}#L{line}"


def under_component(component: str, path: str) -> str:
    """A path from the repository's top made relative to `component` (`repo_path`'s inverse).

    A path outside the component is returned as it is.
    """
    own = component.strip("/")
    if not own:
        return path
    if path == own:
        return PurePosixPath(path).name
    return path[len(own) + 1 :] if path.startswith(own + "/") else path
