"""`cicd audit` as a user runs it: a real process reading the trail the bot wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from workflows.governance.audit import AuditKind, AuditRecord, append_local

RUN = "0b6f2a52-9c1e-4d7e-8a43-5c4f1e2d3a10"


def cicd(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "SLACK_"))}
    env.update({"CICD_DATA_DIR": str(data_dir), "CICD_CONFIG": str(data_dir / "none.yaml")})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=data_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cicd_audit_prints_the_trail_of_one_run_or_all(tmp_path: Path) -> None:
    (tmp_path / "none.yaml").write_text("{}\n")
    link = "https://emulated.slack.com/archives/C0001/p1700000000000200"
    for kind, actor, run in [
        (AuditKind.REQUESTED, "U0001", RUN),
        (AuditKind.APPROVED, "U0003", RUN),
        (AuditKind.CANCELLED, "U0002", "99999999-0000-4000-8000-000000000000"),
    ]:
        append_local(
            tmp_path,
            AuditRecord(
                kind=kind,
                actor=actor,
                what=f"{kind.value} it",
                run_id=run,
                run_name="brave-fox" if run == RUN else "calm-owl",
                permalink=link,
            ),
        )
    table = cicd("audit", "brave-fox", data_dir=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "requested" in table.stdout and "approved" in table.stdout and "U0003" in table.stdout
    assert "cancelled" not in table.stdout

    lines = cicd("audit", "--json", data_dir=tmp_path)
    records = [json.loads(line) for line in lines.stdout.splitlines()]
    assert [r["kind"] for r in records] == ["requested", "approved", "cancelled"]
    assert records[1]["permalink"] == link

    assert [
        json.loads(x)["kind"]
        for x in cicd("audit", RUN[:8], "--json", data_dir=tmp_path).stdout.splitlines()
    ] == ["requested", "approved"]
    none = cicd("audit", "no-such-run", data_dir=tmp_path)
    assert none.returncode == 1 and "nothing recorded for run no-such-run" in none.stderr
