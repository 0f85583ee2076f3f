"""Web API method implementations of the Slack emulator.

Each handler takes the :class:`Workspace` and the decoded params and returns the ``ok`` body, or
raises :class:`ApiError` for a logical error (HTTP 200, ``{"ok": false, "error": ...}``).
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Callable
from typing import Any

from tests.emulators.slack_blocks import validate_blocks, validate_view
from tests.emulators.slack_files import FILE_METHODS
from tests.emulators.slack_workspace import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    BOT_USER_NAME,
    TEAM_DOMAIN,
    TEAM_ID,
    TEAM_NAME,
    ApiError,
    Channel,
    Workspace,
)

Params = dict[str, Any]
Handler = Callable[[Workspace, Params], dict[str, Any]]

MAX_TEXT = 40_000
TRIGGER_RE = re.compile(r"^\d+\.\d+\.[0-9A-Za-z]+$")
EMOJI_RE = re.compile(r"^[a-z0-9_+'-]+(::skin-tone-[2-6])?$")


def _require(p: Params, *names: str) -> None:
    missing = [n for n in names if p.get(n) in (None, "")]
    if missing:
        raise ApiError("invalid_arguments", [f"[ERROR] missing required field: {missing[0]}"])


def _content(p: Params, *, require: bool = True) -> None:
    """Check text/blocks/attachments the way chat.* methods do."""
    text, blocks, attachments = p.get("text"), p.get("blocks"), p.get("attachments")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise ApiError("invalid_blocks_format")
        errors = validate_blocks(blocks)
        if errors:
            raise ApiError("invalid_blocks", errors)
    if attachments is not None and not isinstance(attachments, list):
        raise ApiError("invalid_attachments")
    if require and not text and not blocks and not attachments:
        raise ApiError("no_text")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        raise ApiError("msg_too_long")


def _writable(ch: Channel) -> Channel:
    if ch.is_archived:
        raise ApiError("is_archived")
    if not ch.is_member:
        raise ApiError("not_in_channel")
    return ch


def _bot_message(ts: str, p: Params) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "type": "message",
        "text": p.get("text") or "",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
        "ts": ts,
        "bot_profile": {"id": BOT_ID, "app_id": APP_ID, "name": BOT_USER_NAME, "team_id": TEAM_ID},
    }
    for key in ("blocks", "attachments", "metadata"):
        if p.get(key) is not None:
            msg[key] = p[key]
    return msg


def auth_test(ws: Workspace, p: Params) -> dict[str, Any]:
    """auth.test: who the token belongs to (always the bot)."""
    return {
        "ok": True,
        "url": f"https://{TEAM_DOMAIN}.slack.com/",
        "team": TEAM_NAME,
        "user": BOT_USER_NAME,
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def chat_post_message(ws: Workspace, p: Params) -> dict[str, Any]:
    """chat.postMessage: accepts ids, ``#names`` and user ids (opens the DM)."""
    ch = _writable(ws.channel(p.get("channel"), by_name=True, open_dm=True))
    _content(p)
    msg = _bot_message(ws.clock(), p)
    if p.get("thread_ts"):
        msg["thread_ts"] = ws.root_ts(ch.id, str(p["thread_ts"]))
        if str(p.get("reply_broadcast")).lower() in ("true", "1"):
            msg["subtype"] = "thread_broadcast"
    ws.add_message(ch.id, msg)
    return {"ok": True, "channel": ch.id, "ts": msg["ts"], "message": copy.deepcopy(msg)}


def chat_update(ws: Workspace, p: Params) -> dict[str, Any]:
    """chat.update: replace text/blocks of one of the bot's messages."""
    ch = ws.channel(p.get("channel"))
    msg = ws.find_message(ch.id, p.get("ts"))
    if msg.get("user") != BOT_USER_ID:
        raise ApiError("cant_update_message")
    _content(p)
    # As documented: text without blocks removes the old blocks; blocks alone keep the old text.
    if p.get("text") is not None and p.get("blocks") is None:
        msg.pop("blocks", None)
    for key in ("text", "blocks", "attachments", "metadata"):
        if p.get(key) is not None:
            msg[key] = p[key]
    if not msg.get("blocks"):
        msg["edited"] = {"user": BOT_USER_ID, "ts": ws.clock()}
    return {
        "ok": True,
        "channel": ch.id,
        "ts": msg["ts"],
        "text": msg["text"],
        "message": copy.deepcopy(msg),
    }


