"""In-memory Slack workspace state (team, bot, channels, users, user groups, messages, views).

Not thread-safe by itself: :class:`~tests.emulators.slack.SlackEmulator` guards it with a lock.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

TEAM_ID = "T0001"
TEAM_NAME = "Emulated Workspace"
TEAM_DOMAIN = "emulated"
BOT_USER_ID = "U0BOT"
BOT_USER_NAME = "cicd-bot"
BOT_ID = "B0001"
APP_ID = "A0001"
FIRST_TS = "1700000000.000100"


class ApiError(Exception):
    """A logical Web API error: answered as HTTP 200 ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []

    def body(self) -> dict[str, Any]:
        """The JSON body Slack answers with."""
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass
class Channel:
    """A conversation: public/private channel or a bot DM (``is_im``)."""

    id: str
    name: str
    is_private: bool = False
    is_member: bool = True
    is_archived: bool = False
    is_im: bool = False
    user: str | None = None  # the other party of an IM

    def to_api(self) -> dict[str, Any]:
        """The ``channel`` object of conversations.info."""
        if self.is_im:
            return {"id": self.id, "is_im": True, "user": self.user, "created": 1700000000}
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "is_member": self.is_member,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "created": 1700000000,
            "creator": "U0001",
            "context_team_id": TEAM_ID,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }


@dataclass
class User:
    """A workspace member."""

    id: str
    name: str
    is_admin: bool = False
    real_name: str = ""
    is_bot: bool = False
    deleted: bool = False
    email: str = ""
    tz: str = "Europe/London"

    def to_api(self) -> dict[str, Any]:
        """The ``user`` object of users.info."""
        real = self.real_name or self.name.title()
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": real,
            "tz": self.tz,
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": {
                "real_name": real,
                "real_name_normalized": real,
                "display_name": self.name,
                "display_name_normalized": self.name,
                "email": self.email or f"{self.name}@example.invalid",
                "team": TEAM_ID,
            },
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }


@dataclass
class Workspace:
    """All mutable state of one emulated workspace."""

    channels: dict[str, Channel] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    usergroups: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ephemerals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    home_views: dict[str, str] = field(default_factory=dict)  # user id -> view id
    used_triggers: set[str] = field(default_factory=set)
    completed_functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # see slack_files
    base_url: str = ""  # where the emulator serves, for upload URLs
    clock: TsClock = field(default_factory=lambda: TsClock())
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def seeded(cls) -> Workspace:
        """A workspace with #general, #deploys, alice, bob, carol (admin) and the bot."""
        ws = cls()
        ws.add_channel("C0001", "general")
        ws.add_channel("C0002", "deploys")
        ws.add_user(BOT_USER_ID, BOT_USER_NAME, is_bot=True)
        ws.add_user("U0001", "alice")
        ws.add_user("U0002", "bob")
        ws.add_user("U0003", "carol", is_admin=True)
        return ws

    def add_channel(self, channel_id: str, name: str, **flags: bool) -> Channel:
        """Create (or replace) a channel."""
        channel = Channel(channel_id, name, **flags)
        self.channels[channel_id] = channel
        self.messages.setdefault(channel_id, [])
        return channel

    def add_user(self, user_id: str, name: str, is_admin: bool = False, **extra: Any) -> User:
        """Create (or replace) a user."""
        user = User(user_id, name, is_admin=is_admin, **extra)
        self.users[user_id] = user
        return user

    def add_usergroup(self, group_id: str, handle: str, users: list[str]) -> None:
        """Create (or replace) a user group."""
        self.usergroups[group_id] = {"id": group_id, "handle": handle, "users": list(users)}

    def next_id(self, prefix: str) -> str:
        """A fresh id like ``V0000000007``."""
        return f"{prefix}{next(self._ids):010d}"

    # -- conversations ------------------------------------------------------------------------

    def channel(self, ref: Any, *, by_name: bool = False, open_dm: bool = False) -> Channel:
        """Resolve a channel id (or ``#name``/user id when allowed), else ``channel_not_found``."""
        if not isinstance(ref, str) or not ref:
            raise ApiError("channel_not_found")
        if ref in self.channels:
            return self.channels[ref]
        if by_name:
            name = ref.removeprefix("#")
            for ch in self.channels.values():
                if ch.name == name and not ch.is_im:
                    return ch
        if open_dm and ref in self.users:
            return self.open_dm(ref)
        raise ApiError("channel_not_found")

    def open_dm(self, user_id: str) -> Channel:
        """The bot's IM channel with ``user_id`` (created on first use)."""
        dm_id = "D" + user_id[1:]
        if dm_id not in self.channels:
            self.add_channel(dm_id, user_id, is_im=True, is_private=True).user = user_id
        return self.channels[dm_id]

    def find_message(self, channel_id: str, ts: Any) -> dict[str, Any]:
        """The message ``ts`` in ``channel_id`` (parent or reply), else ``message_not_found``."""
        for msg in self.messages.get(channel_id, []):
            if msg["ts"] == ts:
                return msg
        raise ApiError("message_not_found")

    def thread(self, channel_id: str, ts: str) -> list[dict[str, Any]]:
        """Parent first, then its replies in order; empty if the parent is unknown."""
        msgs = self.messages.get(channel_id, [])
        parent = [m for m in msgs if m["ts"] == ts]
        replies = [m for m in msgs if m.get("thread_ts") == ts and m["ts"] != ts]
        return parent + replies

    def add_message(self, channel_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """Store ``message`` (which has a ``ts``) and update its thread parent, if any."""
        self.messages.setdefault(channel_id, []).append(message)
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            for parent in self.messages[channel_id]:
                if parent["ts"] == thread_ts:
                    parent["thread_ts"] = thread_ts
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
                    users = parent.setdefault("reply_users", [])
                    if message.get("user") and message["user"] not in users:
                        users.append(message["user"])
                    parent["reply_users_count"] = len(users)
                    parent["latest_reply"] = message["ts"]
        return message

    def root_ts(self, channel_id: str, thread_ts: str) -> str:
        """Replying to a reply lands in the reply's thread, as in Slack."""
        for msg in self.messages.get(channel_id, []):
            if msg["ts"] == thread_ts and msg.get("thread_ts"):
                return str(msg["thread_ts"])
        return thread_ts

    def reset_to(self, other: Workspace) -> None:
        """Replace all state with ``other``'s, keeping the clocks (ids and ts stay unique)."""
        ids, clock, base_url = self._ids, self.clock, self.base_url
        self.__dict__.update(other.__dict__)
        self._ids, self.clock, self.base_url = ids, clock, base_url


class TsClock:
    """Unique, strictly increasing message timestamps (``"1700000000.000100"``, +100 µs each)."""

    def __init__(self, first: str = FIRST_TS) -> None:
        sec, micro = first.split(".")
        self._next = int(sec) * 1_000_000 + int(micro)

    def __call__(self) -> str:
        value = self._next
        self._next += 100
        return f"{value // 1_000_000}.{value % 1_000_000:06d}"
