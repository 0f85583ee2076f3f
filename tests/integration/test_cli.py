"""`cicd analyze` and friends as a user runs them: a real process, real Prefect, real git."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.prefect


def cicd(
    *args: str, cwd: Path, api_url: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    """Run `python -m bot ...` with a clean Prefect environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SLACK_"))}
    base.update({"CICD_DATA_DIR": str(cwd / ".cicd-data"), **env})
    if api_url:
        base["PREFECT_API_URL"] = api_url
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_analyze_on_the_embedded_default_prints_json(planted_repo: Path) -> None:
    done = cicd("analyze", "contexten/agents", "--format", "json", cwd=planted_repo)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    rows = {(f["rule"], f["path"], f["line"]) for f in payload["findings"]}
    assert ("unused-function", "worker.py", 9) in rows
    assert set(payload["findings"][0]) >= {"rule", "severity", "path", "line", "message"}
    assert "Traceback" not in done.stderr


def test_analyze_text_is_readable_and_paths_are_relative(prefect_api, planted_repo: Path) -> None:
    done = cicd("analyze", str(planted_repo), cwd=planted_repo, api_url=prefect_api)
    assert done.returncode == 0, done.stderr
    assert "contexten/agents/worker.py:9: unused-function" in done.stdout
    assert "4 findings" in done.stdout
    assert str(planted_repo) not in done.stdout
    assert "Summarise the findings" in done.stderr  # the progress display


def test_analyze_a_single_file(prefect_api, planted_repo: Path) -> None:
    target = planted_repo / "contexten" / "agents" / "worker.py"
    done = cicd("analyze", str(target), "--format", "json", cwd=planted_repo, api_url=prefect_api)
    assert done.returncode == 0, done.stderr
    assert {f["path"] for f in json.loads(done.stdout)["findings"]} == {"worker.py"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("analyze", "does/not/exist"), "does not exist"),
        (("analyze", ".", "--format", "xml"), "invalid choice"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_bad_usage_exits_2_without_a_traceback(tmp_path: Path, args, message) -> None:
    done = cicd(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_bad_configuration_is_one_line_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "orchestration_config.yaml").write_text("max_concurrent_workflows: 0\n")
    done = cicd("analyze", ".", cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "max_concurrent_workflows" in lines[0]


def test_serve_without_slack_settings_says_what_to_set(tmp_path: Path) -> None:
    done = cicd("serve", cwd=tmp_path)
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN" in done.stderr and "cicd analyze" in done.stderr


def test_a_failed_run_exits_1_with_the_reason(prefect_api, tmp_path: Path) -> None:
    missing = f"file://{tmp_path}/no/such/repo.git"
    done = cicd("analyze", missing, cwd=tmp_path, api_url=prefect_api)
    assert done.returncode == 1
    assert "git clone failed" in done.stderr and "Traceback" not in done.stderr
