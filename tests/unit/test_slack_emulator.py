"""Tests of the Slack Web API emulator and the signed-request driver themselves."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from slack_bolt.request import BoltRequest
from slack_bolt.request.payload_utils import (
    is_block_actions,
    is_event,
    is_function,
    is_slash_command,
    is_view_submission,
    to_action,
)
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.emulators import AsyncSlackDriver, SlackDriver, SlackEmulator, sign
from tests.shared_paths import shared

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"
PAYLOADS = "api/slack/payloads"  # under ../shared
ROOT = Path(__file__).resolve().parents[2]
NO_TEXT_WARNING = "ignore:The top-level `text` argument is missing:UserWarning"


@pytest.fixture(scope="module")
def server() -> Iterator[SlackEmulator]:
    with SlackEmulator(tokens=[TOKEN]) as emu:
        yield emu


@pytest.fixture
def emu(server: SlackEmulator) -> SlackEmulator:
    server.reset()
    return server


@pytest.fixture
def client(emu: SlackEmulator) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=emu.url)


def header_block(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


# -- Web API through slack_sdk -----------------------------------------------------------------


async def test_url_and_auth_test(emu: SlackEmulator, client: AsyncWebClient) -> None:
    assert emu.url.startswith("http://127.0.0.1:") and emu.url.endswith("/api/")
    assert emu.port > 0
    res = await client.auth_test()
    assert res["user_id"] == emu.bot_user_id and res["team_id"] == "T0001"
    assert res["bot_id"] == emu.bot_id and res["url"].startswith("https://")
    assert emu.calls_to("auth.test")[0].token == TOKEN


async def test_post_update_thread_permalink(emu: SlackEmulator, client: AsyncWebClient) -> None:
    blocks = [header_block("Deploy api"), {"type": "divider"}]
    posted = await client.chat_postMessage(channel="C0002", text="deploy", blocks=blocks)
    ts = posted["ts"]
    assert posted["channel"] == "C0002" and posted["message"]["blocks"] == blocks
    assert isinstance(ts, str) and len(ts.split(".")[1]) == 6

    updated = await client.chat_update(channel="C0002", ts=ts, text="deployed", blocks=blocks[:1])
    assert (updated["ts"], updated["text"]) == (ts, "deployed")

    reply = await client.chat_postMessage(channel="C0002", thread_ts=ts, text="log line")
    assert float(reply["ts"]) > float(ts)
    assert reply["message"]["thread_ts"] == ts

    replies = await client.conversations_replies(channel="C0002", ts=ts)
    assert [m["text"] for m in replies["messages"]] == ["deployed", "log line"]
    assert replies["messages"][0]["reply_count"] == 1

    parent_link = await client.chat_getPermalink(channel="C0002", message_ts=ts)
    assert parent_link["permalink"] == (
        f"https://emulated.slack.com/archives/C0002/p{ts.replace('.', '')}"
    )
    reply_link = await client.chat_getPermalink(channel="C0002", message_ts=reply["ts"])
    assert reply_link["permalink"].endswith(f"?thread_ts={ts}&cid=C0002")

    assert [m["ts"] for m in emu.thread("C0002", ts)] == [ts, reply["ts"]]
    assert emu.messages("C0002")[0]["blocks"] == blocks[:1]
    assert emu.messages("#deploys", top_level_only=True) == emu.messages("C0002")[:1]
    assert emu.calls_to("chat.postMessage")[0].params["blocks"] == blocks


async def test_form_encoded_json_fields_are_decoded(
    emu: SlackEmulator, client: AsyncWebClient
) -> None:
    blocks = [header_block("form")]
    res = await client.api_call(
        "chat.postMessage", data={"channel": "C0001", "blocks": json.dumps(blocks)}
    )
    assert res["message"]["blocks"] == blocks
    call = emu.calls_to("chat.postMessage")[0]
    assert call.params["blocks"] == blocks and "token" not in call.params
    await client.functions_completeSuccess(function_execution_id="Fx1", outputs={"a": "b"})
    assert emu.calls_to("functions.completeSuccess")[0].params["outputs"] == {"a": "b"}
    with pytest.raises(SlackApiError) as err:
        await client.functions_completeSuccess(function_execution_id="Fx1", outputs={"a": "b"})
    assert err.value.response["error"] == "execution_not_in_running_state"


async def test_invalid_and_missing_token(emu: SlackEmulator) -> None:
    bad = AsyncWebClient(token="xoxb-wrong", base_url=emu.url)
    with pytest.raises(SlackApiError) as err:
        await bad.chat_postMessage(channel="C0001", text="hi")
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == "invalid_auth"
    async with httpx.AsyncClient() as http:
        missing = await http.post(emu.url + "auth.test")
        unknown = await http.post(emu.url + "chat.nope", data={"token": TOKEN})
    assert missing.json() == {"ok": False, "error": "not_authed"}
    assert unknown.json() == {"ok": False, "error": "unknown_method"}
    assert emu.messages("C0001") == []


@pytest.mark.filterwarnings(NO_TEXT_WARNING)
@pytest.mark.parametrize(
    ("method", "kwargs", "error"),
    [
        ("chat_postMessage", {"channel": "C9999", "text": "x"}, "channel_not_found"),
        ("chat_postMessage", {"channel": "C0001"}, "no_text"),
        ("chat_postMessage", {"channel": "C0001", "text": "x" * 40_001}, "msg_too_long"),
        ("chat_update", {"channel": "C0001", "ts": "1.000001", "text": "x"}, "message_not_found"),
        ("users_info", {"user": "U9999"}, "user_not_found"),
        ("usergroups_users_list", {"usergroup": "S9"}, "no_such_subteam"),
        ("conversations_replies", {"channel": "C0001", "ts": "1.2"}, "thread_not_found"),
        ("views_open", {"trigger_id": "bad", "view": {}}, "invalid_trigger_id"),
    ],
)
async def test_logical_errors(
    client: AsyncWebClient, method: str, kwargs: dict, error: str
) -> None:
    with pytest.raises(SlackApiError) as err:
        await getattr(client, method)(**kwargs)
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == error


async def test_workspace_lookups(emu: SlackEmulator, client: AsyncWebClient) -> None:
    emu.add_user("U0100", "dave", is_admin=True)
    emu.add_usergroup("S0001", "deployers", ["U0001", "U0100"])
    emu.add_channel("C0100", "ops", is_private=True)
    assert (await client.users_info(user="U0100"))["user"]["is_admin"] is True
    assert (await client.users_info(user="U0001"))["user"]["is_admin"] is False
    group = await client.usergroups_users_list(usergroup="S0001")
    assert group["users"] == ["U0001", "U0100"]
    info = await client.conversations_info(channel="C0100")
    assert info["channel"]["name"] == "ops" and info["channel"]["is_private"] is True
    dm = await client.chat_postMessage(channel="U0100", text="psst")
    assert dm["channel"].startswith("D") and emu.messages("U0100")[0]["text"] == "psst"
    emu.reset()
    with pytest.raises(SlackApiError):
        await client.users_info(user="U0100")


async def test_ephemeral_reaction_delete_and_views(
    emu: SlackEmulator, client: AsyncWebClient
) -> None:
    eph = await client.chat_postEphemeral(channel="C0001", user="U0001", text="only you")
    assert emu.ephemerals("C0001")[0]["ts"] == eph["message_ts"]
    assert emu.messages("C0001") == []
    human_ts = emu.add_message("C0001", "deploy please", user="U0002")
    await client.reactions_add(channel="C0001", timestamp=human_ts, name="eyes")
    with pytest.raises(SlackApiError, match="already_reacted"):
        await client.reactions_add(channel="C0001", timestamp=human_ts, name="eyes")
    with pytest.raises(SlackApiError, match="cant_delete_message"):
        await client.chat_delete(channel="C0001", ts=human_ts)
    modal = {
        "type": "modal",
        "callback_id": "approve",
        "title": {"type": "plain_text", "text": "Approve"},
        "blocks": [header_block("hi")],
    }
    opened = await client.views_open(trigger_id="123.456.abc", view=modal)
    view_id = opened["view"]["id"]
    with pytest.raises(SlackApiError, match="exchanged_trigger_id"):
        await client.views_open(trigger_id="123.456.abc", view=modal)
    with pytest.raises(SlackApiError, match="hash_conflict"):
        await client.views_update(view_id=view_id, hash="stale", view=modal)
    await client.views_update(view_id=view_id, hash=opened["view"]["hash"], view=modal)
    await client.views_publish(user_id="U0001", view={"type": "home", "blocks": []})
    assert emu.view(view_id)["callback_id"] == "approve"
    assert emu.home_view("U0001")["type"] == "home"


# -- fault injection ---------------------------------------------------------------------------


async def test_rate_limit_seen_by_sdk(emu: SlackEmulator, client: AsyncWebClient) -> None:
    emu.rate_limit("chat.postMessage", times=1, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C0001", text="hi")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert err.value.response["error"] == "ratelimited"
    (call,) = emu.calls_to("chat.postMessage")
    assert call.rate_limited and call.status == 429
    assert emu.messages("C0001") == []  # a rate-limited call changes nothing


async def test_rate_limit_only_for_matching_params(
    emu: SlackEmulator, client: AsyncWebClient
) -> None:
    emu.rate_limit("chat.postMessage", times=1, retry_after=3, only={"channel": "C0002"})
    assert (await client.chat_postMessage(channel="C0001", text="not this one"))["ok"]
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C0002", text="this one")
    assert err.value.response.status_code == 429
    assert (await client.chat_postMessage(channel="C0002", text="once only"))["ok"]


async def test_rate_limit_retry_handler_succeeds(emu: SlackEmulator) -> None:
    client = AsyncWebClient(
        token=TOKEN,
        base_url=emu.url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    emu.rate_limit("chat.postMessage", times=1, retry_after=0)
    res = await client.chat_postMessage(channel="C0001", text="eventually")
    assert res["ok"]
    assert [c.status for c in emu.calls_to("chat.postMessage")] == [429, 200]
    assert [m["text"] for m in emu.messages("C0001")] == ["eventually"]


async def test_fail_and_delay(emu: SlackEmulator, client: AsyncWebClient) -> None:
    emu.fail("auth.test", "account_inactive", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError, match="account_inactive"):
            await client.auth_test()
    assert (await client.auth_test())["ok"]
    emu.delay("auth.test", 0.2)
    started = time.monotonic()
    await client.auth_test()
    assert time.monotonic() - started >= 0.2


async def test_wait_for(emu: SlackEmulator, client: AsyncWebClient) -> None:
    async def later() -> None:
        await asyncio.sleep(0.05)
        await client.chat_postMessage(channel="C0001", text="late")

    task = asyncio.create_task(later())
    msgs = await emu.wait_for_async(lambda: emu.messages("C0001"), timeout=2)
    await task
    assert msgs[0]["text"] == "late"
    with pytest.raises(AssertionError, match=r"chat\.postMessage -> 200 ok"):
        emu.wait_for(lambda: emu.calls_to("chat.update"), timeout=0.05)


# -- Block Kit validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([header_block("x" * 151)], "/blocks/0/text/text"),
        ([{"type": "divider"}] * 51, "/blocks"),
        ([{"type": "carousel"}], "/blocks/0/type"),
        ([{"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "a"}], "/blocks/1"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "/blocks/0/text"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "a",
                            "text": {"type": "plain_text", "text": "b" * 76},
                        }
                    ],
                }
            ],
            "/blocks/0/elements/0/text/text",
        ),
    ],
)
async def test_invalid_blocks(client: AsyncWebClient, blocks: list, pointer: str) -> None:
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C0001", text="x", blocks=blocks)
    body = err.value.response.data
    assert body["error"] == "invalid_blocks"
    assert any(f"[json-pointer:{pointer}" in m for m in body["response_metadata"]["messages"])


@pytest.mark.filterwarnings(NO_TEXT_WARNING)
async def test_header_at_limit_is_valid(client: AsyncWebClient) -> None:
    assert (await client.chat_postMessage(channel="C0001", blocks=[header_block("x" * 150)]))["ok"]


# -- response_url ------------------------------------------------------------------------------


async def test_response_url_records_and_replaces(
    emu: SlackEmulator, client: AsyncWebClient
) -> None:
    ts = (await client.chat_postMessage(channel="C0002", text="Approve?"))["ts"]
    url = emu.response_url(f"C0002/{ts}/abc")
    async with httpx.AsyncClient() as http:
        ok = await http.post(url, json={"replace_original": True, "text": "Approved"})
        bad = await http.post(emu.response_url(), json={"blocks": [header_block("")]})
    assert ok.status_code == 200 and bad.status_code == 400
    assert emu.messages("C0002")[0]["text"] == "Approved"
    assert emu.responses_to(url)[0].body["text"] == "Approved"
    assert emu.responses_to("r1")[0].status == 400


# -- signing and the driver ---------------------------------------------------------------------


def test_sign_matches_slack_sdk_and_known_vector() -> None:
    body = b'{"type":"url_verification"}'
    ts = str(int(time.time()))
    assert SignatureVerifier(SECRET).is_valid(body, ts, sign(SECRET, ts, body))
    assert not SignatureVerifier("other").is_valid(body, ts, sign(SECRET, ts, body))

    raw = shared(f"{PAYLOADS}/event_callback.retry.http.txt").read_bytes()
    head, body = raw.split(b"\r\n\r\n", 1)
    headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
    assert len(body) == int(headers["Content-Length"])
    assert headers["X-Slack-Request-Timestamp"] == "1595926231"
    assert sign("secret", "1595926231", body) == headers["X-Slack-Signature"]


class Capture:
    """httpx MockTransport handler that keeps the requests the driver sends."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, text="")

    def bolt(self, i: int = -1) -> BoltRequest:
        req = self.requests[i]
        return BoltRequest(body=req.content.decode(), headers=dict(req.headers))

    def verified(self, i: int = -1) -> bool:
        req = self.requests[i]
        return SignatureVerifier(SECRET).is_valid_request(req.content, dict(req.headers))


