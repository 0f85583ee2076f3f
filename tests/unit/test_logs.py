"""No token ever reaches a log line: `redact_tokens` and the `RedactTokens` handler filter."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.runtime.logs import RedactTokens, configure_logging, redact_tokens

TOKENS = {
    "slack bot": "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
    "slack user": "xoxp-1234567890-0987654321-AbCdEfGhIjKlMnOp",
    "slack app": "xapp-1-A0123456789-1234567890123-abcdef0123456789",
    "workflow": "xwfp-1234-abcdefABCDEF",
    "github classic": "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
    "github app": "ghs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
    "github fine-grained": "github_pat_11AAAAAAA0aBcDeFgHiJkL_mNoPqRsTuVwXyZ0123456789",
    "linear": "lin_api_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
}
SECRET_PART = {name: token[8:] for name, token in TOKENS.items()}


@pytest.mark.parametrize("name", list(TOKENS))
def test_redact_tokens_hides_each_kind(name):
    token = TOKENS[name]
    text = f"calling api with {token}, then done"
    clean = redact_tokens(text)
    assert token not in clean
    assert SECRET_PART[name] not in clean
    assert clean.startswith("calling api with ") and clean.endswith(", then done")
    assert "***" in clean


@pytest.mark.parametrize("name", list(TOKENS))
def test_redaction_keeps_only_the_kind_of_token(name):
    clean = redact_tokens(f"t={TOKENS[name]}")
    kept = clean.removeprefix("t=").removesuffix("***")
    assert TOKENS[name].startswith(kept) and kept.endswith(("-", "_"))


def test_redact_tokens_in_urls_headers_and_json():
    bot, gh = TOKENS["slack bot"], TOKENS["github classic"]
    text = f'Authorization: Bearer {bot} {{"token": "{gh}"}} url=https://x/?t={bot}'
    clean = redact_tokens(text)
    assert bot not in clean and gh not in clean
    assert clean.count("***") == 3


def test_redact_tokens_leaves_ordinary_text_alone():
    text = "analysed 120 files in contexten/agents; xoxb is a prefix; ghp_short; lin_api_"
    assert redact_tokens(text) == text


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    log = logging.getLogger("tests.unit.test_logs")
    log.handlers, log.propagate, log.level = [handler], False, logging.DEBUG
    yield log, stream
    log.handlers, log.propagate, log.level = [], True, logging.NOTSET


@pytest.mark.parametrize("name", list(TOKENS))
def test_token_as_argument_never_shows(logger, name):
    log, stream = logger
    token = TOKENS[name]
    log.info("token %s for %s", token, "alice")
    out = stream.getvalue()
    assert token not in out and SECRET_PART[name] not in out
    assert "INFO tests.unit.test_logs: token " in out and "for alice" in out


def test_token_in_message_dict_args_and_fstring(logger):
    log, stream = logger
    bot, app = TOKENS["slack bot"], TOKENS["slack app"]
    log.warning(f"config: {bot}")
    log.warning("%(tok)s and %(n)d", {"tok": app, "n": 3})
    log.error("nested %r", {"headers": {"Authorization": f"Bearer {bot}"}})
    out = stream.getvalue()
    assert bot not in out and app not in out
    assert "and 3" in out


def test_plain_messages_pass_through_unchanged(logger):
    log, stream = logger
    log.info("run %s finished in %.1f s", "brave-fox", 2.345)
    assert stream.getvalue() == "INFO tests.unit.test_logs: run brave-fox finished in 2.3 s\n"


def test_token_in_exception_traceback_never_shows(logger):
    log, stream = logger
    token = TOKENS["slack bot"]
    try:
        raise ValueError(f"invalid_auth for {token}")
    except ValueError:
        log.exception("Slack call failed")
    out = stream.getvalue()
    assert "Slack call failed" in out and "ValueError: invalid_auth for " in out
    assert token not in out


def test_bad_format_arguments_do_not_raise_nor_leak(logger):
    log, stream = logger
    token = TOKENS["github classic"]
    log.info("%d items for %s", "many", token)  # a programming error must not crash the bot
    out = stream.getvalue()
    assert token not in out
    assert "items for" in out


def test_configure_logging_installs_the_filter(monkeypatch):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    noisy = {name: logging.getLogger(name).level for name in ("slack_sdk", "slack_bolt", "httpx")}
    noisy["aiohttp.access"] = logging.getLogger("aiohttp.access").level
    try:
        configure_logging("debug")
        (handler,) = root.handlers
        assert any(isinstance(f, RedactTokens) for f in handler.filters)
        assert root.level == logging.DEBUG
        assert logging.getLogger("slack_sdk").level >= logging.WARNING
        stream = io.StringIO()
        monkeypatch.setattr(handler, "stream", stream)
        logging.getLogger("cicd.test").info("using %s", TOKENS["linear"])
        assert "using lin_api_***" in stream.getvalue()
        assert TOKENS["linear"] not in stream.getvalue()
        configure_logging("nonsense")
        assert root.level == logging.INFO
    finally:
        root.handlers, root.level = saved
        for name, level in noisy.items():
            logging.getLogger(name).setLevel(level)
