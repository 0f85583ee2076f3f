"""Pull requests: open, read, review with line comments, merge."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from workflows.integrations.github_models import (
    MergeMethod,
    MergeResult,
    PullRequest,
    PullRequestReview,
    ReviewComment,
    ReviewEvent,
)
from workflows.integrations.github_session import GitHubSession, given

if TYPE_CHECKING:
    import github.PullRequest


class PullRequestOperations(GitHubSession):
    """Pull requests of the session's repository."""

    def _pr_subject(self, number: int) -> str:
        return f"pull request #{number} in {self.repository}"

    def create_pull_request(
        self,
        *,
        head: str,
        title: str,
        body: str = "",
        base: str | None = None,
        draft: bool = False,
    ) -> PullRequest:
        """Open a pull request from ``head`` into ``base`` (default: the default branch)."""
        target = base or self.get_repository().default_branch

        def call() -> PullRequest:
            pull = self._repo.create_pull(
                base=target, head=head, title=title, body=body, draft=draft
            )
            return _pull(pull)

        return self._call("create pull request", call)

    def get_pull_request(self, number: int) -> PullRequest:
        """One pull request."""
        return self._call(
            "get pull request",
            lambda: _pull(self._repo.get_pull(number)),
            self._pr_subject(number),
        )

    def list_pull_requests(
        self, *, state: str = "open", head: str | None = None, base: str | None = None
    ) -> list[PullRequest]:
        """Pull requests, e.g. the open one from a branch (``head``) before opening another."""
        owner = self.repository.split("/")[0]
        head_filter = f"{owner}:{head}" if head and ":" not in head else head

        def call() -> list[PullRequest]:
            pulls = self._repo.get_pulls(**given(state=state, head=head_filter, base=base))
            return [_pull(pull) for pull in pulls]

        return self._call("list pull requests", call)

    def review_pull_request(
        self,
        number: int,
        *,
        event: ReviewEvent = "COMMENT",
        body: str = "",
        comments: Iterable[ReviewComment] = (),
        commit_id: str | None = None,
    ) -> PullRequestReview:
        """Submit a review, with comments on lines of the diff (of ``commit_id`` when given:
        the lines a review talks about are that commit's, even if the head moved since)."""
        payload = [
            {"path": c.path, "line": c.line, "side": c.side, "body": c.body} for c in comments
        ]

        def call() -> PullRequestReview:
            pull = self._repo.get_pull(number)
            if commit_id:
                review = pull.create_review(
                    commit=self._repo.get_commit(commit_id),
                    body=body,
                    event=event,
                    comments=payload,  # type: ignore[arg-type]
                )
            else:
                review = pull.create_review(body=body, event=event, comments=payload)  # type: ignore[arg-type]
            return PullRequestReview(
                id=review.id,
                state=review.state,
                body=review.body,
                reviewer=review.user.login if review.user else None,
                commit_id=review.commit_id,
                html_url=review.html_url,
            )

        return self._call("review pull request", call, self._pr_subject(number))

    def merge_pull_request(
        self,
        number: int,
        *,
        method: MergeMethod = "squash",
        title: str | None = None,
        message: str | None = None,
        sha: str | None = None,
    ) -> MergeResult:
        """Merge; with ``sha``, only if the head is still that commit (else GitHub's 409)."""

        def call() -> MergeResult:
            pull = self._repo.get_pull(number)
            status = pull.merge(
                merge_method=method, **given(commit_title=title, commit_message=message, sha=sha)
            )
            return MergeResult(merged=status.merged, sha=status.sha, message=status.message)

        return self._call("merge pull request", call, self._pr_subject(number))


def _pull(pull: github.PullRequest.PullRequest) -> PullRequest:
    return PullRequest(
        number=pull.number,
        title=pull.title,
        body=pull.body,
        state=pull.state,
        draft=bool(pull.draft),
        author=pull.user.login if pull.user else None,
        html_url=pull.html_url,
        head_ref=pull.head.ref,
        head_sha=pull.head.sha,
        base_ref=pull.base.ref,
        base_sha=pull.base.sha,
        merged=bool(pull.merged),
        mergeable=pull.mergeable,
        merge_commit_sha=pull.merge_commit_sha,
    )
