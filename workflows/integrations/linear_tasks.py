"""Linear operations as Prefect tasks.

Each task reads the configuration itself (the key never becomes a task parameter, so it is not
stored with the run), opens a client, does one thing and closes it. `retries=0`: retries
happen in `call_with_retries`, which knows which failures are worth another try.
"""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from workflows.config import OrchestrationConfig, load_config
from workflows.integrations.linear import (
    Linear,
    LinearAttachment,
    LinearComment,
    LinearIssue,
)
from workflows.integrations.linear_client import SERVICE
from workflows.integrations.retrying import IntegrationNotConfigured


def linear_client(config: OrchestrationConfig | None = None) -> Linear:
    """A client from the configuration; `IntegrationNotConfigured` without LINEAR_API_KEY."""
    return Linear.from_config(config or load_config())


def team_key(config: OrchestrationConfig | None = None) -> str:
    """LINEAR_TEAM_KEY, or `IntegrationNotConfigured`."""
    key = (config or load_config()).linear_team_key
    if not key:
        raise IntegrationNotConfigured(SERVICE, "LINEAR_TEAM_KEY")
    return key


@task(name="linear-find-issue", retries=0, cache_policy=NONE)
def find_linear_issue(identifier: str) -> LinearIssue | None:
    """The issue with this identifier ("ZAM-1084") or UUID, or None."""
    with linear_client() as linear:
        return linear.find_issue(identifier)


@task(name="linear-create-issue", retries=0, cache_policy=NONE)
def create_linear_issue(
    title: str,
    description: str = "",
    *,
    priority: int | None = None,
    labels: list[str] | None = None,
    assignee: str | None = None,
    parent: str | None = None,
) -> LinearIssue:
    """Create an issue in LINEAR_TEAM_KEY's team; `parent` (id or identifier) for a sub-issue."""
    config = load_config()
    with linear_client(config) as linear:
        team = linear.team(team_key(config))
        label_ids = [linear.label(team.id, name).id for name in labels or []]
        parent_id = linear.issue(parent).id if parent else None
        issue = linear.create_issue(
            team.id, title, description, priority=priority, label_ids=label_ids, parent_id=parent_id
        )
        return linear.set_assignee(issue.id, assignee) if assignee else issue


@task(name="linear-ensure-issue", retries=0, cache_policy=NONE)
def ensure_linear_issue(
    title: str, description: str, marker: str, parent: str | None = None
) -> LinearIssue:
    """The issue carrying `marker` in the team (or under `parent`), created once."""
    config = load_config()
    with linear_client(config) as linear:
        team = linear.team(team_key(config))
        parent_id = linear.issue(parent).id if parent else None
        issue, _ = linear.ensure_issue(team.id, title, description, marker, parent_id=parent_id)
        return issue


@task(name="linear-update-state", retries=0, cache_policy=NONE)
def set_linear_state(issue: str, state_name: str) -> LinearIssue:
    """Move the issue (id or identifier) to the state with this name, in any case."""
    with linear_client() as linear:
        return linear.set_state(issue, state_name)


@task(name="linear-add-comment", retries=0, cache_policy=NONE)
def comment_on_linear_issue(issue: str, body: str) -> LinearComment:
    """Add a markdown comment."""
    with linear_client() as linear:
        return linear.add_comment(issue, body)


@task(name="linear-add-labels", retries=0, cache_policy=NONE)
def label_linear_issue(issue: str, labels: list[str]) -> LinearIssue:
    """Add labels by name, creating missing ones in the issue's team."""
    with linear_client() as linear:
        found = linear.issue(issue)
        return linear.add_labels(found.id, labels, found.team_id)


@task(name="linear-set-priority", retries=0, cache_policy=NONE)
def prioritise_linear_issue(issue: str, priority: int | str) -> LinearIssue:
    """Set the priority: 0-4 or none/urgent/high/medium/low."""
    with linear_client() as linear:
        return linear.set_priority(issue, priority)


@task(name="linear-set-assignee", retries=0, cache_policy=NONE)
def assign_linear_issue(issue: str, assignee: str | None) -> LinearIssue:
    """Assign to a user id or e-mail address; None unassigns."""
    with linear_client() as linear:
        return linear.set_assignee(issue, assignee)


@task(name="linear-attach-url", retries=0, cache_policy=NONE)
def attach_url_to_linear_issue(issue: str, url: str, title: str | None = None) -> LinearAttachment:
    """Attach a link (a pull request, a Slack thread) to the issue."""
    with linear_client() as linear:
        return linear.attach_url(issue, url, title)
