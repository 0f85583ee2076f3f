"""The GitHub integration with real PyGithub and real git against the GitHub emulator."""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
from prefect import flow

from tests.conftest import git
from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator
from tests.emulators.github_cli import add_cli, run_github
from tests.shared_paths import shared
from workflows.config import OrchestrationConfig
from workflows.integrations import github_tasks as tasks
from workflows.integrations.github_client import GitHubClient
from workflows.integrations.github_errors import rate_limit_wait
from workflows.integrations.github_git import run_git
from workflows.integrations.github_models import PullRequest, ReviewComment
from workflows.integrations.retrying import (
    IntegrationAuthError,
    IntegrationError,
    IntegrationNotConfigured,
    RetryPolicy,
)

REVIEWER_TOKEN = "ghp_reviewer0000000000000000000000000000000"
BAD_TOKEN = "ghp_wrongwrongwrongwrongwrongwrongwrong00"
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, jitter=0)
APP = "src/widgets/app.py"
MUL = (
    "def add(a, b):\n    return a + b\n\n\n"
    "def sub(a, b):\n    return a - b\n\n\n"
    "def mul(a, b):\n    return a * b\n"
)


@pytest.fixture(scope="module")
def server() -> Iterator[GitHubEmulator]:
    tokens = {DEFAULT_TOKEN: "cicd-bot", REVIEWER_TOKEN: "alice", "ghp_owner": "acme"}
    with GitHubEmulator(tokens=tokens, owner="acme", repo="widgets") as emu:
        yield emu


@pytest.fixture
def emu(server: GitHubEmulator) -> GitHubEmulator:
    server.reset()
    return server


def make_client(emu: GitHubEmulator, token: str = DEFAULT_TOKEN, **options: Any) -> GitHubClient:
    options.setdefault("policy", FAST)
    options.setdefault("repository", "acme/widgets")
    return GitHubClient(token=token, api_url=emu.url, **options)


@pytest.fixture
def gh(emu: GitHubEmulator) -> Iterator[GitHubClient]:
    with make_client(emu) as client:
        yield client


def api(emu: GitHubEmulator) -> list[Any]:
    """The API requests recorded so far (not git or log downloads)."""
    return [r for r in emu.requests if r.kind == "api"]


# -- repository, branches -------------------------------------------------------------------


def test_get_repository(emu: GitHubEmulator, gh: GitHubClient) -> None:
    repo = gh.get_repository()
    assert repo.full_name == "acme/widgets"
    assert repo.default_branch == "main"
    assert repo.clone_url == emu.clone_url
    assert repo.private
    [request] = emu.requests
    assert (request.method, request.path, request.auth, request.user) == (
        "GET",
        "/repos/acme/widgets",
        "token",
        "cicd-bot",
    )


