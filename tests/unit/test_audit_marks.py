"""Every kind of audit record has its own mark in `/cicd audit`."""

from blocks.audit import MARKS
from workflows.governance.audit import AuditKind


def test_every_audit_kind_has_a_mark():
    assert set(MARKS) == set(AuditKind)
