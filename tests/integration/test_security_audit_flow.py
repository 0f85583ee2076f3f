"""`security_audit` as a real Prefect flow against the OSV emulator: advisories from all three
manifest kinds, the planted secret and `eval`, SARIF, and the approval path both ways.

Called directly (no deployment) the flow waits in-process; the test resumes it through the
Prefect API, as the bot does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.flow_runs import resume_flow_run

from tests.conftest import git
from tests.emulators.osv import OsvEmulator
from tests.integration.paused_runs import start_flow, stored_request, wait_paused
from tests.security_samples import SECRET, make_audit_repo
from tests.unit.security.sarif_schema import official_sarif_errors
from workflows.flows.security_audit import security_audit
from workflows.models.security_audit import FixOutcome, SecurityAuditRequest, SecurityAuditResult

pytestmark = pytest.mark.prefect


@pytest.fixture
def osv(monkeypatch: pytest.MonkeyPatch) -> Iterator[OsvEmulator]:
    with OsvEmulator() as emu:
        monkeypatch.setenv("OSV_API_URL", emu.url)
        monkeypatch.setenv("INTEGRATION_RETRY_BASE_SECONDS", "0")
        yield emu


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return make_audit_repo(tmp_path / "shop")


def test_approved_upgrades_are_committed_on_one_branch(
    prefect_api, data_dir, osv: OsvEmulator, shop: Path
) -> None:
    head = git("rev-parse", "HEAD", cwd=shop)
    thread, out = start_flow(security_audit, "audit-approve", SecurityAuditRequest(repo=str(shop)))
    run_id = wait_paused("audit-approve", out)

    stored = stored_request(run_id)
    assert stored.workflow == "security_audit"
    assert stored.title == "Upgrade vulnerable dependencies in the whole repository"
    assert stored.summary == "4 packages upgraded in 3 files, 5 advisories fixed"
    assert stored.risk == "medium"  # jinja2 3.0.0 -> 3.1.3 and requests 2.25 -> 2.31 are minor
    assert any("django 3.2 → 3.2.19" in line for line in stored.details)
    assert stored.digest

    resume_flow_run(run_id, run_input={"decision": "approve", "who": "U0003", "comment": "go"})
    thread.join(90)
    result: SecurityAuditResult = out["state"].result()

    assert result.fix_outcome is FixOutcome.BRANCH and result.decided_by == "U0003"
    branch = result.fixes.branch
    assert git("rev-parse", f"{branch}^", cwd=shop) == head
    pyproject = git("show", f"{branch}:pyproject.toml", cwd=shop)
    assert '"django>=3.2.19,<4"' in pyproject and '"requests==2.31.0"' in pyproject
    assert '"PyYAML==5.4"' in pyproject and '"click>=8"' in pyproject
    requirements = git("show", f"{branch}:requirements.txt", cwd=shop)
    assert 'jinja2==3.1.3 ; python_version >= "3.8"  # templates' in requirements
    assert "ecdsa==0.18.0" in requirements  # no fix published: left alone
    assert git("show", f"{branch}:requirements-base.txt", cwd=shop) == "requests==2.31.0"
    assert git("diff", "--name-only", head, branch, cwd=shop).split() == [
        "pyproject.toml",
        "requirements-base.txt",
        "requirements.txt",
    ]
    message = git("log", "-1", "--format=%B", branch, cwd=shop)
    assert "Approved-by: U0003" in message and "GHSA-q7x2-8wv4-m3jc" in message
    # The user's own checkout is untouched and the worktree is gone.
    assert git("rev-parse", "HEAD", cwd=shop) == head
    assert "django>=3.2,<4" in (shop / "pyproject.toml").read_text()
    assert not Path(result.fixes.worktree).exists()
    # npm's lockfile is npm's to write: both packages are manual steps.
    manual = {m.name: m for m in result.manual_fixes}
    assert manual["lodash"].target == "4.17.21"
    assert "npm install lodash@4.17.21" in manual["lodash"].how
    assert manual["minimist"].target == "1.2.6" and "overrides" in manual["minimist"].how


def test_the_report_counts_both_kinds_and_never_shows_the_secret(
    prefect_api, data_dir, osv: OsvEmulator, shop: Path
) -> None:
    thread, out = start_flow(security_audit, "audit-report", SecurityAuditRequest(repo=str(shop)))
    run_id = wait_paused("audit-report", out)
    resume_flow_run(run_id, run_input={"decision": "reject", "who": "U0002", "comment": "later"})
    thread.join(90)
    result: SecurityAuditResult = out["state"].result()

    assert result.counts() == {"critical": 4, "high": 3, "medium": 3, "low": 0, "unknown": 0}
    by_name = {p.name: p for p in result.vulnerable}
    assert set(by_name) == {"django", "requests", "pyyaml", "jinja2", "ecdsa", "lodash", "minimist"}
    django = by_name["django"]
    assert django.version == "3.2" and django.occurrences[0].checked == "lowest-allowed"
    assert [a.id for a in django.advisories] == ["GHSA-q7x2-8wv4-m3jc", "PYSEC-2023-0398"]
    assert django.advisories[0].score == 9.8 and django.fix_version == "3.2.19"
    assert by_name["ecdsa"].fix_version is None and by_name["ecdsa"].unfixed
    assert by_name["jinja2"].advisories[0].level == "medium"  # MODERATE, no CVSS vector
    rules = {(f.rule, f.path, f.line, f.level) for f in result.code_findings}
    assert ("hardcoded-secret", "shop/settings.py", 1, "critical") in rules
    assert ("eval-exec", "shop/settings.py", 5, "high") in rules
    assert {u.name for u in result.unchecked} == {"internal-lib", "urllib3"}

    # SARIF: both kinds, valid against the official schema, written to disk.
    sarif = result.sarif
    assert official_sarif_errors(sarif) == []
    ids = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"GHSA-q7x2-8wv4-m3jc", "GHSA-35jh-r3h4-6jhm", "hardcoded-secret", "eval-exec"} <= ids
    requests_hits = [
        r["locations"][0]["physicalLocation"]
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "GHSA-9hjg-5c3p-x7rw"
    ]
    assert {(h["artifactLocation"]["uri"], h["region"]["startLine"]) for h in requests_hits} == {
        ("pyproject.toml", 6),
        ("requirements-base.txt", 1),
    }
    assert json.loads(Path(result.sarif_path).read_text()) == sarif
    everything = result.model_dump_json()
    assert SECRET not in everything and SECRET[:12] not in everything

    # Rejected: nothing was changed, the branch is gone.
    assert result.fix_outcome is FixOutcome.REJECTED and result.comment == "later"
    assert git("branch", "--list", "cicd/*", cwd=shop) == ""
    assert not Path(result.fixes.worktree).exists()


def test_a_component_and_a_severity_floor(
    prefect_api, data_dir, osv: OsvEmulator, shop: Path
) -> None:
    # Only ui/: its lockfile's fixes are manual, so nothing is put up for approval.
    request = SecurityAuditRequest(repo=str(shop), component="ui", min_severity="critical")
    result = security_audit(request)
    assert [(p.name, [a.id for a in p.advisories]) for p in result.vulnerable] == [
        ("minimist", ["GHSA-xvch-5gv4-984h"])
    ]
    assert result.manifests == ["ui/package-lock.json"] and result.code_findings == []
    assert result.fix_outcome is FixOutcome.NONE and result.fixes is None
    assert [m.name for m in result.manual_fixes] == ["minimist"]


def test_osv_down_is_a_loud_warning_not_a_silent_pass(
    prefect_api, data_dir, osv: OsvEmulator, shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTEGRATION_RETRY_ATTEMPTS", "2")
    osv.fail_next(503, times=2)
    result = security_audit(SecurityAuditRequest(repo=str(shop)))
    assert result.osv_checked is False and result.vulnerable == []
    assert result.fix_outcome is FixOutcome.NONE  # nothing known, so nothing to approve
    assert result.warnings[0].startswith("dependencies not checked: OSV: query vulnerabilities")
    assert osv.url in result.warnings[0]
    assert {f.rule for f in result.code_findings} == {"hardcoded-secret", "eval-exec"}
