"""`slack_notifications`: a channel health digest (or a plain message) for a Slack channel.

The flow gathers the numbers, one task per area, and returns them; it holds no Slack
credentials. The bot posts the digest's Block Kit and its trend chart (`bot/digests/`).
An area whose integration is not set up, or fails, says so; the others still report.
"""

# No `from __future__ import annotations`: Prefect must resolve the parameter types.

from datetime import UTC, datetime

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.utilities.asyncutils import run_coro_as_sync

from workflows.config import load_config
from workflows.digest.github_actions import collect_actions
from workflows.digest.linear_issues import collect_linear
from workflows.digest.pull_requests import collect_pulls
from workflows.digest.system_runs import collect_system
from workflows.health.host import read_host
from workflows.health.run_rates import work_flows
from workflows.models.health_check import HostResources
from workflows.models.runs import RunOrigin
from workflows.models.slack_notifications import (
    ActionsDigest,
    DigestResult,
    LinearDigest,
    NotificationKind,
    Period,
    PullRequestsDigest,
    SlackNotificationRequest,
    SlackNotificationResult,
    SystemDigest,
)
from workflows.registry import FlowSpec
from workflows.types import WorkflowType


@task(name="github-actions", cache_policy=NONE)
def github_actions(period: Period) -> ActionsDigest:
    """Runs, success rate, failing and flaky workflows, slowest jobs, trend."""
    return collect_actions(load_config(), period)


@task(name="pull-requests", cache_policy=NONE)
def pull_requests(period: Period, stale_days: int) -> PullRequestsDigest:
    """Open, waiting for review, stale."""
    return collect_pulls(load_config(), period.end, stale_days)


@task(name="linear-issues", cache_policy=NONE)
def linear_issues(period: Period) -> LinearDigest:
    """In progress, blocked, done in the period."""
    return collect_linear(load_config(), period)


@task(name="system-runs", cache_policy=NONE)
def system_runs(period: Period) -> SystemDigest:
    """This system's runs, approvals waiting and escalations."""
    return run_coro_as_sync(collect_system(load_config(), period, work_flows()))


@task(name="host-health", cache_policy=NONE)
def host_health() -> HostResources:
    """CPU, memory and the data directory's disk."""
    return read_host(load_config().cicd_data_dir)


@flow(name="slack-notifications", persist_result=True, result_serializer="json")
def slack_notifications(
    request: SlackNotificationRequest, origin: RunOrigin | None = None
) -> SlackNotificationResult:
    """Gather a digest of the period (or pass a message on) for the bot to post."""
    if request.kind is NotificationKind.MESSAGE:
        return SlackNotificationResult(request=request)
    period = Period.ending(datetime.now(UTC), request.period_hours)
    actions = github_actions(period)
    pulls = pull_requests(period, request.stale_days)
    linear = linear_issues(period)
    system = system_runs(period)
    host, host_error = None, None
    try:
        host = host_health()
    except Exception as exc:  # the digest still posts the rest
        host_error = f"host not measured: {type(exc).__name__}"
    digest = DigestResult(
        period=period,
        actions=actions,
        pulls=pulls,
        linear=linear,
        system=system,
        host=host,
        host_error=host_error,
    )
    return SlackNotificationResult(request=request, digest=digest)


def notification_title(request: SlackNotificationRequest) -> str:
    """`Channel health digest` or `Message to <#C…>`."""
    if request.kind is NotificationKind.MESSAGE:
        return f"Message to <#{request.channel}>"
    return "Channel health digest"


SPEC = FlowSpec(
    workflow=WorkflowType.SLACK_NOTIFICATIONS,
    flow=slack_notifications,
    steps=(
        ("github-actions", "Read GitHub Actions runs"),
        ("pull-requests", "Read open pull requests"),
        ("linear-issues", "Read Linear issues"),
        ("system-runs", "Count this system's runs"),
        ("host-health", "Measure the host"),
    ),
    request_type=SlackNotificationRequest,
    result_type=SlackNotificationResult,
    title=notification_title,
)
