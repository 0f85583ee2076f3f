"""`code_quality_check`: a quality gate on a GitHub pull request's changed lines.

Both sides are checked out with real git (the merge base and the head), analysed with the same
engine, and compared: findings on changed lines with no counterpart on base are new. The
verdict (pass, warn, fail against `quality_gate` settings) goes to GitHub as a review with line
comments and a check on the head commit, and to Slack as the run's result.
"""

# No `from __future__ import annotations`: Prefect must resolve the parameter types.

import shutil
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.context import FlowRunContext

from workflows.analysis.options import AnalysisOptions, analyze
from workflows.analysis.parsing import SourceDecodeError, read_source
from workflows.config import OrchestrationConfig, load_config
from workflows.integrations.github_client import GitHubClient
from workflows.integrations.github_errors import SERVICE
from workflows.integrations.github_models import CheckConclusion, ReviewComment, ReviewEvent
from workflows.integrations.github_tasks import publish_check, review_pull_request
from workflows.integrations.retrying import IntegrationError, IntegrationNotConfigured
from workflows.models.code_quality_check import (
    REVIEW_COMMENTS,
    PullAnalysis,
    PullSummary,
    QualityCheckRequest,
    QualityCheckResult,
    comment_body,
    markdown_report,
)
from workflows.models.runs import RunOrigin
from workflows.quality_gate.complexity import (
    FunctionComplexity,
    complexity_changes,
    function_complexities,
)
from workflows.quality_gate.diff import ChangedLines, parse_unified_diff
from workflows.quality_gate.matching import compare_findings
from workflows.quality_gate.verdict import Verdict, decide
from workflows.registry import FlowSpec
from workflows.repository.checkout import transient_checkout_failure
from workflows.repository.pull_trees import (
    PullTrees,
    add_trees,
    clone_path,
    diff_text,
    has_commit,
    locked,
    remove_trees,
)
from workflows.types import WorkflowType

CHECK_NAME = "cicd/code-quality"
CONCLUSIONS: dict[Verdict, CheckConclusion] = {
    Verdict.PASS: "success",
    Verdict.WARN: "neutral",
    Verdict.FAIL: "failure",
}


@task(name="fetch-pull", cache_policy=NONE)
def fetch_pull(request: QualityCheckRequest) -> PullSummary:
    """The pull request from GitHub: its branches and the head and base commits."""
    config = load_config()
    repository = _repository(config, request)
    with GitHubClient.from_config(config, repository=repository) as gh:
        pull = gh.get_pull_request(request.number)
    if pull.base_sha is None:
        raise IntegrationError(SERVICE, f"pull request #{pull.number} has no base commit")
    get_run_logger().info("#%d %s: %s ← %s", pull.number, pull.state, pull.base_ref, pull.head_ref)
    return PullSummary(
        repository=repository,
        number=pull.number,
        title=pull.title,
        html_url=pull.html_url,
        author=pull.author,
        head_ref=pull.head_ref,
        head_sha=pull.head_sha,
        base_ref=pull.base_ref,
        base_sha=pull.base_sha,
    )


@task(
    name="checkout",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=transient_checkout_failure,
    cache_policy=NONE,
)
def check_out_pull(pull: PullSummary) -> PullTrees:
    """Clone (once) or fetch the two commits, then a worktree at the merge base and the head."""
    config = load_config()
    clone = clone_path(config.cicd_data_dir, pull.repository)
    with GitHubClient.from_config(config, repository=pull.repository) as gh, locked(clone):
        if not (clone / ".git").exists():
            shutil.rmtree(clone, ignore_errors=True)
            gh.clone(clone)
        wanted = [sha for sha in (pull.head_sha, pull.base_sha) if not has_commit(clone, sha)]
        if wanted:
            _fetch(gh, clone, pull, wanted)
    trees = add_trees(clone, _run_dir(config, pull), pull.base_sha, pull.head_sha)
    get_run_logger().info("base %s, head %s", trees.base_sha[:12], trees.head_sha[:12])
    return trees


@task(name="changed-lines", cache_policy=NONE)
def changed_lines(trees: PullTrees) -> ChangedLines:
    """The lines the pull request adds or changes, per file (`git diff --unified=0`)."""
    changed = parse_unified_diff(diff_text(trees))
    get_run_logger().info("%d line(s) in %d file(s)", changed.line_count, len(changed.files))
    return changed


