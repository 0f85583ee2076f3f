"""The Codegen client and task against the Codegen emulator, over real HTTP."""

from __future__ import annotations

import itertools
import logging
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prefect import flow
from pydantic import SecretStr

from tests.emulators.codegen import CodegenEmulator
from workflows.config import load_config
from workflows.integrations.codegen_agent import (
    AgentRun,
    CodegenClient,
    PollPolicy,
    run_codegen_agent,
)
from workflows.integrations.retrying import (
    IntegrationAuthError,
    IntegrationError,
    IntegrationNotConfigured,
    RetryPolicy,
)

ROOT = Path(__file__).resolve().parents[2]
FAST_RETRY = RetryPolicy(attempts=5, base_delay=0.01, jitter=0)
FAST_POLL = PollPolicy(first_interval=0.02, factor=1.5, max_interval=0.1, deadline=10)


@pytest.fixture
def emu() -> Iterator[CodegenEmulator]:
    with CodegenEmulator() as emulator:
        yield emulator


def client_for(emu: CodegenEmulator, **kwargs: object) -> CodegenClient:
    options: dict = {"retry": FAST_RETRY, **kwargs}
    options.setdefault("token", SecretStr(emu.token))
    options.setdefault("org_id", emu.org_id)
    return CodegenClient(base_url=emu.url, **options)


def gaps(emu: CodegenEmulator, endpoint: str = "get_run") -> list[float]:
    times = [r.at for r in emu.requests_to(endpoint)]
    return [b - a for a, b in itertools.pairwise(times)]


def test_start_and_follow_to_complete(emu: CodegenEmulator) -> None:
    client = client_for(emu)
    seen: list[str | None] = []

    started = client.start("Fix the flaky test in contexten/agents")
    run = client.follow(started.id, FAST_POLL, on_update=lambda r: seen.append(r.status))

    assert started.status == "PENDING" and started.web_url
    assert run.succeeded and not run.timed_out and run.error is None
    assert run.result == "Done: Fix the flaky test in contexten/agents"
    assert run.pr_url == f"https://github.com/example/app/pull/{100 + run.id}"
    assert run.pull_requests[0].head_branch_name == f"codegen-bot/run-{run.id}"
    assert seen == ["ACTIVE", "COMPLETE"]
    (create,) = emu.requests_to("create_run")
    assert create.body == {"prompt": "Fix the flaky test in contexten/agents"}
    assert create.path == f"/v1/organizations/{emu.org_id}/agent/run"
    assert all(r.authorized for r in emu.requests)


def test_failed_run_is_reported_not_raised(emu: CodegenEmulator) -> None:
    emu.next_run_outcome("failed", error="The test suite does not start: missing fixture.")
    client = client_for(emu)

    run = client.follow(client.start("Fix it").id, FAST_POLL)

    assert run.status == "FAILED" and run.finished and not run.succeeded
    assert run.error == "The test suite does not start: missing fixture."
    assert run.pr_url is None
    assert AgentRun.model_validate(run.model_dump()) == run  # survives Prefect's JSON results


def test_status_polling_backs_off(emu: CodegenEmulator) -> None:
    emu.next_run_outcome("complete", polls=4)
    client = client_for(emu)
    polling = PollPolicy(first_interval=0.1, factor=2, max_interval=5, deadline=30)

    run = client.follow(client.start("Fix it").id, polling)

    assert run.succeeded
    between = gaps(emu)
    assert len(between) == 4
    assert all(later > earlier * 1.5 for earlier, later in itertools.pairwise(between))
    assert between[0] >= 0.1 and between[-1] >= 0.8


def test_rate_limited_poll_waits_for_retry_after(emu: CodegenEmulator) -> None:
    client = client_for(emu)
    run_id = client.start("Fix it").id
    emu.rate_limit_next(1, retry_after=1, endpoint="get_run")

    run = client.follow(run_id, FAST_POLL)

    assert run.succeeded
    statuses = [r.status for r in emu.requests_to("get_run")]
    assert statuses[0] == 429
    assert gaps(emu)[0] >= 1.0


def test_server_errors_are_retried(emu: CodegenEmulator) -> None:
    emu.fail_next(3, status=502, endpoint="create_run")

    run = client_for(emu).start("Fix it")

    assert [r.status for r in emu.requests_to("create_run")] == [502, 502, 502, 200]
    assert list(emu.runs) == [run.id]


