"""Escalation through the real bot with short test timings: nobody decides, the request walks
its levels (thread mention, DMs), then the run is rejected by timeout and says so."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.approval_helpers import (
    CHANNEL,
    approval_message,
    buttons,
    dead_code_repo,
    driver_for,
    flow_run_state,
    parent,
    result_message,
    run_id_of,
    start_bot,
)
from tests.e2e.bot_process import BotProcess
from tests.emulators.slack import SlackEmulator
from workflows.governance.audit import read_local

pytestmark = pytest.mark.e2e
WAIT_S = 4
CONFIG: dict[str, Any] = {
    "approval_poll_seconds": 0.5,
    "access_policy": {
        "defaults": {
            "approvers": {"users": ["U0003"]},
            "escalation": [
                {"notify": {"users": ["U0003"]}, "wait": f"{WAIT_S}s"},
                {"notify": {"groups": ["S0ONCALL"]}, "wait": f"{WAIT_S}s"},
                {"notify": {"users": ["U0008"]}, "wait": f"{WAIT_S}s"},
            ],
        }
    },
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("escalation-bot")


@pytest.fixture(scope="module")
def escalation_bot(
    slack: SlackEmulator, tmp_path_factory: pytest.TempPathFactory, workdir: Path
) -> Iterator[BotProcess]:
    slack.add_user("U0007", "olga")
    slack.add_user("U0008", "pete")
    slack.add_usergroup("S0ONCALL", "oncall", ["U0007"])
    repo = dead_code_repo(tmp_path_factory.mktemp("escalation") / "repo")
    process = start_bot(workdir, slack, repo, CONFIG)
    yield process
    assert process.stop() == 0, process.logs()


def test_escalation_timeout_walks_the_levels(
    escalation_bot: BotProcess, slack: SlackEmulator, workdir: Path
) -> None:
    before = slack.messages(CHANNEL)[-1]["ts"] if slack.messages(CHANNEL) else "0"
    with driver_for(escalation_bot, slack) as driver:
        assert driver.slash_command("cleanup contexten", user_id="U0001").status_code == 200
    top = slack.wait_for(lambda: parent(slack, "Cleaning dead code in", before), timeout=15)
    message = slack.wait_for(lambda: approval_message(slack, top["ts"]), timeout=90)
    posted = time.monotonic()
    run_id = run_id_of(message)
    assert "Level 1 of 3" in json.dumps(message["blocks"])
    assert "<@U0003>" in message["text"]  # level 1 is mentioned by the request itself

    def replies() -> list[str]:
        return [m.get("text", "") for m in slack.thread(CHANNEL, top["ts"])]

    level2 = slack.wait_for(
        lambda: next((t for t in replies() if "Escalated to level 2" in t), None), timeout=30
    )
    assert "<!subteam^S0ONCALL>" in level2 and "nobody decided in time" in level2
    level3 = slack.wait_for(
        lambda: next((t for t in replies() if "Escalated to level 3" in t), None), timeout=30
    )
    assert "<@U0008>" in level3
    timed_out = slack.wait_for(
        lambda: next(
            (t for t in replies() if t.startswith("⌛ Rejected: nobody decided within")), None
        ),
        timeout=30,
    )
    elapsed = time.monotonic() - posted
    assert "nobody decided within" in timed_out and "3 levels" in timed_out
    assert elapsed >= 3 * WAIT_S - 1.5, elapsed
    print(f"\nthree {WAIT_S} s levels walked and rejected {elapsed:.1f} s after the request")

    for user in ("U0003", "U0007", "U0008"):  # level 1, the on-call group's member, level 3
        assert any("approval is needed" in m["text"] for m in slack.messages(user)), user
    closed = approval_message(slack, top["ts"])
    assert closed is not None and not buttons(closed)
    assert "nobody decided in time" in json.dumps(closed["blocks"])
    result = slack.wait_for(lambda: result_message(slack, top["ts"], "Nobody decided"), 90)
    assert "the timeout" in json.dumps(result["blocks"])
    assert flow_run_state(escalation_bot, run_id) == "COMPLETED"
    trail = [(r.kind.value, r.level) for r in read_local(workdir / "data") if r.run_id == run_id]
    assert ("escalated", 2) in trail and ("escalated", 3) in trail and ("timed_out", 3) in trail
