"""The Linear client (real gql over HTTP) against the Linear emulator running the real schema."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from prefect import flow

from tests.emulators.linear import DEFAULT_KEY, LinearEmulator, add_cli, send_webhook
from workflows.integrations.linear import Linear, LinearStateNotFound, issue_marker
from workflows.integrations.linear_client import LinearNotFound
from workflows.integrations.linear_tasks import (
    attach_url_to_linear_issue,
    comment_on_linear_issue,
    create_linear_issue,
    ensure_linear_issue,
    find_linear_issue,
    label_linear_issue,
    set_linear_state,
)
from workflows.integrations.linear_webhooks import verify_linear_signature
from workflows.integrations.retrying import IntegrationAuthError, IntegrationError, RetryPolicy

pytestmark = pytest.mark.needs_shared("api/linear/schema.graphql")
FAST = RetryPolicy(base_delay=0.01)


@pytest.fixture(scope="module")
def server() -> Iterator[LinearEmulator]:
    with LinearEmulator() as emu:
        yield emu


@pytest.fixture
def emu(server: LinearEmulator) -> LinearEmulator:
    server.reset()
    return server


@pytest.fixture
def linear(emu: LinearEmulator) -> Iterator[Linear]:
    with Linear.connect(DEFAULT_KEY, emu.url, policy=FAST, timeout=5) as client:
        yield client


class Receiver:
    """A webhook endpoint that keeps what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                owner.received.append((dict(self.headers), raw))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/linear"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


# -- operations ---------------------------------------------------------------------------------


def test_team_states_and_viewer(linear: Linear) -> None:
    team = linear.team("zam")
    assert (team.key, [s.name for s in team.states]) == (
        "ZAM",
        ["Backlog", "Todo", "In Progress", "In Review", "Done", "Canceled"],
    )
    assert linear.viewer().email == "cicd-bot@example.com"
    with pytest.raises(IntegrationError, match="LINEAR_TEAM_KEY"):
        linear.team("NOPE")


def test_create_an_issue_and_a_sub_issue(linear: Linear, emu: LinearEmulator) -> None:
    team = linear.team("ZAM")
    bug = linear.label(team.id, "Bug")
    main = linear.create_issue(
        team.id,
        "Component Analysis: contexten/agents",
        "# Scope\n- code",
        priority=2,
        label_ids=[bug.id],
    )
    assert (main.identifier, main.priority_label, main.labels) == ("ZAM-1", "High", ["Bug"])
    assert main.state.name == "Backlog" and main.url.endswith(
        "/ZAM-1/component-analysis-contexten-agents"
    )
    sub = linear.create_issue(team.id, "Code quality analysis", parent_id=main.id)
    assert (sub.identifier, sub.parent_identifier) == ("ZAM-2", "ZAM-1")
    assert emu.issue("ZAM-2")["parentId"] == main.id


def test_find_by_identifier(linear: Linear) -> None:
    team = linear.team("ZAM")
    created = linear.create_issue(team.id, "Findable")
    assert linear.issue("ZAM-1").id == created.id
    assert linear.issue(created.id).identifier == "ZAM-1"
    assert linear.find_issue("ZAM-1084") is None
    with pytest.raises(LinearNotFound):
        linear.issue("ZAM-1084")


def test_state_by_name_in_any_case(linear: Linear, emu: LinearEmulator) -> None:
    issue = linear.create_issue(linear.team("ZAM").id, "Move me")
    moved = linear.set_state(issue.identifier, "in progress")
    assert moved.state.name == "In Progress" and emu.issue("ZAM-1")["startedAt"]
    assert linear.set_state(issue.id, "DONE", linear.team("ZAM")).state.type == "completed"


def test_an_unknown_state_lists_the_valid_names(linear: Linear, emu: LinearEmulator) -> None:
    issue = linear.create_issue(linear.team("ZAM").id, "Stay")
    with pytest.raises(LinearStateNotFound) as caught:
        linear.set_state(issue.id, "Doing")
    message = str(caught.value)
    assert "no state named 'Doing'" in message
    assert "Backlog, Todo, In Progress, In Review, Done, Canceled" in message
    assert emu.issue("ZAM-1")["stateName"] == "Backlog"


