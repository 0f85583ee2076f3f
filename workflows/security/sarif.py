"""One SARIF 2.1.0 log for a security audit: code findings and dependency advisories together.

The code findings come from `workflows.analysis.sarif.to_sarif` (the engine's rules); each
advisory adds a rule whose id is the advisory id (GHSA-…, PYSEC-…) and one result per place
the vulnerable version is declared, located at the manifest's line. `security-severity` carries
the CVSS score, or a score standing for the database's rating, so GitHub code scanning sorts
both kinds on one scale.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from workflows.analysis.models import AnalysisReport
from workflows.analysis.sarif import FINGERPRINT_KEY, SRCROOT, to_sarif
from workflows.security.advisories import Advisory, VulnerablePackage
from workflows.security.severity import Level

# Stand-ins for advisories rated by name only, inside GitHub's buckets (9.0/7.0/4.0).
_LEVEL_SCORES = {
    Level.CRITICAL: "9.5",
    Level.HIGH: "8.0",
    Level.MEDIUM: "5.5",
    Level.LOW: "2.0",
    Level.UNKNOWN: "5.0",
}
_SARIF_LEVELS = {
    Level.CRITICAL: "error",
    Level.HIGH: "error",
    Level.MEDIUM: "warning",
    Level.LOW: "note",
    Level.UNKNOWN: "warning",
}


def audit_sarif(
    report: AnalysisReport,
    packages: list[VulnerablePackage],
    *,
    tool_version: str,
    source_root: Path,
    information_uri: str | None = None,
) -> dict[str, Any]:
    """The SARIF log: `report`'s findings (paths relative to `source_root`), then advisories."""
    log = to_sarif(
        report,
        tool_version=tool_version,
        information_uri=information_uri,
        source_root=source_root,
    )
    run = log["runs"][0]
    rules: list[dict[str, Any]] = run["tool"]["driver"]["rules"]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    for package in packages:
        for advisory in package.advisories:
            if advisory.id not in index:
                index[advisory.id] = len(rules)
                rules.append(_descriptor(advisory))
            run["results"] += [
                _result(advisory, package, dep.manifest, dep.line, index[advisory.id])
                for dep in package.occurrences
            ]
    return log


def _security_severity(advisory: Advisory) -> str:
    return f"{advisory.score:.1f}" if advisory.score is not None else _LEVEL_SCORES[advisory.level]


def _descriptor(advisory: Advisory) -> dict[str, Any]:
    names = ", ".join([advisory.id, *advisory.aliases])
    summary = advisory.summary or f"Known vulnerability {advisory.id}"
    fixed = ", ".join(advisory.fixed_in) or "no fixed version published"
    return {
        "id": advisory.id,
        "name": advisory.id.replace("-", ""),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": f"{summary} ({names}). Fixed in: {fixed}."},
        "helpUri": advisory.url,
        "help": {"text": f"{summary}\nDetails: {advisory.url}\nFixed in: {fixed}"},
        "defaultConfiguration": {"level": _SARIF_LEVELS[advisory.level]},
        "properties": {
            "tags": ["security", "dependency", "vulnerability"],
            "security-severity": _security_severity(advisory),
            "precision": "very-high",
        },
    }


def _result(
    advisory: Advisory, package: VulnerablePackage, manifest: str, line: int, rule_index: int
) -> dict[str, Any]:
    fix = f"; upgrade to {package.fix_version}" if package.fix_version else "; no fix yet"
    text = (
        f"{package.name} {package.version} ({package.ecosystem}) is affected by "
        f"{advisory.id}: {advisory.summary or 'a known vulnerability'}{fix}"
    )
    key = "\0".join((advisory.id, package.ecosystem, package.name, manifest))
    fingerprint = hashlib.sha256(key.encode()).hexdigest()[:32]
    return {
        "ruleId": advisory.id,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVELS[advisory.level],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": manifest, "uriBaseId": SRCROOT},
                    "region": {"startLine": line},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: f"{fingerprint}:1"},
        "properties": {
            "category": "dependency",
            "package": package.name,
            "ecosystem": package.ecosystem,
            "installed": package.version,
        }
        | ({"fixed": package.fix_version} if package.fix_version else {}),
    }
