"""Errors a `cicd` command stops with: the message alone tells the person what to do."""

from __future__ import annotations


class StartError(RuntimeError):
    """A command cannot start; the message says what to set or fix (exit code 2)."""


class ServeError(StartError):
    """`cicd serve` cannot start; the message says what to set or fix."""
