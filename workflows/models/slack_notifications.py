"""`slack_notifications`: a channel health digest or a plain message, and what the flow found.

The flow never holds Slack credentials: it gathers the numbers and returns them; the bot posts
the digest (Block Kit) and its trend chart, or the message, to `channel`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, Field, model_validator

from workflows.models.health_check import HostResources

MAX_TEXT = 3000
TOP = 5  # links listed per area


class NotificationKind(StrEnum):
    """What to post."""

    DIGEST = "digest"
    MESSAGE = "message"


class SlackNotificationRequest(BaseModel):
    """`/cicd digest [#channel]`, `/cicd run slack_notifications ...`, or a schedule."""

    kind: NotificationKind = Field(NotificationKind.DIGEST, description="digest or message")
    channel: str = Field(
        pattern=r"^[CGD][A-Z0-9]{2,}$", description="Slack channel ID to post to, e.g. C0123ABCD"
    )
    period_hours: int = Field(24, ge=1, le=24 * 31, description="the digest's period, in hours")
    stale_days: int = Field(
        7, ge=1, le=365, description="an open pull request not updated for this long is stale"
    )
    text: str = Field("", max_length=MAX_TEXT, description="the message (kind=message), mrkdwn")
    thread_ts: str | None = Field(
        None, pattern=r"^\d+\.\d+$", description="post the message as a reply in this thread"
    )

    @model_validator(mode="after")
    def _fits_kind(self) -> Self:
        if self.kind is NotificationKind.MESSAGE and not self.text.strip():
            raise ValueError("kind=message needs text=... (the message to post)")
        if self.kind is NotificationKind.DIGEST and (self.text or self.thread_ts):
            raise ValueError("text and thread_ts are for kind=message; a digest is its own post")
        return self


class Period(BaseModel):
    """[start, end) and the previous period of the same length, for the trend."""

    start: datetime
    end: datetime

    @classmethod
    def ending(cls, end: datetime, hours: int) -> Period:
        """The `hours` before `end`."""
        return cls(start=end - timedelta(hours=hours), end=end)

    @property
    def length(self) -> timedelta:
        """How long the period is."""
        return self.end - self.start

    @property
    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(start=self.start - self.length, end=self.start)

    @property
    def hours(self) -> int:
        """The length in whole hours."""
        return round(self.length.total_seconds() / 3600)

    def holds(self, moment: datetime | None) -> bool:
        """`start <= moment < end`."""
        return moment is not None and self.start <= moment < self.end

    def label(self) -> str:
        """`the last 24 h`, `the last 7 days`."""
        hours = self.hours
        if hours % 24 == 0 and hours > 24:
            return f"the last {hours // 24} days"
        return f"the last {hours} h"


class SourceState(StrEnum):
    """Whether an area could be read."""

    OK = "ok"
    NOT_CONNECTED = "not_connected"
    ERROR = "error"


class Source(BaseModel):
    """Where an area's numbers came from, or why there are none."""

    state: SourceState = SourceState.OK
    message: str = ""  # what to set, or what went wrong (never a credential)

    @property
    def ok(self) -> bool:
        """The numbers are there."""
        return self.state is SourceState.OK


class Link(BaseModel):
    """Something the digest counts, with where to see it."""

    title: str
    url: str
    detail: str = ""


class DayPoint(BaseModel):
    """One day of Actions runs, for the trend chart."""

    day: date
    runs: int = 0
    failures: int = 0


class WorkflowFailures(BaseModel):
    """A workflow that failed in the period."""

    name: str
    failures: int
    runs: int
    url: str  # the latest failed run


class SlowJob(BaseModel):
    """A job of the period, by duration."""

    name: str
    workflow: str
    seconds: float
    url: str


class ActionsDigest(BaseModel):
    """GitHub Actions runs created in the period, and the same for the previous period."""

    source: Source = Field(default_factory=Source)
    repository: str = ""
    runs: int = 0
    succeeded: int = 0
    failed: int = 0  # failure, timed_out, startup_failure
    previous_runs: int = 0
    previous_succeeded: int = 0
    previous_failed: int = 0
    failing: list[WorkflowFailures] = Field(default_factory=list)
    flaky: list[Link] = Field(default_factory=list)  # one per flaky workflow
    slowest: list[SlowJob] = Field(default_factory=list)
    series: list[DayPoint] = Field(default_factory=list)

    @property
    def success_rate(self) -> float | None:
        """Succeeded among succeeded and failed, in percent; None without any."""
        return _rate(self.succeeded, self.failed)

    @property
    def previous_success_rate(self) -> float | None:
        """The same for the previous period."""
        return _rate(self.previous_succeeded, self.previous_failed)

    @property
    def rate_delta(self) -> float | None:
        """Points gained (or lost) against the previous period."""
        now, before = self.success_rate, self.previous_success_rate
        return None if now is None or before is None else round(now - before, 1)


class PullRequestsDigest(BaseModel):
    """Open pull requests now."""

    source: Source = Field(default_factory=Source)
    open: int = 0
    drafts: int = 0
    waiting_review: int = 0
    stale: int = 0
    stale_days: int = 7
    waiting: list[Link] = Field(default_factory=list)  # oldest first
    stale_links: list[Link] = Field(default_factory=list)  # least recently updated first


class LinearDigest(BaseModel):
    """The Linear team's issues."""

    source: Source = Field(default_factory=Source)
    team: str = ""
    in_progress: int = 0
    blocked: int = 0
    done: int = 0
    blocked_links: list[Link] = Field(default_factory=list)
    in_progress_links: list[Link] = Field(default_factory=list)
    done_links: list[Link] = Field(default_factory=list)


class SystemDigest(BaseModel):
    """This system's own runs in the period."""

    source: Source = Field(default_factory=Source)
    runs: int = 0
    completed: int = 0
    failed: int = 0
    approvals_waiting: int = 0
    escalations: int = 0
    worst: str | None = None  # the workflow type with the highest failure rate

    @property
    def success_rate(self) -> float | None:
        """Completed among completed and failed, in percent."""
        return _rate(self.completed, self.failed)


class DigestResult(BaseModel):
    """Everything one digest found."""

    period: Period
    actions: ActionsDigest
    pulls: PullRequestsDigest
    linear: LinearDigest
    system: SystemDigest
    host: HostResources | None = None
    host_error: str | None = None


class SlackNotificationResult(BaseModel):
    """What the bot posts: the digest, or the request's message."""

    request: SlackNotificationRequest
    digest: DigestResult | None = None


def _rate(good: int, bad: int) -> float | None:
    return round(100 * good / (good + bad), 1) if good + bad else None
