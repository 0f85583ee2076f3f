"""`cicd analyze` and friends as a user runs them: a real process, real Prefect, real git."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.prefect


def cicd(
    *args: str, cwd: Path, api_url: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    """Run `python -m bot ...` with a clean Prefect environment."""
    # A developer's own Slack or Linear settings must not reach the tests' runs.
    private = ("PREFECT_", "SLACK_", "LINEAR_")
    base = {k: v for k, v in os.environ.items() if not k.startswith(private)}
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
    assert re.search(r"^\d+ findings in 2 files", done.stdout, re.M)  # more rules, more findings
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


# -- options, exit codes, SARIF, whitelist, fixes --------------------------------------------


def findings_of(done: subprocess.CompletedProcess) -> list[dict]:
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)["findings"]


def test_fail_on_warning_exits_1_with_planted_warnings(prefect_api, planted_repo: Path) -> None:
    done = cicd(
        "analyze", "contexten/agents", "--fail-on", "warning", cwd=planted_repo, api_url=prefect_api
    )
    assert done.returncode == 1, done.stderr
    assert "worker.py:9: unused-function" in done.stdout  # the report is printed all the same
    assert re.search(r"^\d+ findings? ha(s|ve) a safe fix: run again with --fix", done.stderr, re.M)


def test_fail_on_never_exits_0_and_sarif_is_repository_relative(
    prefect_api, planted_repo: Path
) -> None:
    done = cicd(
        "analyze",
        "contexten/agents",
        "--fail-on",
        "never",
        "--format",
        "sarif",
        cwd=planted_repo,
        api_url=prefect_api,
    )
    assert done.returncode == 0, done.stderr
    log = json.loads(done.stdout)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in run["results"]
    }
    assert {("unused-function", 9), ("unused-import", 1)} <= results
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uri"] == "contexten/agents/worker.py"  # relative to the git root


def test_select_runs_one_rule_and_errors_fail_by_default(prefect_api, planted_repo: Path) -> None:
    done = cicd(
        "analyze",
        "contexten/agents",
        "--select",
        "bare-except",
        "--format",
        "json",
        cwd=planted_repo,
        api_url=prefect_api,
    )
    assert done.returncode == 0, done.stderr  # a warning; the default --fail-on is error
    found = findings_of(done)
    assert [(f["rule"], f["line"]) for f in found] == [("bare-except", 16)]
    assert found[0]["confidence"] == 100


def test_whitelist_file_and_min_confidence(prefect_api, planted_repo: Path) -> None:
    allowed = planted_repo / "allowed.txt"
    allowed.write_text("# accepted\nunused-import:worker.py:os\n")
    done = cicd(
        "analyze",
        "contexten/agents",
        "--select",
        "unused-import,unused-function",
        "--whitelist",
        str(allowed),
        "--min-confidence",
        "61",
        "--format",
        "json",
        cwd=planted_repo,
        api_url=prefect_api,
    )
    assert done.returncode == 0, done.stderr
    assert findings_of(done) == []  # `os` whitelisted; the public function is 60% sure


def test_fix_removes_what_is_safe_and_reports_the_rest(prefect_api, planted_repo: Path) -> None:
    component = planted_repo / "contexten" / "agents"
    (component / "helpers.py").write_text("import json\n\n\ndef _unused():\n    return 1\n")
    done = cicd(
        "analyze",
        "contexten/agents",
        "--select",
        "unused-import,unused-function",
        "--fix",
        "--format",
        "json",
        "--fail-on",
        "warning",
        cwd=planted_repo,
        api_url=prefect_api,
    )
    assert done.returncode == 1, done.stderr  # the public unused functions remain
    assert "Fixed 3 findings in helpers.py, worker.py" in done.stderr
    assert (component / "helpers.py").read_text() == ""
    assert (component / "worker.py").read_text().startswith("import sys\n\n\ndef used_helper")
    assert [(f["rule"], f["path"], f["line"]) for f in findings_of(done)] == [
        ("unused-function", "worker.py", 8),  # where they are after the fix
        ("unused-function", "worker.py", 12),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--min-confidence", "101"), "--min-confidence must be 0-100"),
        (("--select", "bare-except,no-such-rule"), "valid rule ids: "),
        (("--ignore", ","), "--ignore needs at least one rule id"),
        (("--whitelist", "missing.txt"), "whitelist file missing.txt does not exist"),
        (("--fail-on", "fatal"), "invalid choice"),
        (("--fix", "--ref", "main"), "--fix works on a local PATH"),
        (("--linear-issue-id", "not an issue"), "is not an issue identifier such as ZAM-1084"),
    ],
)
def test_bad_analysis_options_exit_2_before_anything_runs(
    planted_repo: Path, args: tuple[str, ...], message: str
) -> None:
    done = cicd("analyze", "contexten/agents", *args, cwd=planted_repo)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (planted_repo / ".cicd-data").exists()  # no Prefect server was started


def test_a_bad_whitelist_file_names_its_line(planted_repo: Path) -> None:
    (planted_repo / "contexten" / "agents" / ".cicd-whitelist").write_text("os\nunused imports\n")
    done = cicd("analyze", "contexten/agents", cwd=planted_repo)
    assert done.returncode == 2
    assert ".cicd-whitelist line 2: `unused imports`" in done.stderr


# -- Linear ---------------------------------------------------------------------------------


@pytest.mark.needs_shared("api/linear/schema.graphql")
def test_analyze_records_in_the_given_linear_issue(prefect_api, planted_repo: Path) -> None:
    from tests.emulators.linear import DEFAULT_KEY, LinearEmulator

    with LinearEmulator() as emu:
        team = next(iter(emu.store.teams.values()))
        emu.store.create_issue({"teamId": team["id"], "title": "Analyse the agents"})
        linear = {
            "LINEAR_API_KEY": DEFAULT_KEY,
            "LINEAR_API_URL": emu.url,
            "LINEAR_TEAM_KEY": "ZAM",
        }
        done = cicd(
            "analyze",
            "contexten/agents",
            "--linear-issue-id",
            "zam-1",
            "--format",
            "json",
            cwd=planted_repo,
            api_url=prefect_api,
            **linear,
        )
        assert done.returncode == 0, done.stderr
        assert "Record the results in Linear" in done.stderr  # the progress shows the step
        assert f"Linear issue ZAM-1: {emu.issue('ZAM-1')['url']}" in done.stderr
        assert emu.issue("ZAM-1")["stateName"] == "In Review" and emu.comments("ZAM-1")
        assert findings_of(done) and DEFAULT_KEY not in done.stderr + done.stdout
