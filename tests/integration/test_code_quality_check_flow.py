"""`code_quality_check` as a real Prefect flow against the GitHub emulator's real pull requests.

The repository's `main` has old findings (an unused `sys`, a bare except in `legacy`); the
pull request moves `legacy`, adds an unused import, a function with a bare except and makes
`handle` more complex. Only what the change introduces on its lines may be reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from blocks.results import render_result
from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator
from tests.emulators.slack_blocks import validate_blocks
from workflows.flows.code_quality_check import CHECK_NAME, code_quality_check
from workflows.integrations.github_client import GitHubClient
from workflows.models.code_quality_check import QualityCheckRequest, QualityCheckResult
from workflows.quality_gate.verdict import Verdict

pytestmark = pytest.mark.prefect

ALICE = "ghp_alice00000000000000000000000000000000"
RUN_ID = "0b6f2a52-9c1e-4d7e-8a43-5c4f1e2d3a10"

BASE_APP = '''\
"""The widgets app."""

import os
import sys


def handle(kind):
    if kind == "a":
        return 1
    return os.getcwd()


def legacy(path):
    try:
        return open(path).read()
    except:
        return ""
'''

HEAD_APP = '''\
"""The widgets app."""

import json
import os
import sys


def legacy(path):
    try:
        return open(path).read()
    except:
        return ""


def handle(kind):
    if kind == "a":
        return 1
    if kind == "b" or kind == "c":
        return 2
    for _ in range(3):
        if kind:
            return 3
    return os.getcwd()


def risky(path):
    try:
        return open(path).read()
    except:
        return None
'''

MAIN = 'from pkg.app import handle, legacy\n\nprint(handle("a"), legacy("x"))\n'
CLEAN_UTIL = '''\
"""Small arithmetic."""


def double(value: int) -> int:
    """Twice ``value``."""
    return value * 2
'''


@pytest.fixture
def github(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubEmulator]:
    """The emulator with `main` holding old findings, and the flow's settings pointing at it."""
    with GitHubEmulator(tokens={DEFAULT_TOKEN: "cicd-bot", ALICE: "alice"}) as emu:
        emu.push_commit(
            "main", {"pkg/__init__.py": "", "pkg/app.py": BASE_APP, "pkg/main.py": MAIN}
        )
        monkeypatch.setenv("GITHUB_TOKEN", DEFAULT_TOKEN)
        monkeypatch.setenv("GITHUB_API_URL", emu.url)
        monkeypatch.setenv("GITHUB_REPOSITORY", "acme/widgets")
        monkeypatch.setenv("INTEGRATION_RETRY_BASE_SECONDS", "0")
        yield emu


def open_pull(emu: GitHubEmulator, branch: str, files: dict[str, str], token: str = ALICE) -> int:
    """Push ``files`` on a new ``branch`` and open a pull request into main, as alice."""
    emu.push_commit(branch, files, message=f"Work on {branch}", base="main")
    with GitHubClient(token=token, api_url=emu.url, repository="acme/widgets") as gh:
        return gh.create_pull_request(head=branch, base="main", title=f"Change {branch}").number


def run(pull: str, **fields: object) -> QualityCheckResult:
    return code_quality_check(QualityCheckRequest(pull=pull, **fields))


def test_new_findings_on_changed_lines_fail_the_gate(
    github: GitHubEmulator, data_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "none.yaml").write_text("quality_gate: {max_new_warnings: 2}\n")
    number = open_pull(github, "feature", {"pkg/app.py": HEAD_APP})
    head_sha = github.branches()["feature"]

    result = run(f"{github.url}/acme/widgets/pull/{number}")

    new = {(n.finding.rule, n.finding.line, n.line) for n in result.new_findings}
    assert new == {
        ("unused-import", 3, 3),
        ("missing-annotation", 26, 26),
        ("unused-function", 26, 26),
        # git aligns risky's body with legacy's old one: its `except:` line is unchanged
        # context, so the comment goes on the function's first changed line.
        ("bare-except", 29, 26),
        ("swallowed-exception", 29, 30),
    }
    # The old unused `sys` (line 5) and legacy's bare except (moved, line 11) are not new.
    assert result.existing_findings >= 1
    assert result.decision.verdict is Verdict.FAIL
    assert result.decision.reasons == ["4 new warning(s) (at most 2 allowed)"]
    (handle,) = [c for c in result.complexity if c.name == "handle"]
    assert (handle.base, handle.head) == (2, 6)
    assert result.pull.head_sha == head_sha and result.pull.merge_base is not None

    with github.locked() as state:
        (review,) = state.reviews.values()
        comments = {(c.path, c.line) for c in state.review_comments.values()}
        (check,) = state.check_runs.values()
    assert review.state == "CHANGES_REQUESTED" and review.user == "cicd-bot"
    assert review.commit_id == head_sha and "Quality gate: fail" in review.body
    assert comments == {("pkg/app.py", 3), ("pkg/app.py", 26), ("pkg/app.py", 30)}
    assert (check.name, check.conclusion, check.head_sha) == (CHECK_NAME, "failure", head_sha)
    assert result.review_event == "REQUEST_CHANGES" and result.check is not None
    assert result.warnings == []

    rendered = render_result(result, RUN_ID, "quality-run")
    assert rendered is not None and rendered.outcome == "❌ fail: 5 new findings"
    blocks = [b.to_dict() for b in rendered.blocks]
    assert validate_blocks(blocks) == []
    assert f"/acme/widgets/blob/{head_sha}/pkg/app.py#L29|pkg/app.py:29" in str(blocks)
    assert not any((data_dir / "pull-checks" / "runs").iterdir())  # worktrees removed


