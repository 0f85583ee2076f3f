"""Approvals through the real bot, its embedded Prefect and the Slack emulator, with button
clicks signed exactly as Slack signs them.

`/cicd cleanup` starts `dead_code_cleanup`, which prepares its change and suspends for a
decision; the bot posts the request in the thread with Approve, Reject and Escalate.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import git
from tests.e2e.approval_helpers import (
    CHANNEL,
    approval_message,
    buttons,
    click,
    dead_code_repo,
    driver_for,
    ephemeral,
    flow_run_state,
    parent,
    reject,
    reject_modal,
    result_message,
    run_id_of,
    start_bot,
    submit_reason,
    wait_until,
)
from tests.e2e.bot_process import BotProcess
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import SlackDriver
from workflows.governance.audit import read_local

pytestmark = pytest.mark.e2e
REQUESTER, APPROVER, SRE, OUTSIDER, STRANGER, PAGED = (
    "U0001",
    "U0003",
    "U0005",
    "U0002",
    "U0004",
    "U0009",
)
CONFIG: dict[str, Any] = {
    "max_concurrent_workflows": 4,
    "approval_poll_seconds": 1,
    "access_policy": {
        "defaults": {
            "approvers": {"users": [APPROVER], "groups": ["S0SRE"]},
            "escalation": [
                {"notify": {"users": [APPROVER]}, "wait": "1h"},
                {"notify": {"users": [PAGED]}, "wait": "1h"},
            ],
        },
        "workflows": {
            "dead_code_cleanup": {"start": {"users": [REQUESTER, OUTSIDER, SRE, APPROVER]}}
        },
    },
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("approvals-bot")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dead_code_repo(tmp_path_factory.mktemp("approvals") / "repo")


@pytest.fixture(scope="module")
def people(slack: SlackEmulator) -> None:
    slack.add_user(SRE, "erin")
    slack.add_user(STRANGER, "dave")
    slack.add_user(PAGED, "oscar")
    slack.add_usergroup("S0SRE", "sre", [SRE])


@pytest.fixture(scope="module")
def approvals_bot(
    slack: SlackEmulator, people: None, repo: Path, workdir: Path
) -> Iterator[dict[str, BotProcess]]:
    """The bot; a test may replace it (restart) through the dict."""
    holder = {"bot": start_bot(workdir, slack, repo, CONFIG)}
    yield holder
    code = holder["bot"].stop()
    assert code == 0, f"bot did not shut down cleanly ({code}):\n{holder['bot'].logs()}"


@pytest.fixture
def bot(approvals_bot: dict[str, BotProcess]) -> BotProcess:
    return approvals_bot["bot"]


@pytest.fixture
def driver(bot: BotProcess, slack: SlackEmulator) -> Iterator[SlackDriver]:
    with driver_for(bot, slack) as d:
        yield d


def request_cleanup(
    driver: SlackDriver, slack: SlackEmulator, component: str = "contexten/agents"
) -> tuple[str, dict[str, Any]]:
    """`/cicd cleanup` as the requester; returns (thread ts, the approval message)."""
    before = slack.messages(CHANNEL)[-1]["ts"] if slack.messages(CHANNEL) else "0"
    response = driver.slash_command(f"cleanup {component}", user_id=REQUESTER)
    assert response.status_code == 200
    top = slack.wait_for(lambda: parent(slack, "Cleaning dead code in", before), timeout=15)
    message = slack.wait_for(lambda: approval_message(slack, top["ts"]), timeout=90)
    return top["ts"], message


def current(slack: SlackEmulator, thread_ts: str) -> dict[str, Any]:
    message = approval_message(slack, thread_ts)
    assert message is not None
    return message


def test_approve_resumes_and_the_run_completes(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver, repo: Path, workdir: Path
) -> None:
    thread_ts, message = request_cleanup(driver, slack)
    text = json.dumps(message["blocks"], ensure_ascii=False)
    assert "Remove dead code in contexten/agents" in text
    assert "contexten/agents/dead.py" in text and "unused-function" in text
    assert "Risk" in text and "medium" in text and f"<@{REQUESTER}>" in text
    assert set(buttons(message)) == {"cicd_approve", "cicd_reject", "cicd_escalate"}
    run_id = run_id_of(message)
    assert flow_run_state(bot, run_id) == "PAUSED"
    slack.wait_for(
        lambda: (
            "waiting for a decision"
            in json.dumps(slack.thread(CHANNEL, thread_ts)[1]["blocks"], ensure_ascii=False)
        ),
        timeout=10,
    )

    clicked = time.monotonic()
    click(driver, slack, message, "cicd_approve", APPROVER, "approve")
    closed = slack.wait_for(lambda: not buttons(current(slack, thread_ts)), timeout=10)
    assert closed
    shown_after = time.monotonic() - clicked
    decided = current(slack, thread_ts)
    assert "Approved" in decided["blocks"][0]["text"]["text"]
    assert f"<@{APPROVER}>" in json.dumps(decided["blocks"]) and "<!date^" in json.dumps(
        decided["blocks"]
    )

    result = slack.wait_for(lambda: result_message(slack, thread_ts, "Committed on branch"), 90)
    branch = f"cicd/dead-code-cleanup-{run_id[:8]}"
    assert branch in json.dumps(result["blocks"])
    assert "_dead_helper" not in git("show", f"{branch}:contexten/agents/dead.py", cwd=repo)
    assert f"Approved-by: {APPROVER}" in git("log", "-1", "--format=%B", branch, cwd=repo)
    assert flow_run_state(bot, run_id) == "COMPLETED"
    print(f"\napproval message updated {shown_after:.2f} s after the click")

    trail = [r for r in read_local(workdir / "data") if r.run_id == run_id]
    kinds = [r.kind.value for r in trail]
    assert kinds[:3] == ["started", "requested", "approved"], kinds
    assert all(r.permalink and "/archives/C0001/" in r.permalink for r in trail)

    audit = driver.slash_command(f"audit {run_id[:8]}", user_id=OUTSIDER)
    assert audit.status_code == 200
    shown = json.dumps(audit.json())
    assert "approved" in shown and f"<@{APPROVER}>" in shown and "asked for approval" in shown


def test_reject_ends_it(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver, repo: Path
) -> None:
    thread_ts, message = request_cleanup(driver, slack)
    run_id = run_id_of(message)
    reject(driver, slack, message, SRE, "not before the release", "reject")  # SRE is in S0SRE
    result = slack.wait_for(lambda: result_message(slack, thread_ts, "Rejected"), 90)
    shown = json.dumps(result["blocks"], ensure_ascii=False)
    assert f"<@{SRE}>" in shown and "not before the release" in shown
    closed = current(slack, thread_ts)
    assert "Rejected" in closed["blocks"][0]["text"]["text"]
    assert "not before the release" in json.dumps(closed["blocks"])
    assert not buttons(current(slack, thread_ts))
    assert f"cicd/dead-code-cleanup-{run_id[:8]}" not in git("branch", "--list", cwd=repo)
    assert flow_run_state(bot, run_id) == "COMPLETED"


def test_an_unauthorised_click_changes_nothing(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver, workdir: Path
) -> None:
    thread_ts, message = request_cleanup(driver, slack)
    run_id = run_id_of(message)
    updates_before = len(slack.calls_to("chat.update"))
    outsider = ephemeral(slack, click(driver, slack, message, "cicd_approve", OUTSIDER, "o"))
    assert outsider.startswith("⛔") and f"<@{APPROVER}>" in outsider
    own = ephemeral(slack, click(driver, slack, message, "cicd_approve", REQUESTER, "self"))
    assert "someone else" in own
    time.sleep(2)
    assert flow_run_state(bot, run_id) == "PAUSED"
    assert set(buttons(current(slack, thread_ts))) == {
        "cicd_approve",
        "cicd_reject",
        "cicd_escalate",
    }
    ts = message["ts"]
    assert not [c for c in slack.calls_to("chat.update")[updates_before:] if c.params["ts"] == ts]
    denied = [r for r in read_local(workdir / "data") if r.run_id == run_id]
    assert [r.actor for r in denied if r.kind.value == "denied"] == [OUTSIDER, REQUESTER]

    # Escalate (the requester may): level 2 is paged, and may then decide.
    click(driver, slack, message, "cicd_escalate", REQUESTER, "escalate")
    reply = slack.wait_for(
        lambda: next(
            (
                m
                for m in slack.thread(CHANNEL, thread_ts)
                if "Escalated to level 2" in m.get("text", "")
            ),
            None,
        ),
        timeout=15,
    )
    assert f"<@{PAGED}>" in reply["text"] and f"by <@{REQUESTER}>" in reply["text"]
    dm = slack.wait_for(lambda: slack.messages(PAGED), timeout=10)
    assert "approval is needed" in dm[-1]["text"]
    click(driver, slack, current(slack, thread_ts), "cicd_approve", PAGED, "paged")
    slack.wait_for(lambda: result_message(slack, thread_ts, "Committed on branch"), 90)


def test_two_simultaneous_clicks_produce_one_decision(
    bot: BotProcess, slack: SlackEmulator, repo: Path, workdir: Path
) -> None:
    with driver_for(bot, slack) as first_driver:
        thread_ts, message = request_cleanup(first_driver, slack)
    run_id = run_id_of(message)

    with driver_for(bot, slack) as own:
        view = reject_modal(own, slack, message, SRE, "race-open")  # the reason is being typed

    def approve() -> str:
        with driver_for(bot, slack) as own:
            return click(own, slack, message, "cicd_approve", APPROVER, "race-a")

    def submit() -> None:
        with driver_for(bot, slack) as own:
            submit_reason(own, view, SRE, "too risky")

    ephemerals_before = len(slack.calls_to("chat.postEphemeral"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        approving, rejecting = pool.submit(approve), pool.submit(submit)
        name = approving.result()
        rejecting.result()
    result = slack.wait_for(
        lambda: (
            result_message(slack, thread_ts, "Committed on branch")
            or result_message(slack, thread_ts, "Rejected")
        ),
        90,
    )
    # The loser is told privately: a click through its response_url, a modal in the thread.
    told = slack.wait_for(
        lambda: (
            [r.body["text"] for r in slack.responses_to(name)]
            + [c.params["text"] for c in slack.calls_to("chat.postEphemeral")[ephemerals_before:]]
        ),
        timeout=10,
    )
    assert len(told) == 1 and told[0].startswith("Already "), told
    trail = [r.kind.value for r in read_local(workdir / "data") if r.run_id == run_id]
    assert trail.count("approved") + trail.count("rejected") == 1, trail
    won = "approved" if "approved" in trail else "rejected"
    assert (won == "approved") == ("Committed on branch" in json.dumps(result["blocks"]))
    head = current(slack, thread_ts)["blocks"][0]["text"]["text"]
    assert won.capitalize() in head


def test_start_rights_are_checked(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver
) -> None:
    posts = len(slack.calls_to("chat.postMessage"))
    refused = driver.slash_command("cleanup contexten/agents", user_id=STRANGER)
    assert refused.status_code == 200
    body = refused.json()
    assert body["response_type"] == "ephemeral" and "not allowed to start" in body["text"]
    time.sleep(1)
    assert len(slack.calls_to("chat.postMessage")) == posts


def test_cancel_needs_the_right_then_stops_a_waiting_run(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver, workdir: Path
) -> None:
    thread_ts, message = request_cleanup(driver, slack)
    run_id = run_id_of(message)
    progress = slack.thread(CHANNEL, thread_ts)[1]
    assert "cicd_cancel" in buttons(progress)
    refused = ephemeral(slack, click(driver, slack, progress, "cicd_cancel", STRANGER, "c1"))
    assert refused.startswith("⛔")
    assert flow_run_state(bot, run_id) == "PAUSED"
    click(driver, slack, progress, "cicd_cancel", REQUESTER, "c2")
    wait_until(lambda: flow_run_state(bot, run_id) == "CANCELLED", 15)
    note = slack.wait_for(
        lambda: next(
            (m for m in slack.thread(CHANNEL, thread_ts) if "was cancelled" in m.get("text", "")),
            None,
        ),
        timeout=20,
    )
    assert f"<@{REQUESTER}>" in json.dumps(note["blocks"]) and "cicd_retry" in json.dumps(
        note["blocks"]
    )
    # The cancel click closes the request after the run is cancelled, which the thread's note
    # may report first: wait for the request message, do not race it.
    slack.wait_for(  # generous: on a loaded machine the close can take the approval loop's turn
        lambda: "Run cancelled" in current(slack, thread_ts)["blocks"][0]["text"]["text"],
        timeout=45,
    )

    # Re-run: the same rights as starting; the new run is linked to the old one.
    refused = ephemeral(slack, click(driver, slack, note, "cicd_retry", STRANGER, "r1"))
    assert "not allowed to start" in refused
    click(driver, slack, note, "cicd_retry", REQUESTER, "r2")
    again = slack.wait_for(lambda: approval_message(slack, thread_ts, nth=1), timeout=90)
    new_run = run_id_of(again)
    assert new_run != run_id
    titles = json.dumps(slack.thread(CHANNEL, thread_ts), ensure_ascii=False)
    assert "(re-run of " in titles
    retried = [r for r in read_local(workdir / "data") if r.kind.value == "retried"]
    assert retried and retried[-1].run_id == run_id and retried[-1].related_run_id == new_run
    reject(driver, slack, again, APPROVER, "", "r3")  # no reason given
    slack.wait_for(lambda: result_message(slack, thread_ts, "Rejected"), 90)


def test_a_restart_between_pause_and_click_still_resumes(
    approvals_bot: dict[str, BotProcess],
    slack: SlackEmulator,
    repo: Path,
    workdir: Path,
) -> None:
    with driver_for(approvals_bot["bot"], slack) as before:
        thread_ts, message = request_cleanup(before, slack)
    run_id = run_id_of(message)
    assert approvals_bot["bot"].stop() == 0
    restarted = time.monotonic()
    approvals_bot["bot"] = start_bot(workdir, slack, repo, CONFIG)
    print(f"\nbot back in {time.monotonic() - restarted:.1f} s")
    assert flow_run_state(approvals_bot["bot"], run_id) == "PAUSED"

    with driver_for(approvals_bot["bot"], slack) as after:
        click(after, slack, message, "cicd_approve", APPROVER, "after-restart")
    slack.wait_for(lambda: not buttons(current(slack, thread_ts)), timeout=15)
    result = slack.wait_for(lambda: result_message(slack, thread_ts, "Committed on branch"), 120)
    assert f"cicd/dead-code-cleanup-{run_id[:8]}" in json.dumps(result["blocks"])
    assert flow_run_state(approvals_bot["bot"], run_id) == "COMPLETED"
    # The progress message of the old bot was taken over, not duplicated.
    progress = [
        m
        for m in slack.thread(CHANNEL, thread_ts)
        if "Wait for approval" in json.dumps(m.get("blocks", []))
    ]
    assert len(progress) == 1
