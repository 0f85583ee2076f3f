"""Block Kit validation for the Slack emulator, with Slack's limits and error wording.

Each check yields ``"[ERROR] <problem> [json-pointer:<path>]"`` strings, the format Slack puts in
``response_metadata.messages`` of an ``invalid_blocks`` error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
BLOCK_TYPES = frozenset(
    {"section", "header", "divider", "context", "actions", "rich_text", "image", "input"}
)
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
# Interactive elements we know how to check; others are accepted if they carry a type.
ELEMENT_TYPES = frozenset(
    {
        "button",
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_users_select",
        "overflow",
        "datepicker",
        "timepicker",
        "checkboxes",
        "radio_buttons",
        "plain_text_input",
        "image",
    }
)


def _err(problem: str, path: str) -> str:
    return f"[ERROR] {problem} [json-pointer:{path}]"


def _text(obj: Any, path: str, max_len: int, *, plain_only: bool = False) -> Iterator[str]:
    """Check a composition text object (``{"type": "plain_text", "text": ...}``)."""
    if not isinstance(obj, dict):
        yield _err("must be an object", path)
        return
    allowed = {"plain_text"} if plain_only else TEXT_TYPES
    if obj.get("type") not in allowed:
        yield _err(f"must be one of {sorted(allowed)}", f"{path}/type")
    text = obj.get("text")
    if not isinstance(text, str):
        yield _err("must provide a string", f"{path}/text")
    elif len(text) == 0:
        yield _err("must be more than 0 characters", f"{path}/text")
    elif len(text) > max_len:
        yield _err(f"must be less than {max_len + 1} characters", f"{path}/text")


def _max_str(obj: dict[str, Any], key: str, max_len: int, path: str) -> Iterator[str]:
    value = obj.get(key)
    if value is None:
        return
    if not isinstance(value, str):
        yield _err("must provide a string", f"{path}/{key}")
    elif len(value) > max_len:
        yield _err(f"must be less than {max_len + 1} characters", f"{path}/{key}")


def _element(el: Any, path: str) -> Iterator[str]:
    """Check an interactive element (button, select, ...)."""
    if not isinstance(el, dict) or not isinstance(el.get("type"), str):
        yield _err("must provide an object with a type", path)
        return
    yield from _max_str(el, "action_id", 255, path)
    if el["type"] == "button":
        yield from _text(el.get("text"), f"{path}/text", 75, plain_only=True)
        yield from _max_str(el, "value", 2000, path)
        yield from _max_str(el, "url", 3000, path)
        if "style" in el and el["style"] not in ("primary", "danger"):
            yield _err("must be one of ['danger', 'primary']", f"{path}/style")
    elif el["type"] == "image":
        yield from _image(el, path)
    elif el["type"] not in ELEMENT_TYPES:
        yield _err(f"unsupported type: {el['type']}", f"{path}/type")


def _image(obj: dict[str, Any], path: str) -> Iterator[str]:
    if not obj.get("image_url") and not obj.get("slack_file"):
        yield _err("must provide image_url or slack_file", f"{path}/image_url")
    if not isinstance(obj.get("alt_text"), str):
        yield _err("must provide a string", f"{path}/alt_text")
    else:
        yield from _max_str(obj, "alt_text", 2000, path)


def _section(b: dict[str, Any], path: str) -> Iterator[str]:
    if "text" not in b and "fields" not in b:
        yield _err("must provide text or fields", path)
    if "text" in b:
        yield from _text(b["text"], f"{path}/text", 3000)
    if "fields" in b:
        fields = b["fields"]
        if not isinstance(fields, list) or not fields:
            yield _err("must provide a non-empty array", f"{path}/fields")
            return
        if len(fields) > 10:
            yield _err("no more than 10 items allowed", f"{path}/fields")
        for i, f in enumerate(fields):
            yield from _text(f, f"{path}/fields/{i}", 2000)
    if "accessory" in b:
        yield from _element(b["accessory"], f"{path}/accessory")


def _elements(b: dict[str, Any], path: str, max_items: int) -> list[Any] | str:
    els = b.get("elements")
    if not isinstance(els, list) or not els:
        return _err("must provide a non-empty array", f"{path}/elements")
    if len(els) > max_items:
        return _err(f"no more than {max_items} items allowed", f"{path}/elements")
    return els


def _actions(b: dict[str, Any], path: str) -> Iterator[str]:
    els = _elements(b, path, 25)
    if isinstance(els, str):
        yield els
        return
    seen: set[str] = set()
    for i, el in enumerate(els):
        yield from _element(el, f"{path}/elements/{i}")
        aid = el.get("action_id") if isinstance(el, dict) else None
        if isinstance(aid, str):
            if aid in seen:
                yield _err(f"duplicate action_id: {aid}", f"{path}/elements/{i}/action_id")
            seen.add(aid)


def _context(b: dict[str, Any], path: str) -> Iterator[str]:
    els = _elements(b, path, 10)
    if isinstance(els, str):
        yield els
        return
    for i, el in enumerate(els):
        p = f"{path}/elements/{i}"
        if isinstance(el, dict) and el.get("type") == "image":
            yield from _image(el, p)
        else:
            yield from _text(el, p, 3000)


def _block(b: Any, path: str) -> Iterator[str]:
    if not isinstance(b, dict):
        yield _err("must be an object", path)
        return
    btype = b.get("type")
    if btype not in BLOCK_TYPES:
        yield _err(f"unsupported type: {btype}", f"{path}/type")
        return
    yield from _max_str(b, "block_id", 255, path)
    if btype == "header":
        yield from _text(b.get("text"), f"{path}/text", 150, plain_only=True)
    elif btype == "section":
        yield from _section(b, path)
    elif btype == "actions":
        yield from _actions(b, path)
    elif btype == "context":
        yield from _context(b, path)
    elif btype == "image":
        yield from _image(b, path)
        if "title" in b:
            yield from _text(b["title"], f"{path}/title", 2000, plain_only=True)
    elif btype == "rich_text":
        if not isinstance(b.get("elements"), list):
            yield _err("must provide an array", f"{path}/elements")
    elif btype == "input":
        yield from _input(b, path)


def _input(b: dict[str, Any], path: str) -> Iterator[str]:
    yield from _text(b.get("label"), f"{path}/label", 2000, plain_only=True)
    if "element" not in b:
        yield _err("must provide an object", f"{path}/element")
    else:
        yield from _element(b["element"], f"{path}/element")


def validate_blocks(blocks: Any, *, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """Return Slack-style error messages for ``blocks`` (empty list = valid)."""
    if not isinstance(blocks, list):
        return [_err("must provide an array", "/blocks")]
    if len(blocks) > max_blocks:
        return [_err(f"no more than {max_blocks} items allowed", "/blocks")]
    errors: list[str] = []
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        errors.extend(_block(block, f"/blocks/{i}"))
        bid = block.get("block_id") if isinstance(block, dict) else None
        if isinstance(bid, str):
            if bid in seen_ids:
                errors.append(_err(f"duplicate block_id: {bid}", f"/blocks/{i}/block_id"))
            seen_ids.add(bid)
    return errors


def validate_view(view: Any) -> list[str]:
    """Return Slack-style error messages for a modal or Home tab ``view`` object."""
    if not isinstance(view, dict):
        return [_err("must provide an object", "/view")]
    errors: list[str] = []
    vtype = view.get("type")
    if vtype not in ("modal", "home"):
        errors.append(_err("must be one of ['home', 'modal']", "/view/type"))
    if vtype == "modal":
        errors.extend(_text(view.get("title"), "/view/title", 24, plain_only=True))
        for key in ("submit", "close"):
            if key in view:
                errors.extend(_text(view[key], f"/view/{key}", 24, plain_only=True))
    errors.extend(_max_str(view, "callback_id", 255, "/view"))
    errors.extend(_max_str(view, "private_metadata", 3000, "/view"))
    errors.extend(_max_str(view, "external_id", 255, "/view"))
    block_errors = validate_blocks(view.get("blocks"), max_blocks=MAX_VIEW_BLOCKS)
    errors.extend(
        e.replace("[json-pointer:/blocks", "[json-pointer:/view/blocks") for e in block_errors
    )
    return errors
