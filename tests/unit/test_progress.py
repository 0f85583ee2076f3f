"""`ThreadProgress` and `call_slack` against the Slack emulator: coalesced, rate-limit aware."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.slack_response import SlackResponse

from blocks.progress import progress_blocks
from bot.runs.progress import ThreadProgress
from bot.slack_api import call_slack, retry_after_s
from tests.emulators import SlackEmulator
from workflows.models.snapshots import RunSnapshot, StepStatus, StepView

TOKEN = "xoxb-test-token"
CHANNEL = "C0002"
TITLE = "Analysis of contexten/agents"
SLACK_JITTER_S = 0.05  # clock and scheduling slack allowed in timing assertions


@pytest.fixture(scope="module")
def server() -> Iterator[SlackEmulator]:
    with SlackEmulator(tokens=(TOKEN,)) as emu:
        yield emu


@pytest.fixture
def emu(server: SlackEmulator) -> SlackEmulator:
    server.reset()
    return server


@pytest.fixture
def client(emu: SlackEmulator) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=emu.url)


@pytest.fixture
def parent_ts(emu: SlackEmulator) -> str:
    return emu.add_message(CHANNEL, "/cicd analyze contexten/agents", user="U0001")


def progress(client, parent_ts, **timing) -> ThreadProgress:
    return ThreadProgress(client, CHANNEL, parent_ts, TITLE, **timing)


def snap(done: int, *, state: str = "RUNNING", elapsed: float = 1.0) -> RunSnapshot:
    """A run `done` files into parsing; each value of `done` is a visible change."""
    return RunSnapshot(
        run_id="run-1",
        run_name="brave-fox",
        workflow="component_analysis",
        state=state,
        elapsed_s=elapsed,
        steps=[
            StepView(key="checkout", label="Check out", status=StepStatus.DONE),
            StepView(
                key="parse",
                label="Parse files",
                status=StepStatus.DONE if state == "COMPLETED" else StepStatus.RUNNING,
                detail=f"{done}/450 files",
            ),
        ],
    )


def shown_blocks(snapshot: RunSnapshot) -> list[dict]:
    return [b.to_dict() for b in progress_blocks(TITLE, snapshot)]


def reply(emu: SlackEmulator, parent_ts: str) -> dict:
    (_, message) = emu.thread(CHANNEL, parent_ts)
    return message


def updates(emu: SlackEmulator, *, ok_only: bool = False) -> list:
    calls = emu.calls_to("chat.update")
    return [c for c in calls if c.ok] if ok_only else calls


async def test_post_creates_one_threaded_reply(emu, client, parent_ts):
    tp = progress(client, parent_ts)
    ts = await tp.post(snap(0))
    thread = emu.thread(CHANNEL, parent_ts)
    assert len(thread) == 2
    assert thread[1]["ts"] == ts == tp.ts
    assert thread[1]["thread_ts"] == parent_ts
    assert thread[1]["blocks"] == shown_blocks(snap(0))
    assert thread[1]["text"].startswith(f"{TITLE}: running")
    (call,) = emu.calls_to("chat.postMessage")
    assert call.params["thread_ts"] == parent_ts and call.token == TOKEN
    assert emu.calls_to("chat.update") == []
    assert emu.messages(CHANNEL, top_level_only=True)[-1]["ts"] == parent_ts


async def test_rapid_updates_are_coalesced(emu, client, parent_ts):
    interval = 0.1
    tp = progress(client, parent_ts, min_interval_s=interval, heartbeat_s=60)
    await tp.post(snap(0))
    start = time.monotonic()
    sent = 0
    for i in range(1, 61):  # a new snapshot every 10 ms for about 0.6 s
        sent += await tp.update(snap(i, elapsed=i / 100))
        await asyncio.sleep(0.01)
    elapsed = time.monotonic() - start
    calls = updates(emu)
    assert len(calls) == sent >= 2
    assert len(calls) <= elapsed / interval + 1
    gaps = [b.at - a.at for a, b in itertools.pairwise(calls)]
    assert all(gap >= interval - SLACK_JITTER_S for gap in gaps), gaps
    assert all(c.params["ts"] == tp.ts and c.params["channel"] == CHANNEL for c in calls)

    assert await tp.update(snap(60, state="COMPLETED", elapsed=0.6), final=True)
    assert reply(emu, parent_ts)["blocks"] == shown_blocks(snap(60, state="COMPLETED", elapsed=0.6))
    assert len(emu.thread(CHANNEL, parent_ts)) == 2  # always the same message


async def test_unchanged_snapshot_waits_for_the_heartbeat(emu, client, parent_ts):
    heartbeat = 0.4
    tp = progress(client, parent_ts, min_interval_s=0.02, heartbeat_s=heartbeat)
    await tp.post(snap(5, elapsed=1.0))
    posted_at = emu.calls_to("chat.postMessage")[0].at
    # Only the clock moves: nothing a reader would notice, so nothing is sent...
    tries = 0
    while time.monotonic() < posted_at + heartbeat - 0.1:
        tries += 1
        assert not await tp.update(snap(5, elapsed=1.0 + tries / 10))
        await asyncio.sleep(0.02)
    assert tries >= 3 and updates(emu) == []
    # ...until the heartbeat is due, to keep the elapsed time fresh.
    await asyncio.sleep(heartbeat - (time.monotonic() - posted_at) + 0.02)
    assert await tp.update(snap(5, elapsed=9.0))
    (call,) = updates(emu)
    assert call.at - posted_at >= heartbeat - SLACK_JITTER_S
    assert "9.0 s" in reply(emu, parent_ts)["text"]
    # A real change goes out after min_interval, long before the next heartbeat.
    await asyncio.sleep(0.03)
    assert await tp.update(snap(6, elapsed=9.1))
    assert len(updates(emu)) == 2


async def test_final_update_is_always_sent(emu, client, parent_ts):
    # A final update is never dropped, only spaced by the minimum interval (here 2 s, so the
    # test takes about 4 s; the spacing is what keeps a burst under Slack's rate limit).
    tp = progress(client, parent_ts, min_interval_s=2, heartbeat_s=60)
    await tp.post(snap(1))
    assert not await tp.update(snap(2))  # too soon
    final = snap(2, state="COMPLETED")
    assert await tp.update(final, final=True)
    assert await tp.update(final, final=True)  # even unchanged and immediately again
    first, second = updates(emu)
    assert second.at - first.at >= 2 - SLACK_JITTER_S
    assert reply(emu, parent_ts)["blocks"] == shown_blocks(final)
    assert tp.updates_sent == 3  # the post and two updates


async def test_final_update_without_post_posts_the_message(emu, client, parent_ts):
    tp = progress(client, parent_ts)
    assert await tp.update(snap(450, state="COMPLETED"), final=True)
    assert len(emu.thread(CHANNEL, parent_ts)) == 2
    assert emu.calls_to("chat.update") == []


async def test_rate_limit_pauses_updates_and_final_waits_it_out(emu, client, parent_ts):
    tp = progress(client, parent_ts, min_interval_s=0.01, heartbeat_s=60)
    await tp.post(snap(0))
    await asyncio.sleep(0.02)
    emu.rate_limit("chat.update", times=1, retry_after=1)

    assert not await tp.update(snap(1))  # answered 429 with Retry-After: 1
    (limited,) = updates(emu)
    assert limited.status == 429 and limited.rate_limited

    await asyncio.sleep(0.1)
    assert not await tp.update(snap(2))  # still inside the wait: Slack is not called at all
    assert len(updates(emu)) == 1

    final = snap(450, state="COMPLETED", elapsed=3.0)
    assert await tp.update(final, final=True)
    limited, done = updates(emu)
    assert done.ok and done.status == 200
    assert done.at - limited.at >= 1.0 - SLACK_JITTER_S
    assert reply(emu, parent_ts)["blocks"] == shown_blocks(final)

    # The wait is over: ordinary updates flow again.
    await asyncio.sleep(0.02)
    assert await tp.update(snap(451, elapsed=3.1))
    assert updates(emu)[-1].ok and "451/450 files" in str(reply(emu, parent_ts)["blocks"])


async def test_call_slack_retries_a_429_then_succeeds(emu, client, parent_ts):
    emu.rate_limit("chat.postMessage", times=1, retry_after=1)
    response = await call_slack(
        client.chat_postMessage, channel=CHANNEL, thread_ts=parent_ts, text="hello"
    )
    assert response["ok"]
    first, second = emu.calls_to("chat.postMessage")
    assert first.status == 429 and second.ok
    assert second.at - first.at >= 1.0 - SLACK_JITTER_S
    assert [m["text"] for m in emu.thread(CHANNEL, parent_ts)[1:]] == ["hello"]


async def test_call_slack_raises_other_errors_at_once(emu, client):
    emu.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as caught:
        await call_slack(client.chat_postMessage, channel=CHANNEL, text="x")
    assert caught.value.response["error"] == "channel_not_found"
    assert len(emu.calls_to("chat.postMessage")) == 1


async def test_update_error_is_reported_not_raised(emu, client, parent_ts):
    tp = progress(client, parent_ts, min_interval_s=0.01)
    await tp.post(snap(0))
    await asyncio.sleep(0.02)
    emu.fail("chat.update", "message_not_found", times=2)
    assert await tp.update(snap(1)) is False
    assert await tp.update(snap(2, state="FAILED"), final=True) is False
    assert [c.response["error"] for c in updates(emu)] == ["message_not_found"] * 2
    assert tp.updates_sent == 1
    # The failure did not block later updates.
    await asyncio.sleep(0.02)
    assert await tp.update(snap(3))


def error_with(status: int, headers: dict | None) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/chat.update",
        req_args={},
        data={"ok": False, "error": "ratelimited" if status == 429 else "invalid_auth"},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("failed", response)


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (429, {"Retry-After": "7"}, 7.0),
        (429, {"retry-after": "2"}, 2.0),
        (429, {"Retry-After": ["3"]}, 3.0),
        (429, {"Retry-After": "0.5"}, 0.5),
        (429, {"Retry-After": "-4"}, 0.0),
        (429, {"Retry-After": "soon"}, 1.0),
        (429, {}, 1.0),
        (200, {"Retry-After": "7"}, None),
        (500, {}, None),
    ],
)
def test_retry_after_s(status, headers, expected):
    assert retry_after_s(error_with(status, headers)) == expected


async def test_retry_after_s_from_a_real_429(emu, client):
    emu.rate_limit("auth.test", times=1, retry_after=4)
    with pytest.raises(SlackApiError) as caught:
        await client.auth_test()
    assert retry_after_s(caught.value) == 4.0