def test_a_refused_token_fails_once_and_says_which_setting(
    emu: CodegenEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "cg-secret-value-123"
    client = client_for(emu, token=SecretStr(secret))

    with pytest.raises(IntegrationAuthError) as info:
        client.start("Fix it")

    assert len(emu.requests) == 1 and emu.requests[0].status == 401
    assert "CODEGEN_TOKEN" in str(info.value) and info.value.setting == "CODEGEN_TOKEN"
    assert secret not in str(info.value) and secret not in repr(info.value.__cause__)
    assert secret not in caplog.text


def test_wrong_organisation_names_codegen_org_id(emu: CodegenEmulator) -> None:
    with pytest.raises(IntegrationAuthError) as forbidden:
        client_for(emu, org_id=emu.org_id + 1).start("Fix it")
    assert "CODEGEN_ORG_ID" in str(forbidden.value) and forbidden.value.status == 403

    emu.has_repos = False
    with pytest.raises(IntegrationError) as no_repos:
        client_for(emu).start("Fix it")
    assert "CODEGEN_ORG_ID" in str(no_repos.value) and not no_repos.value.retryable
    assert len(emu.requests) == 2


def test_a_create_without_answer_is_not_repeated(emu: CodegenEmulator) -> None:
    # The server got the request and may have started an agent: a second POST would start two.
    emu.slow_next(1, seconds=1.0, endpoint="create_run")
    client = client_for(emu, timeout=(2.0, 0.3))

    with pytest.raises(IntegrationError) as info:
        client.start("Fix it")

    assert "may have started" in str(info.value) and not info.value.retryable
    emu.wait_for(lambda: emu.requests_to("create_run"))  # recorded once answered, 1 s late
    assert len(emu.requests_to("create_run")) == 1 and len(emu.runs) == 1


def test_a_status_request_without_answer_is_retried(emu: CodegenEmulator) -> None:
    client = client_for(emu, timeout=(2.0, 0.3))
    run_id = client.start("Fix it").id
    emu.slow_next(1, seconds=1.0, endpoint="get_run")

    assert client.follow(run_id, FAST_POLL).succeeded
    # The retry saw ACTIVE, ACTIVE, COMPLETE; the slow one is recorded when it is answered.
    emu.wait_for(lambda: len(emu.requests_to("get_run")) == 4)


def test_connection_errors_are_retried_then_reported() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    slept: list[float] = []
    client = CodegenClient(
        token=SecretStr("t"),
        org_id=1,
        base_url=f"http://127.0.0.1:{port}",
        retry=RetryPolicy(attempts=3, base_delay=0.01, jitter=0),
        sleep=slept.append,
    )

    with pytest.raises(IntegrationError) as info:
        client.start("Fix it")

    assert info.value.retryable and "CODEGEN_API_BASE_URL" in str(info.value)
    assert slept == [0.01, 0.02]


def test_following_stops_at_the_deadline(emu: CodegenEmulator) -> None:
    emu.next_run_outcome("complete", polls=1000)
    client = client_for(emu)

    run = client.follow(client.start("Fix it").id, FAST_POLL.model_copy(update={"deadline": 0.3}))

    assert run.timed_out and run.status == "ACTIVE" and run.error is None


def test_missing_settings_are_named(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CODEGEN_TOKEN", "CODEGEN_ORG_ID"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(IntegrationNotConfigured, match="CODEGEN_TOKEN"):
        CodegenClient.from_config(load_config(codegen_org_id="1"))
    with pytest.raises(IntegrationNotConfigured, match="CODEGEN_ORG_ID"):
        CodegenClient.from_config(load_config(codegen_token="t"))
    with pytest.raises(IntegrationError, match="CODEGEN_ORG_ID must be"):
        CodegenClient.from_config(load_config(codegen_token="t", codegen_org_id="acme"))


def test_importing_the_integration_leaves_the_sdk_unloaded() -> None:
    code = (
        "import sys, workflows.integrations.codegen_agent\n"
        "print(sorted(m for m in ('codegen', 'codegen_api_client') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@flow(name="codegen-fix-test")
def fix_with_codegen(prompt: str) -> AgentRun:
    return run_codegen_agent(prompt, FAST_POLL)


@pytest.mark.prefect
def test_task_in_a_flow(
    prefect_api: str, emu: CodegenEmulator, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEGEN_API_BASE_URL", emu.url)
    monkeypatch.setenv("CODEGEN_TOKEN", emu.token)
    monkeypatch.setenv("CODEGEN_ORG_ID", str(emu.org_id))
    monkeypatch.setenv("INTEGRATION_RETRY_BASE_SECONDS", "0")
    emu.fail_next(1, status=500, endpoint="get_run")
    emu.on_prompt("impossible", "failed", error="Nothing to change.")

    done = fix_with_codegen("Fix the flaky test")
    failed = fix_with_codegen("Do the impossible")

    assert done.succeeded and done.pr_url and done.result
    assert failed.status == "FAILED" and failed.error == "Nothing to change."
    assert emu.requests_to("get_run")[0].status == 500


def test_client_errors_are_not_retried(emu: CodegenEmulator) -> None:
    emu.fail_next(1, status=402, endpoint="create_run")

    with pytest.raises(IntegrationError) as info:
        client_for(emu).start("Fix it")

    assert info.value.status == 402 and not info.value.retryable
    assert len(emu.requests) == 1


def test_emulator_pages_and_resume_match_the_api(emu: CodegenEmulator) -> None:
    from codegen_api_client.api.organizations_api import OrganizationsApi
    from codegen_api_client.api_client import ApiClient
    from codegen_api_client.configuration import Configuration

    api = OrganizationsApi(ApiClient(Configuration(host=emu.url)))
    orgs = api.get_organizations_v1_organizations_get(authorization=f"Bearer {emu.token}")
    assert [o.id for o in orgs.items] == [emu.org_id] and orgs.total == 1

    client = client_for(emu)
    first, second = client.start("one"), client.start("two")
    auth = {"Authorization": f"Bearer {emu.token}"}
    base = f"{emu.url}/v1/organizations/{emu.org_id}/agent"
    page = httpx.get(f"{base}/runs", params={"limit": 1}, headers=auth).json()
    assert [r["id"] for r in page["items"]] == [second.id]
    assert (page["total"], page["page"], page["size"], page["pages"]) == (2, 1, 1, 2)

    client.follow(first.id, FAST_POLL)
    resumed = httpx.post(
        f"{base}/run/resume", json={"agent_run_id": first.id, "prompt": "and more"}, headers=auth
    ).json()
    assert resumed["status"] == "ACTIVE" and emu.runs[first.id].prompts == ["one", "and more"]
    assert client.follow(first.id, FAST_POLL).succeeded
