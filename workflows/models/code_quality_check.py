"""`code_quality_check`'s request and result, and the Markdown it posts on GitHub."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from workflows.analysis.models import Finding
from workflows.config import QualityGateThresholds
from workflows.integrations.github_models import CheckResult
from workflows.models.result_findings import ResultSource
from workflows.quality_gate.complexity import ComplexityChange, FunctionComplexity
from workflows.quality_gate.matching import NewFinding
from workflows.quality_gate.verdict import GateDecision, Verdict

_PULL_URL = re.compile(
    r"^https?://[^/\s]+/(?P<repo>[\w.-]+/[\w.-]+)/pulls?/(?P<number>\d+)(?:[/?#]\S*)?$"
)
_PULL_NUMBER = re.compile(r"^(?:(?P<repo>[\w.-]+/[\w.-]+))?#?(?P<number>\d+)$")
REVIEW_COMMENTS = 30
"""Line comments one review carries at most; the others are listed in its body."""

MARKS = {Verdict.PASS: "✅", Verdict.WARN: "⚠️", Verdict.FAIL: "❌"}


def parse_pull(value: str) -> tuple[str | None, int]:
    """(repository or None, number) from `42`, `#42`, `acme/widgets#42` or a pull request URL."""
    text = value.strip()
    match = _PULL_URL.match(text) or _PULL_NUMBER.match(text)
    if match is None or int(match["number"]) < 1:
        raise ValueError(
            f"'{value}' is not a pull request: give its number (42 or #42) or its URL "
            "(https://github.com/owner/name/pull/42)"
        )
    return match["repo"], int(match["number"])


class QualityCheckRequest(BaseModel):
    """Which pull request to judge, and whether to post the verdict on GitHub."""

    pull: str = Field(
        description="the pull request in GITHUB_REPOSITORY: its number (42, #42) or its URL"
    )
    publish: bool = Field(
        True, description="post the review and the check on GitHub; false shows the verdict only"
    )
    min_confidence: int = Field(
        0, ge=0, le=100, description="leave out findings less certain than this, in %"
    )

    @field_validator("pull")
    @classmethod
    def _pull_shape(cls, value: str) -> str:
        parse_pull(value)
        return value.strip()

    @property
    def number(self) -> int:
        """The pull request's number."""
        return parse_pull(self.pull)[1]

    @property
    def repository(self) -> str | None:
        """The repository the URL names, if it names one."""
        return parse_pull(self.pull)[0]


class PullSummary(BaseModel):
    """The pull request as analysed: its branches and the commits compared."""

    repository: str
    number: int
    title: str
    html_url: str
    author: str | None = None
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    merge_base: str | None = Field(
        None, description="the commit the change starts from (what `base...head` diffs against)"
    )

    @property
    def web_url(self) -> str:
        """The repository's web address, taken from the pull request's."""
        return self.html_url.rsplit("/pull/", 1)[0]

    def line_url(self, path: str, line: int) -> str:
        """A link to ``path:line`` at the analysed head commit."""
        return f"{self.web_url}/blob/{self.head_sha}/{path}#L{line}"


class PullAnalysis(BaseModel):
    """Both sides analysed, kept to the files the change touches (only those hold changed lines)."""

    head: list[Finding] = Field(default_factory=list, description="head's, in changed files")
    base: list[Finding] = Field(default_factory=list, description="base's, in those files")
    head_functions: dict[str, list[FunctionComplexity]] = Field(default_factory=dict)
    base_functions: dict[str, list[FunctionComplexity]] = Field(default_factory=dict)
    files_analyzed: int = 0
    parse_errors: list[str] = Field(default_factory=list, description="head files not parsed")


