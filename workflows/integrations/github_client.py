"""`GitHubClient`: every GitHub operation the flows need, as one object.

Built from `OrchestrationConfig` with `GitHubClient.from_config(config)`; the operations live in
`github_session` (repository, branches), `github_actions`, `github_commits`, `github_pulls` and
`github_delivery` (statuses, checks, deployments); cloning and pushing with real git are here.
"""

from __future__ import annotations

from pathlib import Path

from workflows.integrations import github_git
from workflows.integrations.github_actions import ActionsOperations
from workflows.integrations.github_commits import CommitOperations
from workflows.integrations.github_delivery import DeliveryOperations
from workflows.integrations.github_models import ClonedRepository, GitHubRepository
from workflows.integrations.github_pulls import PullRequestOperations


class GitHubClient(ActionsOperations, CommitOperations, PullRequestOperations, DeliveryOperations):
    """One repository on GitHub: Actions, commits, pull requests, statuses, deployments, clone
    and push."""

    def clone(
        self,
        dest: Path,
        *,
        branch: str | None = None,
        repo: GitHubRepository | None = None,
    ) -> ClonedRepository:
        """Clone the repository into ``dest`` with real git (the token stays out of argv/URL)."""
        clone_url = (repo or self.get_repository()).clone_url
        return self._call(
            "clone",
            lambda: github_git.clone(clone_url, Path(dest), token=self._token, branch=branch),
        )

    def fetch(self, workdir: Path, *refs: str) -> None:
        """Fetch ``refs`` (commits or refspecs) from ``origin`` into a clone, tags left out."""
        self._call("fetch", lambda: github_git.fetch(Path(workdir), refs, token=self._token))

    def push_branch(self, workdir: Path, branch: str, *, force: bool = False) -> str:
        """Push local ``branch`` of a clone to ``origin``; returns the pushed commit."""
        return self._call(
            "push",
            lambda: github_git.push(Path(workdir), branch, token=self._token, force=force),
        )
