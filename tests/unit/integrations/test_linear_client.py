"""Linear error classification, rate-limit waits, documents and models: no server needed."""

from __future__ import annotations

import pytest
import requests
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportProtocolError,
    TransportQueryError,
    TransportServerError,
)
from graphql import FragmentDefinitionNode, OperationDefinitionNode

from workflows.config import OrchestrationConfig
from workflows.integrations.linear import (
    Linear,
    LinearState,
    LinearStateNotFound,
    LinearTeam,
    issue_marker,
    linear_configured,
    with_marker,
)
from workflows.integrations.linear_client import (
    LinearNotFound,
    LinearTransport,
    classify_linear_error,
    load_document,
    retry_after_from_headers,
)
from workflows.integrations.retrying import IntegrationAuthError, IntegrationNotConfigured

NOW = 1_750_000_000.0


def query_error(kind: str | None, message: str = "boom", **extensions: object) -> Exception:
    ext = {"type": kind, **extensions} if kind else dict(extensions)
    return TransportQueryError(message, errors=[{"message": message, "extensions": ext}])


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"X-RateLimit-Requests-Reset": str(int((NOW + 7) * 1000))}, 7.0),  # epoch ms (Linear)
        ({"x-ratelimit-requests-reset": str(int(NOW + 9))}, 9.0),  # epoch seconds
        ({"x-ratelimit-requests-reset": "4"}, 4.0),  # a plain delay
        ({"x-ratelimit-requests-reset": str(int((NOW - 5) * 1000))}, 0.0),  # already passed
        (
            {
                "x-ratelimit-requests-reset": str(int((NOW + 2) * 1000)),
                "x-ratelimit-complexity-reset": str(int((NOW + 6) * 1000)),
            },
            6.0,
        ),
        ({"Retry-After": "2", "x-ratelimit-requests-reset": str(int((NOW + 60) * 1000))}, 2.0),
        ({}, None),
        ({"Retry-After": "soon"}, None),
    ],
)
def test_retry_after_from_headers(headers: dict[str, str], expected: float | None) -> None:
    got = retry_after_from_headers(headers, now=NOW)
    assert got == pytest.approx(expected, abs=0.01) if expected is not None else got is None


def test_ratelimited_errors_are_retryable_with_the_wait() -> None:
    for exc, status in [
        (query_error("ratelimited"), 400),
        (query_error(None, code="RATELIMITED"), 400),
        (TransportServerError("429 Too Many Requests", 429), None),
    ]:
        error = classify_linear_error(exc, status, {"Retry-After": "2"}, now=NOW)
        assert error.retryable and error.retry_after == 2.0


def test_authentication_errors_name_the_setting_and_are_final() -> None:
    for exc, status in [
        (query_error("authentication error", userPresentableMessage="Log in"), 400),
        (query_error(None, code="AUTHENTICATION_ERROR"), 401),
        (TransportServerError("401 Client Error", 401), None),
        (TransportServerError("400 Client Error", 400), None),
    ]:
        error = classify_linear_error(exc, status)
        assert isinstance(error, IntegrationAuthError)
        assert not error.retryable and "LINEAR_API_KEY" in str(error)


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (query_error("internal error"), 500),
        (query_error("lock timeout"), 200),
        (query_error("network error"), None),
        (TransportServerError("502 Bad Gateway", 502), None),
        (TransportServerError("503", 503), None),
        (TransportConnectionFailed("connection refused"), None),
        (requests.Timeout("read timed out"), None),
    ],
)
def test_server_trouble_is_retryable(exc: Exception, status: int | None) -> None:
    assert classify_linear_error(exc, status).retryable


def test_a_timeout_says_so() -> None:
    wrapped = TransportConnectionFailed("HTTPConnectionPool: Read timed out")
    wrapped.__cause__ = requests.ReadTimeout("Read timed out")
    assert "timed out" in classify_linear_error(wrapped, what="create issue").message


def test_user_errors_are_final_and_show_linears_message() -> None:
    exc = query_error(
        "invalid input", "Argument Validation Error", userPresentableMessage="Title is required."
    )
    error = classify_linear_error(exc, 200, what="issue create")
    assert not error.retryable
    assert error.message == "issue create: Title is required."
    forbidden = classify_linear_error(query_error("forbidden"), 403)
    assert not forbidden.retryable and "LINEAR_API_KEY" in forbidden.message


def test_entity_not_found_is_its_own_error() -> None:
    exc = query_error(
        "invalid input", "Entity not found: Issue", userPresentableMessage="Could not find it."
    )
    assert isinstance(classify_linear_error(exc, 200), LinearNotFound)


def test_an_answer_that_is_not_graphql_is_final() -> None:
    error = classify_linear_error(TransportProtocolError("Not a JSON answer"), 200)
    assert not error.retryable and "unexpected answer" in error.message


def test_the_key_never_shows() -> None:
    transport = LinearTransport("lin_api_SECRET", "http://127.0.0.1:9/graphql")
    assert "SECRET" not in repr(transport)
    echoed = classify_linear_error(query_error("other", "bad key lin_api_SECRET"))
    assert "SECRET" not in str(transport._redacted(echoed))


def test_documents_carry_the_fragments_they_spread() -> None:
    document = load_document("issue_create")
    kinds = [type(d) for d in document.definitions]
    assert kinds == [OperationDefinitionNode, FragmentDefinitionNode]
    assert load_document("viewer").definitions[-1].__class__ is OperationDefinitionNode


def test_state_names_match_in_any_case_and_unknown_ones_list_the_valid() -> None:
    team = LinearTeam(
        id="t",
        key="ZAM",
        name="Zamboni",
        states=[
            LinearState(id="1", name="In Progress", type="started"),
            LinearState(id="2", name="Done", type="completed"),
        ],
    )
    assert team.state_named(" in progress ").id == "1"
    with pytest.raises(LinearStateNotFound) as caught:
        team.state_named("Doing")
    assert "valid states: In Progress, Done" in str(caught.value)


def test_markers_are_stable_and_distinct() -> None:
    a = issue_marker("component-analysis", "/repo", "contexten/agents")
    assert a == issue_marker("component-analysis", "/repo", "contexten/agents")
    assert a != issue_marker("component-analysis", "/repo", "contexten")
    assert a.startswith("cicd:component-analysis:") and with_marker("Body\n", a).endswith(f"{a}\n")


def test_configuration() -> None:
    assert not linear_configured(OrchestrationConfig())
    assert not linear_configured(OrchestrationConfig(linear_api_key="lin_api_x"))
    assert linear_configured(OrchestrationConfig(linear_api_key="lin_api_x", linear_team_key="ZAM"))
    with pytest.raises(IntegrationNotConfigured, match="LINEAR_API_KEY"):
        Linear.from_config(OrchestrationConfig())