def test_create_get_and_delete_branches(emu: GitHubEmulator, gh: GitHubClient) -> None:
    main = emu.branches()["main"]
    assert gh.get_branch("main").sha == main
    assert gh.create_branch("from-default").sha == main
    feature = emu.push_commit("feature", {APP: MUL})
    assert gh.create_branch("from-branch", from_ref="feature").sha == feature
    assert gh.create_branch("from-sha", from_ref=main).sha == main
    branches = emu.branches()
    assert branches["from-branch"] == feature and branches["from-sha"] == main

    with pytest.raises(IntegrationError, match="Reference already exists"):
        gh.create_branch("from-sha", from_ref=main)
    gh.delete_branch("from-sha")
    assert "from-sha" not in emu.branches()
    with pytest.raises(IntegrationError, match="branch from-sha in acme/widgets not found"):
        gh.delete_branch("from-sha")
    # Real git agrees with the API.
    heads = subprocess.run(
        ["git", "--git-dir", str(emu.bare_path), "branch", "--format=%(refname:short)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(heads) == ["feature", "from-branch", "from-default", "main"]


# -- Actions --------------------------------------------------------------------------------


def test_list_runs_filters_by_branch_and_status(emu: GitHubEmulator, gh: GitHubClient) -> None:
    emu.push_commit("feature", {APP: MUL})
    feature_run = emu.add_run("CI", branch="feature", conclusion="failure")
    running = emu.add_run("CI", branch="feature", status="in_progress", conclusion=None)

    runs = gh.list_workflow_runs()
    assert [r.id for r in runs] == sorted((r.id for r in runs), reverse=True)
    assert len(runs) == 4
    assert [r.id for r in gh.list_workflow_runs(branch="feature")] == [running, feature_run]
    failed = gh.list_workflow_runs(status="failure")
    assert {r.head_branch for r in failed} == {"main", "feature"} and len(failed) == 2
    assert [r.id for r in gh.list_workflow_runs(branch="feature", status="in_progress")] == [
        running
    ]
    run = gh.get_workflow_run(feature_run)
    assert (run.conclusion, run.head_branch, run.event) == ("failure", "feature", "push")
    assert run.head_sha == emu.branches()["feature"]
    assert emu.requests_to("GET", "/repos/acme/widgets/actions/runs")[-1].query == {
        "branch": "feature",
        "status": "in_progress",
    }


def test_listing_follows_link_pagination(emu: GitHubEmulator, gh: GitHubClient) -> None:
    for _ in range(40):
        emu.add_run("CI")
    assert len(gh.list_workflow_runs(limit=100)) == 42
    pages = emu.requests_to("GET", "/repos/acme/widgets/actions/runs")
    assert [p.query.get("page") for p in pages] == [None, "2"]
    assert len(gh.list_workflow_runs(limit=5)) == 5


def test_link_headers_and_per_page_cap(emu: GitHubEmulator) -> None:
    for _ in range(150):
        emu.add_run("CI")
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    url = f"{emu.url}/repos/acme/widgets/actions/runs"
    first = requests.get(url, params={"per_page": 500}, headers=headers, timeout=10)
    assert len(first.json()["workflow_runs"]) == 100
    assert first.json()["total_count"] == 152
    assert first.links["next"]["url"].endswith("per_page=100&page=2")
    assert first.links["last"]["url"].endswith("page=2")
    second = requests.get(first.links["next"]["url"], headers=headers, timeout=10)
    assert len(second.json()["workflow_runs"]) == 52
    assert set(second.links) == {"first", "prev"}
    default = requests.get(url, headers=headers, timeout=10)
    assert len(default.json()["workflow_runs"]) == 30
    for response in (first, second, default):
        assert response.headers["x-ratelimit-limit"] == "5000"
        assert response.headers["x-ratelimit-resource"] == "core"
        assert int(response.headers["x-ratelimit-reset"]) > time.time()
    assert int(default.headers["x-ratelimit-used"]) == 3
    assert int(default.headers["x-ratelimit-remaining"]) == 4997


def test_jobs_steps_and_the_failed_jobs_log(emu: GitHubEmulator, gh: GitHubClient) -> None:
    [run] = gh.list_workflow_runs(status="failure")
    jobs = gh.list_run_jobs(run.id)
    assert [(j.name, j.conclusion) for j in jobs] == [("lint", "success"), ("test", "failure")]
    test_job = jobs[1]
    assert [s.name for s in test_job.failed_steps] == ["Run tests"]
    assert [s.number for s in test_job.steps] == [1, 2, 3]

    log = gh.download_job_log(test_job.id)
    assert "FAILED tests/test_app.py::test_add - assert 3 == 4" in log
    redirect = emu.requests_to("GET", rf"/repos/acme/widgets/actions/jobs/{test_job.id}/logs")
    assert [r.status for r in redirect] == [302]
    [blob] = [r for r in emu.requests if r.kind == "blob"]
    assert blob.status == 200 and blob.auth is None  # the signed URL needs no token
    assert gh.download_job_log(test_job.id, max_chars=20) == log[-20:]

    with pytest.raises(IntegrationError, match="job 4242 in acme/widgets not found"):
        gh.download_job_log(4242)


def test_log_urls_are_signed(emu: GitHubEmulator, gh: GitHubClient) -> None:
    [run] = gh.list_workflow_runs(status="failure")
    job = gh.list_run_jobs(run.id)[1]
    headers = {"Authorization": f"token {DEFAULT_TOKEN}"}
    logs = f"{emu.url}/repos/acme/widgets/actions/jobs/{job.id}/logs"
    location = requests.get(logs, headers=headers, allow_redirects=False, timeout=10)
    assert location.status_code == 302
    signed = location.headers["Location"]
    assert requests.get(signed, timeout=10).status_code == 200
    assert requests.get(signed.replace("sig=", "sig=0"), timeout=10).status_code == 403


def test_rerun_failed_jobs_starts_a_new_attempt(emu: GitHubEmulator, gh: GitHubClient) -> None:
    [run] = gh.list_workflow_runs(status="failure")
    gh.rerun_failed_jobs(run.id)
    [post] = emu.requests_to(
        "POST", rf"/repos/acme/widgets/actions/runs/{run.id}/rerun-failed-jobs"
    )
    assert post.status == 201
    again = gh.get_workflow_run(run.id)
    assert (again.status, again.conclusion, again.run_attempt) == ("queued", None, 2)
    latest = {j.name: j for j in gh.list_run_jobs(run.id)}
    assert latest["test"].status == "queued" and latest["lint"].conclusion == "success"
    assert len(gh.list_run_jobs(run.id, latest_only=False)) == 3

    before = len(emu.requests)
    with pytest.raises(IntegrationError, match="not completed") as raised:
        gh.rerun_failed_jobs(run.id)  # still queued: refused, not retried
    assert raised.value.status == 403 and len(emu.requests) == before + 1
    emu.complete_run(run.id, "success")
    assert gh.get_workflow_run(run.id).conclusion == "success"


def test_dispatch_workflow_with_inputs(emu: GitHubEmulator, gh: GitHubClient) -> None:
    gh.dispatch_workflow("deploy.yml", "main", {"environment": "staging", "version": "1.2"})
    [post] = emu.requests_to("POST", "/repos/acme/widgets/actions/workflows/deploy.yml/dispatches")
    assert post.status == 204
    assert post.body == {"ref": "main", "inputs": {"environment": "staging", "version": "1.2"}}
    newest = gh.list_workflow_runs(limit=1)[0]
    assert (newest.name, newest.event, newest.status) == ("Deploy", "workflow_dispatch", "queued")
    with emu.locked() as state:
        assert state.runs[newest.id].inputs == {"environment": "staging", "version": "1.2"}

    before = len(emu.requests)
    with pytest.raises(IntegrationError, match="Required input 'environment' not provided"):
        gh.dispatch_workflow("deploy.yml", "main")
    with pytest.raises(IntegrationError, match="No ref found for: nope"):
        gh.dispatch_workflow("deploy.yml", "nope", {"environment": "x"})
    with pytest.raises(IntegrationError, match=r"workflow missing\.yml in acme/widgets not found"):
        gh.dispatch_workflow("missing.yml", "main")
    assert len(emu.requests) == before + 3  # none of them retried


# -- pull requests --------------------------------------------------------------------------


def test_create_get_and_list_pull_requests(emu: GitHubEmulator, gh: GitHubClient) -> None:
    head = emu.push_commit("feature", {APP: MUL}, message="Add mul")
    pr = gh.create_pull_request(head="feature", title="Add mul", body="Adds mul().")
    [post] = emu.requests_to("POST", "/repos/acme/widgets/pulls")
    assert post.status == 201
    assert post.body == {"base": "main", "head": "feature", "title": "Add mul"} | {
        "body": "Adds mul().",
        "draft": False,
    }
    assert (pr.number, pr.state, pr.head_ref, pr.base_ref) == (1, "open", "feature", "main")
    assert pr.head_sha == head and pr.mergeable and pr.author == "cicd-bot"
    assert gh.get_pull_request(pr.number) == pr
    assert [p.number for p in gh.list_pull_requests(head="feature")] == [1]
    assert gh.list_pull_requests(head="other") == []

    with pytest.raises(IntegrationError, match="A pull request already exists for acme:feature"):
        gh.create_pull_request(head="feature", title="Again", base="main")


def test_review_with_line_comments(emu: GitHubEmulator, gh: GitHubClient) -> None:
    emu.push_commit("feature", {APP: MUL})
    pr = gh.create_pull_request(head="feature", title="Add mul", base="main")
    comment = ReviewComment(path=APP, line=10, body="Overflow?")
    review = gh.review_pull_request(pr.number, body="A few notes", comments=[comment])
    assert (review.state, review.reviewer, review.commit_id) == (
        "COMMENTED",
        "cicd-bot",
        pr.head_sha,
    )
    [post] = emu.requests_to("POST", rf"/repos/acme/widgets/pulls/{pr.number}/reviews")
    assert post.body["event"] == "COMMENT"
    assert post.body["comments"] == [
        {"path": APP, "line": 10, "side": "RIGHT", "body": "Overflow?"}
    ]
    with emu.locked() as state:
        [saved] = state.review_comments.values()
        assert (saved.path, saved.line, saved.review_id) == (APP, 10, review.id)

    with make_client(emu, REVIEWER_TOKEN) as alice:
        changes = alice.review_pull_request(pr.number, event="REQUEST_CHANGES", body="Tests?")
        approved = alice.review_pull_request(pr.number, event="APPROVE")
    assert (changes.state, approved.state, approved.reviewer) == (
        "CHANGES_REQUESTED",
        "APPROVED",
        "alice",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"event": "APPROVE"}, "Can not approve your own pull request"),
        (
            {"comments": [ReviewComment(path=APP, line=1, body="x")], "body": "b"},
            "line must be part of the diff",
        ),
        (
            {"comments": [ReviewComment(path="README.md", line=1, body="x")], "body": "b"},
            "Path could not be resolved",
        ),
    ],
)
def test_invalid_reviews_fail_once_with_githubs_reason(
    emu: GitHubEmulator, gh: GitHubClient, kwargs: dict[str, Any], message: str
) -> None:
    emu.push_commit("feature", {APP: MUL})
    pr = gh.create_pull_request(head="feature", title="Add mul")
    with pytest.raises(IntegrationError, match=message) as raised:
        gh.review_pull_request(pr.number, **kwargs)
    assert raised.value.status == 422 and not raised.value.retryable
    assert len(emu.requests_to("POST", rf"/repos/acme/widgets/pulls/{pr.number}/reviews")) == 1


