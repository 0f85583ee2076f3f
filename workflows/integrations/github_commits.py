"""Commits: comparing two commits (what changed between a green run and a red one)."""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING

from workflows.integrations.github_models import CommitComparison, CommitSummary
from workflows.integrations.github_session import GitHubSession

if TYPE_CHECKING:
    import github.Commit

MAX_COMMITS = 250  # what GitHub lists on a compare's first page


class CommitOperations(GitHubSession):
    """Commit history of the session's repository."""

    def compare_commits(
        self, base: str, head: str, *, limit: int = MAX_COMMITS
    ) -> CommitComparison:
        """``GET /compare/{base}...{head}``: commits on ``head`` since the merge base, oldest
        first (at most ``limit``; ``total_commits`` counts them all) and the changed paths."""

        def call() -> CommitComparison:
            found = self._repo.compare(base, head)
            return CommitComparison(
                base=base,
                head=head,
                status=found.status,
                ahead_by=found.ahead_by,
                behind_by=found.behind_by,
                total_commits=found.total_commits,
                commits=[_commit(c) for c in islice(found.commits, limit)],
                files=[f.filename for f in found.files],
                html_url=found.html_url,
            )

        return self._call(
            "compare commits", call, f"commits {base[:12]}...{head[:12]} in {self.repository}"
        )


def _commit(commit: github.Commit.Commit) -> CommitSummary:
    git_commit = commit.commit
    author = git_commit.author
    return CommitSummary(
        sha=commit.sha,
        message=git_commit.message,
        author_name=author.name if author else None,
        author_login=commit.author.login if commit.author else None,
        authored_at=author.date if author else None,
        html_url=commit.html_url,
    )
