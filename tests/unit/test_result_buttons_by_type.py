"""Open issue and Ask for a fix on results other than a component analysis: the findings each
result type hands on, its source, its whole-result issue and the Codegen prompt's wording."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.emulators.github_ci_history import corpus_log
from tests.security_samples import SECRET
from tests.unit.quality_gate.test_result import HEAD
from tests.unit.quality_gate.test_result import make_result as quality_result
from tests.unit.security.test_audit_sarif_and_blocks import _result as security_result
from tests.unit.security.test_audit_sarif_and_blocks import audited  # noqa: F401  fixture
from tests.unit.test_failure_analysis_result import _result as failure_result
from workflows.analysis.models import Category, Severity
from workflows.failure_logs import EvidenceLine, FailingTest, FailureKind
from workflows.failure_logs.findings import (
    CI_BUILD_RULE,
    CI_LINT_RULE,
    CI_TEST_RULE,
    file_of_test,
    job_findings,
)
from workflows.failure_logs.locations import location_of
from workflows.integrations.linear_results import IssueContext, draft_for_result
from workflows.models.autonomous_refactoring import (
    CI_CONSTRAINTS,
    CONSTRAINTS,
    FindingRef,
    FindingSet,
    RefactoringRequest,
    approval_request,
    build_prompt,
    codegen_not_set_up,
)
from workflows.models.failure_analysis import FailureAnalysisResult
from workflows.models.result_findings import (
    NO_FINDINGS,
    findings_of,
    nothing_to_fix,
    nothing_to_report,
    source_of,
    under_component,
)
from workflows.quality_gate.verdict import Verdict

WORKFLOW = ".github/workflows/ci.yml"


def with_workflow_file(result: FailureAnalysisResult) -> FailureAnalysisResult:
    run = result.run.model_copy(update={"workflow_path": WORKFLOW})
    return result.model_copy(update={"run": run})


# -- where a CI log line points -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("src/widgets/models.py:14:1: E302 expected 2 blank lines", ("src/widgets/models.py", 14)),
        ("src/widgets/store.py:41: error: Argument 1 to save", ("src/widgets/store.py", 41)),
        ("src/cart/Cart.tsx(42,18): error TS2339: Property 'x'", ("src/cart/Cart.tsx", 42)),
        ("src/parser.c:112:17: error: 'TOKEN_ARROW' undeclared", ("src/parser.c", 112)),
        ("internal/store/cache.go:41:9: undefined: evictOldest", ("internal/store/cache.go", 41)),
        ("--> src/main.rs:3:5", ("src/main.rs", 3)),
        ("would reformat /home/runner/work/w/w/src/app.py", ("src/app.py", 1)),
        ("/home/runner/work/w/w/src/app.py:7:1: F401 unused", ("src/app.py", 7)),
    ],
)
def test_log_lines_with_a_place(line: str, expected: tuple[str, int]) -> None:
    found = location_of(line)
    assert found is not None and (found.path, found.line) == expected
    assert found.message and not found.message.startswith(found.path + ":")


@pytest.mark.parametrize(
    "line",
    [
        "4:10  error  'useMemo' is defined but never used",
        "Found 3 errors.",
        "##[error]Process completed with exit code 1.",
        "/usr/lib/python3/x.py:3: boom",
        "ERROR: failed to solve: python:3.12-slim: failed to resolve",
        "fatal: unable to access 'https://github.com:443/acme/widgets/'",
        "../outside.py:3:1: E1 up and out",
    ],
)
def test_log_lines_without_a_place_in_the_repository(line: str) -> None:
    assert location_of(line) is None


def test_test_ids_name_their_file_when_they_have_one() -> None:
    assert file_of_test("tests/test_app.py::test_add") == "tests/test_app.py"
    assert file_of_test("tests/u/test_p.py::TestD::test_x[25-75.0]") == "tests/u/test_p.py"
    assert file_of_test("src/cart/total.test.ts \u203a Cart total \u203a applies") == (
        "src/cart/total.test.ts"
    )
    assert file_of_test("tests.test_math.TestMath.test_add") is None  # unittest
    assert file_of_test("TestParseDuration/hours") is None  # go


# -- failure analysis ---------------------------------------------------------------------------


def test_failing_tests_are_the_findings_of_a_test_failure() -> None:
    result = failure_result(corpus_log("pytest_assertion.log"))
    found = result.top_findings(10)
    assert [(f.rule, f.path, f.line) for f in found] == [
        (CI_TEST_RULE, "tests/test_app.py", 1),
        (CI_TEST_RULE, "tests/test_http.py", 1),
    ]
    assert found[0].message == "tests/test_app.py::test_add failed: assert 3 == 4"
    assert found[0].severity is Severity.ERROR and found[0].symbol == "tests/test_app.py::test_add"
    assert result.top_findings(1) == found[:1]
    source = source_of(result)
    assert (source.repo, source.component, source.commit) == (None, "", "b" * 40)
    assert source.github_repository == "acme/widgets"


def test_a_test_without_a_file_sits_at_the_workflow_file_or_the_job() -> None:
    result = failure_result(corpus_log("unittest_failure.log"))
    assert {f.path for f in result.top_findings()} == {"test"}  # the job: no workflow file known
    assert {f.path for f in with_workflow_file(result).top_findings()} == {WORKFLOW}
    (add,) = [f for f in result.top_findings() if "test_add" in f.message]
    assert add.message == "tests.test_math.TestMath.test_add failed: AssertionError: 4 != 5"


def test_the_assertion_gives_the_line_when_it_names_one() -> None:
    evidence: list[EvidenceLine] = []
    test = FailingTest(
        id="tests/test_app.py::test_add",
        framework="pytest",
        assertion="tests/test_app.py:12: AssertionError",
        line=3,
    )
    (found,) = job_findings(FailureKind.TEST, "test", [test], evidence, None)
    assert (found.path, found.line) == ("tests/test_app.py", 12)


@pytest.mark.parametrize(
    ("log", "rule", "expected"),
    [
        (
            "ruff_lint.log",
            CI_LINT_RULE,
            [
                ("src/widgets/app.py", 3, "F401 [*] `os` imported but unused"),
                ("src/widgets/app.py", 27, "E722 Do not use bare `except`"),
                ("src/widgets/cli.py", 88, "E501 Line too long (104 > 88)"),
            ],
        ),
        (
            "tsc_build.log",
            CI_BUILD_RULE,
            [
                (
                    "src/cart/Cart.tsx",
                    42,
                    "error TS2339: Property 'discountCode' does not exist on type 'CartState'.",
                ),
                (
                    "src/api/client.ts",
                    9,
                    "error TS2322: Type 'string | undefined' is not assignable to type 'string'.",
                ),
            ],
        ),
        (
            "gcc_compile.log",
            CI_BUILD_RULE,
            [
                (
                    "src/parser.c",
                    112,
                    "error: 'TOKEN_ARROW' undeclared (first use in this function); did you "
                    "mean 'TOKEN_ARRAY'?",
                )
            ],
        ),
    ],
)
def test_located_lint_and_build_errors_are_findings(
    log: str, rule: str, expected: list[tuple[str, int, str]]
) -> None:
    found = failure_result(corpus_log(log)).top_findings(10)
    assert {f.rule for f in found} == {rule}
    assert [(f.path, f.line, f.message) for f in found] == expected


def test_unlocated_lint_errors_make_one_finding_for_the_job() -> None:
    result = with_workflow_file(failure_result(corpus_log("eslint_lint.log")))
    (found,) = result.top_findings()
    assert (found.rule, found.path, found.line, found.symbol) == (CI_LINT_RULE, WORKFLOW, 1, "test")
    assert found.message == (
        "Lint in job test: 4:10 error 'useMemo' is defined but never used "
        "@typescript-eslint/no-unused-vars"
    )


def test_the_same_error_in_several_jobs_is_one_finding() -> None:
    result = failure_result(corpus_log("ruff_lint.log"))
    twin = result.jobs[0].model_copy(update={"id": 8, "name": "test (3.13)"})
    doubled = result.model_copy(update={"jobs": [result.jobs[0], twin]})
    assert doubled.top_findings() == result.top_findings()


@pytest.mark.parametrize("log", ["dns_checkout.log", "job_timeout.log", "node_heap_oom.log"])
def test_a_failure_outside_the_code_has_nothing_to_fix_but_is_worth_an_issue(log: str) -> None:
    result = failure_result(corpus_log(log))
    assert findings_of(result) == []
    answer = nothing_to_fix(result)
    assert answer.startswith("✨ Nothing in the code to fix: CI #42 on main failed with ")
    assert f"Recommended: {result.advice.label}." in answer
    assert nothing_to_report(result) is None


def test_a_run_without_failed_jobs_has_nothing_at_all() -> None:
    result = failure_result(corpus_log("pytest_assertion.log")).model_copy(update={"jobs": []})
    assert "No job of this run failed" in nothing_to_fix(result)
    assert "nothing to report" in (nothing_to_report(result) or "")


def context_of(result: Any, headline: str = "the headline", **extra: Any) -> IssueContext:
    source = source_of(result)
    return IssueContext(
        run_id="run-uuid",
        run_name="brave-fox",
        title="Analysing the failure of run 42",
        headline=headline,
        summary_title=result.issue_title(),
        details=result.issue_details(),
        source=source,
        github_repository=source.github_repository,
        **extra,
    )


def test_the_failure_issue_describes_the_failure_and_lists_the_failing_tests() -> None:
    result = failure_result(corpus_log("pytest_assertion.log"))
    found = result.top_findings(50)
    draft = draft_for_result(context_of(result), found, len(found))
    assert draft.title == "CI #42 failed: test failure (run brave-fox)"
    text = draft.description
    assert "Repository `acme/widgets`, commit `bbbbbbbbbbbb`." in text and "component" not in text
    assert "**Recommendation:** Ask Codegen for a fix." in text
    assert "79: FAILED tests/test_app.py::test_add - assert 3 == 4" in text  # the evidence
    assert "Change 3 (Bob <b>)" in text  # the suspect commits
    blob = f"https://github.com/acme/widgets/blob/{'b' * 40}"
    link = f"[tests/test_app.py:1]({blob}/tests/test_app.py#L1)"
    assert (
        f"| {link} | error | ci-test-failure | tests/test_app.py::test_add failed: assert 3 == 4 |"
        in text
    )


def test_a_flake_issue_still_describes_the_failure() -> None:
    result = failure_result(corpus_log("dns_checkout.log"))
    draft = draft_for_result(context_of(result), [], 0)
    assert draft.title == "CI #42 failed: infrastructure or network flake (run brave-fox)"
    assert "Could not resolve host: github.com" in draft.description
    assert "| where |" not in draft.description


# -- the Codegen prompt -------------------------------------------------------------------------


def prompt_for(result: Any, source_run: str = "brave-fox") -> tuple[str, FindingSet]:
    source = source_of(result)
    refs = [FindingRef.of(f, source.component) for f in result.top_findings(50)]
    request = RefactoringRequest(
        repo="/srv/repo", source_run="run-uuid", findings=[r.words() for r in refs]
    )
    assert [FindingRef.parse(w) for w in request.findings] == refs  # the words round-trip
    found = FindingSet(findings=refs, commit=source.commit, source_run_name=source_run)
    return build_prompt(request, found, "acme/widgets"), found


def test_the_prompt_for_failing_tests_says_to_make_them_pass() -> None:
    prompt, found = prompt_for(failure_result(corpus_log("pytest_assertion.log")))
    assert prompt.startswith(
        f"A CI run of the repository acme/widgets at commit {'b' * 40} failed. Fix it: make "
        "the failing tests pass.\n"
    )
    assert "1. tests/test_app.py:1, tests/test_app.py::test_add failed: assert 3 == 4" in prompt
    assert "static-analysis" not in prompt and "Refactor" not in prompt
    for rule in CI_CONSTRAINTS:
        assert f"- {rule}" in prompt
    assert "Keep public names" in prompt and "All tests must pass" in prompt
    assert prompt.endswith("Found by the failure analysis run brave-fox.\n")
    approval = approval_request(
        RefactoringRequest(repo=".", source_run="x"), found, prompt, None, "a/b"
    )
    assert approval.title == "Ask Codegen to fix a failed CI run"


def test_the_prompt_for_lint_and_build_errors_lists_the_evidence() -> None:
    lint, _ = prompt_for(failure_result(corpus_log("ruff_lint.log")))
    assert "Fix it: fix the lint errors.\n" in lint
    assert "Lint errors (file:line, error as logged):\n1. src/widgets/app.py:3, F401 [*]" in lint
    build, _ = prompt_for(failure_result(corpus_log("tsc_build.log")))
    assert "Fix it: fix the build errors." in build
    assert "2. src/api/client.ts:9, error TS2322: Type 'string | undefined'" in build


def test_an_analysis_prompt_keeps_its_wording() -> None:
    prompt, _ = prompt_for(quality_result())
    assert prompt.startswith("Refactor the repository acme/widgets at commit " + HEAD)
    assert "static-analysis findings" in prompt and "Found by the analysis run" in prompt
    assert all(f"- {rule}" in prompt for rule in CONSTRAINTS)


def test_without_codegen_only_an_analysis_is_pointed_at_the_cleanup() -> None:
    assert "/cicd cleanup app" in codegen_not_set_up("app")
    answer = codegen_not_set_up("", safe_fixes=False)
    assert "CODEGEN_ORG_ID" in answer and "cleanup" not in answer


# -- code quality check -------------------------------------------------------------------------


def test_quality_check_findings_are_its_new_findings() -> None:
    result = quality_result(findings=3)
    assert result.top_findings(2) == [n.finding for n in result.new_findings[:2]]
    source = source_of(result)
    assert (source.commit, source.github_repository, source.component) == (
        HEAD,
        "acme/widgets",
        "",
    )
    assert result.issue_title() == (
        "Quality gate on pull request #7: FAIL, 1 new error, 2 new warnings on 14 changed "
        "lines in 2 files"
    )
    found = result.top_findings(50)
    draft = draft_for_result(context_of(result), found, len(found))
    assert draft.title.endswith("(run brave-fox)") and "0 findings" not in draft.title
    assert "[#7 Add the <parser> & friends](https://github.com/acme/widgets/pull/7)" in (
        draft.description
    )
    assert f"/acme/widgets/blob/{HEAD}/pkg/app.py#L10" in draft.description
    assert nothing_to_report(result) is None


def test_a_passing_gate_without_new_findings_has_nothing_to_act_on() -> None:
    result = quality_result(Verdict.PASS, findings=0)
    assert findings_of(result) == []
    assert nothing_to_fix(result).startswith("✨ Pull request #7 brings no new findings to fix")
    assert "nothing to open an issue about" in (nothing_to_report(result) or "")
    warned = quality_result(Verdict.FAIL, findings=0)  # failed on complexity alone
    assert nothing_to_report(warned) is None


# -- security audit -----------------------------------------------------------------------------


def test_security_findings_are_advisories_then_code_findings(audited: Any) -> None:  # noqa: F811
    result = security_result(audited)
    found = result.top_findings(100)
    pairs = result.advisory_pairs()
    assert [f.rule for f in found[: len(pairs)]] == [a.id for _, a in pairs]
    assert [f.rule for f in found[len(pairs) :]] == [f.rule for f in result.code_findings]
    django = next(f for f in found if f.rule == "GHSA-q7x2-8wv4-m3jc")
    assert (django.path, django.line, django.category) == ("pyproject.toml", 5, Category.SECURITY)
    assert django.severity is Severity.ERROR  # critical
    assert django.message.startswith("django 3.2: ") and django.message.endswith(
        "; fixed in 3.2.19"
    )
    assert SECRET not in json.dumps([f.model_dump() for f in found])
    assert result.top_findings(3) == found[:3]
    title = result.issue_title()
    assert title.startswith("Security audit of the whole repository: ") and "critical" in title
    assert nothing_to_report(result) is None


def test_security_paths_are_relative_to_the_audited_component(audited: Any) -> None:  # noqa: F811
    result = security_result(audited)
    moved = result.model_copy(
        update={
            "request": result.request.model_copy(update={"component": "shop/"}),
            "code_findings": [
                f.model_copy(update={"path": f"shop/{f.path}"}) for f in result.code_findings
            ],
        }
    )
    source = source_of(moved)
    assert source.component == "shop"
    refs = [FindingRef.of(f, source.component) for f in moved.top_findings(100)]
    code = refs[len(moved.advisory_pairs()) :]
    assert [r.path for r in code] == [f.path for f in moved.code_findings]
    assert under_component("shop/app.py", "shop/app.py") == "app.py"
    assert under_component("shop", "other/x.py") == "other/x.py"


def test_a_clean_audit_has_nothing_to_act_on(audited: Any) -> None:  # noqa: F811
    clean = security_result(audited, vulnerable=[], code_findings=[], manual_fixes=[])
    assert findings_of(clean) == []
    assert "no vulnerable dependency" in nothing_to_fix(clean)
    assert "nothing to open an issue about" in (nothing_to_report(clean) or "")
    unchecked = clean.model_copy(update={"osv_checked": False})
    assert nothing_to_report(unchecked) is None


def test_other_results_keep_the_plain_answers() -> None:
    assert nothing_to_fix(object()) == NO_FINDINGS
    assert nothing_to_report(object()) is None