@task(name="analyse", cache_policy=NONE)
def analyse_pull(trees: PullTrees, changed: ChangedLines, min_confidence: int) -> PullAnalysis:
    """Analyse the head and the base (whole trees: rules look across files); keep what lies in
    the changed files, with the complexity of their Python functions on both sides."""
    options = AnalysisOptions(min_confidence=min_confidence)
    cache = load_config().cicd_data_dir / "analysis-cache"  # shared: most files are the same
    head = analyze(trees.head, options, cache_dir=cache)
    base = analyze(trees.base, options, cache_dir=cache)
    old_paths = {f.path: f.old_path or f.path for f in changed.files.values()}
    return PullAnalysis(
        head=[f for f in head.findings if f.path in old_paths],
        base=[f for f in base.findings if f.path in set(old_paths.values())],
        head_functions=_functions(Path(trees.head), list(old_paths)),
        base_functions=_functions(Path(trees.base), list(old_paths.values())),
        files_analyzed=head.files_analyzed,
        parse_errors=[p for p in head.parse_errors if p in old_paths],
    )


@task(name="compare", cache_policy=NONE)
def compare(
    request: QualityCheckRequest,
    pull: PullSummary,
    changed: ChangedLines,
    analysis: PullAnalysis,
) -> QualityCheckResult:
    """New findings on the changed lines, the complexity delta and the verdict."""
    thresholds = load_config().quality_gate
    comparison = compare_findings(
        analysis.head, analysis.base, changed, analysis.head_functions, analysis.base_functions
    )
    complexity = complexity_changes(analysis.head_functions, analysis.base_functions, changed)
    decision = decide(comparison.new, complexity, thresholds)
    warnings = [f"{p} could not be parsed cleanly" for p in analysis.parse_errors]
    return QualityCheckResult(
        request=request,
        pull=pull,
        decision=decision,
        thresholds=thresholds,
        new_findings=comparison.new,
        existing_findings=comparison.existing,
        changed_files=len(changed.files),
        changed_lines=changed.line_count,
        complexity=complexity,
        files_analyzed=analysis.files_analyzed,
        warnings=warnings,
    )


@task(name="publish", cache_policy=NONE)
def publish(result: QualityCheckResult) -> QualityCheckResult:
    """The review (line comments; changes requested on fail) and the check on the head commit.

    Trouble on GitHub becomes a warning on the result: the verdict stands either way.
    """
    if not result.request.publish:
        return result
    result = _post_review(result)
    try:
        check = publish_check(
            result.pull.head_sha,
            name=CHECK_NAME,
            conclusion=CONCLUSIONS[result.verdict],
            title=result.headline(),
            summary=markdown_report(result),
            details_url=result.pull.html_url,
            repository=result.pull.repository,
        )
    except IntegrationError as exc:
        return _warn(result, f"check not published: {exc}")
    return result.model_copy(update={"check": check})


@flow(name="code-quality-check", persist_result=True, result_serializer="json")
def code_quality_check(
    request: QualityCheckRequest, origin: RunOrigin | None = None
) -> QualityCheckResult:
    """Judge a pull request's changed lines and post the verdict on GitHub."""
    pull = fetch_pull(request)
    trees = check_out_pull(pull)
    try:
        changed = changed_lines(trees)
        analysis = analyse_pull(trees, changed, request.min_confidence)
    finally:
        remove_trees(trees)
    pull = pull.model_copy(update={"merge_base": trees.base_sha})
    return publish(compare(request, pull, changed, analysis))


def _repository(config: OrchestrationConfig, request: QualityCheckRequest) -> str:
    """GITHUB_REPOSITORY, after checking GitHub is set up and a URL names that repository."""
    missing = [
        name
        for name, value in (
            ("GITHUB_TOKEN", config.github_token),
            ("GITHUB_REPOSITORY", config.github_repository),
        )
        if not value
    ]
    if missing:
        error = IntegrationNotConfigured(SERVICE, missing[0])
        # The generic "X is not set" would not say why a pull request check needs GitHub.
        error.message = (
            f"code_quality_check reviews pull requests on GitHub, but "
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set. Set "
            "GITHUB_TOKEN to a token that may read the repository and write reviews and "
            "statuses, and GITHUB_REPOSITORY to owner/name (GITHUB_API_URL for GitHub "
            "Enterprise)."
        )
        error.args = (f"{SERVICE}: {error.message}",)
        raise error
    repository = str(config.github_repository)
    named = request.repository
    if named and named.lower() != repository.lower():
        raise ValueError(
            f"pull request {request.pull} is in {named}, but this bot checks pull requests "
            f"of {repository} (GITHUB_REPOSITORY)"
        )
    return repository


