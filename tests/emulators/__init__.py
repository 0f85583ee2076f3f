"""Local emulators of external services (Slack, ...) for tests and benchmarks."""

from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import AsyncSlackDriver, SlackDriver, sign
from tests.emulators.slack_http import RecordedCall, RecordedResponse

__all__ = [
    "AsyncSlackDriver",
    "RecordedCall",
    "RecordedResponse",
    "SlackDriver",
    "SlackEmulator",
    "sign",
]
