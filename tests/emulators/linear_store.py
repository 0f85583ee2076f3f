"""The Linear emulator's in-memory workspace: teams, states, labels, users, issues, comments.

Entities are dicts keyed by the schema's field names (so graphql-core reads scalars straight
off them) plus relation ids (``teamId``, ``stateId``, ...) that the resolvers follow. Changes
to issues and comments queue webhook events (``drain_events``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import GraphQLError

ORG = {"id": "0d1c6a3e-0000-4000-8000-00000000a11c", "name": "Zamboni Labs", "urlKey": "zamboni"}
DEFAULT_STATES = (
    ("Backlog", "backlog", "#bec2c8"),
    ("Todo", "unstarted", "#e2e2e2"),
    ("In Progress", "started", "#f2c94c"),
    ("In Review", "started", "#0f783c"),
    ("Done", "completed", "#5e6ad2"),
    ("Canceled", "canceled", "#95a2b3"),
)
PRIORITY_LABELS = {0: "No priority", 1: "Urgent", 2: "High", 3: "Medium", 4: "Low"}
_IDENTIFIER = re.compile(r"^([A-Za-z][A-Za-z0-9]*)-(\d+)$")


def api_error(
    message: str, kind: str, user_message: str | None = None, **extra: Any
) -> GraphQLError:
    """A GraphQL error shaped like Linear's (``extensions.type``, ``userPresentableMessage``)."""
    extensions: dict[str, Any] = {
        "type": kind,
        "userError": kind in ("invalid input", "user error"),
    }
    if user_message:
        extensions["userPresentableMessage"] = user_message
    extensions.update(extra)
    return GraphQLError(message, extensions=extensions)


def invalid_input(message: str, user_message: str | None = None) -> GraphQLError:
    """Linear's answer to arguments it refuses."""
    return api_error(message, "invalid input", user_message or message, code="INVALID_INPUT")


def not_found(entity: str) -> GraphQLError:
    """Linear's answer to an id that names nothing."""
    return invalid_input(f"Entity not found: {entity}", f"Could not find referenced {entity}.")


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "issue"