class QualityCheckResult(BaseModel):
    """The verdict on one pull request, what it rests on and where it was posted."""

    request: QualityCheckRequest
    pull: PullSummary
    decision: GateDecision
    thresholds: QualityGateThresholds = Field(default_factory=QualityGateThresholds)
    new_findings: list[NewFinding] = Field(default_factory=list)
    existing_findings: int = Field(0, description="findings on changed lines base already had")
    changed_files: int = 0
    changed_lines: int = 0
    complexity: list[ComplexityChange] = Field(default_factory=list)
    files_analyzed: int = 0
    review_url: str | None = None
    review_event: str | None = None
    check: CheckResult | None = None
    warnings: list[str] = Field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        """Pass, warn or fail."""
        return self.decision.verdict

    def counts(self) -> str:
        """`1 new error, 2 new warnings on 14 changed lines in 2 files`."""
        d = self.decision
        return (
            f"{_count(d.new_errors, 'new error')}, {_count(d.new_warnings, 'new warning')} on "
            f"{_count(self.changed_lines, 'changed line')} in {_count(self.changed_files, 'file')}"
        )

    def headline(self) -> str:
        """`❌ fail: 1 new error, 2 new warnings on 14 changed lines in 2 files`."""
        return f"{MARKS[self.verdict]} {self.verdict.value}: {self.counts()}"

    # -- what the result buttons (Open issue, Ask for a fix) read --------------------------

    def top_findings(self, limit: int = 10) -> list[Finding]:
        """The findings the change introduces, in the order the message lists them."""
        return [new.finding for new in self.new_findings[:limit]]

    def result_source(self) -> ResultSource:
        """The pull request's repository and head commit; paths are from the repository's top."""
        return ResultSource(commit=self.pull.head_sha, github_repository=self.pull.repository)

    def issue_title(self) -> str:
        """`Quality gate on pull request #7: FAIL, 1 new error, 0 new warnings on ...`."""
        verdict = self.verdict.value.upper()
        return f"Quality gate on pull request #{self.pull.number}: {verdict}, {self.counts()}"

    def issue_details(self) -> list[str]:
        """The pull request, then the verdict's reasons, thresholds and complexity."""
        pull = self.pull
        by = f" by @{pull.author}" if pull.author else ""
        branches = f"`{pull.head_ref}` → `{pull.base_ref}`"
        head = f"[#{pull.number} {pull.title}]({pull.html_url}){by}: {branches}"
        report = markdown_report(self, listed=len(self.new_findings)).rstrip("\n")
        return [head, "", *report.splitlines()]

    def nothing_to_fix(self) -> str:
        """The change introduced no finding (a failed gate may still be about complexity)."""
        why = "; ".join(self.decision.reasons)
        return (
            f"✨ Pull request #{self.pull.number} brings no new findings to fix "
            f"(quality gate: {self.verdict.value}{f'; {why}' if why else ''})."
        )

    def nothing_to_report(self) -> str | None:
        """A passing gate with no new findings is not worth an issue."""
        if self.new_findings or self.verdict is not Verdict.PASS:
            return None
        return (
            f"✨ The quality gate passed on pull request #{self.pull.number} with no new "
            "findings; there is nothing to open an issue about."
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def comment_body(new: NewFinding) -> str:
    """A review comment: rule, severity and message (Markdown)."""
    f = new.finding
    where = "" if new.line == f.line else f" (at line {f.line})"
    return f"**{f.rule}** ({f.severity.value}){where}: {f.message}"


def complexity_lines(result: QualityCheckResult, limit: int = 10) -> list[str]:
    """`` `path` `name`: 4 → 9 (+5) `` for the changed functions, largest growth first."""
    ranked = sorted(result.complexity, key=lambda c: -(c.delta if c.delta is not None else -1))
    lines = []
    for c in ranked[:limit]:
        change = f"{c.base} → {c.head} ({c.delta:+d})" if c.delta is not None else f"new, {c.head}"
        lines.append(f"`{c.path}` `{c.name}`: {change}")
    return lines


def markdown_report(result: QualityCheckResult, *, listed: int = 0) -> str:
    """The review body and check summary: verdict, why, complexity, unlisted new findings.

    The first ``listed`` new findings are the review's line comments and are not repeated.
    """
    d, t = result.decision, result.thresholds
    lines = [
        f"## {MARKS[d.verdict]} Quality gate: {d.verdict.value}",
        "",
        result.counts().capitalize() + ".",
        "",
        *[f"- {reason}" for reason in d.reasons],
        "",
        f"Thresholds: at most {t.max_new_errors} new error(s), {t.max_new_warnings} new "
        f"warning(s), complexity +{t.max_complexity_increase} per function.",
    ]
    if result.complexity:
        lines += ["", "### Complexity of changed functions", ""]
        lines += [f"- {line}" for line in complexity_lines(result)]
    rest = result.new_findings[listed:]
    if rest:
        lines += ["", "### New findings" if not listed else "### More new findings", ""]
        lines += [
            f"- `{n.finding.path}:{n.line}` {comment_body(n)}" for n in rest[: REVIEW_COMMENTS * 3]
        ]
    lines += ["", f"_Analysed {result.pull.head_sha[:12]} against {_base(result)}._"]
    return "\n".join(lines) + "\n"


def _base(result: QualityCheckResult) -> str:
    return (result.pull.merge_base or result.pull.base_sha)[:12]
