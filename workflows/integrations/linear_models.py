"""Typed Linear entities: what the client returns and what flow results keep.

Pure pydantic (plus the shared error type), so results and `blocks/` can use them without
importing gql.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from pydantic import BaseModel

from workflows.integrations.retrying import IntegrationError

SERVICE = "Linear"


class Priority(IntEnum):
    """Linear's priority numbers."""

    NONE = 0
    URGENT = 1
    HIGH = 2
    MEDIUM = 3
    LOW = 4


class LinearStateNotFound(IntegrationError):
    """The team has no workflow state of that name."""


class LinearState(BaseModel):
    """A workflow state of a team ("In Progress", type "started")."""

    id: str
    name: str
    type: str
    position: float = 0.0


class LinearTeam(BaseModel):
    """A team and its workflow states, in board order."""

    id: str
    key: str
    name: str
    states: list[LinearState] = []

    def state_named(self, name: str) -> LinearState:
        """The state called `name` (any case); `LinearStateNotFound` lists the valid names."""
        wanted = name.strip().casefold()
        for state in self.states:
            if state.name.casefold() == wanted:
                return state
        valid = ", ".join(s.name for s in self.states) or "(none)"
        raise LinearStateNotFound(
            SERVICE, f"team {self.key} has no state named '{name}'; valid states: {valid}"
        )


class LinearLabel(BaseModel):
    """An issue label; `team_id` is None for a workspace label."""

    id: str
    name: str
    team_id: str | None = None


class LinearUser(BaseModel):
    """A Linear user."""

    id: str
    name: str
    email: str | None = None


class LinearIssueRef(BaseModel):
    """What a result keeps of an issue: enough to link it."""

    id: str
    identifier: str
    url: str


class LinearIssue(BaseModel):
    """An issue as the client reads it back."""

    id: str
    identifier: str
    number: int
    title: str
    description: str | None = None
    url: str
    priority: int = 0
    priority_label: str = ""
    state: LinearState
    team_id: str
    team_key: str
    parent_id: str | None = None
    parent_identifier: str | None = None
    assignee: LinearUser | None = None
    labels: list[str] = []

    @classmethod
    def from_node(cls, node: dict[str, Any]) -> LinearIssue:
        """Build from the `IssueFields` fragment."""
        parent = node.get("parent") or {}
        assignee = node.get("assignee")
        return cls(
            id=node["id"],
            identifier=node["identifier"],
            number=int(node["number"]),
            title=node["title"],
            description=node.get("description"),
            url=node["url"],
            priority=int(node.get("priority") or 0),
            priority_label=node.get("priorityLabel") or "",
            state=LinearState(**node["state"]),
            team_id=node["team"]["id"],
            team_key=node["team"]["key"],
            parent_id=parent.get("id"),
            parent_identifier=parent.get("identifier"),
            assignee=LinearUser(**assignee) if assignee else None,
            labels=[label["name"] for label in node["labels"]["nodes"]],
        )

    def ref(self) -> LinearIssueRef:
        """The identifier and URL, for results and Slack links."""
        return LinearIssueRef(id=self.id, identifier=self.identifier, url=self.url)


class LinearComment(BaseModel):
    """A comment on an issue."""

    id: str
    body: str
    url: str


class LinearAttachment(BaseModel):
    """A link attached to an issue."""

    id: str
    url: str
    title: str
