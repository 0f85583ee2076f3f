"""Who may do what, the approvals flows wait for, and the audit trail of both."""
