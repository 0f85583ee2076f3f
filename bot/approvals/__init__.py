"""Approval requests in Slack: the desk that posts and decides, escalation, and its loop."""
