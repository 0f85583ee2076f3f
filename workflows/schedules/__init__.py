"""Schedules: which workflow runs when, where its result goes, and where schedules are kept."""
