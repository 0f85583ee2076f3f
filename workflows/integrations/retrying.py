"""Retries shared by every integration: exponential backoff with jitter, or the service's own wait.

Each client turns its library's exceptions into an `IntegrationError` that says whether the
call may succeed if tried again (5xx, timeouts, connection errors, rate limits) and, for rate
limits, how long the service asked us to wait. `call_with_retries` does the rest.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

log = logging.getLogger(__name__)


class IntegrationError(Exception):
    """A failure talking to GitHub, Linear or Codegen, with a message fit for Slack."""

    def __init__(
        self,
        service: str,
        message: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


class IntegrationAuthError(IntegrationError):
    """The credentials were refused: retrying cannot help, the user must fix a setting."""

    def __init__(self, service: str, setting: str, detail: str = "") -> None:
        why = f" ({detail})" if detail else ""
        super().__init__(service, f"the token in {setting} was refused{why}; check {setting}")
        self.setting = setting


class IntegrationNotConfigured(IntegrationError):
    """A setting the integration needs is missing."""

    def __init__(self, service: str, setting: str) -> None:
        super().__init__(service, f"{setting} is not set")
        self.setting = setting


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a call that may succeed later."""

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    jitter: float = 0.25
    # A service asking us to wait longer than this is treated as a failure, not a wait.
    max_wait: float = 900.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """The delay before try `attempt + 1`: base * 2^(attempt-1), capped, +/- jitter."""
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        spread = delay * self.jitter
        return max(0.0, delay + (rng or random).uniform(-spread, spread))


DEFAULT_POLICY = RetryPolicy()


def call_with_retries[T](
    call: Callable[[], T],
    *,
    classify: Callable[[Exception], IntegrationError],
    what: str,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`; retry what `classify` calls retryable; raise an `IntegrationError` otherwise.

    `what` names the operation in log lines ("create pull request"); it must hold no secret.
    """
    for attempt in range(1, policy.attempts + 1):
        try:
            return call()
        except Exception as exc:
            error = exc if isinstance(exc, IntegrationError) else classify(exc)
            if not error.retryable or attempt == policy.attempts:
                if error is exc:
                    raise
                raise error from exc
            if error.retry_after is not None and error.retry_after > policy.max_wait:
                raise IntegrationError(
                    error.service,
                    f"{what}: rate limited for {error.retry_after:.0f} s, longer than we wait",
                    status=error.status,
                ) from exc
            delay = error.retry_after if error.retry_after is not None else policy.backoff(attempt)
            log.warning(
                "%s: %s failed (%s); try %d of %d in %.1f s",
                error.service,
                what,
                error.message,
                attempt + 1,
                policy.attempts,
                delay,
            )
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def policy_from_config(attempts: int, base_seconds: float) -> RetryPolicy:
    """The policy `OrchestrationConfig.integration_retry_*` describe."""
    return RetryPolicy(attempts=attempts, base_delay=base_seconds)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date); None when absent or bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
