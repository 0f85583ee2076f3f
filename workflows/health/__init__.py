"""Measuring the system's health: the host, the integrations, the runs, and the verdicts."""
