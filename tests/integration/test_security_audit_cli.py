"""`cicd run security_audit key=value ...` from the terminal, against the OSV emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.emulators.osv import OsvEmulator
from tests.integration.test_cli import cicd
from tests.security_samples import SECRET, make_audit_repo

pytestmark = pytest.mark.prefect


def test_run_security_audit_prints_the_result(prefect_api, tmp_path: Path) -> None:
    shop = make_audit_repo(tmp_path / "shop")
    with OsvEmulator() as osv:
        # ui/ holds only the lockfile, whose fixes are manual: the run asks nobody.
        done = cicd(
            "run",
            "security_audit",
            "component=ui",
            "min_severity=high",
            cwd=shop,
            api_url=prefect_api,
            OSV_API_URL=osv.url,
        )
        assert done.returncode == 0, done.stderr
        assert "Security audit of ui" in done.stdout
        assert "GHSA-xvch-5gv4-984h" in done.stdout and "minimist 1.2.5 → 1.2.6" in done.stdout
        assert "lodash 4.17.15 → 4.17.21" in done.stdout
        assert "npm install lodash@4.17.21" in done.stdout
        assert "Look up known vulnerabilities (OSV)" in done.stderr  # the progress display
        assert any(path == "/v1/querybatch" for _, path, _ in osv.requests)

        whole = cicd(
            "run", "security_audit", "component=shop", "--format", "json",
            cwd=shop, api_url=prefect_api, OSV_API_URL=osv.url,
        )  # fmt: skip
    assert whole.returncode == 0, whole.stderr
    result = json.loads(whole.stdout)
    assert {f["rule"] for f in result["code_findings"]} == {"hardcoded-secret", "eval-exec"}
    assert result["sarif"]["version"] == "2.1.0"
    assert SECRET not in whole.stdout


def test_run_security_audit_refuses_a_bad_level(tmp_path: Path) -> None:
    shop = make_audit_repo(tmp_path / "shop")
    done = cicd("run", "security_audit", "min_severity=severe", cwd=shop)
    assert done.returncode == 2 and "security_audit accepts:" in done.stderr, done.stderr
