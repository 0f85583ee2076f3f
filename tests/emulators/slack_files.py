"""External file uploads, as ``files_upload_v2`` makes them: three steps.

1. ``files.getUploadURLExternal`` (filename, length): a file id ``F…`` and an upload URL on
   this emulator;
2. ``POST`` of the bytes (raw, or the first part of a multipart body) to that URL: answered
   ``OK - <length>`` in plain text, or 400 when the size differs from the announced length;
3. ``files.completeUploadExternal`` (files ``[{id, title}]``, ``channel_id``, ``thread_ts``,
   ``initial_comment``): checks each id was uploaded and not completed yet, shares the files in
   the channel (or thread) as a bot message with ``files``, and answers ``{ok, files}``.

The bytes stay on the workspace (``Workspace.files[id]["content"]``) for tests to inspect.
"""

from __future__ import annotations

import copy
import json
import mimetypes
import time
from typing import Any

from tests.emulators.slack_workspace import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    ApiError,
    Workspace,
)

Params = dict[str, Any]
MAX_BYTES = 1024 * 1024 * 1024
UPLOAD_PREFIX = "/upload/v1/"


def _length(p: Params) -> int:
    raw = p.get("length")
    if raw in (None, ""):
        raise ApiError("invalid_arguments", ["[ERROR] missing required field: length"])
    try:
        length = int(raw)
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments", ["[ERROR] length must be an integer"]) from None
    if length <= 0:
        raise ApiError("missing_argument")
    if length > MAX_BYTES:
        raise ApiError("file_upload_size_restricted")
    return length


def get_upload_url_external(ws: Workspace, p: Params) -> dict[str, Any]:
    """files.getUploadURLExternal: reserve a file id and hand out where to POST the bytes."""
    if not p.get("filename"):
        raise ApiError("invalid_arguments", ["[ERROR] missing required field: filename"])
    alt = p.get("alt_txt")
    if isinstance(alt, str) and len(alt) > 1000:
        raise ApiError("alt_txt_too_large")
    length = _length(p)
    file_id = ws.next_id("F")
    ws.files[file_id] = {
        "id": file_id,
        "name": str(p["filename"]),
        "length": length,
        "alt_txt": alt,
        "content": None,  # the bytes, once uploaded
        "completed": False,
    }
    return {"ok": True, "upload_url": f"{ws.base_url}{UPLOAD_PREFIX}{file_id}", "file_id": file_id}


def receive_upload(ws: Workspace, file_id: str, data: bytes) -> tuple[int, str]:
    """Step 2: the bytes of a reserved file; (HTTP status, plain-text answer)."""
    entry = ws.files.get(file_id)
    if entry is None or entry["completed"]:
        return 404, "file_not_found"
    if len(data) != entry["length"]:
        return 400, f"length mismatch: announced {entry['length']}, received {len(data)}"
    entry["content"] = bytes(data)
    return 200, f"OK - {len(data)}"


def _file_list(p: Params) -> list[dict[str, Any]]:
    files = p.get("files")
    if files in (None, ""):
        raise ApiError("invalid_arguments", ["[ERROR] missing required field: files"])
    if isinstance(files, str):
        try:
            files = json.loads(files)
        except ValueError:
            raise ApiError("invalid_arguments", ["[ERROR] files must be a JSON array"]) from None
    if not isinstance(files, list) or not files or not all(isinstance(f, dict) for f in files):
        raise ApiError("invalid_arguments", ["[ERROR] files must be a JSON array of objects"])
    return files


def complete_upload_external(ws: Workspace, p: Params) -> dict[str, Any]:
    """files.completeUploadExternal: finish the uploads and share them where asked."""
    wanted = _file_list(p)
    entries = []
    for item in wanted:
        entry = ws.files.get(str(item.get("id", "")))
        if entry is None or entry["completed"] or entry["content"] is None:
            raise ApiError("file_not_found")
        entries.append((entry, item))
    channel = None
    if p.get("channel_id"):
        channel = ws.channel(str(p["channel_id"]))
        if channel.is_archived:
            raise ApiError("is_archived")
        if not channel.is_member:
            raise ApiError("not_in_channel")
    elif p.get("channels"):
        raise ApiError("invalid_arguments", ["[ERROR] the emulator shares to channel_id only"])
    thread_ts = str(p["thread_ts"]) if p.get("thread_ts") else None
    if thread_ts and channel is None:
        raise ApiError("invalid_arguments", ["[ERROR] thread_ts needs channel_id"])
    if thread_ts and channel is not None:
        ws.find_message(channel.id, thread_ts)  # message_not_found otherwise
        thread_ts = ws.root_ts(channel.id, thread_ts)
    now = int(time.time())
    for entry, item in entries:
        entry.update(
            completed=True,
            title=str(item.get("title") or entry["name"]),
            created=now,
            channel=channel.id if channel else None,
            thread_ts=thread_ts,
            initial_comment=p.get("initial_comment"),
        )
    shown = [file_shape(entry) for entry, _ in entries]
    if channel is not None:
        _share(ws, channel.id, thread_ts, shown, p.get("initial_comment"))
    return {"ok": True, "files": copy.deepcopy(shown)}


def _share(
    ws: Workspace,
    channel_id: str,
    thread_ts: str | None,
    files: list[dict[str, Any]],
    comment: Any,  # a form value: text or nothing
) -> None:
    ts = ws.clock()
    msg: dict[str, Any] = {
        "type": "message",
        "subtype": "file_share",
        "text": str(comment or ""),
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "ts": ts,
        "files": copy.deepcopy(files),
        "upload": True,
    }
    if thread_ts:
        msg["thread_ts"] = thread_ts
    ws.add_message(channel_id, msg)
    for entry in files:
        shares = ws.files[entry["id"]].setdefault("shares", [])
        shares.append({"channel": channel_id, "ts": ts, "thread_ts": thread_ts})


def file_shape(entry: dict[str, Any]) -> dict[str, Any]:
    """A ``file`` object as the API returns it (the bytes left out)."""
    name = entry["name"]
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
    base = f"https://files.slack.com/files-pri/{TEAM_ID}-{entry['id']}"
    return {
        "id": entry["id"],
        "created": entry.get("created", 0),
        "timestamp": entry.get("created", 0),
        "name": name,
        "title": entry.get("title", name),
        "mimetype": mimetype,
        "filetype": filetype,
        "pretty_type": filetype.upper(),
        "user": BOT_USER_ID,
        "user_team": TEAM_ID,
        "size": entry["length"],
        "mode": "hosted",
        "is_external": False,
        "is_public": True,
        "alt_txt": entry.get("alt_txt"),
        "url_private": f"{base}/{name}",
        "url_private_download": f"{base}/download/{name}",
        "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{entry['id']}/{name}",
        "channels": [entry["channel"]] if entry.get("channel") else [],
    }


FILE_METHODS = {
    "files.getUploadURLExternal": get_upload_url_external,
    "files.completeUploadExternal": complete_upload_external,
}