@pytest.fixture
def capture() -> Capture:
    return Capture()


@pytest.fixture
def driver(capture: Capture, emu: SlackEmulator) -> Iterator[SlackDriver]:
    transport = httpx.MockTransport(capture)
    with SlackDriver(
        "http://bot/slack/events",
        SECRET,
        response_url_base=emu.response_url_base,
        transport=transport,
    ) as drv:
        yield drv


def test_slash_command_like_slack(driver: SlackDriver, capture: Capture) -> None:
    res = driver.slash_command("deploy api prod")
    driver.slash_command("status")
    assert res.status_code == 200 and capture.verified()
    fields = {k: v[0] for k, v in parse_qs(capture.requests[0].content.decode()).items()}
    reference = parse_qs(shared(f"{PAYLOADS}/slash_command.form.txt").read_text().strip())
    assert set(reference) - {"enterprise_id", "enterprise_name"} <= set(fields)
    assert (fields["command"], fields["text"], fields["user_id"]) == (
        "/cicd",
        "deploy api prod",
        "U0001",
    )
    assert fields["response_url"].startswith("http://127.0.0.1:")
    assert is_slash_command(capture.bolt(0).body)
    second = parse_qs(capture.requests[1].content.decode())
    assert second["trigger_id"] != [fields["trigger_id"]]


