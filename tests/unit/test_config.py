"""`load_config`: defaults, the YAML file, environment overrides, and one-line errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from workflows.config import (
    DEFAULT_CONFIG_FILE,
    SLACK_API_URL,
    ConfigError,
    OrchestrationConfig,
    load_config,
)

BOT_TOKEN = "xoxb-1111-2222-SeCrEtBoTtOkEn"
APP_TOKEN = "xapp-1-A111-2222-SeCrEtApPtOkEn"
SIGNING_SECRET = "s1gn1ng-s3cr3t-value"
GITHUB_TOKEN = "ghp_SeCrEtGiThUbToKeN0123456789"
LINEAR_KEY = "lin_api_SeCrEtLiNeArKeY0123456789"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No setting leaks in from the developer's environment or working directory."""
    names = {name.upper() for name in OrchestrationConfig.model_fields}
    names |= {"CICD_CONFIG", "PORT", "XDG_DATA_HOME"}
    for name in list(os.environ):
        upper = name.upper()
        if upper in names or upper.startswith(("SLACK_", "CICD_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def config_error(*args, **kwargs) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(*args, **kwargs)
    message = str(caught.value)
    assert message and "\n" not in message, f"not one line: {message!r}"
    return message


def test_defaults(tmp_path):
    config = load_config()
    assert config.slack_bot_token is None and config.slack_app_token is None
    assert config.slack_api_url == SLACK_API_URL
    assert config.port == 3000
    assert config.cicd_repo == "."
    assert config.max_concurrent_workflows == 5
    assert config.auto_recovery_enabled and config.monitoring_enabled
    assert config.alert_thresholds.cpu_usage_percent == 80
    assert config.alert_thresholds.disk_usage_percent == 90
    assert config.cicd_data_dir == tmp_path / "home" / ".local" / "share" / "cicd-chatops"
    assert not config.slack_enabled


def test_data_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert load_config().cicd_data_dir == tmp_path / "xdg" / "cicd-chatops"


def test_yaml_file_values(tmp_path):
    path = write(
        tmp_path / "conf.yaml",
        f"""
codegen_org_id: "42"
max_concurrent_workflows: 12
auto_recovery_enabled: false
cicd_repo: https://github.com/acme/widgets.git
slack_bot_token: {BOT_TOKEN}
slack_signing_secret: {SIGNING_SECRET}
alert_thresholds:
  cpu_usage_percent: 95
  error_rate_percent: 2.5
""",
    )
    config = load_config(path)
    assert config.codegen_org_id == "42"
    assert config.max_concurrent_workflows == 12
    assert config.auto_recovery_enabled is False
    assert config.cicd_repo == "https://github.com/acme/widgets.git"
    assert config.alert_thresholds.cpu_usage_percent == 95
    assert config.alert_thresholds.error_rate_percent == 2.5
    assert config.alert_thresholds.memory_usage_percent == 80  # untouched default
    assert config.slack_bot_token.get_secret_value() == BOT_TOKEN
    assert config.slack_enabled


def test_default_file_in_cwd_is_read(tmp_path):
    write(tmp_path / DEFAULT_CONFIG_FILE, "port: 8123\n")
    assert load_config().port == 8123


def test_empty_file_gives_defaults(tmp_path):
    assert load_config(write(tmp_path / "empty.yaml", "# nothing yet\n")).port == 3000


def test_upper_case_keys_in_file(tmp_path):
    assert load_config(write(tmp_path / "c.yaml", "PORT: 4001\n")).port == 4001


def test_environment_overrides_the_file(monkeypatch, tmp_path):
    path = write(
        tmp_path / "conf.yaml",
        f"port: 4000\nmax_concurrent_workflows: 3\nslack_bot_token: {BOT_TOKEN}\n",
    )
    monkeypatch.setenv("PORT", "5000")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    config = load_config(path)
    assert config.port == 5000
    assert config.slack_bot_token.get_secret_value() == "xoxb-from-the-environment"
    assert config.max_concurrent_workflows == 3  # only in the file


def test_cicd_config_names_the_file(monkeypatch, tmp_path):
    write(tmp_path / DEFAULT_CONFIG_FILE, "port: 1111\n")
    other = write(tmp_path / "other.yaml", "port: 2222\nmonitoring_enabled: no\n")
    monkeypatch.setenv("CICD_CONFIG", str(other))
    config = load_config()
    assert config.port == 2222
    assert config.monitoring_enabled is False
    monkeypatch.setenv("MONITORING_ENABLED", "true")
    assert load_config().monitoring_enabled is True


def test_nested_setting_from_environment_as_json(monkeypatch):
    monkeypatch.setenv("ALERT_THRESHOLDS", '{"cpu_usage_percent": 55}')
    assert load_config().alert_thresholds.cpu_usage_percent == 55


def test_tokens_are_secret_and_never_shown(monkeypatch, tmp_path):
    path = write(tmp_path / "c.yaml", f"github_token: {GITHUB_TOKEN}\n")
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("LINEAR_API_KEY", LINEAR_KEY)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/SeCrEtHoOk")
    config = load_config(path)
    secrets = [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, GITHUB_TOKEN, LINEAR_KEY, "SeCrEtHoOk"]
    for name in (
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "github_token",
        "linear_api_key",
        "slack_webhook_url",
    ):
        assert isinstance(getattr(config, name), SecretStr), name
    shown = [repr(config), str(config), f"{config}", str(config.model_dump())]
    for text in shown:
        for secret in secrets:
            assert secret not in text
    assert config.slack_app_token.get_secret_value() == APP_TOKEN
    assert config.github_token.get_secret_value() == GITHUB_TOKEN


@pytest.mark.parametrize(
    ("yaml_text", "key"),
    [
        ("max_concurrent_workflows: 0\n", "max_concurrent_workflows"),
        ("max_concurrent_workflows: 1000\n", "max_concurrent_workflows"),
        ("alert_thresholds:\n  cpu_usage_percent: 150\n", "alert_thresholds.cpu_usage_percent"),
        ('port: "abc"\n', "port"),
        ("port: 70000\n", "port"),
        ("auto_recovery_enabled: perhaps\n", "auto_recovery_enabled"),
        ("slack_api_url: slack.com/api\n", "slack_api_url"),
        ("slack_app_token: xoxb-not-an-app-token\n", "slack_app_token"),
    ],
)
def test_bad_file_value_is_one_line_naming_the_key(tmp_path, yaml_text, key):
    path = write(tmp_path / "conf.yaml", yaml_text)
    message = config_error(path)
    assert message.startswith(f"{key}: ")
    assert str(path) in message  # where it came from


def test_bad_value_message_says_what_is_wrong(tmp_path):
    message = config_error(write(tmp_path / "c.yaml", "max_concurrent_workflows: 0\n"))
    assert "greater than or equal to 1" in message


def test_unknown_key_suggests_the_right_one(tmp_path):
    path = write(tmp_path / "c.yaml", "max_concurent_workflows: 3\n")
    message = config_error(path)
    assert "unknown key 'max_concurent_workflows'" in message
    assert "did you mean max_concurrent_workflows?" in message
    assert message.startswith(str(path))


def test_unknown_nested_key_suggests_from_its_section(tmp_path):
    path = write(tmp_path / "c.yaml", "alert_thresholds:\n  cpu_usage: 90\n")
    message = config_error(path)
    assert "unknown key 'alert_thresholds.cpu_usage'" in message
    assert "did you mean cpu_usage_percent?" in message


def test_unknown_key_without_near_match(tmp_path):
    message = config_error(write(tmp_path / "c.yaml", "zzz_qqq: 1\n"))
    assert "unknown key 'zzz_qqq'" in message and "did you mean" not in message


def test_invalid_yaml_reports_the_line(tmp_path):
    path = write(tmp_path / "c.yaml", "port: 3000\nmonitoring_enabled: true\nteam: [a, b\n")
    message = config_error(path)
    assert message.startswith(str(path))
    match = re.search(r"line (\d+)", message)
    assert match and int(match.group(1)) >= 3


def test_tab_indented_yaml_reports_the_line(tmp_path):
    path = write(tmp_path / "c.yaml", "alert_thresholds:\n\tcpu_usage_percent: 50\n")
    assert "line 2" in config_error(path)


@pytest.mark.parametrize("text", ["- port\n- 3000\n", "just a string\n", "42\n"])
def test_top_level_must_be_a_mapping(tmp_path, text):
    message = config_error(write(tmp_path / "c.yaml", text))
    assert "expected a mapping" in message


def test_cicd_config_pointing_at_a_missing_file(monkeypatch, tmp_path):
    missing = tmp_path / "nowhere" / "conf.yaml"
    monkeypatch.setenv("CICD_CONFIG", str(missing))
    message = config_error()
    assert str(missing) in message and "not found" in message and "CICD_CONFIG" in message


def test_explicit_missing_path(tmp_path):
    missing = tmp_path / "absent.yaml"
    message = config_error(missing)
    assert str(missing) in message and "not found" in message
    assert "CICD_CONFIG" not in message  # it was not set by CICD_CONFIG


def test_missing_default_file_is_fine():
    assert not Path(DEFAULT_CONFIG_FILE).exists()
    assert load_config().port == 3000


def test_bad_bot_token_from_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "not-a-bot-token")
    message = config_error()
    assert "SLACK_BOT_TOKEN" in message and "xoxb-" in message
    assert "not-a-bot-token" not in message


def test_bad_environment_value_blamed_on_the_environment_not_the_file(monkeypatch, tmp_path):
    path = write(tmp_path / "c.yaml", f"slack_bot_token: {BOT_TOKEN}\nport: 4000\n")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xapp-wrong-kind")
    message = config_error(path)
    assert "environment variable SLACK_BOT_TOKEN" in message
    assert str(path) not in message
    assert BOT_TOKEN not in message and "xapp-wrong-kind" not in message


def test_bad_port_from_environment(monkeypatch):
    monkeypatch.setenv("PORT", "abc")
    message = config_error()
    assert message.startswith("port: ") and "environment variable PORT" in message


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:9000/api", "http://127.0.0.1:9000/api/"),
        ("http://127.0.0.1:9000/api/", "http://127.0.0.1:9000/api/"),
        ("https://slack.example/api", "https://slack.example/api/"),
    ],
)
def test_slack_api_url_gets_a_trailing_slash(monkeypatch, given, expected):
    monkeypatch.setenv("SLACK_API_URL", given)
    assert load_config().slack_api_url == expected


def test_overrides_win_over_everything(monkeypatch, tmp_path):
    monkeypatch.setenv("PORT", "5000")
    path = write(tmp_path / "c.yaml", "port: 4000\n")
    assert load_config(path, port=6000).port == 6000


def test_file_values_do_not_leak_into_later_loads(tmp_path):
    load_config(write(tmp_path / "c.yaml", "port: 4444\n"))
    assert OrchestrationConfig().port == 3000


@pytest.mark.parametrize("name", ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "GITHUB_TOKEN"])
def test_an_empty_secret_is_refused_naming_it(monkeypatch, tmp_path, name):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, "  ")
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert name in str(caught.value) and "empty" in str(caught.value)


def test_the_example_configuration_loads() -> None:
    example = Path(__file__).resolve().parents[2] / "orchestration_config.example.yaml"
    config = load_config(example)
    assert config.alerts.check_every.total_seconds() == 300
    assert config.alert_thresholds.workflow_failure_rate_percent == 25
