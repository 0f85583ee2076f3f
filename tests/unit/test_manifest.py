"""`manifest.yml` installs this app: it validates against Slack's schema and matches the code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from tests.shared_paths import shared

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_validates_against_slack_schema(manifest: dict) -> None:
    schema_file = shared("api/slack/manifest-schema/manifest.schema.1.0.0.json")
    schema = json.loads(schema_file.read_text())
    errors = sorted(Draft7Validator(schema).iter_errors(manifest), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_manifest_declares_what_the_bot_uses(manifest: dict) -> None:
    command = manifest["features"]["slash_commands"][0]
    assert command["command"] == "/cicd"
    assert command["url"].endswith("/slack/events")
    assert command["should_escape"] is False
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write"} <= scopes
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert "app_mention" in events and "app_mentions:read" in scopes


def test_procfile_runs_the_bot_and_a_worker() -> None:
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert lines["web"].strip() == "cicd serve"
    assert lines["worker"].strip().startswith("cicd worker")