def chat_post_ephemeral(ws: Workspace, p: Params) -> dict[str, Any]:
    """chat.postEphemeral: only ``user`` sees it; stored apart from channel messages."""
    ch = _writable(ws.channel(p.get("channel"), by_name=True))
    if p.get("user") not in ws.users:
        raise ApiError("user_not_in_channel")
    _content(p)
    msg = _bot_message(ws.clock(), p)
    msg["ephemeral_for"] = p["user"]
    if p.get("thread_ts"):
        msg["thread_ts"] = str(p["thread_ts"])
    ws.ephemerals.setdefault(ch.id, []).append(msg)
    return {"ok": True, "message_ts": msg["ts"]}


def chat_get_permalink(ws: Workspace, p: Params) -> dict[str, Any]:
    """chat.getPermalink: ``https://<domain>.slack.com/archives/<C>/p<ts>[?thread_ts=..]``."""
    ch = ws.channel(p.get("channel"))
    msg = ws.find_message(ch.id, p.get("message_ts"))
    link = f"https://{TEAM_DOMAIN}.slack.com/archives/{ch.id}/p{msg['ts'].replace('.', '')}"
    if msg.get("thread_ts") and msg["thread_ts"] != msg["ts"]:
        link += f"?thread_ts={msg['thread_ts']}&cid={ch.id}"
    return {"ok": True, "channel": ch.id, "permalink": link}


def chat_delete(ws: Workspace, p: Params) -> dict[str, Any]:
    """chat.delete: remove one of the bot's messages."""
    ch = ws.channel(p.get("channel"))
    msg = ws.find_message(ch.id, p.get("ts"))
    if msg.get("user") != BOT_USER_ID:
        raise ApiError("cant_delete_message")
    ws.messages[ch.id].remove(msg)
    return {"ok": True, "channel": ch.id, "ts": msg["ts"]}


def conversations_info(ws: Workspace, p: Params) -> dict[str, Any]:
    """conversations.info."""
    return {"ok": True, "channel": ws.channel(p.get("channel")).to_api()}


def conversations_replies(ws: Workspace, p: Params) -> dict[str, Any]:
    """conversations.replies: parent first, then replies (``limit`` honoured)."""
    ch = ws.channel(p.get("channel"))
    thread = ws.thread(ch.id, str(p.get("ts") or ""))
    if not thread:
        raise ApiError("thread_not_found")
    limit = int(p.get("limit") or 1000)
    return {
        "ok": True,
        "messages": copy.deepcopy(thread[:limit]),
        "has_more": len(thread) > limit,
        "response_metadata": {"next_cursor": ""},
    }


def users_info(ws: Workspace, p: Params) -> dict[str, Any]:
    """users.info."""
    user = ws.users.get(p.get("user") or "")
    if user is None:
        raise ApiError("user_not_found")
    return {"ok": True, "user": user.to_api()}


def usergroups_users_list(ws: Workspace, p: Params) -> dict[str, Any]:
    """usergroups.users.list."""
    group = ws.usergroups.get(p.get("usergroup") or "")
    if group is None:
        raise ApiError("no_such_subteam")
    return {"ok": True, "users": list(group["users"])}


def reactions_add(ws: Workspace, p: Params) -> dict[str, Any]:
    """reactions.add: the name is given without colons."""
    if not p.get("channel") or not p.get("timestamp"):
        raise ApiError("no_item_specified")
    name = p.get("name")
    if not isinstance(name, str) or not EMOJI_RE.match(name):
        raise ApiError("invalid_name")
    ch = ws.channel(p["channel"])
    msg = ws.find_message(ch.id, p["timestamp"])
    reactions = msg.setdefault("reactions", [])
    for r in reactions:
        if r["name"] == name:
            if BOT_USER_ID in r["users"]:
                raise ApiError("already_reacted")
            r["users"].append(BOT_USER_ID)
            r["count"] += 1
            break
    else:
        reactions.append({"name": name, "users": [BOT_USER_ID], "count": 1})
    return {"ok": True}


def _check_view(view: Any) -> dict[str, Any]:
    errors = validate_view(view)
    if errors:
        raise ApiError("invalid_arguments", errors)
    return view


