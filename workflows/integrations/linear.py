"""Linear issues through its GraphQL API: typed results, states by name, idempotent creation.

`Linear` wraps a `LinearTransport` (gql, shared retry rules). Each method is one or two
GraphQL operations from `linear_graphql/`; results are pydantic models. Issues a flow must
not create twice carry a marker line in their description (`issue_marker`) and are found
again with `find_by_marker` / `ensure_issue`.
"""

from __future__ import annotations

import hashlib
from typing import Any, Self

from pydantic import SecretStr

from workflows.config import OrchestrationConfig
from workflows.integrations.linear_client import (
    DEFAULT_TIMEOUT_S,
    SERVICE,
    LinearNotFound,
    LinearTransport,
)
from workflows.integrations.linear_models import (
    LinearAttachment,
    LinearComment,
    LinearIssue,
    LinearIssueRef,
    LinearLabel,
    LinearState,
    LinearStateNotFound,
    LinearTeam,
    LinearUser,
    Priority,
)
from workflows.integrations.retrying import (
    IntegrationError,
    IntegrationNotConfigured,
    RetryPolicy,
    policy_from_config,
)

MARKER_PREFIX = "cicd:"
__all__ = [
    "Linear",
    "LinearAttachment",
    "LinearComment",
    "LinearIssue",
    "LinearIssueRef",
    "LinearLabel",
    "LinearNotFound",
    "LinearState",
    "LinearStateNotFound",
    "LinearTeam",
    "LinearUser",
    "Priority",
    "issue_marker",
    "linear_configured",
    "with_marker",
]


def issue_marker(kind: str, *parts: str) -> str:
    """A stable marker such as `cicd:component-analysis:3f2a9c1b7e04` for `parts`.

    Hashed so that Linear's markdown handling (links, escaping) cannot alter it.
    """
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]
    return f"{MARKER_PREFIX}{kind}:{digest}"


def with_marker(description: str, marker: str) -> str:
    """`description` with the marker as its last line (a plain line: Linear keeps it)."""
    footer = f"Tracked by cicd-chatops; re-runs find this issue by {marker}"
    return f"{description.rstrip()}\n\n---\n{footer}\n"


def linear_configured(config: OrchestrationConfig) -> bool:
    """True when both the API key and the team key are set."""
    return config.linear_api_key is not None and bool(config.linear_team_key)


