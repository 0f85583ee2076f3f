"""Who may start which workflow, who may approve it, and how a waiting approval escalates.

The policy is the `access_policy` section of the configuration. Everything here is pure: the
bot resolves Slack user groups and hands in the groups a person belongs to; these functions
decide. Without a policy: everyone may start everything everywhere; the workflow types the
catalogue marks wait for an approval that anyone but the requester may give; nobody is
escalated to, and a request no one decides is rejected after `approval_timeout` (24 h).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from workflows.types import CATALOG, WorkflowType

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_GROUP = re.compile(r"^S[A-Z0-9]{2,}$")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")


def parse_duration(value: object) -> timedelta:
    """`90` (seconds), `"90s"`, `"30m"`, `"1h30m"`, `"2d"` -> timedelta; ValueError otherwise."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30m, 2h or 90s")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = str(value).strip().lower().replace(" ", "")
        if not text or _PART.sub("", text):
            raise ValueError(f"'{value}' is not a duration; use e.g. 30m, 2h, 1h30m or 90s")
        seconds = sum(float(n) * _UNIT_S[unit] for n, unit in _PART.findall(text))
    if seconds <= 0:
        raise ValueError("a duration must be longer than zero")
    return timedelta(seconds=seconds)


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _ids(values: list[str], pattern: re.Pattern[str], what: str, example: str) -> list[str]:
    bad = [v for v in values if not pattern.match(v)]
    if bad:
        raise ValueError(f"'{bad[0]}' is not a Slack {what} ID such as {example}")
    return values


class Principals(BaseModel):
    """People named by Slack user IDs (`U…`) and user groups (`S…`)."""

    model_config = ConfigDict(extra="forbid")

    users: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)

    @field_validator("users")
    @classmethod
    def _user_ids(cls, value: list[str]) -> list[str]:
        return _ids(value, _USER, "user", "U012AB3CD")

    @field_validator("groups")
    @classmethod
    def _group_ids(cls, value: list[str]) -> list[str]:
        return _ids(value, _GROUP, "user group", "S012AB3CD")

    @property
    def empty(self) -> bool:
        """Nobody named: the rule does not restrict who."""
        return not self.users and not self.groups

    def includes(self, user: str, user_groups: frozenset[str]) -> bool:
        """Named directly, or a member of one of the groups."""
        return user in self.users or any(g in user_groups for g in self.groups)

    def union(self, other: Principals) -> Principals:
        """Both lists, without duplicates, order kept."""
        return Principals(
            users=list(dict.fromkeys([*self.users, *other.users])),
            groups=list(dict.fromkeys([*self.groups, *other.groups])),
        )

    def mentions(self) -> str:
        """`<@U1> <!subteam^S1>`: how Slack mentions them."""
        return " ".join([f"<@{u}>" for u in self.users] + [f"<!subteam^{g}>" for g in self.groups])


class StartRule(Principals):
    """Who may start runs, and in which channels; empty lists do not restrict."""

    channels: list[str] = Field(default_factory=list)

    @field_validator("channels")
    @classmethod
    def _channel_ids(cls, value: list[str]) -> list[str]:
        return _ids(value, _CHANNEL, "channel", "C012AB3CD")


class EscalationLevel(BaseModel):
    """One level of an escalation policy: who is told, and how long they have."""

    model_config = ConfigDict(extra="forbid")

    notify: Principals
    wait: Duration = Field(description="time at this level before the next one (or the timeout)")


class WorkflowAccess(BaseModel):
    """The rules of one workflow type; a field left out comes from `defaults`."""

    model_config = ConfigDict(extra="forbid")

    start: StartRule | None = None
    approval_required: bool | None = None
    approvers: Principals | None = None
    allow_self_approval: bool | None = None
    escalation: list[EscalationLevel] | None = None
    approval_timeout: Duration | None = None


DEFAULT_TIMEOUT = timedelta(hours=24)


@dataclass(frozen=True)
class Rules:
    """The effective rules of one workflow type (defaults and its own entry merged)."""

    workflow: WorkflowType
    start: StartRule
    approval_required: bool
    approvers: Principals
    allow_self_approval: bool
    escalation: tuple[EscalationLevel, ...]
    approval_timeout: timedelta

    @property
    def levels(self) -> tuple[EscalationLevel, ...]:
        """The escalation levels; without any, one silent level lasting `approval_timeout`."""
        if self.escalation:
            return self.escalation
        return (EscalationLevel(notify=Principals(), wait=self.approval_timeout),)

    @property
    def total_wait(self) -> timedelta:
        """How long a request may wait before it is rejected by timeout."""
        return sum((level.wait for level in self.levels), timedelta())

    def deciders(self, level: int) -> Principals:
        """Who may decide once the request has reached `level` (0 = the first).

        Approvers, plus everyone the escalation has reached so far: a person who is paged can
        act. Empty means anyone.
        """
        if self.approvers.empty:
            return Principals()
        reached = self.approvers
        for notified in self.levels[: level + 1]:
            reached = reached.union(notified.notify)
        return reached

    def groups(self) -> set[str]:
        """Every user group these rules mention (the bot resolves their members)."""
        found = set(self.start.groups) | set(self.approvers.groups)
        for level in self.levels:
            found |= set(level.notify.groups)
        return found