def _store_view(ws: Workspace, view: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    ext = view.get("external_id") or ""
    if ext and any(v.get("external_id") == ext and v is not old for v in ws.views.values()):
        raise ApiError("duplicate_external_id")
    view_id = old["id"] if old else ws.next_id("V")
    stored = {
        "id": view_id,
        "team_id": TEAM_ID,
        "type": view["type"],
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": f"{ws.clock()}.{secrets.token_hex(4)}",
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "previous_view_id": None,
        "root_view_id": old["root_view_id"] if old else view_id,
        "app_id": APP_ID,
        "external_id": ext,
        "app_installed_team_id": TEAM_ID,
        "bot_id": BOT_ID,
    }
    for key in ("title", "submit", "close"):
        if key in view:
            stored[key] = view[key]
    ws.views[view_id] = stored
    return copy.deepcopy(stored)


def views_open(ws: Workspace, p: Params) -> dict[str, Any]:
    """views.open: trigger ids must look like Slack's and can be exchanged only once."""
    trigger = p.get("trigger_id") or p.get("interactivity_pointer")
    if not trigger:
        raise ApiError("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
    if not TRIGGER_RE.match(str(trigger)):
        raise ApiError("invalid_trigger_id")
    if trigger in ws.used_triggers:
        raise ApiError("exchanged_trigger_id")
    _require(p, "view")
    view = _check_view(p["view"])
    ws.used_triggers.add(str(trigger))
    return {"ok": True, "view": _store_view(ws, view, None)}


def views_update(ws: Workspace, p: Params) -> dict[str, Any]:
    """views.update by ``view_id`` or ``external_id``; a stale ``hash`` → hash_conflict."""
    if not p.get("view_id") and not p.get("external_id"):
        raise ApiError("invalid_arguments", ["[ERROR] missing required field: view_id"])
    _require(p, "view")
    if p.get("view_id"):
        old = ws.views.get(p["view_id"])
    else:
        old = next((v for v in ws.views.values() if v["external_id"] == p["external_id"]), None)
    if old is None:
        raise ApiError("not_found")
    if p.get("hash") and p["hash"] != old["hash"]:
        raise ApiError("hash_conflict")
    return {"ok": True, "view": _store_view(ws, _check_view(p["view"]), old)}


def views_publish(ws: Workspace, p: Params) -> dict[str, Any]:
    """views.publish: a ``home`` view for one user."""
    _require(p, "user_id", "view")
    if p["user_id"] not in ws.users:
        raise ApiError("invalid_arguments", ["[ERROR] invalid user_id"])
    view = _check_view(p["view"])
    if view.get("type") != "home":
        raise ApiError("invalid_arguments", ["[ERROR] must be home [json-pointer:/view/type]"])
    old = ws.views.get(ws.home_views.get(p["user_id"], ""))
    if old and p.get("hash") and p["hash"] != old["hash"]:
        raise ApiError("hash_conflict")
    stored = _store_view(ws, view, old)
    ws.home_views[p["user_id"]] = stored["id"]
    return {"ok": True, "view": stored}


def _complete(ws: Workspace, p: Params, result: dict[str, Any]) -> dict[str, Any]:
    fx = str(p["function_execution_id"])
    if fx in ws.completed_functions:
        raise ApiError("execution_not_in_running_state")
    ws.completed_functions[fx] = result
    return {"ok": True}


def functions_complete_success(ws: Workspace, p: Params) -> dict[str, Any]:
    """functions.completeSuccess: ``outputs`` must be an object; completes once."""
    _require(p, "function_execution_id")
    if not isinstance(p.get("outputs"), dict):
        raise ApiError("invalid_arguments", ["[ERROR] missing required field: outputs"])
    return _complete(ws, p, {"outputs": p["outputs"]})


def functions_complete_error(ws: Workspace, p: Params) -> dict[str, Any]:
    """functions.completeError."""
    _require(p, "function_execution_id", "error")
    return _complete(ws, p, {"error": p["error"]})


METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.getPermalink": chat_get_permalink,
    "chat.delete": chat_delete,
    "conversations.info": conversations_info,
    "conversations.replies": conversations_replies,
    "users.info": users_info,
    "usergroups.users.list": usergroups_users_list,
    "reactions.add": reactions_add,
    "views.open": views_open,
    "views.update": views_update,
    "views.publish": views_publish,
    "functions.completeSuccess": functions_complete_success,
    "functions.completeError": functions_complete_error,
    **FILE_METHODS,
}
