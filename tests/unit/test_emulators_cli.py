"""``python -m tests.emulators``: the codegen subcommand, ``all``, and the parser."""

from __future__ import annotations

import importlib.util
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.emulators.__main__ import build_parser

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_cli() -> Iterator:
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.emulators", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGINT)
    return proc.wait(timeout=10)


def test_codegen_subcommand_serves_the_agent_api(start_cli) -> None:
    proc = start_cli("codegen", "--port", "0", "--token", "cg-cli", "--org-id", "42")
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:")
    auth = {"Authorization": "Bearer cg-cli"}

    created = httpx.post(
        f"{url}/v1/organizations/42/agent/run", json={"prompt": "hi"}, headers=auth
    )
    orgs = httpx.get(f"{url}/v1/organizations", headers=auth).json()
    refused = httpx.get(f"{url}/v1/users/me", headers={"Authorization": "Bearer nope"})

    assert created.status_code == 200 and created.json()["status"] == "PENDING"
    assert orgs["items"][0]["id"] == 42 and orgs["total"] == 1
    assert refused.status_code == 401 and refused.json()["status_code"] == 401
    assert "cg-cli" not in proc.stdout.readline() + proc.stdout.readline()
    assert stop(proc) == 0


def test_all_starts_every_emulator_and_prints_the_environment(start_cli) -> None:
    proc = start_cli("all")
    assert proc.stdout is not None
    env: dict[str, str] = {}
    notes: list[str] = []
    for line in iter(proc.stdout.readline, ""):
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").strip().partition("=")
            env[key] = shlex.split(value)[0]
        else:
            notes.append(line)
        if line.startswith("# emulators running"):
            break

    for key in ("SLACK_API_URL", "CODEGEN_API_BASE_URL", "CODEGEN_TOKEN", "CODEGEN_ORG_ID"):
        assert key in env, notes
    for module, keys in {
        "github": ("GITHUB_API_URL", "GITHUB_TOKEN"),
        "linear": ("LINEAR_API_URL", "LINEAR_API_KEY"),
        "osv": ("OSV_API_URL",),
    }.items():
        if importlib.util.find_spec(f"tests.emulators.{module}") is None:
            continue
        if module == "linear" and not _linear_schema_available():
            assert any("linear emulator not started" in note for note in notes), notes
            continue
        assert all(k in env for k in keys), notes
    slack = httpx.post(
        env["SLACK_API_URL"] + "auth.test",
        headers={"Authorization": f"Bearer {env['SLACK_BOT_TOKEN']}"},
    )
    me = httpx.get(
        env["CODEGEN_API_BASE_URL"] + "/v1/users/me",
        headers={"Authorization": f"Bearer {env['CODEGEN_TOKEN']}"},
    )
    assert slack.json()["ok"] is True
    assert me.status_code == 200
    assert stop(proc) == 0


def test_parser_has_a_subcommand_per_emulator() -> None:
    parser = build_parser()
    args = parser.parse_args(["codegen", "--polls", "5"])
    assert args.polls == 5 and args.port == 0
    assert parser.parse_args(["all", "--base-port", "8100"]).base_port == 8100
    assert parser.parse_args(["slack"]).token is None


def _linear_schema_available() -> bool:
    from tests.emulators.linear_resolvers import DEFAULT_SCHEMA

    return DEFAULT_SCHEMA.is_file()
