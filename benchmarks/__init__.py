"""Benchmarks of the real `cicd serve` process against the Slack emulator."""
