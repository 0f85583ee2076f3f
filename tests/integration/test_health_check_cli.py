"""`cicd health-check`: a table, JSON, and exit codes 0 (healthy), 1 (unhealthy), 2 (usage)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator
from tests.integration.test_cli import cicd

pytestmark = pytest.mark.prefect


def config(tmp_path: Path, disk: float) -> dict[str, str]:
    path = tmp_path / f"cicd-{disk:g}.yaml"
    path.write_text(
        "alert_thresholds:\n"
        f"  disk_usage_percent: {disk}\n"
        "  cpu_usage_percent: 100\n"
        "  memory_usage_percent: 100\n"
        "  error_rate_percent: 100\n"
        "  workflow_failure_rate_percent: 100\n",
        encoding="utf-8",
    )
    return {"CICD_CONFIG": str(path)}


def test_disk_threshold_0_is_unhealthy_and_exits_1(prefect_api: str, tmp_path: Path) -> None:
    done = cicd("health-check", cwd=tmp_path, api_url=prefect_api, **config(tmp_path, 0))
    assert done.returncode == 1, done.stderr
    assert "Unhealthy" in done.stdout
    disk = next(line for line in done.stdout.splitlines() if "Disk" in line)
    assert "unhealthy" in disk and "0%" in disk
    assert "Judge each component" in done.stderr  # the progress display
    assert "Traceback" not in done.stderr and "INFO" not in done.stderr  # no Prefect log noise


def test_disk_threshold_100_is_healthy_and_exits_0_with_json(
    prefect_api: str, tmp_path: Path
) -> None:
    with GitHubEmulator() as github:
        env = {
            **config(tmp_path, 100),
            "GITHUB_TOKEN": DEFAULT_TOKEN,
            "GITHUB_API_URL": github.url,
        }
        done = cicd(
            "health-check",
            "--json",
            "--window-hours",
            "2",
            cwd=tmp_path,
            api_url=prefect_api,
            **env,
        )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "ok" and result["rates"]["window_hours"] == 2
    github = next(c for c in result["integrations"] if c["name"] == "github")
    assert github["ok"] is True and github["detail"] == "5,000 of 5,000 calls left"
    assert github["latency_ms"] > 0
    disk = next(c for c in result["components"] if c["component"] == "disk")
    assert (disk["status"], disk["threshold"]) == ("ok", 100)
    assert DEFAULT_TOKEN not in done.stdout + done.stderr


def test_usage_and_configuration_errors_exit_2(tmp_path: Path) -> None:
    bad_window = cicd("health-check", "--window-hours", "0", cwd=tmp_path)
    assert bad_window.returncode == 2 and "--window-hours" in bad_window.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("alert_thresholds:\n  disk_usage_percent: 150\n", encoding="utf-8")
    bad_config = cicd("health-check", cwd=tmp_path, CICD_CONFIG=str(bad))
    assert bad_config.returncode == 2 and "disk_usage_percent" in bad_config.stderr
