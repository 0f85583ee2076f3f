"""The 20 workflow types: the enum, the catalogue, the design doc and `cicd workflows` agree."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.shared_paths import shared
from workflows.types import CATALOG, WorkflowInfo, WorkflowType, implemented_types

ROOT = Path(__file__).resolve().parents[2]
NEEDS_APPROVAL = {
    "dependency_management",
    "security_audit",
    "dead_code_cleanup",
    "autonomous_refactoring",
    "intelligent_deployment",
    "system_recovery",
    "data_recovery",
}


def documented_types() -> list[str]:
    """The backticked names in the first column of the tables of WORKFLOWS.md, in order."""
    doc = shared("WORKFLOWS.md")
    names = []
    for line in doc.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\|\s*`([a-z_]+)`\s*\|", line)
        if match:
            names.append(match.group(1))
    return names


def test_exactly_twenty_distinct_types():
    values = [t.value for t in WorkflowType]
    assert len(values) == 20
    assert len(set(values)) == 20
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", v) for v in values)


def test_types_match_the_design_doc():
    documented = documented_types()
    assert len(documented) == 20
    assert [t.value for t in WorkflowType] == documented


def test_every_type_has_catalogue_info():
    assert set(CATALOG) == set(WorkflowType)
    for kind, info in CATALOG.items():
        assert isinstance(info, WorkflowInfo)
        assert info.workflow is kind
        assert info.summary and info.summary == info.summary.strip()
        assert info.group in {
            "analysis",
            "maintenance",
            "integration",
            "system",
            "advanced",
            "recovery",
        }


def test_groups_follow_the_doc_sections():
    doc = shared("WORKFLOWS.md")
    section = None
    seen = {}
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip().lower()
        match = re.match(r"^\|\s*`([a-z_]+)`\s*\|", line)
        if match:
            seen[match.group(1)] = section
    assert {t.value: CATALOG[t].group for t in WorkflowType} == seen


IMPLEMENTED_ORDER = [
    "component_analysis",
    "failure_analysis",
    "code_quality_check",
    "security_audit",
    "dead_code_cleanup",
    "slack_notifications",
    "health_check",
    "autonomous_refactoring",
]
IMPLEMENTED = set(IMPLEMENTED_ORDER)


def test_implemented_types():
    assert implemented_types() == [WorkflowType(name) for name in IMPLEMENTED_ORDER]


def test_approval_defaults():
    assert {t.value for t, info in CATALOG.items() if info.needs_approval} == NEEDS_APPROVAL


def test_cicd_workflows_command():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CICD_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "workflows"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 20
    rows = {line.split()[0]: line for line in lines}
    assert list(rows) == [t.value for t in WorkflowType]
    for name, line in rows.items():
        if name in IMPLEMENTED:
            assert line.split()[2] == "yes", line
        else:
            assert line.split()[2:4] == ["not", "yet"], line
        assert CATALOG[WorkflowType(name)].summary in line
