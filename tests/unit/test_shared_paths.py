"""A missing resource skips a test, saying why, and fails it under CI (``CI=true``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared_paths import CHECKOUT, on_ci

SAMPLE = """\
import pytest

from tests.shared_paths import missing, shared


def test_missing_file():
    shared("no/such/file.json")


@pytest.mark.needs_shared("no/such/dir")
def test_marked():
    pass


def test_missing_service():
    missing("no server here")


def test_present_file():
    assert shared("here.txt").read_text() == "x"
"""


def run_sample(tmp_path: Path, ci: str | None) -> tuple[int, str]:
    """Run SAMPLE in a fresh pytest (with tests/conftest.py's hooks) against a fake ../shared."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "here.txt").write_text("x")
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env |= {"PYTHONPATH": str(CHECKOUT), "CICD_SHARED_DIR": str(tmp_path / "shared")}
    if ci is not None:
        env["CI"] = ci
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider", "-rA"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def outcomes(output: str) -> tuple[dict[str, str], list[str]]:
    """Test name -> PASSED, FAILED or ERROR, and the skip reasons, from pytest's ``-rA``."""
    found = re.findall(r"^(PASSED|FAILED|ERROR) test_sample\.py::(\w+)", output, re.M)
    skipped = re.findall(r"^SKIPPED \[1\] \S+: (.*)$", output, re.M)
    return {name: outcome for outcome, name in found}, skipped


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_outside_ci_a_missing_resource_skips_saying_why(tmp_path: Path, ci: str | None) -> None:
    code, output = run_sample(tmp_path, ci)
    assert code == 0, output
    done, skipped = outcomes(output)
    assert done == {"test_present_file": "PASSED"}, output
    assert len(skipped) == 3, output
    for why in ("no/such/file.json not found", "no/such/dir not found", "no server here"):
        assert any(why in reason for reason in skipped), output


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_under_ci_a_missing_resource_fails(tmp_path: Path, ci: str) -> None:
    code, output = run_sample(tmp_path, ci)
    assert code == 1, output
    assert outcomes(output) == (
        {
            "test_missing_file": "FAILED",
            "test_marked": "ERROR",  # the marker is checked before the test's set-up
            "test_missing_service": "FAILED",
            "test_present_file": "PASSED",
        },
        [],
    ), output
    assert "CI=true" in output and "SKIPPED" not in output


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), (" True ", True), ("1", True), ("", False), ("false", False), ("yes", False)],
)
def test_on_ci_reads_the_ci_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv("CI", value)
    assert on_ci() is expected
