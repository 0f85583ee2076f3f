"""One Slack emulator and one real `cicd serve` process for the whole e2e session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_repo
from tests.e2e.bot_process import SIGNING_SECRET, BotProcess
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import SlackDriver


@pytest.fixture(scope="session")
def slack() -> Iterator[SlackEmulator]:
    """The Slack Web API emulator the bot talks to."""
    with SlackEmulator(tokens=("xoxb-test-token",)) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def e2e_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository the bot analyses (CICD_REPO)."""
    return make_repo(tmp_path_factory.mktemp("e2e") / "repo")


@pytest.fixture(scope="session")
def bot(
    slack: SlackEmulator, e2e_repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    """The real bot process with its embedded Prefect server, ready to take commands."""
    process = BotProcess(tmp_path_factory.mktemp("bot"), slack.url, e2e_repo)
    with process.serving():
        yield process


@pytest.fixture
def driver(bot: BotProcess, slack: SlackEmulator) -> Iterator[SlackDriver]:
    """Signs requests with the bot's signing secret, as Slack does."""
    with SlackDriver(
        f"{bot.url}/slack/events", SIGNING_SECRET, response_url_base=slack.response_url_base
    ) as d:
        yield d