def test_comment_labels_priority_assignee_and_link(linear: Linear, emu: LinearEmulator) -> None:
    team = linear.team("ZAM")
    issue = linear.create_issue(team.id, "Everything")
    comment = linear.add_comment(issue.id, "## Results\n- 3 findings")
    assert emu.comments("ZAM-1")[0]["body"] == "## Results\n- 3 findings"
    assert comment.url.startswith(issue.url)

    labelled = linear.add_labels(issue.id, ["bug", "analysis"], team.id)
    assert labelled.labels == ["Bug", "analysis"]  # existing one reused, new one created
    assert linear.add_labels(issue.id, ["Analysis"], team.id).labels == ["Bug", "analysis"]
    assert len(emu.requests_for("IssueLabelCreate")) == 1

    assert linear.set_priority(issue.id, "urgent").priority_label == "Urgent"
    assert linear.set_priority(issue.id, 4).priority == 4
    with pytest.raises(IntegrationError, match="unknown priority"):
        linear.set_priority(issue.id, "whenever")

    assert linear.set_assignee(issue.id, "ada@example.com").assignee.name == "Ada Lovelace"
    assert linear.set_assignee(issue.id, None).assignee is None
    with pytest.raises(IntegrationError, match="no Linear user"):
        linear.set_assignee(issue.id, "nobody@example.com")

    link = linear.attach_url(issue.id, "https://github.com/o/r/pull/7", "PR #7")
    again = linear.attach_url(issue.id, "https://github.com/o/r/pull/7", "PR #7")
    assert link.id == again.id and len(emu.attachments("ZAM-1")) == 1


def test_ensure_issue_by_marker_creates_once(linear: Linear, emu: LinearEmulator) -> None:
    team = linear.team("ZAM")
    marker = issue_marker("component-analysis", "/repo", "contexten/agents")
    first, created = linear.ensure_issue(team.id, "Component Analysis", "Scope", marker)
    second, created_again = linear.ensure_issue(team.id, "Component Analysis", "Scope", marker)
    assert (created, created_again) == (True, False)
    assert first.id == second.id and len(emu.issues()) == 1
    assert marker in emu.issue("ZAM-1")["description"]

    sub, made = linear.ensure_issue(
        team.id, "Code quality", "x", marker + ":quality", parent_id=first.id
    )
    again, made_again = linear.ensure_issue(
        team.id, "Code quality", "x", marker + ":quality", parent_id=first.id
    )
    assert (made, made_again, sub.id) == (True, False, again.id)
    other = issue_marker("component-analysis", "/repo", "contexten")
    assert linear.find_by_marker(other, team_id=team.id) is None


# -- failures -------------------------------------------------------------------------------------


def test_a_burst_of_5xx_is_retried(linear: Linear, emu: LinearEmulator) -> None:
    emu.fail_next(3, status=500)
    assert linear.viewer().name == "CI Bot"
    assert emu.request_count == 4
    emu.fail_next(2, status=502)  # plain-text answer from "a load balancer"
    issue = linear.create_issue(linear.team("ZAM").id, "After a bad gateway")
    assert issue.identifier == "ZAM-1" and len(emu.issues()) == 1


def test_5xx_beyond_the_attempts_fails_clearly(emu: LinearEmulator) -> None:
    emu.fail_next(None, status=503)
    policy = RetryPolicy(attempts=3, base_delay=0.01)
    with (
        Linear.connect(DEFAULT_KEY, emu.url, policy=policy) as linear,
        pytest.raises(IntegrationError) as caught,
    ):
        linear.viewer()
    assert caught.value.retryable and "Linear" in str(caught.value)
    assert emu.request_count == 3


@pytest.mark.parametrize("status", [400, 429])
def test_a_rate_limit_waits_as_told(linear: Linear, emu: LinearEmulator, status: int) -> None:
    emu.rate_limit_next(1, retry_after=1, status=status)
    started = time.monotonic()
    assert linear.viewer().name == "CI Bot"
    assert time.monotonic() - started >= 1.0
    assert [r.fault for r in emu.requests] == ["ratelimited", None]


