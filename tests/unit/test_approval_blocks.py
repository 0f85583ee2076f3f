"""The approval message and the cleanup result: Slack-valid, buttons only while open."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import Block

from blocks import actions
from blocks.approvals import (
    Closed,
    Waiting,
    approval_blocks,
    approval_text,
    escalation_text,
    reject_modal,
)
from blocks.cleanup import cleanup_blocks, cleanup_text
from blocks.progress import progress_blocks
from blocks.runs import cancelled_blocks
from tests.emulators.slack_blocks import validate_blocks, validate_view
from workflows.analysis.models import Category, Finding, Severity
from workflows.governance.access import Principals
from workflows.governance.approvals import ApprovalRequest
from workflows.models.dead_code_cleanup import (
    CleanupChange,
    CleanupOutcome,
    CleanupRequest,
    CleanupResult,
    approval_request,
    risk_of,
)
from workflows.models.runs import RunOrigin
from workflows.models.snapshots import RunSnapshot, StepView
from workflows.repository.worktrees import FileChange

RUN_ID = "0b6f2a52-9c1e-4d7e-8a43-5c4f1e2d3a10"
AT = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)


def dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    out = [b.to_dict() for b in blocks]
    assert validate_blocks(out) == []
    return out


def finding(rule: str, path: str, line: int) -> Finding:
    return Finding(
        rule=rule,
        category=Category.CODE_QUALITY,
        severity=Severity.WARNING,
        path=path,
        line=line,
        end_line=line,
        message=f"{rule} at {line}",
    )


def change(files: int = 2, functions: int = 1) -> CleanupChange:
    fixed = [finding("unused-import", f"pkg/m{i}.py", 1) for i in range(files)]
    fixed += [finding("unused-function", "pkg/m0.py", 10 + i) for i in range(functions)]
    return CleanupChange(
        source="/srv/repo",
        repo_path="/srv/repo",
        worktree="/data/worktrees/x",
        branch="cicd/dead-code-cleanup-0b6f2a52",
        base_commit="4e1f0c2d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e",
        base_ref="main",
        files=[FileChange(path=f"pkg/m{i}.py", removed=4, added=0) for i in range(files)],
        fixed=fixed,
        digest="ab" * 32,
    )


def request() -> ApprovalRequest:
    origin = RunOrigin(source="slack", user="U0001", channel="C0001", thread_ts="1.1")
    return approval_request(
        CleanupRequest(repo="/srv/repo", component="pkg"), change(), origin, "acme/widgets"
    )


def test_open_request_shows_the_change_and_three_buttons() -> None:
    waiting = Waiting(
        level=0,
        levels=2,
        deciders=Principals(users=["U0003"], groups=["S0SRE"]),
        next_at=AT + timedelta(minutes=30),
        next_notify=Principals(groups=["S0LEADS"]),
    )
    out = dicts(approval_blocks(request(), RUN_ID, "brave-fox", waiting))
    text = json.dumps(out)
    assert "Remove dead code in pkg" in text and "2 files, -8/+0 lines" in text
    assert "acme/widgets" in text and "medium" in text and "<@U0001>" in text
    assert "pkg/m0.py" in text and "Level 1 of 2" in text
    assert "<@U0003> <!subteam^S0SRE>" in text and "escalates to <!subteam^S0LEADS>" in text
    (buttons,) = [b for b in out if b["type"] == "actions"]
    assert [e["action_id"] for e in buttons["elements"]] == list(actions.DECISIONS)
    assert {e["value"] for e in buttons["elements"]} == {f"{RUN_ID}|change"}
    assert buttons["elements"][1]["style"] == "danger"  # Reject asks why in a modal first
    assert "Approval needed" in approval_text(request(), waiting)


def test_closed_request_names_who_and_when_and_has_no_buttons() -> None:
    closed = Closed("approved", "U0003", AT)
    out = dicts(approval_blocks(request(), RUN_ID, "brave-fox", closed))
    assert not [b for b in out if b["type"] == "actions"]
    text = json.dumps(out)
    assert "Approved" in text and "<@U0003>" in text and f"<!date^{int(AT.timestamp())}^" in text
    timed_out = json.dumps(
        dicts(approval_blocks(request(), RUN_ID, "x", Closed("timed_out", "timeout", AT)))
    )
    assert "nobody decided in time" in timed_out and "the timeout" in timed_out


def test_last_level_says_when_it_is_rejected() -> None:
    waiting = Waiting(1, 2, Principals(), AT, None)
    text = json.dumps(dicts(approval_blocks(request(), RUN_ID, "x", waiting)))
    assert "rejected automatically" in text and "anyone but the requester" in text


def test_escalation_reply_mentions_and_links() -> None:
    text = escalation_text(1, Principals(users=["U0009"]), "https://x/p1", None)
    assert "level 2" in text and "<@U0009>" in text and "<https://x/p1|" in text
    assert "nobody decided in time" in text
    assert "by <@U0001>" in escalation_text(1, Principals(), None, "U0001")


def test_risk_grows_with_the_change() -> None:
    assert risk_of(change(files=1, functions=0))[0] == "low"
    assert risk_of(change(files=2, functions=1))[0] == "medium"
    assert risk_of(change(files=30, functions=0))[0] == "high"


def test_cleanup_results_render_for_every_outcome() -> None:
    base = CleanupResult(
        request=CleanupRequest(repo="/srv/repo", component="pkg"),
        outcome=CleanupOutcome.BRANCH,
        change=change(),
        decided_by="U0003",
        decided_at=AT,
        commit="4e1f0c2d9b8a",
    )
    for outcome in CleanupOutcome:
        extra = {"pull_request_url": "https://github.com/acme/widgets/pull/7"}
        result = base.model_copy(update={"outcome": outcome, "pull_request_number": 7, **extra})
        text = json.dumps(dicts(cleanup_blocks(result, RUN_ID, "brave-fox")))
        assert "cicd_retry" in text
        assert cleanup_text(result)
    branch = json.dumps(dicts(cleanup_blocks(base, RUN_ID)))
    assert "git switch cicd/dead-code-cleanup-0b6f2a52" in branch and "/srv/repo" in branch
    pr = base.model_copy(
        update={"outcome": CleanupOutcome.PULL_REQUEST, "pull_request_number": 7, **extra}
    )
    assert "pull/7|Review pull request #7" in json.dumps(dicts(cleanup_blocks(pr, RUN_ID)))


def test_cancel_button_only_on_unfinished_cancellable_progress() -> None:
    steps = [StepView(key="approval", label="Wait for approval")]
    running = RunSnapshot(run_id=RUN_ID, workflow="dead_code_cleanup", state="PAUSED", steps=steps)
    out = dicts(progress_blocks("T", running, cancellable=True))
    assert [e["action_id"] for b in out if b["type"] == "actions" for e in b["elements"]] == [
        actions.CANCEL
    ]
    assert out[-1]["type"] == "context"  # the footer stays last
    done = running.model_copy(update={"state": "COMPLETED"})
    assert not [
        b for b in dicts(progress_blocks("T", done, cancellable=True)) if b["type"] == "actions"
    ]
    assert not [b for b in dicts(progress_blocks("T", running)) if b["type"] == "actions"]


def test_cancelled_message_keeps_the_mention_only() -> None:
    (section, _) = dicts(cancelled_blocks("T <x>", "Cancelled by <@U0002> <b>", RUN_ID))
    text = section["text"]["text"]
    assert "<@U0002>" in text and "&lt;b&gt;" in text and "T &lt;x&gt;" in text


def test_reject_modal_asks_why_and_names_the_run() -> None:
    view = reject_modal(request(), f"{RUN_ID}|change", "C0001", "1.2", "1.1")
    assert validate_view(view) == []
    assert view["callback_id"] == actions.REJECT_REASON
    assert json.loads(view["private_metadata"]) == {
        "value": f"{RUN_ID}|change",
        "channel": "C0001",
        "ts": "1.2",
        "thread": "1.1",
    }
    (reason,) = [b for b in view["blocks"] if b["type"] == "input"]
    assert reason["optional"] is True and reason["element"]["multiline"] is True
    assert "Remove dead code in pkg" in json.dumps(view["blocks"])
