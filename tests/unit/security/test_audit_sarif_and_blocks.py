"""The audit's SARIF (both kinds of result, valid against the official 2.1.0 schema) and its
Slack result message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block

from blocks.results import render_result
from tests.emulators.osv_advisories import ADVISORIES
from tests.security_samples import SECRET, write_project
from tests.unit.security.sarif_schema import official_sarif_errors
from workflows.analysis.options import AnalysisOptions, analyze
from workflows.dependencies.manifests import read_dependencies
from workflows.dependencies.upgrades import ManualUpgrade
from workflows.integrations.osv import OsvVulnerability
from workflows.models.security_audit import (
    SECURITY_RULES,
    CodeFinding,
    FixOutcome,
    SecurityAuditRequest,
    SecurityAuditResult,
)
from workflows.security.advisories import vulnerable_packages
from workflows.security.sarif import audit_sarif
from workflows.security.severity import finding_level

VULNS = {a["id"]: OsvVulnerability.model_validate(a) for a in ADVISORIES}
HITS = {
    ("PyPI", "django", "3.2"): ["GHSA-q7x2-8wv4-m3jc", "PYSEC-2023-0398"],
    ("PyPI", "requests", "2.25.0"): ["GHSA-9hjg-5c3p-x7rw"],
    ("PyPI", "jinja2", "3.0.0"): ["GHSA-h5c8-rqwp-cp95"],
    ("PyPI", "ecdsa", "0.18.0"): ["GHSA-wj6h-64fc-37mp"],
    ("npm", "lodash", "4.17.15"): ["GHSA-35jh-r3h4-6jhm"],
}


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory):
    root = write_project(tmp_path_factory.mktemp("audit") / "shop")
    scan = read_dependencies(root)
    packages = vulnerable_packages(scan.dependencies, HITS, VULNS)
    report = analyze(root, AnalysisOptions(select=list(SECURITY_RULES)))
    return root, scan, packages, report


def test_sarif_holds_advisories_and_code_findings_and_is_valid(audited) -> None:
    root, _, packages, report = audited
    log = audit_sarif(report, packages, tool_version="1.0", source_root=root)
    assert official_sarif_errors(log) == []
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    django = [r for r in results if r["ruleId"] == "GHSA-q7x2-8wv4-m3jc"]
    (location,) = [r["locations"][0]["physicalLocation"] for r in django]
    assert location["artifactLocation"] == {"uri": "pyproject.toml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 5}
    assert django[0]["level"] == "error" and "upgrade to 3.2.19" in django[0]["message"]["text"]
    descriptor = next(r for r in rules if r["id"] == "GHSA-q7x2-8wv4-m3jc")
    assert descriptor["properties"]["security-severity"] == "9.8"
    assert descriptor["helpUri"] == "https://osv.dev/vulnerability/GHSA-q7x2-8wv4-m3jc"
    jinja = next(r for r in rules if r["id"] == "GHSA-h5c8-rqwp-cp95")
    assert jinja["properties"]["security-severity"] == "5.5"  # MODERATE, no vector
    requests = [r for r in results if r["ruleId"] == "GHSA-9hjg-5c3p-x7rw"]
    assert len(requests) == 2  # pyproject.toml and requirements-base.txt
    fingerprints = [r["partialFingerprints"] for r in results]
    assert len({json.dumps(f, sort_keys=True) for f in fingerprints}) == len(results)
    code = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results
    }
    assert {("hardcoded-secret", 1), ("eval-exec", 5)} <= code
    assert SECRET not in json.dumps(log)
    # The schema can fail: a broken location is caught.
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][-1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert len(official_sarif_errors(broken)) == 1


def _result(audited, **update: object) -> SecurityAuditResult:
    root, scan, packages, report = audited
    findings = [
        CodeFinding(
            rule=f.rule, level=finding_level(f), path=f.path, line=f.line, message=f.message
        )
        for f in report.findings
    ]
    base = SecurityAuditResult(
        request=SecurityAuditRequest(repo=str(root)),
        commit="0123456789abcdef",
        manifests=scan.manifests,
        dependencies=scan.dependencies,
        unchecked=scan.unchecked,
        vulnerable=packages,
        code_findings=findings,
        files_scanned=report.files_analyzed,
        manual_fixes=[
            ManualUpgrade(
                ecosystem="npm",
                name="lodash",
                current="4.17.15",
                target="4.17.21",
                manifest="ui/package-lock.json",
                line=17,
                how="`npm install lodash@4.17.21`",
            )
        ],
        fix_outcome=FixOutcome.PULL_REQUEST,
        pull_request_url="https://github.com/acme/shop/pull/7",
        pull_request_number=7,
        decided_by="U0003",
        sarif_path="/data/security-audit/abc.sarif",
    )
    return base.model_copy(update=update)


def _text(blocks: list[Block]) -> str:
    return json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)


def test_the_result_message(audited) -> None:
    result = _result(audited)
    rendered = render_result(result, "run-1", "brave-fox")
    assert rendered is not None
    assert rendered.outcome == "🟥 2 critical, 3 high, 3 medium"
    assert rendered.text.startswith("Security audit of the whole repository: 2 critical, 3 high")
    text = _text(rendered.blocks)
    assert "<https://osv.dev/vulnerability/GHSA-q7x2-8wv4-m3jc|GHSA-q7x2-8wv4-m3jc>" in text
    assert "*django* 3.2 → 3.2.19 (`pyproject.toml:5`)" in text
    assert "→ no fix yet" in text  # ecdsa
    assert "`shop/settings.py:1` *hardcoded-secret*" in text
    assert "<https://github.com/acme/shop/pull/7|Review pull request #7>" in text
    assert "npm install lodash@4.17.21" in text and "<@U0003>" in text
    assert "ranges at their lowest allowed version" in text and "urllib3" in text
    assert "cicd_retry" in text and "cicd_request_fix" in text
    assert SECRET not in text


def test_clean_and_unchecked_results(audited) -> None:
    clean = _result(audited, vulnerable=[], code_findings=[], fix_outcome=FixOutcome.NONE)
    assert render_result(clean, "r", "n").outcome == "✅ no known vulnerabilities or dangerous code"
    down = _result(
        audited, vulnerable=[], osv_checked=False, warnings=["dependencies not checked: OSV: boom"]
    )
    text = _text(render_result(down, "r", "n").blocks)
    assert "Dependencies were not checked" in text and "OSV: boom" in text
    rejected = _result(audited, fix_outcome=FixOutcome.REJECTED, comment="not now")
    assert "Fixes rejected" in _text(render_result(rejected, "r", "n").blocks)


def test_the_sample_project_is_what_the_tests_think(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p")
    assert SECRET in (root / "shop" / "settings.py").read_text()