def test_a_bad_key_fails_once_and_names_the_setting(emu: LinearEmulator) -> None:
    key = "lin_api_wrong_0123456789"
    with (
        Linear.connect(key, emu.url, policy=FAST) as linear,
        pytest.raises(IntegrationAuthError) as caught,
    ):
        linear.viewer()
    message = str(caught.value)
    assert "LINEAR_API_KEY" in message and key not in message and "0123456789" not in message
    assert emu.request_count == 1 and not emu.requests[0].authorized


def test_a_bearer_prefix_on_an_api_key_is_refused(emu: LinearEmulator) -> None:
    with (
        Linear.connect(f"Bearer {DEFAULT_KEY}", emu.url, policy=FAST) as linear,
        pytest.raises(IntegrationAuthError, match="without 'Bearer'") as caught,
    ):
        linear.viewer()
    assert DEFAULT_KEY not in str(caught.value)


def test_a_slow_answer_times_out_and_is_retried(emu: LinearEmulator) -> None:
    emu.slow_next(1, 1.0)
    started = time.monotonic()
    with Linear.connect(DEFAULT_KEY, emu.url, policy=FAST, timeout=0.3) as linear:
        assert linear.viewer().name == "CI Bot"
    assert time.monotonic() - started < 1.0
    # The slow answer is recorded when it is finally sent, after the retry's.
    emu.wait_for(lambda: emu.request_count == 2)


def test_nobody_listening_is_retried_then_reported() -> None:
    policy = RetryPolicy(attempts=2, base_delay=0.01)
    with (
        Linear.connect(DEFAULT_KEY, "http://127.0.0.1:9/graphql", policy=policy) as linear,
        pytest.raises(IntegrationError, match="could not connect") as caught,
    ):
        linear.viewer()
    assert caught.value.retryable


def test_invalid_input_is_not_retried(linear: Linear, emu: LinearEmulator) -> None:
    with pytest.raises(IntegrationError, match="Title is required") as caught:
        linear.create_issue(linear.team("ZAM").id, "   ")
    assert not caught.value.retryable
    assert len(emu.requests_for("IssueCreate")) == 1


# -- the emulator itself ---------------------------------------------------------------------------


def post(emu: LinearEmulator, body: Any, key: str = DEFAULT_KEY) -> requests.Response:
    return requests.post(emu.url, json=body, headers={"Authorization": key}, timeout=10)


