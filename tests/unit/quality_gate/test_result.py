"""The request's pull reference, the GitHub Markdown and the Slack result of a quality check."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from blocks.code_quality_check import quality_blocks, quality_outcome
from blocks.results import render_result
from tests.emulators.slack_blocks import validate_blocks
from tests.unit.quality_gate.test_matching import finding
from workflows.analysis.models import Severity
from workflows.integrations.github_models import CheckResult
from workflows.models.code_quality_check import (
    PullSummary,
    QualityCheckRequest,
    QualityCheckResult,
    markdown_report,
    parse_pull,
)
from workflows.quality_gate.complexity import ComplexityChange
from workflows.quality_gate.matching import NewFinding
from workflows.quality_gate.verdict import GateDecision, Verdict

RUN_ID = "0b6f2a52-9c1e-4d7e-8a43-5c4f1e2d3a10"
HEAD = "4e1f0c2d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("42", (None, 42)),
        ("#42", (None, 42)),
        (" acme/widgets#7 ", ("acme/widgets", 7)),
        ("https://github.com/acme/widgets/pull/7", ("acme/widgets", 7)),
        ("https://github.com/acme/widgets/pull/7/files#diff-1", ("acme/widgets", 7)),
        ("http://127.0.0.1:8080/acme/widgets/pull/3", ("acme/widgets", 3)),
    ],
)
def test_pull_references(given: str, expected: tuple[str | None, int]) -> None:
    assert parse_pull(given) == expected


@pytest.mark.parametrize("bad", ["", "0", "pr-7", "https://github.com/acme/widgets/issues/7"])
def test_bad_pull_references_say_what_to_give(bad: str) -> None:
    with pytest.raises(ValidationError, match="give its number"):
        QualityCheckRequest(pull=bad)


def make_result(verdict: Verdict = Verdict.FAIL, findings: int = 3) -> QualityCheckResult:
    new = [
        NewFinding(
            finding=finding(
                "bare-except",
                "pkg/app.py",
                10 + i,
                message="bare `except:` <hides> errors",
                severity=Severity.ERROR if i == 0 else Severity.WARNING,
            ),
            line=10 + i,
        )
        for i in range(findings)
    ]
    return QualityCheckResult(
        request=QualityCheckRequest(pull="7"),
        pull=PullSummary(
            repository="acme/widgets",
            number=7,
            title="Add the <parser> & friends",
            html_url="https://github.com/acme/widgets/pull/7",
            author="alice",
            head_ref="feature",
            head_sha=HEAD,
            base_ref="main",
            base_sha="1" * 40,
            merge_base="2" * 40,
        ),
        decision=GateDecision(
            verdict=verdict,
            new_errors=1,
            new_warnings=findings - 1,
            reasons=["1 new error(s) (at most 0 allowed)"],
            complexity_increase=3,
        ),
        new_findings=new,
        existing_findings=2,
        changed_files=2,
        changed_lines=14,
        complexity=[
            ComplexityChange(path="pkg/app.py", name="Parser.feed", line=6, base=2, head=5),
            ComplexityChange(path="pkg/app.py", name="helper", line=20, base=None, head=3),
        ],
        files_analyzed=12,
        review_url="https://github.com/acme/widgets/pull/7#pullrequestreview-1",
        review_event="REQUEST_CHANGES",
        check=CheckResult(kind="check_run", id=5, name="cicd/code-quality", conclusion="failure"),
    )


def test_slack_result_is_valid_and_links_each_new_finding() -> None:
    result = make_result()
    rendered = render_result(result, RUN_ID, "brave-otter")
    assert rendered is not None and rendered.outcome == "❌ fail: 3 new findings"
    dicts = [b.to_dict() for b in rendered.blocks]
    assert validate_blocks(dicts) == []
    text = str(dicts)
    assert f"https://github.com/acme/widgets/blob/{HEAD}/pkg/app.py#L11|pkg/app.py:11" in text
    assert "&lt;hides&gt;" in text and "<hides>" not in text  # escaped for mrkdwn
    assert (
        "<https://github.com/acme/widgets/pull/7|#7 Add the &lt;parser&gt; &amp; friends>" in text
    )
    assert "`pkg/app.py` `Parser.feed`: 2 → 5 (+3)" in text and "new, 3" in text
    assert "changes requested" in text and "cicd/code-quality: failure" in text
    actions = next(d for d in dicts if d["type"] == "actions")
    assert [e["value"] for e in actions["elements"]] == [RUN_ID] * 3


def test_many_findings_stay_within_slack_limits() -> None:
    result = make_result(findings=400)
    dicts = [b.to_dict() for b in quality_blocks(result, RUN_ID)]
    assert validate_blocks(dicts) == []
    assert "more (see the review)" in str(dicts)


def test_a_passing_check_says_so() -> None:
    result = make_result(Verdict.PASS, findings=0)
    assert quality_outcome(result) == "✅ pass: 0 new findings"
    assert "Nothing new on the changed lines" in str(
        [b.to_dict() for b in quality_blocks(result, RUN_ID)]
    )


def test_markdown_report_leaves_out_what_the_line_comments_say() -> None:
    result = make_result(findings=3)
    full = markdown_report(result)
    assert "## ❌ Quality gate: fail" in full and "- 1 new error(s) (at most 0 allowed)" in full
    assert "`pkg/app.py:12` **bare-except** (warning)" in full
    partial = markdown_report(result, listed=2)
    assert "pkg/app.py:11" not in partial and "`pkg/app.py:12`" in partial
    assert "Parser.feed" in partial