def test_stale_and_forged_requests_fail_verification(driver: SlackDriver, capture: Capture) -> None:
    driver.slash_command("x", timestamp=int(time.time()) - 301)
    assert not capture.verified()
    driver.slash_command("x", signature="v0=" + "0" * 64)
    assert not capture.verified()
    driver.slash_command("x", headers={"X-Extra": "1"})
    assert capture.verified() and capture.requests[-1].headers["X-Extra"] == "1"


def test_interactive_payloads(driver: SlackDriver, capture: Capture) -> None:
    driver.block_action("approve", "run-42", message_ts="1700000000.000100", thread_ts="1.2")
    assert capture.verified()
    body = capture.bolt().body
    reference = json.loads(shared(f"{PAYLOADS}/block_actions.button.json").read_text())
    assert set(reference) <= set(body) and is_block_actions(body)
    assert to_action(body)["action_id"] == "approve" and body["actions"][0]["value"] == "run-42"
    assert body["container"]["thread_ts"] == "1.2"
    assert "/response/C0001/1700000000.000100/" in body["response_url"]

    driver.view_submission("deploy_modal", {"b": {"env": "prod"}}, private_metadata="m")
    body = capture.bolt().body
    assert is_view_submission(body) and body["view"]["private_metadata"] == "m"
    assert body["view"]["state"]["values"]["b"]["env"]["value"] == "prod"


