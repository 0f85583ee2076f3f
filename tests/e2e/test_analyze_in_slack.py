"""`/cicd analyze` through the real bot, a real Prefect server and the Slack emulator."""

from __future__ import annotations

import itertools
import json
import re
import time
from typing import Any

import pytest

from tests.e2e.bot_process import BotProcess
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import SlackDriver

pytestmark = pytest.mark.e2e
CHANNEL = "C0001"


def _parent(slack: SlackEmulator, needle: str) -> dict[str, Any] | None:
    for message in slack.messages(CHANNEL, top_level_only=True):
        if needle in message.get("text", ""):
            return message
    return None


def _blocks_text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks", []))


def _final_result(slack: SlackEmulator, thread_ts: str, needle: str) -> dict[str, Any] | None:
    for message in slack.thread(CHANNEL, thread_ts)[1:]:
        if needle in _blocks_text(message):
            return message
    return None


def test_analyze_posts_thread_progress_and_result(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver
) -> None:
    started = time.monotonic()
    response = driver.slash_command("analyze contexten/agents", user_id="U0001")
    assert response.status_code == 200
    assert response.elapsed.total_seconds() < 3.0

    parent = slack.wait_for(lambda: _parent(slack, "Analyzing contexten/agents"), timeout=10)
    assert "<@U0001>" in parent["text"]
    first_reply_after = time.monotonic() - started
    thread_ts = parent["ts"]

    progress = slack.wait_for(lambda: (slack.thread(CHANNEL, thread_ts)[1:] or [None])[0])
    assert "Check out the repository" in _blocks_text(progress)
    assert first_reply_after < 5.0

    result = slack.wait_for(
        lambda: _final_result(slack, thread_ts, "planted_unused_function"), timeout=90
    )
    text = _blocks_text(result)
    assert "worker.py:9" in text  # file:line of the planted function
    assert "unused-import" in text and "bare-except" in text
    assert "cicd_retry" in text  # buttons are there

    def final_progress() -> dict[str, Any] | None:
        updates = [c for c in slack.calls_to("chat.update") if c.params.get("ts") == progress["ts"]]
        last = updates[-1].params if updates else None
        return (
            last if last and "· done ·" in json.dumps(last["blocks"], ensure_ascii=False) else None
        )

    done = slack.wait_for(final_progress, timeout=5)
    assert json.dumps(done["blocks"], ensure_ascii=False).count("✅") == 3
    # The parent says how many; the same count as the result's headline.
    count = re.search(r"(\d+) findings in", result["text"])
    assert count and int(count.group(1)) >= 4  # os, two unused functions, the bare except
    slack.wait_for(
        lambda: _parent(slack, f"contexten/agents: ✅ {count.group(1)} findings"), timeout=5
    )


def test_progress_updates_are_coalesced_and_respect_retry_after(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver
) -> None:
    driver.slash_command("analyze contexten", user_id="U0002")
    parent = slack.wait_for(lambda: _parent(slack, "Analyzing contexten…"), timeout=10)
    progress = slack.wait_for(lambda: (slack.thread(CHANNEL, parent["ts"])[1:] or [None])[0])
    progress_ts = progress["ts"]
    # Only this run's progress message: other bots' runs share the emulator.
    slack.rate_limit("chat.update", times=1, retry_after=2, only={"ts": progress_ts})
    slack.wait_for(lambda: _final_result(slack, parent["ts"], "worker.py"), timeout=90)

    def updates_after_the_limit() -> list[Any]:
        calls = [c for c in slack.calls_to("chat.update") if c.params.get("ts") == progress_ts]
        limited = [c for c in calls if c.status == 429]
        return [c for c in calls if limited and c.at > limited[0].at and c.status == 200]

    after = slack.wait_for(updates_after_the_limit, timeout=10)
    calls = [c for c in slack.calls_to("chat.update") if c.params.get("ts") == progress_ts]
    limited = [c for c in calls if c.status == 429]
    assert len(limited) == 1
    assert after[0].at - limited[0].at >= 1.9, "did not wait out Retry-After"
    gaps = [b.at - a.at for a, b in itertools.pairwise(calls)]
    assert all(gap >= 0.9 for gap in gaps), f"updates closer than ~1 s: {gaps}"


def test_same_trigger_twice_starts_one_run(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver
) -> None:
    before = len(slack.calls_to("chat.postMessage"))
    first = driver.slash_command("analyze contexten/agents", trigger_id="trig-dup-1")
    again = driver.slash_command("analyze contexten/agents", trigger_id="trig-dup-1")
    assert first.status_code == again.status_code == 200
    parent = slack.wait_for(
        lambda: next(
            (
                c
                for c in slack.calls_to("chat.postMessage")[before:]
                if "Analyzing" in c.params.get("text", "") and not c.params.get("thread_ts")
            ),
            None,
        )
    )
    time.sleep(1.5)
    parents = [
        c
        for c in slack.calls_to("chat.postMessage")[before:]
        if "Analyzing" in c.params.get("text", "") and not c.params.get("thread_ts")
    ]
    assert len(parents) == 1, parents
    slack.wait_for(lambda: _final_result(slack, parent.response["ts"], "worker.py"), timeout=90)


def test_retry_button_starts_a_new_run_in_the_same_thread(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver
) -> None:
    driver.slash_command("analyze contexten/agents/worker.py", user_id="U0003")
    parent = slack.wait_for(lambda: _parent(slack, "Analyzing contexten/agents/worker.py"))
    result = slack.wait_for(
        lambda: _final_result(slack, parent["ts"], "planted_unused_function"), timeout=90
    )
    retry = next(
        e
        for b in result["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "cicd_retry"
    )
    replies_before = len(slack.thread(CHANNEL, parent["ts"]))
    response = driver.block_action(
        "cicd_retry",
        retry["value"],
        user_id="U0003",
        channel_id=CHANNEL,
        message_ts=result["ts"],
        thread_ts=parent["ts"],
        message=result,
    )
    assert response.status_code == 200
    slack.wait_for(
        lambda: (
            sum(
                "planted_unused_function" in _blocks_text(m)
                for m in slack.thread(CHANNEL, parent["ts"])
            )
            >= 2
        ),
        timeout=90,
    )
    assert len(slack.thread(CHANNEL, parent["ts"])) >= replies_before + 2


def test_run_starts_a_type_with_typed_parameters(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver
) -> None:
    text = "run component_analysis component=contexten/agents options.select=unused-import"
    response = driver.slash_command(text, user_id="U0RUN1")
    assert response.status_code == 200 and response.elapsed.total_seconds() < 3.0
    parent = slack.wait_for(lambda: _parent(slack, "<@U0RUN1>"), timeout=10)
    assert "Analyzing contexten/agents" in parent["text"]
    result = slack.wait_for(lambda: _final_result(slack, parent["ts"], "unused-import"), timeout=90)
    text = _blocks_text(result)
    assert "worker.py:1" in text  # the planted `import os`
    assert "bare-except" not in text and "unused-function" not in text  # only what was selected
