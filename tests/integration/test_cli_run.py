"""`cicd run TYPE key=value ...`: any implemented type from the terminal, its parameters checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_cli import cicd

pytestmark = pytest.mark.prefect


def test_run_prints_the_result_a_thread_would_show(prefect_api, planted_repo: Path) -> None:
    done = cicd(
        "run",
        "component_analysis",
        "component=contexten/agents",
        "options.select=unused-import,bare-except",
        cwd=planted_repo,
        api_url=prefect_api,
    )
    assert done.returncode == 0, done.stderr
    assert "Analysis of contexten/agents" in done.stdout
    assert "worker.py:1 unused-import" in done.stdout  # the planted `import os`
    assert "bare-except" in done.stdout and "unused-function" not in done.stdout
    assert "`" not in done.stdout and "*unused" not in done.stdout  # no Slack markup
    assert "Summarise the findings" in done.stderr  # the progress display


def test_run_json_is_the_typed_result(prefect_api, planted_repo: Path) -> None:
    done = cicd(
        "run",
        "dead_code_cleanup",
        "component=no/dead/code/here",
        "--format",
        "json",
        cwd=planted_repo,
        api_url=prefect_api,
    )
    # A component that does not exist fails the run with a readable reason, not a traceback.
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "dead_code_cleanup failed" in done.stderr and "does not exist" in done.stderr
    ok = cicd(
        "run",
        "component_analysis",
        "component=contexten/agents",
        "options.select=unused-function",
        "--format",
        "json",
        cwd=planted_repo,
        api_url=prefect_api,
    )
    assert ok.returncode == 0, ok.stderr
    result = json.loads(ok.stdout)
    assert result["request"]["repo"] == "."  # CICD_REPO's default: the working directory
    rules = {f["rule"] for f in result["report"]["findings"]}
    assert rules == {"unused-function"}


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["helth_check"], "unknown workflow type 'helth_check'"),
        (["backup_operations"], "backup_operations is not implemented yet"),
        (["health_check", "slack.ok=yes"], "Unknown parameter slack.ok"),
        (["component_analysis", "componnt=x"], "Did you mean component?"),
        (["component_analysis", "options.min_confidence=x"], "valid integer"),
        (["component_analysis", "ref=-x"], "not a valid git ref"),
    ],
)
def test_run_mistakes_exit_2_saying_what_is_accepted(
    planted_repo: Path, words: list[str], said: str
) -> None:
    done = cicd("run", *words, cwd=planted_repo)
    assert done.returncode == 2 and said in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    if "=" in " ".join(words):
        assert f"{words[0]} accepts:" in done.stderr


def test_workflows_verbose_lists_parameters(planted_repo: Path) -> None:
    done = cicd("workflows", "-v", cwd=planted_repo)
    assert done.returncode == 0, done.stderr
    assert "    options.min_confidence=<whole number> optional, default 0" in done.stdout
    assert "    min_confidence=<whole number> optional, default 90" in done.stdout  # cleanup's
    assert "    window_hours=<whole number> optional, default 24" in done.stdout  # health_check's
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("health_check "))
    own = [line.split("=")[0].strip() for line in lines[start + 1 : start + 3]]
    assert own == ["window_hours", "track_alerts"]
    assert not lines[start + 3].startswith(" ")  # and nothing else: `slack` is the bot's