def test_a_clean_change_passes_with_a_comment(github: GitHubEmulator) -> None:
    number = open_pull(
        github,
        "docs",
        {
            "pkg/util.py": CLEAN_UTIL,
            "pkg/main.py": MAIN + "from pkg.util import double\nprint(double(2))\n",
        },
    )
    result = run(f"#{number}")
    assert result.decision.verdict is Verdict.PASS, result.new_findings
    assert result.new_findings == [] and result.changed_files == 2
    with github.locked() as state:
        (review,) = state.reviews.values()
        (check,) = state.check_runs.values()
    assert review.state == "COMMENTED" and "Quality gate: pass" in review.body
    assert check.conclusion == "success"


def test_the_bots_own_pull_request_gets_a_comment_instead(
    github: GitHubEmulator, tmp_path: Path
) -> None:
    """GitHub refuses to let an author request changes on their own pull request."""
    (tmp_path / "none.yaml").write_text("quality_gate: {max_new_warnings: 0}\n")
    number = open_pull(github, "feature", {"pkg/app.py": HEAD_APP}, token=DEFAULT_TOKEN)
    result = run(str(number), min_confidence=90)
    assert "swallowed-exception" not in {n.finding.rule for n in result.new_findings}  # 60 %
    assert result.decision.verdict is Verdict.FAIL
    assert result.review_event == "COMMENT"
    assert len(result.warnings) == 1
    assert "review posted as a comment without line comments" in result.warnings[0]
    assert "Can not request changes on your own pull request" in result.warnings[0]
    with github.locked() as state:
        (review,) = state.reviews.values()
        assert not state.review_comments
    assert review.state == "COMMENTED" and "`pkg/app.py:3` **unused-import**" in review.body


def test_a_missing_pull_request_is_named(github: GitHubEmulator) -> None:
    state = code_quality_check(QualityCheckRequest(pull="99"), return_state=True)
    assert state.is_failed()
    with pytest.raises(Exception, match=r"pull request #99 in acme/widgets not found"):
        state.result()


def test_without_github_it_says_what_to_set(data_dir: Path) -> None:
    state = code_quality_check(QualityCheckRequest(pull="7"), return_state=True)
    assert state.is_failed()
    with pytest.raises(Exception, match="GITHUB_TOKEN and GITHUB_REPOSITORY are not set"):
        state.result()


def test_a_pull_request_of_another_repository_is_refused(github: GitHubEmulator) -> None:
    state = code_quality_check(
        QualityCheckRequest(pull="https://github.com/other/repo/pull/1"), return_state=True
    )
    with pytest.raises(Exception, match=r"is in other/repo, but this bot checks .* acme/widgets"):
        state.result()


def test_cicd_run_starts_the_gate_from_the_terminal(
    prefect_api: str, github: GitHubEmulator, tmp_path: Path
) -> None:
    """`cicd run code_quality_check pull=N`: the generic command, the real bot process."""
    from tests.integration.test_cli import cicd

    number = open_pull(github, "feature", {"pkg/app.py": HEAD_APP})
    done = cicd("run", "code_quality_check", f"pull={number}", cwd=tmp_path, api_url=prefect_api)
    assert done.returncode == 0, done.stderr
    assert f"Quality gate on pull request #{number}" in done.stdout
    assert "⚠️ WARN" in done.stdout and "4 new warnings on 15 changed lines" in done.stdout
    assert f"pkg/app.py:3 ({github.url}/acme/widgets/blob/" in done.stdout
    assert "Post the verdict on GitHub" in done.stderr  # the progress display follows the steps
    with github.locked() as state:
        (review,) = state.reviews.values()
    assert review.state == "COMMENTED" and len(state.review_comments) == 5
    bad = cicd("run", "code_quality_check", "pull=pr-7", cwd=tmp_path)
    assert bad.returncode == 2 and "give its number (42 or #42) or its URL" in bad.stderr