def _fetch(gh: GitHubClient, clone: Path, pull: PullSummary, shas: list[str]) -> None:
    """The commits by sha (GitHub serves reachable ones); else the base branch and the pull
    request's ref, which also holds the head of a pull request from a fork."""
    try:
        gh.fetch(clone, *shas)
    except IntegrationError as exc:
        get_run_logger().info("fetching by sha failed (%s); fetching the refs", exc)
        gh.fetch(
            clone,
            f"+refs/heads/{pull.base_ref}:refs/remotes/origin/{pull.base_ref}",
            f"+refs/pull/{pull.number}/head:refs/remotes/origin/pull/{pull.number}",
        )


def _run_dir(config: OrchestrationConfig, pull: PullSummary) -> Path:
    context = FlowRunContext.get()
    run = str(context.flow_run.id)[:8] if context and context.flow_run else "local"
    return config.cicd_data_dir / "pull-checks" / "runs" / f"{run}-{pull.number}"


def _functions(root: Path, paths: list[str]) -> dict[str, list[FunctionComplexity]]:
    """Complexity of every function of the Python files among ``paths`` under ``root``."""
    found: dict[str, list[FunctionComplexity]] = {}
    for path in paths:
        file = root / path
        if not path.endswith(".py") or not file.is_file():
            continue
        try:
            found[path] = function_complexities(read_source(file), path)
        except (OSError, SourceDecodeError) as exc:
            get_run_logger().warning("complexity of %s not measured: %s", path, exc)
    return found


def _post_review(result: QualityCheckResult) -> QualityCheckResult:
    """Request changes on fail, else comment; GitHub refusing (your own pull request, a line
    outside the diff) gets one retry as a plain comment with every finding in its body."""
    pull = result.pull
    event: ReviewEvent = "REQUEST_CHANGES" if result.verdict is Verdict.FAIL else "COMMENT"
    listed = result.new_findings[:REVIEW_COMMENTS]
    comments = [
        ReviewComment(path=n.finding.path, line=n.line, body=comment_body(n)) for n in listed
    ]
    warnings: list[str] = []
    try:
        review = review_pull_request(
            pull.number,
            event=event,
            body=markdown_report(result, listed=len(listed)),
            comments=comments,
            commit_id=pull.head_sha,
            repository=pull.repository,
        )
    except IntegrationError as exc:
        if exc.status != 422:
            return _warn(result, f"review not posted: {exc}")
        warnings.append(f"review posted as a comment without line comments: {exc.message}")
        event = "COMMENT"
        try:
            review = review_pull_request(
                pull.number,
                event=event,
                body=markdown_report(result),
                commit_id=pull.head_sha,
                repository=pull.repository,
            )
        except IntegrationError as again:
            return _warn(result, f"review not posted: {again}")
    update = {"review_url": review.html_url, "review_event": event}
    return result.model_copy(update={**update, "warnings": [*result.warnings, *warnings]})


def _warn(result: QualityCheckResult, warning: str) -> QualityCheckResult:
    get_run_logger().warning("%s", warning)
    return result.model_copy(update={"warnings": [*result.warnings, warning]})


def quality_title(request: QualityCheckRequest) -> str:
    """`Quality gate on pull request #42`."""
    return f"Quality gate on pull request #{request.number}"


SPEC = FlowSpec(
    workflow=WorkflowType.CODE_QUALITY_CHECK,
    flow=code_quality_check,
    steps=(
        ("fetch-pull", "Read the pull request"),
        ("checkout", "Check out its base and head"),
        ("changed-lines", "Find the changed lines"),
        ("analyse", "Analyse both sides"),
        ("compare", "Find what is new"),
        ("publish", "Post the verdict on GitHub"),
    ),
    request_type=QualityCheckRequest,
    result_type=QualityCheckResult,
    title=quality_title,
)
