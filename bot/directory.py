"""Who is in which Slack user group, asked with `usergroups.users.list` at click time.

Answers are cached for `ttl_s` (the method is Tier 2: about 20 calls a minute). A group that
cannot be read counts as empty: a misconfigured group grants no rights.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_api import call_slack

log = logging.getLogger(__name__)


class SlackDirectory:
    """Members of user groups, briefly cached."""

    def __init__(self, client: AsyncWebClient, *, ttl_s: float = 30.0) -> None:
        self.client = client
        self.ttl_s = ttl_s
        self._members: dict[str, tuple[float, frozenset[str]]] = {}

    async def members(self, group: str) -> frozenset[str]:
        """The user IDs in `group` (empty when Slack will not say)."""
        cached = self._members.get(group)
        if cached is not None and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        try:
            response = await call_slack(self.client.usergroups_users_list, usergroup=group)
            users = frozenset(response.get("users") or ())
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else "unknown"
            log.warning("user group %s could not be read (%s); it grants nothing", group, error)
            users = frozenset()
        self._members[group] = (time.monotonic(), users)
        return users

    async def groups_of(self, user: str, groups: Iterable[str]) -> frozenset[str]:
        """Which of `groups` `user` belongs to."""
        wanted = sorted(set(groups))
        found = await asyncio.gather(*(self.members(g) for g in wanted))
        return frozenset(g for g, members in zip(wanted, found, strict=True) if user in members)

    async def people(self, users: Iterable[str], groups: Iterable[str]) -> list[str]:
        """Everyone named directly or through a group, each once, in a stable order."""
        everyone = list(dict.fromkeys(users))
        for group in sorted(set(groups)):
            everyone += [u for u in sorted(await self.members(group)) if u not in everyone]
        return everyone
