"""Where the shared API samples live, and how a test says it needs them (or any other resource).

``../shared`` sits beside the checkout; ``CICD_SHARED_DIR`` points elsewhere. A missing resource
skips the test, saying why, except under CI (``CI=true``), which has everything: there it fails.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CICD_SHARED_DIR") or CHECKOUT.parent / "shared")
LINEAR_SCHEMA = SHARED / "api" / "linear" / "schema.graphql"


def on_ci() -> bool:
    """True when ``CI`` is ``true`` or ``1`` (any case), as CI sets it."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


def missing(why: str) -> NoReturn:
    """Skip the current test because ``why``; under CI, where nothing may be missing, fail."""
    __tracebackhide__ = True  # report the test's line, not this one
    if on_ci():
        pytest.fail(f"{why} (CI=true: CI provides it, fails instead of skipping)", pytrace=False)
    pytest.skip(why)


def shared(relpath: str) -> Path:
    """``SHARED / relpath``, which the current test needs: ``missing`` when it does not exist."""
    __tracebackhide__ = True
    path = SHARED / relpath
    if not path.exists():
        missing(f"{path} not found: ../shared is not beside this checkout (or CICD_SHARED_DIR)")
    return path
