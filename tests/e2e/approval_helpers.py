"""Helpers for the approval end-to-end tests: a repository with dead code, a bot with a
policy, and finding (and clicking) the approval message in a thread."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.conftest import git, make_repo
from tests.e2e.bot_process import SIGNING_SECRET, BotProcess
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import SlackDriver, new_trigger_id

CHANNEL = "C0001"
DEAD = "import json\n\n\ndef _dead_helper():\n    return 1\n\n\ndef used():\n    return json\n"


def dead_code_repo(root: Path) -> Path:
    """The planted repository plus a private dead function (a safe fix to approve)."""
    repo = make_repo(root)
    (repo / "contexten" / "agents" / "dead.py").write_text(DEAD)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "dead code", cwd=repo)
    return repo


def start_bot(
    workdir: Path, slack: SlackEmulator, repo: Path, config: dict[str, Any]
) -> BotProcess:
    """`cicd serve` with `config` as its orchestration_config.yaml (same workdir: same data)."""
    process = BotProcess(workdir, slack.url, repo)
    (workdir / "orchestration_config.yaml").write_text(yaml.safe_dump(config))
    return process.start()


def driver_for(bot: BotProcess, slack: SlackEmulator) -> SlackDriver:
    return SlackDriver(
        f"{bot.url}/slack/events", SIGNING_SECRET, response_url_base=slack.response_url_base
    )


def parent(slack: SlackEmulator, needle: str, after: str = "0") -> dict[str, Any] | None:
    """The newest top-level message containing `needle`, posted after ts `after`."""
    found = [
        m
        for m in slack.messages(CHANNEL, top_level_only=True)
        if needle in m.get("text", "") and float(m["ts"]) > float(after)
    ]
    return found[-1] if found else None


def approval_message(
    slack: SlackEmulator, thread_ts: str, *, nth: int = 0
) -> dict[str, Any] | None:
    """The `nth` approval request in the thread (its blocks start with a header)."""
    found = []
    for message in slack.thread(CHANNEL, thread_ts)[1:]:
        blocks = message.get("blocks") or []
        if not blocks or blocks[0].get("type") != "header":
            continue
        if "cicd_approval" in json.dumps(blocks) or _is_closed_request(blocks):
            found.append(message)
    return found[nth] if len(found) > nth else None


def _is_closed_request(blocks: list[dict[str, Any]]) -> bool:
    head = blocks[0]["text"]["text"]
    return any(word in head for word in ("Approved", "Rejected", "Run cancelled", "No longer"))


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """action_id -> value of the message's buttons."""
    return {
        e["action_id"]: e.get("value", "")
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    }


def click(
    driver: SlackDriver,
    slack: SlackEmulator,
    message: dict[str, Any],
    action_id: str,
    user: str,
    tag: str,
    trigger_id: str | None = None,
) -> str:
    """Press a button of `message` as `user`; returns the response_url name to read replies."""
    value = buttons(message)[action_id]
    return press(driver, slack, message, action_id, value, user, tag, trigger_id)


def press(
    driver: SlackDriver,
    slack: SlackEmulator,
    message: dict[str, Any],
    action_id: str,
    value: str,
    user: str,
    tag: str,
    trigger_id: str | None = None,
) -> str:
    """A signed click on `message` with `value`; returns the response_url name of its answer."""
    name = f"{CHANNEL}/{message['ts']}/{tag}"
    response = driver.block_action(
        action_id,
        value,
        user_id=user,
        channel_id=CHANNEL,
        message_ts=message["ts"],
        thread_ts=message.get("thread_ts"),
        message=message,
        response_url=slack.response_url(name),
        trigger_id=trigger_id,
    )
    assert response.status_code == 200, response.text
    assert response.elapsed.total_seconds() < 3.0  # acked at once, as Slack requires
    return name


def reject_modal(
    driver: SlackDriver, slack: SlackEmulator, message: dict[str, Any], user: str, tag: str
) -> dict[str, Any]:
    """Press Reject as `user` and return the modal the bot opened for that click."""
    trigger = new_trigger_id()
    click(driver, slack, message, "cicd_reject", user, tag, trigger_id=trigger)
    call = slack.wait_for(
        lambda: next(
            (c for c in slack.calls_to("views.open") if c.params.get("trigger_id") == trigger),
            None,
        ),
        timeout=10,
    )
    assert call.ok, call.response
    return dict(call.response["view"])


def submit_reason(driver: SlackDriver, view: dict[str, Any], user: str, reason: str) -> None:
    """Submit the reject modal with `reason`, as Slack does."""
    response = driver.view_submission(
        view["callback_id"], {"reason": {"reason": reason}}, view["private_metadata"], user
    )
    assert response.status_code == 200, response.text


def reject(
    driver: SlackDriver,
    slack: SlackEmulator,
    message: dict[str, Any],
    user: str,
    reason: str,
    tag: str,
) -> None:
    """Reject through the modal, giving a reason."""
    submit_reason(driver, reject_modal(driver, slack, message, user, tag), user, reason)


def ephemeral(slack: SlackEmulator, name: str, timeout: float = 15) -> str:
    """The text of the private reply to a click."""
    reply = slack.wait_for(lambda: slack.responses_to(name), timeout=timeout)
    assert reply[0].body.get("response_type") == "ephemeral"
    return str(reply[0].body.get("text", ""))


def run_id_of(message: dict[str, Any]) -> str:
    return buttons(message)["cicd_approve"].split("|")[0]


def flow_run_state(bot: BotProcess, run_id: str) -> str:
    """The run's Prefect state type, read from the bot's Prefect API."""
    api = httpx.get(f"{bot.url}/healthz", timeout=5).json()["prefect_api_url"]
    return str(httpx.get(f"{api}/flow_runs/{run_id}", timeout=5).json()["state"]["type"])


def wait_until(predicate: Any, timeout: float, interval: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s")


def result_message(slack: SlackEmulator, thread_ts: str, needle: str) -> dict[str, Any] | None:
    """The final result (a 'Dead code cleanup of' header) containing `needle`."""
    for message in slack.thread(CHANNEL, thread_ts)[1:]:
        text = json.dumps(message.get("blocks", []), ensure_ascii=False)
        if "Dead code cleanup of" in text and needle in text:
            return message
    return None
