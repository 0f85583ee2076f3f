"""Rendering an `AnalysisReport` as SARIF 2.1.0, the format GitHub code scanning uploads.

One run; ``tool.driver.rules`` describes every registered rule, Python and JS/TS (plus any
other rule a finding names), and each result points at its rule by id and index. Locations are
POSIX paths relative to ``%SRCROOT%`` (the analysed root, or ``uri_prefix`` + that when the
root sits below the repository). ``partialFingerprints`` carries a hash of rule, path, symbol
and the finding's first source line with whitespace collapsed, so a result keeps its identity
when lines move.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any, TypedDict, Unpack

from workflows.analysis.models import AnalysisReport, Category, Finding, Fix, Severity
from workflows.analysis.options import registered_rules
from workflows.analysis.registry import BaseRule

__all__ = [
    "FINGERPRINT_KEY",
    "SARIF_SCHEMA",
    "SARIF_VERSION",
    "SRCROOT",
    "to_sarif",
    "to_sarif_json",
]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "cicd-chatops"
FINGERPRINT_KEY = "cicdFindingHash/v1"
SRCROOT = "%SRCROOT%"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub buckets security-severity as critical >= 9.0, high >= 7.0, medium >= 4.0, else low.
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.5", Severity.INFO: "3.0"}


def to_sarif(
    report: AnalysisReport,
    *,
    tool_version: str,
    information_uri: str | None = None,
    uri_prefix: str = "",
    source_root: Path | None = None,
) -> dict[str, Any]:
    """The SARIF log of ``report`` as JSON-ready data.

    ``uri_prefix`` (POSIX, e.g. ``src/app``) is put before every path so URIs are relative to
    the repository root; ``source_root`` is where the files are read for fingerprints
    (default: the report's root).
    """
    descriptors, index = _rule_descriptors(report.findings)
    base = source_root if source_root is not None else _base(report)
    prefix = uri_prefix.strip("/")
    lines = _SourceLines(base)
    seen: Counter[str] = Counter()
    results = []
    for finding in report.findings:
        digest = _fingerprint(finding, lines.normalised(finding.path, finding.line))
        seen[digest] += 1
        results.append(_result(finding, index[finding.rule], f"{digest}:{seen[digest]}", prefix))
    driver: dict[str, Any] = {"name": TOOL_NAME, "version": tool_version}
    if information_uri:
        driver["informationUri"] = information_uri
    driver["rules"] = descriptors
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }


class SarifOptions(TypedDict, total=False):
    """`to_sarif`'s optional keywords."""

    information_uri: str | None
    uri_prefix: str
    source_root: Path | None


def to_sarif_json(
    report: AnalysisReport, *, tool_version: str, **options: Unpack[SarifOptions]
) -> str:
    """`to_sarif` as indented JSON text."""
    return json.dumps(to_sarif(report, tool_version=tool_version, **options), indent=2)


def _base(report: AnalysisReport) -> Path:
    root = Path(report.root)
    return root.parent if root.is_file() else root


def _uri(prefix: str, path: str) -> str:
    return f"{prefix}/{path}" if prefix else path


def _rule_descriptors(findings: list[Finding]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Descriptors of the registered rules, then of unregistered rules the findings name."""
    rules = registered_rules()
    descriptors = [_descriptor(rule) for rule in rules.values()]
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    for finding in findings:
        if finding.rule not in index:
            index[finding.rule] = len(descriptors)
            descriptors.append(_ad_hoc_descriptor(finding))
    return descriptors, index


def _display_name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.replace("_", "-").split("-"))


def _properties(category: Category, severity: Severity) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": [category.value]}
    if category is Category.SECURITY:
        properties["security-severity"] = _SECURITY_SEVERITY[severity]
    return properties


def _descriptor(rule: BaseRule[Any]) -> dict[str, Any]:
    body = rule.doc.partition("\n")[2].strip() or rule.title
    return {
        "id": rule.id,
        "name": _display_name(rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": body},
        "help": {"text": rule.doc or rule.title},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": _properties(rule.category, rule.severity),
    }


def _ad_hoc_descriptor(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.rule,
        "name": _display_name(finding.rule),
        "shortDescription": {"text": finding.rule},
        "defaultConfiguration": {"level": _LEVELS[finding.severity]},
        "properties": _properties(finding.category, finding.severity),
    }


class _SourceLines:
    """Lines of the analysed files, each file read once."""

    def __init__(self, base: Path) -> None:
        self._base = base
        self._files: dict[str, list[bytes]] = {}

    def normalised(self, path: str, line: int) -> str:
        """Line ``line`` of ``path`` with whitespace collapsed ("" when unreadable)."""
        if path not in self._files:
            try:
                self._files[path] = (self._base / path).read_bytes().splitlines()
            except OSError:
                self._files[path] = []
        lines = self._files[path]
        raw = lines[line - 1] if 0 < line <= len(lines) else b""
        return " ".join(raw.decode("utf-8", "replace").split())


def _fingerprint(finding: Finding, line_text: str) -> str:
    key = "\0".join((finding.rule, finding.path, finding.symbol or "", line_text))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _result(finding: Finding, rule_index: int, fingerprint: str, prefix: str) -> dict[str, Any]:
    location = {"uri": _uri(prefix, finding.path), "uriBaseId": SRCROOT}
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {"startLine": finding.line, "endLine": finding.end_line},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {"confidence": finding.confidence, "category": finding.category.value},
    }
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [_fix(finding.fix, prefix)]
    return result


def _fix(fix: Fix, prefix: str) -> dict[str, Any]:
    """A SARIF fix: byte-range replacements grouped by file (offsets as the engine read it)."""
    by_path: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        by_path.setdefault(edit.path, []).append(
            {
                "deletedRegion": {
                    "byteOffset": edit.start_byte,
                    "byteLength": max(0, edit.end_byte - edit.start_byte),
                },
                "insertedContent": {"text": edit.replacement},
            }
        )
    return {
        "description": {"text": fix.description},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": _uri(prefix, path), "uriBaseId": SRCROOT},
                "replacements": r,
            }
            for path, r in by_path.items()
        ],
    }
