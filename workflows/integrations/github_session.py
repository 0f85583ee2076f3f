"""`GitHubSession`: one repository over PyGithub, with our retry rules; repository and branches.

PyGithub is configured not to retry or throttle on its own (``retry=None``, no pauses between
requests unless asked), so `call_with_retries` alone decides, honouring ``Retry-After`` and
``X-RateLimit-Reset``. Operations convert PyGithub objects to `github_models` inside the retried
call, so a lazy attribute fetch is retried too. `GitHubClient` adds the other operations.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, Self, TypedDict, Unpack

import github

from workflows.config import OrchestrationConfig
from workflows.integrations.github_errors import SERVICE, TOKEN_SETTING, classify_github_error
from workflows.integrations.github_models import Branch, GitHubRepository
from workflows.integrations.retrying import (
    DEFAULT_POLICY,
    IntegrationError,
    IntegrationNotConfigured,
    RetryPolicy,
    call_with_retries,
    policy_from_config,
)


def given(**values: object) -> dict[str, Any]:
    """Keyword arguments without the ``None`` ones (PyGithub wants them left out)."""
    return {key: value for key, value in values.items() if value is not None}


class SessionOptions(TypedDict, total=False):
    """`GitHubSession`'s keyword arguments that `from_config` does not take from the settings."""

    policy: RetryPolicy
    timeout: int
    seconds_between_requests: float
    seconds_between_writes: float
    sleep: Callable[[float], None]


class GitHubSession:
    """One repository on GitHub (or anything speaking its REST API at ``api_url``)."""

    def __init__(
        self,
        *,
        token: str,
        repository: str,
        api_url: str = "https://api.github.com",
        policy: RetryPolicy = DEFAULT_POLICY,
        timeout: int = 15,
        seconds_between_requests: float = 0.0,
        seconds_between_writes: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if repository.count("/") != 1 or not all(repository.split("/")):
            raise IntegrationError(
                SERVICE, f"GITHUB_REPOSITORY must look like owner/name, not {repository!r}"
            )
        self.repository = repository
        self.api_url = api_url.rstrip("/")
        self.policy = policy
        self._token = token
        self._sleep = sleep
        self._gh = github.Github(
            base_url=self.api_url,
            auth=github.Auth.Token(token),
            timeout=timeout,
            retry=None,
            seconds_between_requests=seconds_between_requests or None,
            seconds_between_writes=seconds_between_writes or None,
            user_agent="cicd-chatops",
        )
        self._repo = self._gh.get_repo(repository, lazy=True)

    @classmethod
    def from_config(
        cls,
        config: OrchestrationConfig,
        *,
        repository: str | None = None,
        **options: Unpack[SessionOptions],
    ) -> Self:
        """A client for ``repository`` (default ``GITHUB_REPOSITORY``) from the settings."""
        if config.github_token is None:
            raise IntegrationNotConfigured(SERVICE, TOKEN_SETTING)
        repository = repository or config.github_repository
        if not repository:
            raise IntegrationNotConfigured(SERVICE, "GITHUB_REPOSITORY")
        options.setdefault(
            "policy",
            policy_from_config(
                config.integration_retry_attempts, config.integration_retry_base_seconds
            ),
        )
        return cls(
            token=config.github_token.get_secret_value(),
            repository=repository,
            api_url=config.github_api_url,
            **options,
        )

    def close(self) -> None:
        """Release the HTTP connections."""
        self._gh.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.repository!r}, api_url={self.api_url!r})"

    def _call[T](self, what: str, call: Callable[[], T], subject: str | None = None) -> T:
        """Run one operation under the retry policy; conversion to models happens inside."""
        classify = partial(
            classify_github_error, what=what, subject=subject or f"repository {self.repository}"
        )
        return call_with_retries(
            call, classify=classify, what=what, policy=self.policy, sleep=self._sleep
        )

    # -- repository ---------------------------------------------------------------------------

    def get_repository(self) -> GitHubRepository:
        """The repository, with its clone URL and default branch."""

        def call() -> GitHubRepository:
            repo = self._gh.get_repo(self.repository)
            return GitHubRepository(
                full_name=repo.full_name,
                default_branch=repo.default_branch,
                clone_url=repo.clone_url,
                html_url=repo.html_url,
                private=repo.private,
            )

        return self._call("get repository", call)

    def get_branch(self, branch: str) -> Branch:
        """A branch and its head commit."""

        def call() -> Branch:
            found = self._repo.get_branch(branch)
            return Branch(name=found.name, sha=found.commit.sha)

        return self._call("get branch", call, f"branch {branch} in {self.repository}")

    def create_branch(self, branch: str, *, from_ref: str | None = None) -> Branch:
        """Create ``branch`` at ``from_ref`` (a sha or a branch; default: the default branch)."""
        base = from_ref or self.get_repository().default_branch
        sha = base if _looks_like_sha(base) else self.get_branch(base).sha

        def call() -> Branch:
            ref = self._repo.create_git_ref(f"refs/heads/{branch}", sha)
            return Branch(name=branch, sha=ref.object.sha)

        return self._call("create branch", call)

    def delete_branch(self, branch: str) -> None:
        """Delete ``branch`` (GitHub closes pull requests from it)."""
        self._call(
            "delete branch",
            lambda: self._repo.get_git_ref(f"heads/{branch}").delete(),
            f"branch {branch} in {self.repository}",
        )


def _looks_like_sha(ref: str) -> bool:
    return len(ref) == 40 and all(c in "0123456789abcdef" for c in ref)
