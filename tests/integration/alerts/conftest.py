"""The Slack emulator every alert test talks to: one on-call group with one member."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulators.slack import SlackEmulator
from tests.integration.alerts.alert_bot import GROUP, MEMBER


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emu:
        emu.add_user(MEMBER, "olga")
        emu.add_usergroup(GROUP, "oncall", [MEMBER])
        yield emu
