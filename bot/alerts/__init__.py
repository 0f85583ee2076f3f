"""Threshold alerts in Slack: posted once, acknowledged, escalated, recovered."""
