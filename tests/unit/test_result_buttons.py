"""The pure parts of the result buttons: per-finding blocks, issue drafts, the agent's prompt,
the refactoring request and its result message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from blocks import actions
from blocks.analysis import TOP_FINDINGS, analysis_blocks
from blocks.autonomous_refactoring import refactoring_blocks, refactoring_text
from blocks.results import render_result
from tests.emulators.slack_blocks import validate_blocks
from tests.unit.test_blocks import COMMIT, RUN_ID, make_findings, make_result
from workflows.analysis.models import Category, Edit, Finding, Fix, Severity
from workflows.integrations.linear_results import (
    IssueContext,
    draft_for_finding,
    draft_for_result,
    missing_settings,
    result_marker,
)
from workflows.models.autonomous_refactoring import (
    CONSTRAINTS,
    FindingRef,
    FindingSet,
    RefactoringOutcome,
    RefactoringRequest,
    RefactoringResult,
    approval_request,
    build_prompt,
    codegen_not_set_up,
)
from workflows.models.result_findings import (
    findings_of,
    github_line_url,
    github_web_base,
    repo_path,
    source_of,
)
from workflows.models.runs import RunOrigin

LONG_RUN_ID = "f" * 36


def dicts_of(blocks: list[Any]) -> list[dict[str, Any]]:
    dicts = [b.to_dict() for b in blocks]
    assert validate_blocks(dicts) == []
    return dicts


# -- per-finding Open issue buttons -------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3, 10, 500])
def test_each_listed_finding_has_its_own_open_issue_button(count: int) -> None:
    result = make_result(make_findings(count))
    dicts = dicts_of(analysis_blocks(result, RUN_ID))
    assert len(dicts) <= 50
    rows = [b for b in dicts if b.get("block_id", "").startswith("cicd_finding_")]
    listed = result.top_findings(TOP_FINDINGS)
    assert len(rows) == len(listed) <= TOP_FINDINGS
    for index, (row, finding) in enumerate(zip(rows, listed, strict=True)):
        button = row["accessory"]
        assert button["action_id"] == actions.OPEN_FINDING_ISSUE
        assert button["text"]["text"] == "Open issue"
        assert actions.parse_finding_value(button["value"]) == (RUN_ID, index)
        assert len(button["value"]) <= 2000
        assert f"`{finding.path}:{finding.line}`" in row["text"]["text"]
    assert len({b["block_id"] for b in dicts if "block_id" in b}) == len(
        [b for b in dicts if "block_id" in b]
    )
    # The whole-result buttons are still there, below the findings.
    (buttons,) = [b for b in dicts if b["type"] == "actions"]
    assert [e["action_id"] for e in buttons["elements"]] == list(actions.ALL)


def test_a_full_result_stays_within_the_block_limit() -> None:
    result = make_result(
        make_findings(500), parse_errors=[f"b{i}.py" for i in range(9)]
    ).model_copy(update={"warnings": ["Linear: down"] * 3})
    dicts = dicts_of(analysis_blocks(result, LONG_RUN_ID, "x" * 200))
    assert len(dicts) <= 50


def test_finding_values_are_checked() -> None:
    assert actions.parse_finding_value(actions.finding_value(RUN_ID, 7)) == (RUN_ID, 7)
    for bad in ("", RUN_ID, f"{RUN_ID}#", f"{RUN_ID}#x", "#3", f"{RUN_ID}#-1"):
        with pytest.raises(ValueError):
            actions.parse_finding_value(bad)


# -- where findings live ------------------------------------------------------------------------


def test_repo_paths_and_github_links() -> None:
    assert repo_path("contexten/agents", "worker.py") == "contexten/agents/worker.py"
    assert repo_path("", "worker.py") == "worker.py"
    assert repo_path("contexten/agents/worker.py", "worker.py") == "contexten/agents/worker.py"
    assert github_web_base("https://api.github.com") == "https://github.com"
    assert github_web_base("https://ghe.example.com/api/v3") == "https://ghe.example.com"
    assert github_web_base("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert github_web_base("https://api.github.com", "https://code.example/") == (
        "https://code.example"
    )
    url = github_line_url("https://github.com", "acme/app", "abc", "src/my file.py", 12)
    assert url == "https://github.com/acme/app/blob/abc/src/my%20file.py#L12"


def test_results_without_findings_offer_none() -> None:
    assert findings_of(object()) == []
    assert source_of(object()).repo is None
    result = make_result(make_findings(6))
    assert findings_of(result, 3) == result.top_findings(3)
    source = source_of(result)
    assert (source.repo, source.component, source.commit) == (
        "/srv/repo",
        "contexten/agents",
        COMMIT,
    )


# -- Linear issue drafts ------------------------------------------------------------------------


def context(**extra: Any) -> IssueContext:
    result = make_result(make_findings(30))
    fields: dict[str, Any] = {
        "run_id": RUN_ID,
        "run_name": "brave-fox",
        "title": "Analyzing contexten/agents",
        "headline": "30 findings in 37 files",
        "source": source_of(result),
        "thread_url": "https://acme.slack.com/archives/C0001/p1700000000000100",
        "requested_by": "U0001",
        **extra,
    }
    return IssueContext(**fields)


def test_a_result_issue_lists_findings_with_github_links() -> None:
    result = make_result(make_findings(30))
    found = findings_of(result, 100)
    draft = draft_for_result(
        context(github_repository="acme/app", github_web="https://github.com"), found, len(found)
    )
    assert draft.title == f"{len(found)} findings in contexten/agents (run brave-fox)"
    first = found[0]
    link = (
        f"[contexten/agents/{first.path}:{first.line}](https://github.com/acme/app/blob/"
        f"{COMMIT}/contexten/agents/{first.path}#L{first.line})"
    )
    assert link in draft.description
    assert "https://acme.slack.com/archives/C0001/p1700000000000100" in draft.description
    assert "`brave-fox`" in draft.description
    assert draft.marker == result_marker(RUN_ID)
    assert draft.parent_marker and draft.parent_marker.startswith("cicd:component-analysis:")


def test_without_github_the_places_are_plain() -> None:
    result = make_result(make_findings(3))
    draft = draft_for_result(context(), findings_of(result), 3)
    assert "](https://" not in draft.description
    assert f"`contexten/agents/{result.top_findings(1)[0].path}:" in draft.description


def test_a_finding_issue_has_its_own_marker_and_says_whether_a_safe_fix_exists() -> None:
    finding = Finding(
        rule="unused-import",
        category=Category.CODE_QUALITY,
        severity=Severity.WARNING,
        path="worker.py",
        line=1,
        end_line=1,
        message="`os` imported but unused",
        symbol="os",
        fix=Fix(
            description="remove the import",
            edits=[Edit(path="worker.py", start_byte=0, end_byte=9)],
        ),
    )
    draft = draft_for_finding(context(github_repository="acme/app"), finding)
    assert draft.title == "unused-import in contexten/agents/worker.py:1: `os` imported but unused"
    assert "`/cicd cleanup contexten/agents`" in draft.description
    assert draft.marker == result_marker(RUN_ID, finding) != result_marker(RUN_ID)
    other = finding.model_copy(update={"line": 2})
    assert result_marker(RUN_ID, other) != draft.marker
    assert (
        len(draft_for_finding(context(), finding.model_copy(update={"message": "m" * 900})).title)
        <= 250
    )


def test_missing_linear_settings_are_named() -> None:
    from workflows.config import OrchestrationConfig

    assert missing_settings(OrchestrationConfig()) == ["LINEAR_API_KEY", "LINEAR_TEAM_KEY"]
    assert missing_settings(OrchestrationConfig(linear_api_key="k")) == ["LINEAR_TEAM_KEY"]
    assert missing_settings(OrchestrationConfig(linear_api_key="k", linear_team_key="ZAM")) == []


# -- the refactoring request and prompt ---------------------------------------------------------


def test_findings_are_words_and_back() -> None:
    ref = FindingRef.parse("contexten/agents/worker.py:9 unused-function: `x` is: never used")
    assert (ref.path, ref.line, ref.rule, ref.message) == (
        "contexten/agents/worker.py",
        9,
        "unused-function",
        "`x` is: never used",
    )
    assert FindingRef.parse(ref.words()) == ref
    finding = make_findings(1)[0].model_copy(update={"path": "a.py", "message": "two\nlines"})
    assert FindingRef.of(finding, "pkg").words().startswith("pkg/a.py:")
    assert FindingRef.of(finding, "pkg").message == "two lines"
    for bad in ("worker.py unused-function: x", "worker.py:0 r: m", "worker.py:3 r:", ":3 r: m"):
        with pytest.raises(ValueError, match="path:line rule: message"):
            FindingRef.parse(bad)


def test_the_request_needs_findings_or_a_source_run() -> None:
    with pytest.raises(ValidationError, match="findings"):
        RefactoringRequest(repo=".", component="contexten")
    with pytest.raises(ValidationError, match="path:line rule: message"):
        RefactoringRequest(repo=".", findings=["not a finding"])
    with pytest.raises(ValidationError, match="leaves the repository"):
        RefactoringRequest(repo=".", component="../etc", source_run="brave-fox")
    request = RefactoringRequest(repo=".", component="./contexten/", source_run="brave-fox")
    assert request.component == "contexten" and request.component_label == "contexten"


def finding_set() -> FindingSet:
    words = [
        "contexten/agents/worker.py:1 unused-import: `os` imported but unused",
        "contexten/agents/worker.py:9 unused-function: `planted` is never used",
        "contexten/agents/api.py:16 bare-except: bare `except:` hides every error",
    ]
    return FindingSet(
        findings=[FindingRef.parse(w) for w in words],
        component="contexten/agents",
        commit=COMMIT,
        source_run_name="brave-fox",
    )


def test_the_prompt_names_repository_files_findings_and_constraints() -> None:
    request = RefactoringRequest(repo="/srv/repo", component="contexten/agents", source_run=RUN_ID)
    prompt = build_prompt(request, finding_set(), "acme/app")
    assert prompt.startswith(f"Refactor the repository acme/app at commit {COMMIT} ")
    assert "in contexten/agents." in prompt
    assert "- contexten/agents/worker.py (2 findings)" in prompt
    assert "- contexten/agents/api.py (1 finding)" in prompt
    assert "1. contexten/agents/worker.py:1, unused-import: `os` imported but unused" in prompt
    assert "3. contexten/agents/api.py:16, bare-except: bare `except:` hides every error" in prompt
    for rule in CONSTRAINTS:
        assert f"- {rule}" in prompt
    assert "Keep behaviour" in prompt and "public names" in prompt and "tests must pass" in prompt
    assert "Found by the analysis run brave-fox." in prompt
    # The same findings give the same prompt (the approval digest depends on it).
    assert build_prompt(request, finding_set(), "acme/app") == prompt


def test_the_approval_request_shows_the_findings_and_the_risk() -> None:
    request = RefactoringRequest(repo="/srv/repo", source_run=RUN_ID)
    origin = RunOrigin(source="slack", user="U0001", channel="C0001", thread_ts="1.2")
    prompt = build_prompt(request, finding_set(), "acme/app")
    asked = approval_request(request, finding_set(), prompt, origin, "acme/app")
    assert asked.workflow == "autonomous_refactoring"
    assert asked.title == "Ask Codegen to fix findings in contexten/agents"
    assert asked.risk == "low" and "3 findings in 2 files" in asked.risk_reasons[0]
    assert asked.requested_by == "U0001" and asked.digest and len(asked.details) == 3
    assert "a pull request opened by the Codegen agent" in asked.target


def test_without_codegen_the_safe_fixes_are_offered() -> None:
    assert codegen_not_set_up("contexten/agents") == (
        "Codegen is not set up (set CODEGEN_ORG_ID and CODEGEN_TOKEN). The safe fixes can be "
        "applied now: `/cicd cleanup contexten/agents`"
    )
    assert codegen_not_set_up("").endswith("`/cicd cleanup .`")


# -- the refactoring result message ---------------------------------------------------------------


def refactoring_result(**update: Any) -> RefactoringResult:
    request = RefactoringRequest(repo="/srv/repo", component="contexten/agents", source_run=RUN_ID)
    fields: dict[str, Any] = {
        "request": request,
        "outcome": RefactoringOutcome.PULL_REQUEST,
        "findings": finding_set().findings,
        "agent_run_id": 101,
        "agent_status": "COMPLETE",
        "agent_url": "https://codegen.com/agent/trace/101",
        "pull_request_url": "https://github.com/acme/app/pull/201",
        "pull_request_title": "Fix 3 findings",
        "summary": "Removed the unused import & function <ok>",
        "decided_by": "U0003",
        "decided_at": datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
        **update,
    }
    return RefactoringResult(**fields)


def test_the_result_links_the_pull_request_and_the_agent_run() -> None:
    result = refactoring_result()
    rendered = render_result(result, RUN_ID, "calm-owl")
    assert rendered is not None and rendered.outcome == "✅ pull request opened"
    dicts = dicts_of(rendered.blocks)
    text = str(dicts)
    assert "<https://github.com/acme/app/pull/201|Fix 3 findings>" in text
    assert "<https://codegen.com/agent/trace/101|Codegen agent run 101>" in text
    assert "&amp; function &lt;ok&gt;" in text and "<@U0003>" in text
    assert "`contexten/agents/worker.py:1`" in text
    assert refactoring_text(result).endswith("https://github.com/acme/app/pull/201")
    (buttons,) = [b for b in dicts if b["type"] == "actions"]
    assert [e["action_id"] for e in buttons["elements"]] == [actions.RETRY]


@pytest.mark.parametrize("outcome", list(RefactoringOutcome))
def test_every_outcome_renders(outcome: RefactoringOutcome) -> None:
    result = refactoring_result(outcome=outcome, summary="s" * 5000, pull_request_url=None)
    blocks = refactoring_blocks(result, RUN_ID)
    assert len(dicts_of(blocks)) <= 50
    assert result.headline()
