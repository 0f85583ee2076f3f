"""Open pull requests: how many, which wait for a review, which are stale.

Rules:
- *waiting for review*: open, not a draft, and either no review submitted yet or a reviewer
  (person or team) still requested;
- *stale*: open (drafts too) and not updated for `stale_days` days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from workflows.config import OrchestrationConfig
from workflows.integrations.github_client import GitHubClient
from workflows.integrations.retrying import IntegrationError
from workflows.models.slack_notifications import (
    TOP,
    Link,
    PullRequestsDigest,
    Source,
    SourceState,
)

MAX_PULLS = 100
NOT_CONNECTED = "GitHub is not connected: set GITHUB_TOKEN and GITHUB_REPOSITORY"


class PullFacts(BaseModel):
    """What the rules need of one open pull request."""

    number: int
    title: str
    url: str
    draft: bool
    created_at: datetime
    updated_at: datetime
    reviews: int  # submitted reviews (pending ones left out)
    requested: int  # reviewers and teams still requested


class PullReader(GitHubClient):
    """The open pull requests with their reviews."""

    def open_pulls(self) -> list[PullFacts]:
        """Up to `MAX_PULLS` open pull requests, newest first."""

        def call() -> list[PullFacts]:
            found = []
            for index, pull in enumerate(self._repo.get_pulls(state="open")):
                if index >= MAX_PULLS:
                    break
                reviews = 0
                if not pull.draft:
                    reviews = sum(1 for r in pull.get_reviews() if r.state != "PENDING")
                found.append(
                    PullFacts(
                        number=pull.number,
                        title=pull.title,
                        url=pull.html_url,
                        draft=bool(pull.draft),
                        created_at=pull.created_at,
                        updated_at=pull.updated_at or pull.created_at,
                        reviews=reviews,
                        requested=len(pull.requested_reviewers) + len(pull.requested_teams),
                    )
                )
            return found

        return self._call("list pull requests", call)


def collect_pulls(
    config: OrchestrationConfig, now: datetime, stale_days: int
) -> PullRequestsDigest:
    """Read the open pull requests and apply the rules; never raises."""
    if config.github_token is None or not config.github_repository:
        source = Source(state=SourceState.NOT_CONNECTED, message=NOT_CONNECTED)
        return PullRequestsDigest(source=source, stale_days=stale_days)
    try:
        with PullReader.from_config(config) as github:
            pulls = github.open_pulls()
    except IntegrationError as exc:
        source = Source(state=SourceState.ERROR, message=f"GitHub could not be read: {exc.message}")
        return PullRequestsDigest(source=source, stale_days=stale_days)
    return summarize_pulls(pulls, now, stale_days)


def waiting_for_review(pull: PullFacts) -> bool:
    """Open, not a draft, and no review yet or a reviewer still requested."""
    return not pull.draft and (pull.reviews == 0 or pull.requested > 0)


def summarize_pulls(pulls: list[PullFacts], now: datetime, stale_days: int) -> PullRequestsDigest:
    """The counts, and links to the oldest waiting and the least recently updated stale."""
    cutoff = now - timedelta(days=stale_days)
    waiting = sorted((p for p in pulls if waiting_for_review(p)), key=lambda p: p.created_at)
    stale = sorted((p for p in pulls if p.updated_at < cutoff), key=lambda p: p.updated_at)
    return PullRequestsDigest(
        open=len(pulls),
        drafts=sum(1 for p in pulls if p.draft),
        waiting_review=len(waiting),
        stale=len(stale),
        stale_days=stale_days,
        waiting=[_link(p, now, p.created_at, "opened") for p in waiting[:TOP]],
        stale_links=[_link(p, now, p.updated_at, "updated") for p in stale[:TOP]],
    )


def _link(pull: PullFacts, now: datetime, moment: datetime, verb: str) -> Link:
    days = max(0, (now - moment).days)
    when = "today" if days == 0 else f"{days} d ago"
    return Link(title=f"#{pull.number} {pull.title}", url=pull.url, detail=f"{verb} {when}")
