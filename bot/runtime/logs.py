"""Logging set-up: one readable format, and no token ever reaches a log line."""

from __future__ import annotations

import logging
import re

# Slack (xoxb-, xoxp-, xapp-, xwfp-...), GitHub (ghp_, gho_, github_pat_), Linear (lin_api_).
TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?P<kind>xox[abposr]-|xapp-|xwfp-|gh[pousr]_|github_pat_|lin_api_)"
    r"(?P<secret>[A-Za-z0-9_-]{8,})"
)
_FORMATTER = logging.Formatter()


def redact_tokens(text: str) -> str:
    """Replace anything shaped like a known token with its kind and `***` (`xoxb-***`)."""
    return TOKEN.sub(lambda m: m.group("kind") + "***", text)


class RedactTokens(logging.Filter):
    """A filter for handlers: rewrites records that contain a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad format arguments: logging must not raise, nor leak the args
            message = f"{record.msg} (arguments did not fit: {record.args!r})"
            record.msg, record.args = message, None
        clean = redact_tokens(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            # Tracebacks are formatted after filters run; format (and redact) them here.
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_tokens(record.stack_info)
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
