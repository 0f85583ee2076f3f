"""Logging set-up: one readable format, and no token ever reaches a log line."""

from __future__ import annotations

import logging
import re

# Slack (xoxb-, xoxp-, xapp-, xwfp-...), GitHub (ghp_, gho_, github_pat_), Linear (lin_api_).
TOKEN = re.compile(
    r"\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|xwfp-[A-Za-z0-9-]+"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|lin_api_[A-Za-z0-9]{20,})"
)


def redact_tokens(text: str) -> str:
    """Replace anything shaped like a known token with its first characters and `***`."""
    return TOKEN.sub(lambda m: m.group(0)[:5] + "***", text)


class RedactTokens(logging.Filter):
    """A filter for handlers: rewrites records that contain a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_tokens(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def configure_logging(level: str = "INFO") -> None:
    """Root logging to stderr with token redaction; chatty libraries kept at WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    for noisy in ("slack_sdk", "slack_bolt", "httpx", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
