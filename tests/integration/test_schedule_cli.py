"""`cicd schedule list|add|remove` against a real Prefect API: a round trip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def cicd(*args: str, api: str | None, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "SLACK_"))}
    env.update({"CICD_DATA_DIR": str(data_dir), "CICD_CONFIG": str(data_dir / "config.yaml")})
    if api:
        env["PREFECT_API_URL"] = api
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_terminal_adds_lists_and_removes_schedules(prefect_api: str, tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "schedules:\n"
        "  - name: from-config\n"
        "    cron: '0 2 * * *'\n"
        "    timezone: Europe/Berlin\n"
        "    channel: C0CONFIG\n"
        "    workflow: dead_code_cleanup\n"
    )
    run = lambda *a: cicd(*a, api=prefect_api, data_dir=tmp_path)  # noqa: E731

    added = run(
        "schedule",
        "add",
        "cli-audit",
        "every=10m",
        "security_audit",
        "channel=C0OPS",
        "min_severity=high",
    )
    assert added.returncode == 0, added.stderr
    assert "scheduled cli-audit: security_audit every 10m in C0OPS" in added.stdout
    assert "within about 30 s" in added.stdout

    listed = run("schedule", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert set(rows) >= {"from-config", "cli-audit"}
    assert rows["cli-audit"]["parameters"] == {"min_severity": "high"}
    assert rows["cli-audit"]["every"] == "10m" and rows["cli-audit"]["source"] == "cli"
    assert rows["from-config"]["source"] == "config"
    assert rows["from-config"]["next_run"].endswith(("+01:00", "+02:00"))  # Berlin time

    table = run("schedule", "list")
    assert "cli-audit" in table.stdout and "from-config" in table.stdout

    duplicate = run("schedule", "add", "cli-audit", "every=1h", "security_audit", "channel=C0X")
    assert duplicate.returncode == 1 and "exists already" in duplicate.stderr
    bad = run("schedule", "add", "x", "0 9 * *", "security_audit", "channel=C0X")
    assert bad.returncode == 2 and "is not a time" in bad.stderr
    fixed = run("schedule", "remove", "from-config")
    assert fixed.returncode == 1 and "remove it there" in fixed.stderr

    removed = run("schedule", "remove", "cli-audit")
    assert removed.returncode == 0, removed.stderr
    after = run("schedule", "list", "--json")
    assert "cli-audit" not in after.stdout
    kinds = [
        record["kind"]
        for record in map(json.loads, (tmp_path / "audit" / "audit.jsonl").read_text().splitlines())
        if "cli-audit" in record["what"]
    ]
    assert kinds == ["schedule_added", "schedule_removed"]


def test_without_a_prefect_api_the_terminal_says_to_start_the_bot(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("{}\n")
    result = cicd("schedule", "list", api=None, data_dir=tmp_path)
    assert result.returncode == 2
    assert "start `cicd serve`" in result.stderr