def test_emulator_answers_like_linear(emu: LinearEmulator) -> None:
    unknown = post(emu, {"query": "{ viewer { id nameThatDoesNotExist } }"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["extensions"]["type"] == "graphql error"
    assert unknown.headers["X-RateLimit-Requests-Limit"] == "5000"
    assert int(unknown.headers["X-RateLimit-Requests-Reset"]) > time.time() * 1000

    unsupported = post(emu, {"query": "{ cycles { nodes { id } } }"}).json()
    assert unsupported["errors"][0]["extensions"]["type"] == "graphql error"
    assert "not supported by the Linear emulator" in unsupported["errors"][0]["message"]

    refused = post(emu, {"query": "{ viewer { id } }"}, key="nope")
    assert refused.json()["errors"][0]["extensions"]["type"] == "authentication error"
    assert requests.get(emu.url, timeout=10).status_code == 405

    filtered = post(
        emu, {"query": "{ issues(filter: {estimate: {eq: 1}}) { nodes { id } } }"}
    ).json()
    assert "does not support filtering Issue by estimate" in filtered["errors"][0]["message"]


def test_emulator_paginates(emu: LinearEmulator, linear: Linear) -> None:
    team = linear.team("ZAM")
    for n in range(3):
        linear.create_issue(team.id, f"Issue {n}")
    query = """query($after: String) {
      issues(first: 2, after: $after) { nodes { identifier } pageInfo { hasNextPage endCursor } }
    }"""
    page = post(emu, {"query": query}).json()["data"]["issues"]
    assert [n["identifier"] for n in page["nodes"]] == ["ZAM-1", "ZAM-2"] and page["pageInfo"][
        "hasNextPage"
    ]
    rest = post(emu, {"query": query, "variables": {"after": page["pageInfo"]["endCursor"]}}).json()
    assert [n["identifier"] for n in rest["data"]["issues"]["nodes"]] == ["ZAM-3"]


def test_webhooks_are_signed_and_carry_changes(
    emu: LinearEmulator, linear: Linear, receiver: Receiver
) -> None:
    secret = "lin_wh_secret"
    emu.register_webhook(receiver.url, secret)
    issue = linear.create_issue(linear.team("ZAM").id, "Hooked")
    linear.set_state(issue.id, "Todo")
    linear.add_comment(issue.id, "hello")
    emu.wait_for(lambda: len(receiver.received) == 3)
    events = []
    for headers, raw in receiver.received:
        assert verify_linear_signature(secret, raw, headers["Linear-Signature"])
        assert headers["Linear-Delivery"] and headers["Linear-Event"] in ("Issue", "Comment")
        events.append(json.loads(raw))
    by_action = {(e["type"], e["action"]): e for e in events}
    created = by_action[("Issue", "create")]
    assert created["data"]["identifier"] == "ZAM-1" and created["webhookId"]
    assert (
        created["organizationId"] and abs(created["webhookTimestamp"] - time.time() * 1000) < 60_000
    )
    updated = by_action[("Issue", "update")]
    assert updated["data"]["state"]["name"] == "Todo" and "stateId" in updated["updatedFrom"]
    assert by_action[("Comment", "create")]["data"]["body"] == "hello"
    assert all(d.status == 200 for d in emu.deliveries)


def test_send_webhook_by_hand(receiver: Receiver) -> None:
    response = send_webhook(
        receiver.url, "s3cret", {"action": "remove", "type": "Issue", "data": {"id": "1"}}
    )
    assert response.status_code == 200
    headers, raw = receiver.received[0]
    assert verify_linear_signature("s3cret", raw, headers["Linear-Signature"])
    assert headers["Linear-Event"] == "Issue"


def test_cli_subcommand_is_registered() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_cli(parser.add_subparsers(dest="emulator"))
    args = parser.parse_args(["linear", "--port", "0", "--token", "lin_api_cli"])
    assert (args.port, args.token, args.func.__name__) == (0, ["lin_api_cli"], "run_linear")


# -- as Prefect tasks ----------------------------------------------------------------------------


@pytest.mark.prefect
def test_tasks_in_a_flow(
    prefect_api, data_dir, emu: LinearEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINEAR_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("LINEAR_API_URL", emu.url)
    monkeypatch.setenv("LINEAR_TEAM_KEY", "ZAM")
    monkeypatch.setenv("INTEGRATION_RETRY_BASE_SECONDS", "0.01")
    marker = issue_marker("test", "tasks")

    @flow
    def linear_steps() -> list[str]:
        main = ensure_linear_issue("Main", "Body", marker)
        again = ensure_linear_issue("Main", "Body", marker)
        sub = create_linear_issue(
            "Sub", "x", priority=3, labels=["analysis"], parent=main.identifier
        )
        set_linear_state(main.identifier, "In Review")
        comment_on_linear_issue(main.id, "done")
        label_linear_issue(sub.identifier, ["Bug"])
        attach_url_to_linear_issue(main.id, "https://example.com/run/1", "Run 1")
        found = find_linear_issue("ZAM-404")
        return [main.identifier, again.identifier, sub.parent_identifier or "", str(found)]

    assert linear_steps() == ["ZAM-1", "ZAM-1", "ZAM-1", "None"]
    assert emu.issue("ZAM-1")["stateName"] == "In Review"
    assert emu.issue("ZAM-2")["labelNames"] == ["analysis", "Bug"]
    assert len(emu.comments("ZAM-1")) == 1 and len(emu.attachments("ZAM-1")) == 1
