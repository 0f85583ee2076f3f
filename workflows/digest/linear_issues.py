"""The Linear team's issues: in progress, blocked, and done in the period.

Rules:
- *in progress*: the issue's state is of type `started` (blocked ones included);
- *blocked*: not completed or canceled, and a label named `Blocked` (any case) or a state
  whose name contains "blocked" (any case);
- *done*: completed (`completedAt`) within the period.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from workflows.config import OrchestrationConfig
from workflows.integrations.linear import Linear, linear_configured
from workflows.integrations.linear_client import LinearTransport
from workflows.integrations.retrying import IntegrationError, policy_from_config
from workflows.models.slack_notifications import (
    TOP,
    LinearDigest,
    Link,
    Period,
    Source,
    SourceState,
)

MAX_PAGES = 5
NOT_CONNECTED = "Linear is not connected: set LINEAR_API_KEY and LINEAR_TEAM_KEY"
CLOSED = frozenset({"completed", "canceled"})


class IssueFacts(BaseModel):
    """What the rules need of one issue."""

    identifier: str
    title: str
    url: str
    state: str
    state_type: str
    labels: list[str] = Field(default_factory=list)
    updated_at: datetime
    completed_at: datetime | None = None

    @classmethod
    def from_node(cls, node: dict[str, Any]) -> IssueFacts:
        """From the `digest_issues` query's node."""
        return cls(
            identifier=node["identifier"],
            title=node["title"],
            url=node["url"],
            state=node["state"]["name"],
            state_type=node["state"]["type"],
            labels=[label["name"] for label in node["labels"]["nodes"]],
            updated_at=node["updatedAt"],
            completed_at=node.get("completedAt"),
        )


def read_issues(transport: LinearTransport, team_key: str, since: datetime) -> list[IssueFacts]:
    """The team's open issues and those changed since `since` (`MAX_PAGES` pages at most)."""
    team = Linear(transport).team(team_key)
    stamp = since.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    found: list[IssueFacts] = []
    after: str | None = None
    for _ in range(MAX_PAGES):
        variables = {"teamId": team.id, "since": stamp, "after": after}
        page = transport.execute("digest_issues", variables)["issues"]
        found += [IssueFacts.from_node(node) for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return found


def collect_linear(config: OrchestrationConfig, period: Period) -> LinearDigest:
    """Read the team's issues and apply the rules; never raises."""
    if not linear_configured(config) or config.linear_api_key is None:
        return LinearDigest(source=Source(state=SourceState.NOT_CONNECTED, message=NOT_CONNECTED))
    team_key = (config.linear_team_key or "").upper()
    policy = policy_from_config(
        config.integration_retry_attempts, config.integration_retry_base_seconds
    )
    try:
        with LinearTransport(config.linear_api_key, config.linear_api_url, policy=policy) as link:
            issues = read_issues(link, team_key, period.start)
    except IntegrationError as exc:
        message = f"Linear could not be read: {exc.message}"
        return LinearDigest(source=Source(state=SourceState.ERROR, message=message), team=team_key)
    return summarize_linear(issues, period, team=team_key)


def blocked(issue: IssueFacts) -> bool:
    """Open, with a `Blocked` label or a state named like blocked."""
    if issue.state_type in CLOSED:
        return False
    return (
        any(n.casefold() == "blocked" for n in issue.labels) or "blocked" in issue.state.casefold()
    )


def summarize_linear(issues: list[IssueFacts], period: Period, *, team: str = "") -> LinearDigest:
    """The counts and the links (oldest change first for the open ones, newest done first)."""
    started = sorted((i for i in issues if i.state_type == "started"), key=lambda i: i.updated_at)
    stuck = sorted((i for i in issues if blocked(i)), key=lambda i: i.updated_at)
    done = sorted(
        (i for i in issues if i.state_type == "completed" and period.holds(i.completed_at)),
        key=lambda i: i.completed_at or i.updated_at,
        reverse=True,
    )
    return LinearDigest(
        team=team,
        in_progress=len(started),
        blocked=len(stuck),
        done=len(done),
        in_progress_links=[_link(i) for i in started[:TOP]],
        blocked_links=[_link(i) for i in stuck[:TOP]],
        done_links=[_link(i) for i in done[:TOP]],
    )


def _link(issue: IssueFacts) -> Link:
    return Link(title=f"{issue.identifier} {issue.title}", url=issue.url, detail=issue.state)