def bare(emu: GitHubEmulator, *args: str) -> str:
    return git("--git-dir", str(emu.bare_path), *args, cwd=emu.bare_path)


@pytest.mark.parametrize("method", ["merge", "squash", "rebase"])
def test_merge_methods_change_the_real_repository(
    emu: GitHubEmulator, gh: GitHubClient, method: str
) -> None:
    base = emu.branches()["main"]
    emu.push_commit("feature", {APP: MUL}, message="Add mul")
    head = emu.push_commit("feature", {"NOTES.md": "notes\n"}, message="Add notes")
    pr = gh.create_pull_request(head="feature", title="Add mul")
    result = gh.merge_pull_request(pr.number, method=method)  # type: ignore[arg-type]
    assert result.merged and result.message == "Pull Request successfully merged"
    main = emu.branches()["main"]
    assert result.sha == main
    assert bare(emu, "rev-parse", f"{main}^{{tree}}") == bare(emu, "rev-parse", f"{head}^{{tree}}")
    parents = bare(emu, "show", "-s", "--format=%P", main).split()
    if method == "merge":
        assert parents == [base, head]
        assert bare(emu, "show", "-s", "--format=%s", main).startswith("Merge pull request #1")
    elif method == "squash":
        assert parents == [base]
        assert bare(emu, "show", "-s", "--format=%s", main) == "Add mul (#1)"
    else:
        assert bare(emu, "rev-list", "--count", f"{base}..{main}") == "2"
        assert bare(emu, "rev-list", "--merges", "--count", f"{base}..{main}") == "0"
        assert bare(emu, "show", "-s", "--format=%s", main) == "Add notes"
    merged = gh.get_pull_request(pr.number)
    assert (merged.state, merged.merged, merged.merge_commit_sha) == ("closed", True, main)

    with pytest.raises(IntegrationError, match="not mergeable") as raised:
        gh.merge_pull_request(pr.number)
    assert raised.value.status == 405