class Linear:
    """The Linear operations the flows use; close it (or use `with`) when done."""

    def __init__(self, transport: LinearTransport) -> None:
        self._transport = transport
        self._teams: dict[str, LinearTeam] = {}

    @classmethod
    def connect(
        cls,
        api_key: SecretStr | str,
        url: str,
        *,
        policy: RetryPolicy | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> Linear:
        """A client for the API at `url` with this key."""
        return cls(LinearTransport(api_key, url, policy=policy or RetryPolicy(), timeout=timeout))

    @classmethod
    def from_config(cls, config: OrchestrationConfig, policy: RetryPolicy | None = None) -> Linear:
        """A client from `LINEAR_API_KEY`, `LINEAR_API_URL` and the retry settings."""
        if config.linear_api_key is None:
            raise IntegrationNotConfigured(SERVICE, "LINEAR_API_KEY")
        policy = policy or policy_from_config(
            config.integration_retry_attempts, config.integration_retry_base_seconds
        )
        return cls.connect(config.linear_api_key, config.linear_api_url, policy=policy)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session."""
        self._transport.close()

    def _run(self, document: str, /, **variables: object) -> dict[str, Any]:
        return self._transport.execute(document, variables)

    # -- reading ----------------------------------------------------------------------------------

    def viewer(self) -> LinearUser:
        """The user the API key belongs to."""
        return LinearUser(**self._run("viewer")["viewer"])

    def team(self, key: str) -> LinearTeam:
        """The team with this key ("ZAM") and its states; remembered for this client."""
        wanted = key.strip().upper()
        if wanted not in self._teams:
            nodes = self._run("team_by_key", key=wanted)["teams"]["nodes"]
            if not nodes:
                raise IntegrationError(
                    SERVICE, f"no team with key '{wanted}'; check LINEAR_TEAM_KEY"
                )
            node = nodes[0]
            states = sorted(
                (LinearState(**s) for s in node["states"]["nodes"]), key=lambda s: s.position
            )
            self._teams[wanted] = LinearTeam(
                id=node["id"], key=node["key"], name=node["name"], states=states
            )
        return self._teams[wanted]

    def issue(self, id_or_identifier: str) -> LinearIssue:
        """An issue by UUID or identifier ("ZAM-1084"); `LinearNotFound` if there is none."""
        return LinearIssue.from_node(self._run("issue", id=id_or_identifier.strip())["issue"])

    def find_issue(self, id_or_identifier: str) -> LinearIssue | None:
        """Like `issue`, but None when it does not exist."""
        try:
            return self.issue(id_or_identifier)
        except LinearNotFound:
            return None

    def find_by_marker(
        self, marker: str, *, team_id: str | None = None, parent_id: str | None = None
    ) -> LinearIssue | None:
        """The oldest issue whose description holds `marker`, in a team or under a parent."""
        if parent_id is not None:
            data = self._run("sub_issues_by_marker", parentId=parent_id, marker=marker)
        elif team_id is not None:
            data = self._run("issues_by_marker", teamId=team_id, marker=marker)
        else:
            raise ValueError("find_by_marker needs team_id or parent_id")
        issues = [LinearIssue.from_node(node) for node in data["issues"]["nodes"]]
        matches = [i for i in issues if marker in (i.description or "")]
        return min(matches, key=lambda i: i.number) if matches else None

    def user_by_email(self, email: str) -> LinearUser | None:
        """The user with this e-mail address, if any."""
        nodes = self._run("user_by_email", email=email.strip())["users"]["nodes"]
        return LinearUser(**nodes[0]) if nodes else None

    # -- writing ----------------------------------------------------------------------------------

    def create_issue(
        self,
        team_id: str,
        title: str,
        description: str = "",
        *,
        priority: int | None = None,
        label_ids: list[str] | None = None,
        assignee_id: str | None = None,
        parent_id: str | None = None,
        state_id: str | None = None,
    ) -> LinearIssue:
        """Create an issue (a sub-issue when `parent_id` is given); description is markdown."""
        values = {
            "teamId": team_id,
            "title": title,
            "description": description,
            "priority": None if priority is None else int(Priority(priority)),
            "labelIds": label_ids or None,
            "assigneeId": assignee_id,
            "parentId": parent_id,
            "stateId": state_id,
        }
        payload = self._run("issue_create", input=_present(values))["issueCreate"]
        return self._issue_from_payload(payload, "create issue")

    def ensure_issue(
        self,
        team_id: str,
        title: str,
        description: str,
        marker: str,
        *,
        parent_id: str | None = None,
        priority: int | None = None,
        label_ids: list[str] | None = None,
    ) -> tuple[LinearIssue, bool]:
        """The issue carrying `marker`, created (with the marker) if missing; True if created."""
        found = self.find_by_marker(marker, team_id=team_id, parent_id=parent_id)
        if found is not None:
            return found, False
        created = self.create_issue(
            team_id,
            title,
            with_marker(description, marker),
            priority=priority,
            label_ids=label_ids,
            parent_id=parent_id,
        )
        return created, True

    def update_issue(self, issue_id: str, **values: object) -> LinearIssue:
        """`issueUpdate` with IssueUpdateInput fields (camelCase) as keyword arguments."""
        payload = self._run("issue_update", id=issue_id, input=values)["issueUpdate"]
        return self._issue_from_payload(payload, "update issue")

    def set_state(
        self, issue_id: str, state_name: str, team: LinearTeam | None = None
    ) -> LinearIssue:
        """Move the issue to the state called `state_name` in its team (any case)."""
        if team is None:
            issue = self.issue(issue_id)
            issue_id, team = issue.id, self.team(issue.team_key)
        return self.update_issue(issue_id, stateId=team.state_named(state_name).id)

    def set_priority(self, issue_id: str, priority: int | str) -> LinearIssue:
        """Priority as a number (0 none, 1 urgent ... 4 low) or a name ("high")."""
        try:
            value = Priority[priority.upper()] if isinstance(priority, str) else Priority(priority)
        except (KeyError, ValueError):
            names = ", ".join(p.name.lower() for p in Priority)
            raise IntegrationError(
                SERVICE, f"unknown priority '{priority}'; use 0-4 or one of {names}"
            ) from None
        return self.update_issue(issue_id, priority=int(value))

    def set_assignee(self, issue_id: str, assignee: str | None) -> LinearIssue:
        """Assign to a user id or e-mail address; None unassigns."""
        assignee_id = assignee
        if assignee is not None and "@" in assignee:
            user = self.user_by_email(assignee)
            if user is None:
                raise IntegrationError(SERVICE, f"no Linear user with e-mail {assignee}")
            assignee_id = user.id
        return self.update_issue(issue_id, assigneeId=assignee_id)

    def label(self, team_id: str, name: str, *, create: bool = True) -> LinearLabel:
        """The label called `name` (team label first, then workspace), created if missing."""
        nodes = self._run("labels_by_name", name=name.strip())["issueLabels"]["nodes"]
        labels = [
            LinearLabel(id=n["id"], name=n["name"], team_id=(n.get("team") or {}).get("id"))
            for n in nodes
        ]
        for wanted_team in (team_id, None):
            for label in labels:
                if label.team_id == wanted_team and label.name.casefold() == name.casefold():
                    return label
        if not create:
            raise IntegrationError(SERVICE, f"no label named '{name}'")
        payload = self._run("label_create", input={"name": name.strip(), "teamId": team_id})
        node = payload["issueLabelCreate"]["issueLabel"]
        return LinearLabel(id=node["id"], name=node["name"], team_id=team_id)

    def add_labels(self, issue_id: str, names: list[str], team_id: str) -> LinearIssue:
        """Add labels by name, creating team labels that do not exist yet."""
        ids = [self.label(team_id, name).id for name in names]
        return self.update_issue(issue_id, addedLabelIds=ids)

    def add_comment(self, issue_id: str, body: str) -> LinearComment:
        """Comment on the issue (markdown)."""
        payload = self._run("comment_create", input={"issueId": issue_id, "body": body})
        return LinearComment(**_success(payload["commentCreate"], "comment")["comment"])

    def attach_url(self, issue_id: str, url: str, title: str | None = None) -> LinearAttachment:
        """Attach a link; Linear keeps one attachment per URL, so repeating it is harmless."""
        payload = self._run("attachment_link_url", issueId=issue_id, url=url, title=title)
        node = _success(payload["attachmentLinkURL"], "attach link")["attachment"]
        return LinearAttachment(**node)

    def _issue_from_payload(self, payload: dict[str, Any], what: str) -> LinearIssue:
        issue = _success(payload, what).get("issue")
        if not issue:
            raise IntegrationError(SERVICE, f"{what}: Linear returned no issue")
        return LinearIssue.from_node(issue)


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _success(payload: dict[str, Any], what: str) -> dict[str, Any]:
    if not payload.get("success"):
        raise IntegrationError(SERVICE, f"{what}: Linear reported no success")
    return payload