def test_events_function_and_url_verification(driver: SlackDriver, capture: Capture) -> None:
    driver.event({"type": "app_mention", "text": "<@U0BOT> hi"}, retry_num=1, event_id="Ev1")
    req = capture.requests[-1]
    assert req.headers["X-Slack-Retry-Num"] == "1"
    assert req.headers["X-Slack-Retry-Reason"] == "http_timeout"
    body = capture.bolt().body
    assert is_event(body) and body["event_id"] == "Ev1" and capture.verified()
    assert body["authorizations"][0]["user_id"] == "U0BOT"

    driver.function_executed("reverse", {"s": "abc"}, function_execution_id="Fx9")
    body = capture.bolt().body
    reference = json.loads(shared(f"{PAYLOADS}/function_executed.event_callback.json").read_text())
    assert set(reference["event"]) <= set(body["event"]) and is_function(body)
    assert body["event"]["bot_access_token"] == "xwfp-test"
    assert body["event"]["function_execution_id"] == "Fx9"

    driver.url_verification("chal")
    assert json.loads(capture.requests[-1].content) == {
        "token": "verification_token",
        "challenge": "chal",
        "type": "url_verification",
    }


async def test_async_driver_concurrent(capture: Capture) -> None:
    async with AsyncSlackDriver(
        "http://bot/slack/events", SECRET, transport=httpx.MockTransport(capture)
    ) as drv:
        results = await asyncio.gather(*(drv.slash_command(f"status {i}") for i in range(50)))
    assert [r.status_code for r in results] == [200] * 50
    assert all(capture.verified(i) for i in range(50))
    texts = {capture.bolt(i).body["text"] for i in range(50)}
    assert texts == {f"status {i}" for i in range(50)}


def test_cli_starts_slack_emulator() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.emulators", "slack", "--port", "0", "--token", "xoxb-cli"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api/")
        res = httpx.post(url + "auth.test", headers={"Authorization": "Bearer xoxb-cli"})
        assert res.json()["user_id"] == "U0BOT"
        assert "xoxb-cli" not in proc.stdout.readline() + proc.stdout.readline()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