def test_merge_conflicts_and_moved_heads_are_not_retried(
    emu: GitHubEmulator, gh: GitHubClient
) -> None:
    emu.push_commit("feature", {APP: "def add(a, b):\n    return b + a\n"})
    pr = gh.create_pull_request(head="feature", title="Swap")
    with pytest.raises(IntegrationError, match="Head branch was modified") as raised:
        gh.merge_pull_request(pr.number, sha="0" * 40)
    assert raised.value.status == 409
    emu.push_commit("main", {APP: "def add(a, b):\n    return a + b + 0\n"})
    assert gh.get_pull_request(pr.number).mergeable is False
    with pytest.raises(IntegrationError, match="not mergeable"):
        gh.merge_pull_request(pr.number)
    assert len(emu.requests_to("PUT", r"/repos/acme/widgets/pulls/1/merge")) == 2


# -- statuses, checks, deployments ----------------------------------------------------------


def test_commit_status_and_check_run(emu: GitHubEmulator, gh: GitHubClient) -> None:
    sha = emu.branches()["main"]
    status = gh.create_commit_status(
        sha, state="failure", context="cicd/analysis", description="x" * 300, target_url="http://t"
    )
    assert (status.state, status.context, len(status.description or "")) == (
        "failure",
        "cicd/analysis",
        140,
    )
    check = gh.publish_check(
        sha, name="cicd/analysis", conclusion="failure", title="3 findings", summary="**bad**"
    )
    assert (check.kind, check.conclusion) == ("check_run", "failure")
    with emu.locked() as state:
        assert state.check_runs[check.id].output["summary"] == "**bad**"
    with pytest.raises(IntegrationError, match=r"No commit found for SHA: 0{40}"):
        gh.create_commit_status("0" * 40, state="success", context="c")


