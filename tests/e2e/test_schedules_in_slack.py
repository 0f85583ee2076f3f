"""`/cicd schedule` through the real bot: add, fire, survive a restart, rights, bad input."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import make_repo
from tests.e2e.bot_process import SIGNING_SECRET, BotProcess
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import SlackDriver
from workflows.governance.audit import read_local

pytestmark = pytest.mark.e2e
CHANNEL = "C0SCHED"
OWNER, OUTSIDER = "U0001", "U0002"
CONFIG: dict[str, Any] = {
    "max_concurrent_workflows": 4,
    "access_policy": {"workflows": {"security_audit": {"start": {"users": [OWNER]}}}},
}


@pytest.fixture(scope="module")
def sched_bot(
    slack: SlackEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    slack.add_channel(CHANNEL, "schedules")
    repo = make_repo(tmp_path_factory.mktemp("sched") / "repo")
    bot = BotProcess(tmp_path_factory.mktemp("sched-bot"), slack.url, repo)
    (bot.workdir / "orchestration_config.yaml").write_text(yaml.safe_dump(CONFIG))
    bot.start()
    yield bot
    bot.stop()


def _driver(bot: BotProcess, slack: SlackEmulator) -> SlackDriver:
    return SlackDriver(
        f"{bot.url}/slack/events", SIGNING_SECRET, response_url_base=slack.response_url_base
    )


def _say(bot: BotProcess, slack: SlackEmulator, text: str, name: str, user: str = OWNER) -> str:
    """Send `/cicd <text>`; the ephemeral answer (the ack's, or the one sent to response_url)."""
    with _driver(bot, slack) as driver:
        response = driver.slash_command(
            text, user_id=user, channel_id=CHANNEL, response_url=slack.response_url(name)
        )
    assert response.status_code == 200
    assert response.elapsed.total_seconds() < 3.0
    body = response.json() if response.content else {}
    if body.get("text"):
        return str(body["text"])
    reply = slack.wait_for(lambda: slack.responses_to(name), timeout=20)[0].body
    return str(reply.get("text", "")) + json.dumps(reply.get("blocks", []))


def _parents(slack: SlackEmulator, schedule: str) -> list[dict[str, Any]]:
    return [
        m
        for m in slack.messages(CHANNEL, top_level_only=True)
        if f"Scheduled by `{schedule}`" in m.get("text", "")
    ]


def test_a_schedule_added_in_slack_fires_survives_a_restart_and_is_removed(
    sched_bot: BotProcess, slack: SlackEmulator
) -> None:
    said = _say(
        sched_bot,
        slack,
        "schedule add e2e-often every=10s component_analysis component=contexten/agents",
        "add-often",
    )
    assert "✅ Scheduled `e2e-often`: component_analysis every 10s" in said
    first = slack.wait_for(lambda: _parents(slack, "e2e-often"), timeout=40)[0]
    assert first["text"].startswith("Analyzing contexten/agents")
    assert "<@" not in first["text"]  # a schedule, not a person, asked

    assert sched_bot.stop() == 0
    before = len(_parents(slack, "e2e-often"))
    sched_bot.start()
    listed = _say(sched_bot, slack, "schedule list", "list-after-restart")
    assert "e2e-often" in listed and "every 10s" in listed and "added in Slack" in listed
    slack.wait_for(lambda: len(_parents(slack, "e2e-often")) > before, timeout=40)

    removed = _say(sched_bot, slack, "schedule remove e2e-often", "remove-often")
    assert "Removed schedule `e2e-often`" in removed
    time.sleep(1)
    settled = len(_parents(slack, "e2e-often"))
    time.sleep(12)
    assert len(_parents(slack, "e2e-often")) == settled
    assert "e2e-often" not in _say(sched_bot, slack, "schedule list", "list-after-remove")
    kinds = [r.kind.value for r in read_local(sched_bot.workdir / "data") if "e2e-often" in r.what]
    assert kinds[0] == "schedule_added" and kinds[-1] == "schedule_removed"
    # One parent message per fired occurrence: none posted twice, none lost.
    assert kinds.count("schedule_fired") == settled >= 2


def test_adding_needs_the_start_right_and_a_refusal_is_audited(
    sched_bot: BotProcess, slack: SlackEmulator
) -> None:
    said = _say(
        sched_bot, slack, "schedule add sneaky every=1h security_audit", "deny", user=OUTSIDER
    )
    assert said.startswith("⛔")
    assert "sneaky" not in _say(sched_bot, slack, "schedule list", "list-deny")
    denied = [
        r for r in read_local(sched_bot.workdir / "data") if r.kind.value == "schedule_denied"
    ]
    assert denied and denied[-1].actor == OUTSIDER and "sneaky" in denied[-1].what

    allowed = _say(sched_bot, slack, 'schedule add nightly-audit "0 2 * * *" security_audit', "ok")
    assert "✅ Scheduled `nightly-audit`" in allowed and "Next run:" in allowed
    refused = _say(sched_bot, slack, "schedule remove nightly-audit", "deny-rm", user=OUTSIDER)
    assert refused.startswith("⛔")
    assert "Removed" in _say(sched_bot, slack, "schedule remove nightly-audit", "rm")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('schedule add x "0 25 * * *" component_analysis', "not a valid cron expression"),
        ("schedule add x every=5m analyse", "is not a workflow type"),
        ("schedule add x every=5m component_analysis colour=red", "Unknown parameter `colour`"),
        ("schedule add x tomorrow component_analysis", "is not a time"),
        ("schedule remove no-such-schedule", "There is no schedule named `no-such-schedule`"),
        ("schedule frobnicate", "Use `list`"),
    ],
)
def test_bad_input_gets_a_clear_answer(
    sched_bot: BotProcess, slack: SlackEmulator, text: str, says: str
) -> None:
    assert says in _say(sched_bot, slack, text, f"bad-{abs(hash(text))}")


def test_a_duplicate_name_is_refused(sched_bot: BotProcess, slack: SlackEmulator) -> None:
    first = _say(sched_bot, slack, "schedule add twice every=1h component_analysis", "dup-1")
    assert "✅" in first
    again = _say(sched_bot, slack, "schedule add twice every=2h component_analysis", "dup-2")
    assert "exists already" in again
    _say(sched_bot, slack, "schedule remove twice", "dup-rm")


def test_a_bad_configured_schedule_stops_the_bot_with_one_line(
    slack: SlackEmulator, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo")
    bot = (
        BotProcess(tmp_path / "bot", slack.url, repo)
        if (tmp_path / "bot").mkdir() is None
        else None
    )
    assert bot is not None
    entry = {
        "name": "bad-audit",
        "every": "1h",
        "channel": CHANNEL,
        "workflow": "security_audit",
        "parameters": {"min_severity": "urgent"},
    }
    (bot.workdir / "orchestration_config.yaml").write_text(yaml.safe_dump({"schedules": [entry]}))
    with pytest.raises(RuntimeError, match="bot exited"):
        bot.start(timeout_s=60)
    assert "error: schedules: `bad-audit` (security_audit): `min_severity`" in bot.logs()
