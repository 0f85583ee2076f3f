"""failure_analysis without a server: the request, history judgements, advice and the blocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from blocks.actions import RERUN_FAILED_JOBS, parse_rerun_failed_value, rerun_failed_value
from blocks.plain import plain_text
from blocks.results import render_result
from tests.emulators.github_ci_history import corpus_log
from tests.emulators.slack_blocks import validate_blocks
from workflows.failure_logs import FailureKind, classify_log
from workflows.failure_logs.advice import Action, recommend
from workflows.integrations.actions_history import (
    Flakiness,
    judge_flakiness,
    last_green_before,
)
from workflows.integrations.github_models import CommitSummary, WorkflowJob, WorkflowRun
from workflows.models.failure_analysis import (
    FailureAnalysisRequest,
    FailureAnalysisResult,
    JobDiagnosis,
    RunSummary,
    SuspectCommits,
)

T0 = datetime(2024, 5, 14, 9, 0, tzinfo=UTC)


def _run(run_id: int, conclusion: str, *, sha: str = "a" * 40, minutes: int = 0) -> WorkflowRun:
    return WorkflowRun(
        id=run_id,
        name="CI",
        workflow_id=7,
        head_branch="main",
        head_sha=sha,
        event="push",
        status="completed",
        conclusion=conclusion,
        run_number=run_id,
        html_url=f"https://github.com/acme/widgets/actions/runs/{run_id}",
        created_at=T0 + timedelta(minutes=minutes),
        updated_at=T0 + timedelta(minutes=minutes),
    )


def _job(name: str, conclusion: str, attempt: int = 1) -> WorkflowJob:
    return WorkflowJob(
        id=attempt, run_id=1, name=name, status="completed", conclusion=conclusion,
        run_attempt=attempt,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("run", "run_id", "repository"),
    [
        ("123", 123, None),
        ("https://github.com/acme/widgets/actions/runs/123", 123, "acme/widgets"),
        ("<https://github.com/acme/widgets/actions/runs/123/job/9>", 123, "acme/widgets"),
        ("https://ghe.example.com/o/r.js/actions/runs/5/attempts/2", 5, "o/r.js"),
    ],
)
def test_request_takes_an_id_or_a_run_url(run: str, run_id: int, repository: str | None) -> None:
    request = FailureAnalysisRequest(run=run)
    assert (request.run_id, request.repository) == (run_id, repository)


@pytest.mark.parametrize("run", ["latest", "https://github.com/acme/widgets/pull/3", "12a"])
def test_request_refuses_anything_else(run: str) -> None:
    with pytest.raises(ValueError, match="Actions run id or its URL"):
        FailureAnalysisRequest(run=run)


def test_last_green_is_the_newest_success_before_the_red_run() -> None:
    red = _run(10, "failure", minutes=10)
    runs = [
        _run(11, "success", minutes=11),  # after: not a candidate
        _run(9, "success", minutes=9),
        _run(8, "success", minutes=8),
        _run(5, "success", minutes=9).model_copy(update={"workflow_id": 8}),  # other workflow
    ]
    green = last_green_before(runs, red)
    assert green is not None and green.id == 9


def test_flaky_when_a_failed_job_passed_on_the_same_commit() -> None:
    red, other = _run(1, "failure"), _run(2, "success")
    tries = [
        (red, _job("test", "failure")),
        (red, _job("lint", "success")),
        (other, _job("test", "success")),
    ]
    verdict = judge_flakiness(["test"], tries)
    assert verdict.flaky and verdict.flaky_jobs == ["test"]
    assert "Flaky: `test` failed and passed on abc1234 (run #2 attempt 1)" in verdict.summary(
        "abc1234"
    )
    again = judge_flakiness(
        ["test"], [(red, _job("test", "failure", 1)), (red, _job("test", "failure", 2))]
    )
    assert not again.flaky and again.repeated == 2
    assert again.summary("abc1234") == "Real: failed on every one of 2 tries of abc1234."


@pytest.mark.parametrize(
    ("kinds", "flaky", "repeated", "action"),
    [
        ([], False, 1, Action.NOTHING),
        ([FailureKind.TEST], True, 1, Action.RERUN),
        ([FailureKind.INFRASTRUCTURE], False, 1, Action.RERUN),
        ([FailureKind.TIMEOUT], False, 2, Action.LINEAR_ISSUE),
        ([FailureKind.INFRASTRUCTURE, FailureKind.LINT], False, 1, Action.CODEGEN_FIX),
        ([FailureKind.BUILD], False, 1, Action.CODEGEN_FIX),
        ([FailureKind.OUT_OF_MEMORY], False, 1, Action.LINEAR_ISSUE),
        ([FailureKind.UNKNOWN], False, 1, Action.LINEAR_ISSUE),
    ],
)
def test_recommendation(
    kinds: list[FailureKind], flaky: bool, repeated: int, action: Action
) -> None:
    assert recommend(kinds, flaky=flaky, repeated=repeated, suspects=2).action is action


def _result(log: str, *, flaky: bool = False) -> FailureAnalysisResult:
    found = classify_log(log)
    red = _run(42, "failure", sha="b" * 40)
    job = JobDiagnosis(
        id=7, name="test", conclusion="failure", html_url=f"{red.html_url}/job/7",
        failed_steps=["Run tests"], kind=found.kind, evidence=found.evidence, tests=found.tests,
    )  # fmt: skip
    commits = [
        CommitSummary(sha=f"{n}" * 40, message=f"Change {n}\n\nbody", author_name="Bob <b>",
                      html_url=f"https://github.com/acme/widgets/commit/{n}")
        for n in range(1, 4)
    ]  # fmt: skip
    suspects = SuspectCommits(
        last_green=RunSummary.of(_run(40, "success")), commits=commits, total=3,
        compare_url="https://github.com/acme/widgets/compare/a...b",
    )  # fmt: skip
    flakiness = Flakiness(flaky=flaky, flaky_jobs=["test"] if flaky else [])
    return FailureAnalysisResult(
        request=FailureAnalysisRequest(run="42"),
        repository="acme/widgets",
        run=RunSummary.of(red),
        jobs=[job],
        kind=found.kind,
        suspects=suspects,
        flakiness=flakiness,
        advice=recommend([found.kind], flaky=flaky, repeated=1, suspects=3),
    )


def test_result_blocks_show_tests_evidence_suspects_and_the_buttons() -> None:
    result = _result(corpus_log("pytest_assertion.log"))
    rendered = render_result(result, "run-uuid", "brave-fox")
    assert rendered is not None
    dicts = [b.to_dict() for b in rendered.blocks]
    assert validate_blocks(dicts) == []
    text = json.dumps(dicts, ensure_ascii=False)
    assert "Failure analysis: CI #42 on main" in text
    assert "tests/test_app.py::test_add` — assert 3 == 4" in text
    assert "FAILED tests/test_http.py::test_parse_header" in text  # evidence, quoted
    assert "Suspect commits since the last green run" in text and "Change 3" in text
    assert "Bob &lt;b&gt;" in text  # escaped for mrkdwn
    assert "Recommended: Ask Codegen for a fix." in text
    actions = next(d for d in dicts if d["type"] == "actions")
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids == [RERUN_FAILED_JOBS, "cicd_retry", "cicd_open_issue", "cicd_request_fix"]
    assert actions["elements"][0]["value"] == "run-uuid|acme/widgets|42"
    assert "style" not in actions["elements"][0]  # not the recommendation here
    assert rendered.outcome == "🧪 Test failure → Ask Codegen for a fix"
    plain = plain_text(rendered.blocks)
    assert "tests/test_app.py::test_add — assert 3 == 4" in plain


def test_a_flaky_result_makes_re_running_the_failed_jobs_the_primary_button() -> None:
    result = _result(corpus_log("npm_econnreset.log"), flaky=True)
    rendered = render_result(result, "run-uuid", "brave-fox")
    assert rendered is not None
    actions = next(b.to_dict() for b in rendered.blocks if b.type == "actions")
    assert actions["elements"][0]["style"] == "primary"
    assert "🎲 Flaky" in json.dumps([b.to_dict() for b in rendered.blocks], ensure_ascii=False)


def test_a_run_without_failed_jobs_has_no_re_run_failed_jobs_button() -> None:
    result = _result("").model_copy(update={"jobs": []})
    rendered = render_result(result, "r", "n")
    assert rendered is not None
    assert RERUN_FAILED_JOBS not in json.dumps([b.to_dict() for b in rendered.blocks])


def test_rerun_failed_value_round_trips_and_refuses_junk() -> None:
    assert parse_rerun_failed_value(rerun_failed_value("r1", "acme/widgets", 9)) == (
        "r1",
        "acme/widgets",
        9,
    )
    for junk in ["", "r1|acme|9", "r1|acme/widgets|x", "r1|a/b/c|9", "r1|acme/widgets|9|x"]:
        with pytest.raises(ValueError):
            parse_rerun_failed_value(junk)