def test_check_runs_refused_fall_back_to_a_commit_status(
    emu: GitHubEmulator, gh: GitHubClient
) -> None:
    emu.check_runs_allowed = False
    sha = emu.branches()["main"]
    check = gh.publish_check(
        sha, name="cicd/analysis", conclusion="timed_out", title="Slow", summary="took too long"
    )
    assert check.kind == "commit_status"
    [refused] = emu.requests_to("POST", "/repos/acme/widgets/check-runs")
    assert refused.status == 403
    [status] = emu.requests_to("POST", rf"/repos/acme/widgets/statuses/{sha}")
    assert status.body["state"] == "failure"
    assert status.body["description"] == "Slow: took too long"


def test_deployments_and_their_statuses(emu: GitHubEmulator, gh: GitHubClient) -> None:
    sha = emu.branches()["main"]
    first = gh.create_deployment("main", environment="staging", description="v1")
    assert (first.sha, first.environment, first.task) == (sha, "staging", "deploy")
    gh.create_deployment_status(first.id, state="success", log_url="http://ci/log/1")
    second = gh.create_deployment("main", environment="staging")
    progress = gh.create_deployment_status(second.id, state="in_progress")
    done = gh.create_deployment_status(
        second.id, state="success", environment_url="https://staging.example"
    )
    assert (progress.state, done.environment_url) == ("in_progress", "https://staging.example")
    assert [d.id for d in gh.list_deployments(environment="staging")] == [second.id, first.id]
    assert gh.list_deployments(environment="production") == []
    # A newer success makes the older deployment inactive, as on GitHub.
    assert [s.state for s in gh.list_deployment_statuses(first.id)] == ["inactive", "success"]
    assert [s.state for s in gh.list_deployment_statuses(second.id)] == ["success", "in_progress"]


def test_deployment_refused_when_required_checks_fail(
    emu: GitHubEmulator, gh: GitHubClient
) -> None:
    sha = emu.branches()["main"]
    gh.create_commit_status(sha, state="failure", context="ci/test")
    with pytest.raises(IntegrationError, match="Commit status checks failed for main") as raised:
        gh.create_deployment("main")
    assert raised.value.status == 409
    assert gh.create_deployment("main", required_contexts=[]).sha == sha


# -- real git: clone, branch, commit, push, pull request, merge -----------------------------


