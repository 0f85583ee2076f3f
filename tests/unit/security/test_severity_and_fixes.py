"""Severity mapping (CVSS v3, database ratings, engine findings), OSV range evaluation, the
fix version chosen and the manifest edits made for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.emulators.osv_advisories import ADVISORIES
from workflows.analysis.models import Category, Finding, Severity
from workflows.dependencies.manifests import Dependency
from workflows.dependencies.upgrades import apply_upgrades, edit_requirement, plan_upgrades
from workflows.integrations.osv import OsvVulnerability
from workflows.security.advisories import covers, upgrade_target, vulnerable_packages
from workflows.security.severity import (
    Level,
    advisory_level,
    at_least,
    cvss3_base_score,
    finding_level,
)

VULNS = {a["id"]: OsvVulnerability.model_validate(a) for a in ADVISORIES}


@pytest.mark.parametrize(
    ("vector", "score", "level"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, Level.CRITICAL),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, Level.HIGH),
        ("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 8.8, Level.HIGH),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, Level.MEDIUM),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N", 5.3, Level.MEDIUM),
        ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6, Level.LOW),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, Level.LOW),
    ],
)
def test_cvss3_scores_and_levels(vector: str, score: float, level: Level) -> None:
    assert cvss3_base_score(vector) == score
    assert advisory_level([("CVSS_V3", vector)], None) == (level, score)


def test_without_a_v3_vector_the_database_rating_decides() -> None:
    v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    assert advisory_level([("CVSS_V4", v4)], {"severity": "MODERATE"}) == (Level.MEDIUM, None)
    assert advisory_level([], {"severity": "CRITICAL"}) == (Level.CRITICAL, None)
    assert advisory_level([("CVSS_V3", "CVSS:3.1/AV:X")], None) == (Level.UNKNOWN, None)
    assert cvss3_base_score("AV:N/AC:L") is None


def test_engine_findings_map_onto_the_levels() -> None:
    def finding(rule: str, severity: Severity, confidence: int = 100) -> Finding:
        return Finding(
            rule=rule,
            category=Category.SECURITY,
            severity=severity,
            path="a.py",
            line=1,
            end_line=1,
            message="m",
            confidence=confidence,
        )

    assert finding_level(finding("hardcoded-secret", Severity.ERROR, 95)) is Level.CRITICAL
    assert finding_level(finding("hardcoded-secret", Severity.ERROR, 50)) is Level.HIGH
    assert finding_level(finding("eval-exec", Severity.ERROR)) is Level.HIGH
    assert finding_level(finding("tls-verification-disabled", Severity.WARNING)) is Level.MEDIUM
    assert finding_level(finding("x", Severity.INFO)) is Level.LOW
    assert at_least(Level.HIGH, Level.MEDIUM) and not at_least(Level.LOW, Level.MEDIUM)
    assert at_least(Level.UNKNOWN, Level.CRITICAL)  # an unrated advisory is always shown


def test_osv_ranges_are_evaluated_in_version_order() -> None:
    django = VULNS["GHSA-q7x2-8wv4-m3jc"]
    assert covers(django, "PyPI", "django", "3.2")
    assert not covers(django, "PyPI", "django", "3.2.19")
    assert covers(django, "PyPI", "django", "4.1.8")
    assert not covers(django, "PyPI", "django", "4.2")
    assert not covers(django, "npm", "django", "3.2")
    minimist = VULNS["GHSA-xvch-5gv4-984h"]
    assert covers(minimist, "npm", "minimist", "0.0.8")
    assert not covers(minimist, "npm", "minimist", "0.2.4")
    assert covers(minimist, "npm", "minimist", "1.2.5")
    last = OsvVulnerability.model_validate(
        {
            "id": "X",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "p"},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "1.0"}, {"last_affected": "1.4"}],
                        }
                    ],
                    "versions": ["0.9"],
                }
            ],
        }
    )
    assert covers(last, "PyPI", "p", "1.4") and not covers(last, "PyPI", "p", "1.4.1")
    assert covers(last, "PyPI", "p", "0.9") and not covers(last, "PyPI", "p", "0.8")


def test_the_fix_version_clears_every_advisory_that_has_a_fix() -> None:
    both = [VULNS["GHSA-q7x2-8wv4-m3jc"], VULNS["PYSEC-2023-0398"]]
    # 3.2.18 fixes the DoS but not the injection: 3.2.19 is the lowest clearing both.
    assert upgrade_target("PyPI", "django", "3.2", both) == ("3.2.19", [])
    assert upgrade_target("PyPI", "django", "4.0.1", both) == ("4.1.9", [])
    assert upgrade_target("PyPI", "ecdsa", "0.18.0", [VULNS["GHSA-wj6h-64fc-37mp"]]) == (
        None,
        ["GHSA-wj6h-64fc-37mp"],
    )


def _dep(name: str, version: str, requirement: str, **extra: object) -> Dependency:
    return Dependency.model_validate(
        {
            "ecosystem": "PyPI",
            "name": name,
            "version": version,
            "requirement": requirement,
            "checked": "pinned",
            "manifest": "requirements.txt",
            "line": 1,
        }
        | extra
    )


def test_vulnerable_packages_are_joined_and_ordered_worst_first() -> None:
    deps = [
        _dep("jinja2", "3.0.0", "jinja2==3.0.0"),
        _dep("django", "3.2", "django>=3.2,<4", checked="lowest-allowed", line=2),
        _dep("click", "8.0", "click==8.0", line=3),
    ]
    hits = {
        ("PyPI", "jinja2", "3.0.0"): ["GHSA-h5c8-rqwp-cp95"],
        ("PyPI", "django", "3.2"): ["PYSEC-2023-0398", "GHSA-q7x2-8wv4-m3jc"],
    }
    found = vulnerable_packages(deps, hits, VULNS)
    assert [(p.name, p.level, p.fix_version) for p in found] == [
        ("django", Level.CRITICAL, "3.2.19"),
        ("jinja2", Level.MEDIUM, "3.1.3"),
    ]
    assert [a.id for a in found[0].advisories] == ["GHSA-q7x2-8wv4-m3jc", "PYSEC-2023-0398"]
    assert found[0].advisories[0].url == "https://osv.dev/vulnerability/GHSA-q7x2-8wv4-m3jc"


@pytest.mark.parametrize(
    ("requirement", "current", "target", "expected"),
    [
        ("requests==2.25.0", "2.25.0", "2.31.0", "requests==2.31.0"),
        ("django>=3.2,<4", "3.2", "3.2.19", "django>=3.2.19,<4"),
        ("foo~=1.4", "1.4", "1.4.7", "foo~=1.4,>=1.4.7"),
        ("foo==1.2.*", "1.2", "1.2.5", "foo==1.2.*,>=1.2.5"),
        (
            'jinja2 == 3.0.0 ; python_version >= "3.8"',
            "3.0.0",
            "3.1.3",
            'jinja2 == 3.1.3 ; python_version >= "3.8"',
        ),
        ("foo[x] (>=1.0)", "1.0", "1.5", "foo[x] (>=1.5)"),
        ("foo>=1.0,<1.5", "1.0", "1.5", None),  # the range excludes the fix
        ("foo~=1.4", "1.4", "2.0", None),
    ],
)
def test_requirement_edits(
    requirement: str, current: str, target: str, expected: str | None
) -> None:
    assert edit_requirement(requirement, current, target) == expected


def test_planned_edits_and_manual_steps(tmp_path: Path) -> None:
    deps = [
        _dep("requests", "2.25.0", "requests==2.25.0", line=2),
        _dep("requests", "2.25.0", "requests==2.25.0", manifest="locked.txt", hashed=True),
        _dep("requests", "2.25.0", "requests>=2.25.0,<2.26", manifest="tight.txt"),
    ]
    edits, manual = plan_upgrades(deps, "2.31.0", ["GHSA-9hjg-5c3p-x7rw"])
    assert [(e.manifest, e.new_requirement) for e in edits] == [
        ("requirements.txt", "requests==2.31.0")
    ]
    assert ["hash-pinned" in m.how for m in manual] == [True, False]
    assert "widen the range" in manual[1].how
    npm = Dependency(
        ecosystem="npm", name="minimist", version="1.2.5", requirement="minimist@1.2.5",
        checked="locked", manifest="package-lock.json", line=9, direct=False,
    )  # fmt: skip
    _, (step,) = plan_upgrades([npm], "1.2.6", [])
    assert "overrides" in step.how and step.target == "1.2.6"

    (tmp_path / "requirements.txt").write_text("# pins\nrequests==2.25.0  # http\n")
    stale = edits[0].model_copy(update={"line": 1})
    applied, problems = apply_upgrades(tmp_path, [edits[0], stale])
    assert applied == [edits[0]] and problems == [
        "requirements.txt:1: `requests==2.25.0` not found"
    ]
    assert (tmp_path / "requirements.txt").read_text() == "# pins\nrequests==2.31.0  # http\n"


def test_pyproject_strings_with_escaped_quotes_are_edited(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\ndependencies = ["jinja2==3.0.0; python_version >= \\"3.8\\""]\n'
    )
    dep = _dep(
        "jinja2",
        "3.0.0",
        'jinja2==3.0.0; python_version >= "3.8"',
        manifest="pyproject.toml",
        line=2,
    )
    edits, _ = plan_upgrades([dep], "3.1.3", [])
    applied, problems = apply_upgrades(tmp_path, edits)
    assert problems == [] and len(applied) == 1
    assert (
        '"jinja2==3.1.3; python_version >= \\"3.8\\""' in (tmp_path / "pyproject.toml").read_text()
    )
