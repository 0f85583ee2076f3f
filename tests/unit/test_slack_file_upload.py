"""The Slack emulator's external file upload, driven by slack_sdk's real `files_upload_v2`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.emulators import SlackEmulator

TOKEN = "xoxb-test-token"


@pytest.fixture(scope="module")
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator() as server:
        yield server


@pytest.fixture
def client(emu: SlackEmulator) -> AsyncWebClient:
    emu.reset()
    return AsyncWebClient(token=TOKEN, base_url=emu.url)


def test_files_upload_v2_shares_the_bytes_in_a_thread(
    emu: SlackEmulator, client: AsyncWebClient
) -> None:
    async def go() -> tuple[str, dict[str, object]]:
        parent = await client.chat_postMessage(channel="C0001", text="digest")
        done = await client.files_upload_v2(
            channel="C0001",
            thread_ts=parent["ts"],
            file=b"\x89PNG-bytes",
            filename="a.png",
            title="Trend",
            initial_comment=None,
        )
        return str(parent["ts"]), done.data  # type: ignore[return-value]

    ts, answer = asyncio.run(go())
    [stored] = emu.uploaded_files()
    assert stored["content"] == b"\x89PNG-bytes" and stored["title"] == "Trend"
    assert answer["file"]["id"] == stored["id"] and stored["id"].startswith("F")  # type: ignore[index]
    reply = emu.thread("C0001", ts)[1]
    assert reply["files"][0]["name"] == "a.png" and reply["files"][0]["mimetype"] == "image/png"
    assert [c.method for c in emu.calls] == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


def test_the_upload_url_checks_the_announced_length(
    emu: SlackEmulator, client: AsyncWebClient
) -> None:
    reserved = asyncio.run(client.files_getUploadURLExternal(filename="x.png", length=10))
    answer = httpx.post(str(reserved["upload_url"]), content=b"short")
    assert answer.status_code == 400 and "announced 10, received 5" in answer.text
    with pytest.raises(SlackApiError, match="file_not_found"):  # never uploaded
        asyncio.run(
            client.files_completeUploadExternal(
                files=[{"id": reserved["file_id"]}], channel_id="C0001"
            )
        )
    multipart = httpx.post(str(reserved["upload_url"]), files={"file": ("x.png", b"0123456789")})
    assert multipart.status_code == 200 and multipart.text == "OK - 10"


def test_sharing_needs_membership_and_a_real_thread(
    emu: SlackEmulator, client: AsyncWebClient
) -> None:
    emu.add_channel("C0OUT", "outside", is_member=False)
    with pytest.raises(SlackApiError, match="not_in_channel"):
        asyncio.run(client.files_upload_v2(channel="C0OUT", file=b"x", filename="x.txt"))
    with pytest.raises(SlackApiError, match="message_not_found"):
        asyncio.run(
            client.files_upload_v2(
                channel="C0001", thread_ts="1.000001", file=b"x", filename="x.txt"
            )
        )
    with pytest.raises(SlackApiError, match="missing_argument"):
        asyncio.run(client.files_getUploadURLExternal(filename="x.png", length=0))