def test_clone_branch_push_pull_request_and_merge(
    emu: GitHubEmulator, gh: GitHubClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv: list[list[str]] = []
    real_run = subprocess.run

    def recording_run(args: Any, *rest: Any, **kwargs: Any) -> Any:
        argv.append([str(a) for a in args])
        return real_run(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "run", recording_run)

    cloned = gh.clone(tmp_path / "widgets")
    work = Path(cloned.path)
    assert (cloned.branch, cloned.commit) == ("main", emu.branches()["main"])
    assert cloned.source == emu.clone_url
    git("checkout", "-q", "-b", "cicd/add-mul", cwd=work)
    (work / APP).write_text(MUL)
    git("commit", "-q", "-am", "Add mul", cwd=work)
    pushed = gh.push_branch(work, "cicd/add-mul")
    assert emu.branches()["cicd/add-mul"] == pushed == git("rev-parse", "HEAD", cwd=work)

    pr = gh.create_pull_request(head="cicd/add-mul", title="Add mul")
    assert pr.head_sha == pushed and pr.mergeable
    result = gh.merge_pull_request(pr.number, method="squash", sha=pushed)
    assert result.merged
    run_git("fetch", "-q", "origin", cwd=work, url=emu.clone_url, token=DEFAULT_TOKEN)
    assert git("rev-parse", "origin/main", cwd=work) == result.sha

    # The token went through git's environment only: not argv, not the URL, not .git/config.
    git_requests = [r for r in emu.requests if r.kind == "git"]
    assert git_requests and all(r.auth == "basic" and r.user == "cicd-bot" for r in git_requests)
    assert not [a for a in argv if any(DEFAULT_TOKEN in part for part in a)]
    assert DEFAULT_TOKEN not in (work / ".git" / "config").read_text()
    assert git("remote", "get-url", "origin", cwd=work) == emu.clone_url


def test_clone_with_a_refused_token_fails_once(emu: GitHubEmulator, tmp_path: Path) -> None:
    repo = make_client(emu).get_repository()
    with make_client(emu, BAD_TOKEN) as gh, pytest.raises(IntegrationAuthError) as raised:
        gh.clone(tmp_path / "w", repo=repo)
    assert "GITHUB_TOKEN" in str(raised.value) and BAD_TOKEN not in str(raised.value)
    attempts = [r for r in emu.requests if r.kind == "git"]
    assert [(r.path, r.status) for r in attempts] == [("/acme/widgets.git/info/refs", 401)]
    assert not (tmp_path / "w").exists()


def test_push_of_a_missing_branch_says_so(
    emu: GitHubEmulator, gh: GitHubClient, tmp_path: Path
) -> None:
    work = Path(gh.clone(tmp_path / "w").path)
    with pytest.raises(IntegrationError, match="git rev-parse failed"):
        gh.push_branch(work, "no-such-branch")


# -- failures and retries -------------------------------------------------------------------


def test_a_5xx_burst_is_retried_until_it_succeeds(emu: GitHubEmulator, gh: GitHubClient) -> None:
    emu.fail_next(3, status=502)
    assert gh.get_repository().full_name == "acme/widgets"
    assert [r.status for r in emu.requests] == [502, 502, 502, 200]
    gaps = [b.at - a.at for a, b in zip(emu.requests, emu.requests[1:], strict=False)]
    assert all(gap >= 0.009 for gap in gaps)  # backoff 0.01, 0.02, 0.04


def test_a_5xx_burst_longer_than_the_attempts_fails(emu: GitHubEmulator, gh: GitHubClient) -> None:
    emu.fail_next(10, status=503)
    with pytest.raises(IntegrationError, match="server error 503") as raised:
        gh.get_pull_request(1)
    assert raised.value.retryable and raised.value.status == 503
    assert len(emu.requests) == FAST.attempts


def test_secondary_rate_limit_waits_for_retry_after(emu: GitHubEmulator, gh: GitHubClient) -> None:
    emu.rate_limit_next(1, retry_after=1)
    started = time.monotonic()
    assert gh.get_branch("main").name == "main"
    limited, ok = emu.requests
    assert (limited.status, ok.status) == (403, 200)
    assert ok.at - limited.at >= 1.0
    assert time.monotonic() - started < 3


def test_primary_rate_limit_waits_until_the_reset(emu: GitHubEmulator, gh: GitHubClient) -> None:
    emu.rate_limit_next(1, reset_in=1, status=429)
    gh.list_workflow_runs(limit=1)
    limited, ok = emu.requests
    assert (limited.status, ok.status) == (429, 200)
    # The reset is a whole epoch second at least one second after the limited request.
    assert ok.wall >= limited.wall + 0.99
    assert ok.wall - limited.wall < 2.5


def test_a_rate_limit_longer_than_max_wait_is_a_failure(emu: GitHubEmulator) -> None:
    emu.rate_limit_next(1, reset_in=3600)
    policy = RetryPolicy(attempts=3, base_delay=0.01, max_wait=30)
    with (
        make_client(emu, policy=policy) as gh,
        pytest.raises(IntegrationError, match="longer than"),
    ):
        gh.get_repository()
    assert len(emu.requests) == 1


def test_a_bad_token_fails_once_naming_the_setting(emu: GitHubEmulator) -> None:
    with make_client(emu, BAD_TOKEN) as gh, pytest.raises(IntegrationAuthError) as raised:
        gh.create_pull_request(head="feature", title="x", base="main")
    message = str(raised.value)
    assert "GITHUB_TOKEN" in message and "Bad credentials" in message
    assert BAD_TOKEN not in message and BAD_TOKEN not in repr(raised.value.__cause__)
    [request] = emu.requests
    assert (request.status, request.user) == (401, None)


def test_not_found_and_validation_errors_are_not_retried(
    emu: GitHubEmulator, gh: GitHubClient
) -> None:
    with pytest.raises(IntegrationError) as missing_pr:
        gh.get_pull_request(99)
    assert str(missing_pr.value) == (
        "GitHub: get pull request: pull request #99 in acme/widgets not found or the token "
        "cannot see it"
    )
    with make_client(emu, repository="acme/nope") as other, pytest.raises(IntegrationError) as repo:
        other.get_repository()
    assert "repository acme/nope not found or the token cannot see it" in str(repo.value)
    with pytest.raises(
        IntegrationError, match=r"Validation Failed \(No commits between main and main\)"
    ):
        gh.create_pull_request(head="main", title="Nothing", base="main")
    with pytest.raises(IntegrationError, match=r"PullRequest\.head: invalid"):
        gh.create_pull_request(head="ghost", title="Nothing", base="main")
    assert [r.status for r in emu.requests] == [404, 404, 422, 422]


def test_timeouts_and_refused_connections_are_retryable(emu: GitHubEmulator) -> None:
    emu.slow_next(1, seconds=1.6)
    started = time.monotonic()
    with make_client(emu, timeout=1) as gh:
        assert gh.get_repository().default_branch == "main"
    assert time.monotonic() - started >= 1.0  # the first try timed out
    # The slow answer is recorded when the server finally sends it.
    deadline = time.monotonic() + 5
    while len(emu.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(r.status for r in emu.requests) == [200, 200]

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    client = GitHubClient(
        token=DEFAULT_TOKEN,
        repository="acme/widgets",
        api_url=f"http://127.0.0.1:{port}",
        policy=RetryPolicy(attempts=2, base_delay=0.01),
    )
    with pytest.raises(IntegrationError, match="could not connect") as raised:
        client.get_repository()
    assert raised.value.retryable


def test_rate_limit_wait_reads_githubs_headers() -> None:
    assert rate_limit_wait({"Retry-After": "7"}) == 7.0
    assert rate_limit_wait({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1010"}, 1000) == 10
    assert rate_limit_wait({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "990"}, 1000) == 0
    assert (
        rate_limit_wait({"x-ratelimit-remaining": "12", "x-ratelimit-reset": "1010"}, 1000) is None
    )
    assert rate_limit_wait({"retry-after": "soon"}) is None


def test_missing_settings_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(IntegrationNotConfigured, match="GITHUB_TOKEN is not set"):
        GitHubClient.from_config(OrchestrationConfig(github_repository="acme/widgets"))
    with pytest.raises(IntegrationNotConfigured, match="GITHUB_REPOSITORY is not set"):
        GitHubClient.from_config(OrchestrationConfig(github_token="ghp_x"))
    with pytest.raises(IntegrationError, match="owner/name"):
        GitHubClient.from_config(OrchestrationConfig(github_token="ghp_x", github_repository="x"))
    client = GitHubClient.from_config(
        OrchestrationConfig(
            github_token="ghp_secret_value",
            github_repository="acme/widgets",
            integration_retry_attempts=7,
            integration_retry_base_seconds=0.5,
        )
    )
    assert (client.policy.attempts, client.policy.base_delay) == (7, 0.5)
    assert "ghp_secret_value" not in repr(client)


# -- Prefect tasks ----------------------------------------------------------------------------


@pytest.fixture
def github_env(
    emu: GitHubEmulator, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> GitHubEmulator:
    monkeypatch.setenv("GITHUB_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", emu.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/widgets")
    monkeypatch.setenv("INTEGRATION_RETRY_ATTEMPTS", "3")
    monkeypatch.setenv("INTEGRATION_RETRY_BASE_SECONDS", "0.01")
    return emu


def test_tasks_called_directly(github_env: GitHubEmulator, tmp_path: Path) -> None:
    emu = github_env
    assert tasks.get_repository.fn().default_branch == "main"
    [run] = tasks.list_workflow_runs.fn(status="failure")
    jobs = tasks.list_run_jobs.fn(run.id)
    assert "FAILED" in tasks.download_job_log.fn(jobs[-1].id)
    tasks.rerun_failed_jobs.fn(run.id)
    tasks.dispatch_workflow.fn("deploy.yml", "main", {"environment": "prod"})
    assert tasks.get_workflow_run.fn(run.id).run_attempt == 2

    work = Path(tasks.clone.fn(tmp_path / "w").path)
    git("checkout", "-q", "-b", "task-branch", cwd=work)
    (work / APP).write_text(MUL)
    git("commit", "-q", "-am", "Add mul", cwd=work)
    sha = tasks.push_branch.fn(work, "task-branch")
    pr = tasks.create_pull_request.fn("task-branch", "Add mul", "body")
    assert tasks.get_pull_request.fn(pr.number).head_sha == sha
    comment = ReviewComment(path=APP, line=10, body="ok")
    assert tasks.review_pull_request.fn(pr.number, "COMMENT", "", [comment]).state == "COMMENTED"
    assert tasks.create_commit_status.fn(sha, "success", "ci").state == "success"
    assert tasks.publish_check.fn(sha, "analysis", "success", "t", "s").kind == "check_run"
    assert tasks.merge_pull_request.fn(pr.number, "merge").merged
    assert tasks.create_branch.fn("tmp").name == "tmp"
    tasks.delete_branch.fn("tmp")
    deployment = tasks.create_deployment.fn("main", "staging")
    assert tasks.create_deployment_status.fn(deployment.id, "success").state == "success"
    assert [d.id for d in tasks.list_deployments.fn("staging")] == [deployment.id]
    assert set(emu.branches()) == {"main", "task-branch"}
    assert tasks.create_pull_request.name == "github-create-pull-request"
    assert tasks.create_pull_request.retries == 0


@pytest.mark.prefect
def test_tasks_inside_a_real_flow(prefect_api: str, github_env: GitHubEmulator) -> None:
    emu = github_env
    emu.push_commit("flow-branch", {APP: MUL})

    @flow(name="github-integration-smoke")
    def smoke() -> PullRequest:
        [run] = tasks.list_workflow_runs(status="failure")
        log = tasks.download_job_log(tasks.list_run_jobs(run.id)[-1].id)
        pr = tasks.create_pull_request("flow-branch", "From a flow", log[-200:])
        tasks.publish_check(pr.head_sha, "analysis", "failure", "1 failure", log[-200:])
        return pr

    state = smoke(return_state=True)
    assert state.is_completed(), state.message
    pr = state.result()
    assert isinstance(pr, PullRequest) and "FAILED tests/test_app.py" in (pr.body or "")
    assert emu.requests_to("POST", "/repos/acme/widgets/check-runs")[0].status == 201


@pytest.mark.prefect
def test_a_refused_token_fails_the_flow_once(
    prefect_api: str, github_env: GitHubEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", BAD_TOKEN)

    @flow(name="github-integration-bad-token")
    def bad() -> None:
        tasks.get_repository()

    state = bad(return_state=True)
    assert state.is_failed()
    assert "GITHUB_TOKEN" in (state.message or "") and BAD_TOKEN not in (state.message or "")
    assert len(github_env.requests) == 1


# -- the emulator itself ----------------------------------------------------------------------


def _openapi_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable`` to JSON Schema (the rest validates as it is)."""
    if isinstance(node, list):
        return [_openapi_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: _openapi_to_json_schema(v) for k, v in node.items() if k not in ("nullable", "example")
    }
    return {"anyOf": [out, {"type": "null"}]} if node.get("nullable") else out


def test_answers_match_githubs_openapi_schemas(emu: GitHubEmulator, gh: GitHubClient) -> None:
    openapi = shared("api/github/rest-subset.openapi.json")
    spec = _openapi_to_json_schema(json.loads(openapi.read_text()))
    emu.push_commit("feature", {APP: MUL})
    pr = gh.create_pull_request(head="feature", title="Add mul")
    [run] = gh.list_workflow_runs(status="failure")
    headers = {"Authorization": f"token {DEFAULT_TOKEN}"}
    checked = [
        ("/repos/{owner}/{repo}", "/repos/acme/widgets"),
        ("/repos/{owner}/{repo}/actions/runs", "/repos/acme/widgets/actions/runs"),
        (
            "/repos/{owner}/{repo}/actions/runs/{run_id}",
            f"/repos/acme/widgets/actions/runs/{run.id}",
        ),
        (
            "/repos/{owner}/{repo}/actions/runs/{run_id}/jobs",
            f"/repos/acme/widgets/actions/runs/{run.id}/jobs",
        ),
        ("/repos/{owner}/{repo}/pulls", "/repos/acme/widgets/pulls"),
        ("/repos/{owner}/{repo}/pulls/{pull_number}", f"/repos/acme/widgets/pulls/{pr.number}"),
        ("/rate_limit", "/rate_limit"),
    ]
    for template, path in checked:
        answer = requests.get(emu.url + path, headers=headers, timeout=10)
        schema = spec["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]
        document = {**schema["schema"], "components": spec["components"]}
        jsonschema.validate(answer.json(), document)
    created = [r for r in emu.requests if r.method == "POST" and r.path.endswith("/pulls")]
    assert created[0].status == 201

    missing = requests.get(emu.url + "/repos/acme/widgets/pulls/999", headers=headers, timeout=10)
    assert missing.status_code == 404
    assert missing.json()["message"] == "Not Found" and "documentation_url" in missing.json()
    unauthorised = requests.get(emu.url + "/repos/acme/widgets", timeout=10)
    assert unauthorised.status_code == 401
    assert unauthorised.json()["message"] == "Requires authentication"


def test_cli_registers_the_github_subcommand() -> None:
    parser = argparse.ArgumentParser()
    add_cli(parser.add_subparsers(dest="emulator", required=True))
    args = parser.parse_args(["github", "--port", "0", "--token", "t1", "--token", "t2"])
    assert (args.func, args.port, args.token, args.owner, args.repo) == (
        run_github,
        0,
        ["t1", "t2"],
        "acme",
        "widgets",
    )