@dataclass
class Store:
    """One workspace; not thread-safe by itself (the emulator holds a lock around it)."""

    teams: dict[str, dict[str, Any]] = field(default_factory=dict)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)
    attachments: dict[str, dict[str, Any]] = field(default_factory=dict)
    viewer_id: str = ""
    sync_id: int = 1000
    events: list[dict[str, Any]] = field(default_factory=list)
    _tick: int = 0

    @classmethod
    def seeded(cls) -> Store:
        """Team ZAM with the usual six states, two users (the first is the viewer), a label."""
        store = cls()
        store.viewer_id = store.add_user("CI Bot", "cicd-bot@example.com")["id"]
        store.add_user("Ada Lovelace", "ada@example.com")
        store.add_team("ZAM", "Zamboni")
        store.add_label("Bug", "ZAM", color="#eb5757")
        return store

    # -- ids and time -----------------------------------------------------------------------------

    def now(self) -> str:
        """Strictly increasing ISO timestamps, so creation order is also time order."""
        self._tick += 1
        moment = datetime.now(UTC) + timedelta(microseconds=self._tick)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _base(self) -> dict[str, Any]:
        stamp = self.now()
        return {"id": str(uuid.uuid4()), "createdAt": stamp, "updatedAt": stamp, "archivedAt": None}

    def next_sync(self) -> int:
        """Linear's ``lastSyncId``."""
        self.sync_id += 1
        return self.sync_id

    # -- set-up -----------------------------------------------------------------------------------

    def add_user(self, name: str, email: str) -> dict[str, Any]:
        """A member of the workspace."""
        user = {
            **self._base(),
            "name": name,
            "displayName": name.split()[0].lower(),
            "email": email,
            "active": True,
            "admin": False,
            "guest": False,
            "avatarUrl": None,
            "url": f"https://linear.app/{ORG['urlKey']}/profiles/{name.split()[0].lower()}",
        }
        self.users[user["id"]] = user
        return user

    def add_team(
        self, key: str, name: str, states: tuple[tuple[str, str, str], ...] = DEFAULT_STATES
    ) -> dict[str, Any]:
        """A team with workflow states (name, type, colour) in board order."""
        team = {
            **self._base(),
            "key": key,
            "name": name,
            "description": None,
            "color": "#5e6ad2",
            "icon": None,
            "private": False,
            "issueCount": 0,
        }
        self.teams[team["id"]] = team
        for position, (state_name, kind, color) in enumerate(states):
            state = {**self._base(), "name": state_name, "type": kind, "color": color}
            state.update(position=float(position), description=None, teamId=team["id"])
            self.states[state["id"]] = state
        return team

    def add_label(
        self, name: str, team_key: str | None = None, color: str = "#bec2c8"
    ) -> dict[str, Any]:
        """A team label, or a workspace label when ``team_key`` is None."""
        team_id = self.team_by_key(team_key)["id"] if team_key else None
        label = {**self._base(), "name": name, "color": color, "description": None}
        label.update(isGroup=False, teamId=team_id, parentId=None)
        self.labels[label["id"]] = label
        return label

    # -- lookups ----------------------------------------------------------------------------------

    def team_by_key(self, key: str) -> dict[str, Any]:
        """The team with this key."""
        for team in self.teams.values():
            if team["key"].upper() == key.upper():
                return team
        raise not_found("Team")

    def team(self, id_or_key: str) -> dict[str, Any]:
        """A team by id (or key, as Linear also accepts)."""
        return self.teams.get(id_or_key) or self.team_by_key(id_or_key)

    def issue(self, id_or_identifier: str) -> dict[str, Any]:
        """An issue by UUID or identifier ("ZAM-12"), as ``issue(id:)`` accepts both."""
        if id_or_identifier in self.issues:
            return self.issues[id_or_identifier]
        match = _IDENTIFIER.match(id_or_identifier.strip())
        if match:
            for issue in self.issues.values():
                if issue["identifier"].upper() == id_or_identifier.strip().upper():
                    return issue
        raise not_found("Issue")

    def states_of(self, team_id: str) -> list[dict[str, Any]]:
        """The team's states in board order."""
        return sorted(
            (s for s in self.states.values() if s["teamId"] == team_id), key=lambda s: s["position"]
        )

    # -- issues -----------------------------------------------------------------------------------

    def create_issue(self, values: dict[str, Any]) -> dict[str, Any]:
        """``issueCreate``: validates references like Linear and numbers the issue per team."""
        if values.get("teamId") not in self.teams:
            raise invalid_input("Argument Validation Error", "The team could not be found.")
        team = self.teams[values["teamId"]]
        title = (values.get("title") or "").strip()
        if not title:
            raise invalid_input("Argument Validation Error", "Title is required.")
        number = team["issueCount"] + 1
        identifier = f"{team['key']}-{number}"
        issue = {
            **self._base(),
            "number": number,
            "identifier": identifier,
            "title": title,
            "description": values.get("description"),
            "priority": 0,
            "teamId": team["id"],
            "stateId": self.states_of(team["id"])[0]["id"],
            "parentId": None,
            "assigneeId": None,
            "creatorId": self.viewer_id,
            "labelIds": [],
            "url": f"https://linear.app/{ORG['urlKey']}/issue/{identifier}/{_slug(title)}",
            "branchName": f"{identifier.lower()}-{_slug(title)}",
            "estimate": None,
            "sortOrder": float(-number),
            "boardOrder": 0.0,
            "prioritySortOrder": 0.0,
            "subIssueSortOrder": None,
            "startedAt": None,
            "completedAt": None,
            "canceledAt": None,
            "trashed": None,
        }
        self._apply(issue, {k: v for k, v in values.items() if k not in ("teamId", "title")})
        team["issueCount"] = number
        self.issues[issue["id"]] = issue
        self._event("create", "Issue", self.issue_payload(issue))
        return issue

    def update_issue(self, id_or_identifier: str, values: dict[str, Any]) -> dict[str, Any]:
        """``issueUpdate``; queues an update event with ``updatedFrom``."""
        issue = self.issue(id_or_identifier)
        before = dict(issue)
        draft = {**issue, "labelIds": list(issue["labelIds"])}
        self._apply(draft, values)  # all or nothing, like Linear
        issue.update(draft, updatedAt=self.now())
        changed = {k: before[k] for k in issue if before.get(k) != issue[k] and k in before}
        self._event("update", "Issue", self.issue_payload(issue), updated_from=changed)
        return issue

    def _apply(self, issue: dict[str, Any], values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key == "stateId":
                state = self.states.get(value or "")
                if state is None or state["teamId"] != issue["teamId"]:
                    raise invalid_input(
                        "Argument Validation Error",
                        "The workflow state is not in the issue's team.",
                    )
                self._enter_state(issue, state)
            elif key == "priority":
                if value not in PRIORITY_LABELS:
                    raise invalid_input(
                        "Argument Validation Error", "Priority must be between 0 and 4."
                    )
                issue["priority"] = value
            elif key in ("assigneeId", "parentId"):
                table, name = (
                    (self.users, "User") if key == "assigneeId" else (self.issues, "Issue")
                )
                if value is not None:
                    value = self.issue(value)["id"] if key == "parentId" else value
                    if value not in table or value == issue["id"]:
                        raise not_found(name)
                issue[key] = value
            elif key in ("labelIds", "addedLabelIds", "removedLabelIds"):
                self._change_labels(issue, key, value or [])
            elif key in ("title", "description", "estimate", "dueDate", "trashed"):
                issue[key] = value
            else:
                raise invalid_input(
                    f"Emulator does not support {key} in issue input",
                    f"{key} is not supported by the Linear emulator.",
                )

    def _enter_state(self, issue: dict[str, Any], state: dict[str, Any]) -> None:
        issue["stateId"] = state["id"]
        stamp = self.now()
        if state["type"] == "started" and issue["startedAt"] is None:
            issue["startedAt"] = stamp
        issue["completedAt"] = stamp if state["type"] == "completed" else None
        issue["canceledAt"] = stamp if state["type"] == "canceled" else None

    def _change_labels(self, issue: dict[str, Any], key: str, ids: list[str]) -> None:
        for label_id in ids:
            label = self.labels.get(label_id)
            if label is None or label["teamId"] not in (None, issue["teamId"]):
                raise not_found("IssueLabel")
        if key == "labelIds":
            issue["labelIds"] = list(dict.fromkeys(ids))
        elif key == "addedLabelIds":
            issue["labelIds"] = list(dict.fromkeys([*issue["labelIds"], *ids]))
        else:
            issue["labelIds"] = [i for i in issue["labelIds"] if i not in ids]

    def issue_payload(self, issue: dict[str, Any]) -> dict[str, Any]:
        """The issue as webhooks carry it (``IssueWebhookPayload``)."""
        state = self.states[issue["stateId"]]
        team = self.teams[issue["teamId"]]
        data = {k: v for k, v in issue.items() if not isinstance(v, list | dict)}
        data.update(
            labelIds=list(issue["labelIds"]),
            priorityLabel=PRIORITY_LABELS[issue["priority"]],
            previousIdentifiers=[],
            subscriberIds=[issue["creatorId"]],
            state={k: state[k] for k in ("id", "name", "color", "type")},
            team={k: team[k] for k in ("id", "key", "name")},
            labels=[{"id": i, "name": self.labels[i]["name"]} for i in issue["labelIds"]],
        )
        return data

    # -- comments, labels, attachments ------------------------------------------------------------

    def create_comment(self, values: dict[str, Any]) -> dict[str, Any]:
        """``commentCreate`` on an issue."""
        issue = self.issue(values.get("issueId") or "")
        body = values.get("body")
        if not body:
            raise invalid_input("Argument Validation Error", "The comment body is empty.")
        comment = {**self._base(), "body": body, "issueId": issue["id"], "userId": self.viewer_id}
        comment.update(edited=False, url=f"{issue['url']}#comment-{comment['id'][:8]}")
        comment.update(parentId=None, editedAt=None, resolvedAt=None, quotedText=None)
        self.comments[comment["id"]] = comment
        data = {
            k: comment[k] for k in ("id", "createdAt", "updatedAt", "body", "issueId", "userId")
        }
        self._event("create", "Comment", data, url=comment["url"])
        return comment

    def create_label(self, values: dict[str, Any]) -> dict[str, Any]:
        """``issueLabelCreate``; names are unique per team, in any case."""
        name = (values.get("name") or "").strip()
        team_id = values.get("teamId")
        if team_id is not None and team_id not in self.teams:
            raise not_found("Team")
        for label in self.labels.values():
            if label["teamId"] == team_id and label["name"].casefold() == name.casefold():
                raise invalid_input("Argument Validation Error", f"Label '{name}' already exists.")
        key = self.teams[team_id]["key"] if team_id else None
        return self.add_label(name, key, values.get("color") or "#bec2c8")

    def link_url(self, issue_ref: str, url: str, title: str | None) -> dict[str, Any]:
        """``attachmentLinkURL``/``attachmentCreate``: one attachment per (issue, URL)."""
        issue = self.issue(issue_ref)
        if not re.match(r"^https?://", url or ""):
            raise invalid_input("Argument Validation Error", "url must be a valid URL.")
        for existing in self.attachments.values():
            if existing["issueId"] == issue["id"] and existing["url"] == url:
                return existing
        attachment = {**self._base(), "issueId": issue["id"], "url": url, "title": title or url}
        attachment.update(subtitle=None, metadata={}, sourceType=None, creatorId=self.viewer_id)
        self.attachments[attachment["id"]] = attachment
        return attachment

    # -- webhook events ---------------------------------------------------------------------------

    def _event(
        self,
        action: str,
        kind: str,
        data: dict[str, Any],
        *,
        url: str | None = None,
        updated_from: dict[str, Any] | None = None,
    ) -> None:
        event = {"action": action, "type": kind, "data": data, "url": url or data.get("url")}
        event["createdAt"] = data.get("updatedAt") or self.now()
        if updated_from is not None:
            event["updatedFrom"] = updated_from
        self.events.append(event)

    def drain_events(self) -> list[dict[str, Any]]:
        """Events queued since the last call."""
        events, self.events = self.events, []
        return events