class AccessPolicy(BaseModel):
    """The `access_policy` section: defaults, then per-workflow-type overrides."""

    model_config = ConfigDict(extra="forbid")

    defaults: WorkflowAccess = Field(default_factory=WorkflowAccess)
    workflows: dict[WorkflowType, WorkflowAccess] = Field(default_factory=dict)
    approval_channel: str | None = Field(
        None, description="where requests of runs not started from Slack are posted"
    )

    @field_validator("workflows", mode="before")
    @classmethod
    def _known_types(cls, value: object) -> object:
        if isinstance(value, dict):
            names = [t.value for t in WorkflowType]
            for key in value:
                if str(key) not in names:
                    close = difflib.get_close_matches(str(key), names, n=1)
                    hint = f"; did you mean {close[0]}?" if close else ""
                    raise ValueError(f"unknown workflow type '{key}'{hint}")
        return value

    @field_validator("approval_channel")
    @classmethod
    def _channel_id(cls, value: str | None) -> str | None:
        return None if value is None else _ids([value], _CHANNEL, "channel", "C012AB3CD")[0]

    def rules(self, workflow: WorkflowType | str) -> Rules:
        """The effective rules for `workflow`."""
        workflow = WorkflowType(workflow)
        own = self.workflows.get(workflow, WorkflowAccess())
        base = self.defaults
        required = _pick(own.approval_required, base.approval_required)
        return Rules(
            workflow=workflow,
            start=_pick(own.start, base.start) or StartRule(),
            approval_required=CATALOG[workflow].needs_approval if required is None else required,
            approvers=_pick(own.approvers, base.approvers) or Principals(),
            allow_self_approval=bool(_pick(own.allow_self_approval, base.allow_self_approval)),
            escalation=tuple(_pick(own.escalation, base.escalation) or ()),
            approval_timeout=_pick(own.approval_timeout, base.approval_timeout) or DEFAULT_TIMEOUT,
        )


def _pick[T](own: T | None, default: T | None) -> T | None:
    """A workflow type's own setting, or the default's when it leaves the field out."""
    return own if own is not None else default


@dataclass(frozen=True)
class Verdict:
    """Allowed or not; `reason` is fit to show the person."""

    allowed: bool
    reason: str = ""


ALLOWED = Verdict(True)


def may_start(rules: Rules, user: str, channel: str | None, user_groups: frozenset[str]) -> Verdict:
    """May `user` start a run of this workflow type in `channel`?"""
    name = rules.workflow.value
    start = rules.start
    if start.channels and channel not in start.channels:
        where = ", ".join(f"<#{c}>" for c in start.channels)
        return Verdict(False, f"`{name}` can only be started in {where}.")
    if not start.empty and not start.includes(user, user_groups):
        return Verdict(
            False,
            f"You are not allowed to start `{name}`; ask one of {start.mentions()} "
            "or an admin to add you to `access_policy` in the configuration.",
        )
    return ALLOWED


def may_decide(
    rules: Rules, user: str, requester: str | None, level: int, user_groups: frozenset[str]
) -> Verdict:
    """May `user` approve or reject a request that has reached escalation `level`?"""
    if requester and user == requester and not rules.allow_self_approval:
        return Verdict(
            False,
            "You asked for this run, so someone else has to approve or reject it "
            "(`allow_self_approval` is off). Use *Escalate* to bring in the next level.",
        )
    deciders = rules.deciders(level)
    if not deciders.empty and not deciders.includes(user, user_groups):
        return Verdict(
            False,
            f"Only {deciders.mentions()} may decide on `{rules.workflow.value}` runs "
            "at this point.",
        )
    return ALLOWED


def may_escalate(
    rules: Rules, user: str, requester: str | None, level: int, user_groups: frozenset[str]
) -> Verdict:
    """The requester and anyone who may decide can escalate to the next level."""
    if requester and user == requester:
        return ALLOWED
    return may_decide(rules, user, None, level, user_groups)


def may_cancel(
    rules: Rules, user: str, requester: str | None, user_groups: frozenset[str]
) -> Verdict:
    """The requester, or anyone who may approve this workflow type, may cancel its runs."""
    if requester and user == requester:
        return ALLOWED
    deciders = rules.deciders(len(rules.levels) - 1)
    if not deciders.empty and not deciders.includes(user, user_groups):
        return Verdict(
            False,
            f"Only the person who started this run or {deciders.mentions()} may cancel it.",
        )
    return ALLOWED


@dataclass(frozen=True)
class EscalationState:
    """Where a waiting request stands on its escalation policy at one moment."""

    level: int  # the highest level reached (0 = the first)
    since: datetime  # when that level was reached
    next_due: datetime | None  # when the next level (or the timeout) comes
    timed_out: bool
    due_level: int | None  # a level that is due but not yet recorded, if any


def escalation_state(
    rules: Rules, requested_at: datetime, reached: dict[int, datetime], now: datetime
) -> EscalationState:
    """Derive the level from the request time, the policy and the levels already recorded.

    `reached` maps a level to the moment it began (recorded by the bot when it notified that
    level, early when someone pressed Escalate). A level not recorded begins when the one before
    it has waited its time. Only the first unrecorded level can be due: levels are walked one
    at a time, so a bot that was down notifies each of them in turn.
    """
    levels = rules.levels
    since = reached.get(0, requested_at)
    level = 0
    while True:
        due = since + levels[level].wait
        following = level + 1
        if following >= len(levels):
            return EscalationState(level, since, due, now >= due, None)
        if following in reached:
            level, since = following, min(reached[following], due)
            continue
        if now >= due:
            return EscalationState(level, since, due, False, following)
        return EscalationState(level, since, due, False, None)
