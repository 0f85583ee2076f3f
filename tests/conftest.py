"""Test-wide settings: no telemetry, no real services, Prefect state kept in temp dirs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.shared_paths import shared

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY", "false")
os.environ.setdefault("PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS", "false")
os.environ.pop("PREFECT_API_URL", None)  # never talk to a developer's own Prefect
# Nor to a developer's own Slack, GitHub, Linear or Codegen: tests set what they use.
for _name in (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "GITHUB_TOKEN",
    "GITHUB_API_URL",
    "GITHUB_REPOSITORY",
    "LINEAR_API_KEY",
    "LINEAR_API_URL",
    "LINEAR_TEAM_KEY",
    "CODEGEN_ORG_ID",
    "CODEGEN_TOKEN",
    "CODEGEN_API_BASE_URL",
    "OSV_API_URL",
    "CICD_CONFIG",
):
    os.environ.pop(_name, None)

PLANTED = """\
import os
import sys


def used_helper():
    return sys.argv


def planted_unused_function():
    return used_helper()


def risky():
    try:
        return used_helper()
    except:
        return None
"""


def git(*args: str, cwd: Path) -> str:
    """Run real git with a fixed identity."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def make_repo(root: Path) -> Path:
    """A git repository with a component `contexten/agents` holding planted findings."""
    component = root / "contexten" / "agents"
    component.mkdir(parents=True)
    (component / "__init__.py").write_text("")
    (component / "worker.py").write_text(PLANTED)
    (root / "README.md").write_text("demo\n")
    git("init", "-q", "-b", "main", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-qm", "initial", cwd=root)
    return root


@pytest.fixture
def planted_repo(tmp_path: Path) -> Path:
    """A fresh repository with planted findings under `contexten/agents`."""
    return make_repo(tmp_path / "repo")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "needs_shared(*relpaths): files under ../shared the test needs (see shared())"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture: a test marked ``needs_shared`` skips (fails under CI) without them."""
    for mark in item.iter_markers("needs_shared"):
        for relpath in mark.args:
            shared(relpath)
