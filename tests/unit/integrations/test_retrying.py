"""The shared retry rules: backoff, jitter, the service's own wait, and what is never retried."""

from __future__ import annotations

import random

import pytest

from workflows.integrations.retrying import (
    IntegrationAuthError,
    IntegrationError,
    IntegrationNotConfigured,
    RetryPolicy,
    call_with_retries,
    policy_from_config,
)


class Flaky:
    """A call that raises the given errors in turn, then returns ``"done"``."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def retryable(retry_after: float | None = None) -> IntegrationError:
    return IntegrationError("GitHub", "502", retryable=True, retry_after=retry_after, status=502)


def run(call: Flaky, policy: RetryPolicy, sleeps: list[float]) -> str:
    return call_with_retries(
        call,
        classify=lambda exc: IntegrationError("GitHub", f"wrapped {exc}"),
        what="test call",
        policy=policy,
        sleep=sleeps.append,
    )


def test_backoff_doubles_from_the_base_delay() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=100, jitter=0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_backoff_is_capped_at_max_delay() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=5, jitter=0)
    assert [policy.backoff(n) for n in (3, 4, 10, 50)] == [4.0, 5.0, 5.0, 5.0]


def test_jitter_stays_within_its_bounds_and_varies() -> None:
    policy = RetryPolicy(base_delay=2, max_delay=60, jitter=0.25)
    rng = random.Random(7)
    samples = [policy.backoff(3, rng) for _ in range(500)]  # nominal 8 s
    assert all(6.0 <= s <= 10.0 for s in samples)
    assert min(samples) < 6.5 and max(samples) > 9.5  # the whole band is used
    capped = [
        RetryPolicy(base_delay=1, max_delay=3, jitter=0.5).backoff(9, rng) for _ in range(200)
    ]
    assert all(1.5 <= s <= 4.5 for s in capped)


def test_backoff_is_never_negative() -> None:
    policy = RetryPolicy(base_delay=1, jitter=2.0)
    assert all(policy.backoff(1, random.Random(seed)) >= 0 for seed in range(200))


def test_retryable_errors_are_retried_with_growing_backoff() -> None:
    sleeps: list[float] = []
    call = Flaky(retryable(), retryable(), retryable())
    policy = RetryPolicy(attempts=5, base_delay=0.1, jitter=0)
    assert run(call, policy, sleeps) == "done"
    assert call.calls == 4
    assert sleeps == pytest.approx([0.1, 0.2, 0.4])


def test_the_services_wait_replaces_backoff() -> None:
    sleeps: list[float] = []
    call = Flaky(retryable(retry_after=7.5), retryable())
    assert run(call, RetryPolicy(attempts=3, base_delay=0.1, jitter=0), sleeps) == "done"
    assert sleeps == pytest.approx([7.5, 0.2])


def test_a_zero_wait_is_honoured_not_replaced_by_backoff() -> None:
    sleeps: list[float] = []
    run(Flaky(retryable(retry_after=0.0)), RetryPolicy(base_delay=3, jitter=0), sleeps)
    assert sleeps == [0.0]


@pytest.mark.parametrize(
    "error",
    [
        IntegrationError("GitHub", "404 not found", status=404),
        IntegrationAuthError("GitHub", "GITHUB_TOKEN"),
        IntegrationNotConfigured("GitHub", "GITHUB_REPOSITORY"),
    ],
)
def test_non_retryable_errors_are_raised_after_one_call(error: IntegrationError) -> None:
    sleeps: list[float] = []
    call = Flaky(error)
    with pytest.raises(IntegrationError) as raised:
        run(call, RetryPolicy(attempts=5), sleeps)
    assert raised.value is error
    assert call.calls == 1 and sleeps == []


def test_other_exceptions_go_through_classify_and_keep_their_cause() -> None:
    original = ValueError("boom")
    with pytest.raises(IntegrationError, match="wrapped boom") as raised:
        run(Flaky(original), RetryPolicy(), [])
    assert raised.value.__cause__ is original


def test_classify_decides_what_is_retryable() -> None:
    sleeps: list[float] = []
    call = Flaky(TimeoutError("slow"), TimeoutError("slow"))
    result = call_with_retries(
        call,
        classify=lambda exc: IntegrationError("GitHub", str(exc), retryable=True),
        what="test call",
        policy=RetryPolicy(attempts=3, base_delay=0.01, jitter=0),
        sleep=sleeps.append,
    )
    assert result == "done" and call.calls == 3 and len(sleeps) == 2


def test_the_last_error_is_raised_when_attempts_run_out() -> None:
    sleeps: list[float] = []
    errors = [retryable() for _ in range(3)]
    call = Flaky(*errors, retryable())
    with pytest.raises(IntegrationError) as raised:
        run(call, RetryPolicy(attempts=3, base_delay=0.01, jitter=0), sleeps)
    assert raised.value is errors[2]
    assert call.calls == 3 and len(sleeps) == 2


def test_a_wait_longer_than_max_wait_fails_without_sleeping() -> None:
    sleeps: list[float] = []
    call = Flaky(retryable(retry_after=3600))
    with pytest.raises(IntegrationError, match="rate limited for 3600 s") as raised:
        run(call, RetryPolicy(attempts=5, max_wait=60), sleeps)
    assert not raised.value.retryable
    assert raised.value.status == 502
    assert call.calls == 1 and sleeps == []


def test_policy_from_config() -> None:
    policy = policy_from_config(7, 0.5)
    assert (policy.attempts, policy.base_delay) == (7, 0.5)
    assert policy.max_delay == RetryPolicy().max_delay


def test_auth_error_names_the_setting() -> None:
    error = IntegrationAuthError("GitHub", "GITHUB_TOKEN", "Bad credentials")
    assert str(error) == (
        "GitHub: the token in GITHUB_TOKEN was refused (Bad credentials); check GITHUB_TOKEN"
    )
    assert not error.retryable
