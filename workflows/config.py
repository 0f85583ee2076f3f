"""`OrchestrationConfig`: settings from the environment, then an optional YAML file.

Environment variables win over the file. Tokens are `SecretStr` so they never appear in a
repr, a log line or a Slack message. `load_config()` turns every validation problem into one
`ConfigError` line that names the key and says what is wrong.
"""

from __future__ import annotations

import difflib
import os
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from workflows.governance.access import AccessPolicy, Duration, parse_duration
from workflows.schedules.models import CHANNEL_ID, ScheduleEntry

DEFAULT_CONFIG_FILE = "orchestration_config.yaml"
SLACK_API_URL = "https://slack.com/api/"

_file_values: ContextVar[dict[str, Any] | None] = ContextVar("cicd_file_values", default=None)


class ConfigError(Exception):
    """A configuration problem the user can fix; the message is one line naming the key."""


class AlertThresholds(BaseModel):
    """Percentages above which health checks raise an alert."""

    model_config = ConfigDict(extra="forbid")

    cpu_usage_percent: float = Field(80, ge=0, le=100)
    memory_usage_percent: float = Field(80, ge=0, le=100)
    disk_usage_percent: float = Field(90, ge=0, le=100)
    error_rate_percent: float = Field(
        10, ge=0, le=100, description="runs of the window that failed or crashed, all types"
    )
    workflow_failure_rate_percent: float = Field(
        25, ge=0, le=100, description="the worst single workflow type's failure rate"
    )


class AlertSettings(BaseModel):
    """`alerts`: how thresholds are watched and where crossings are posted."""

    model_config = ConfigDict(extra="forbid")

    channel: str | None = Field(
        None, description="Slack channel ID for alerts; default access_policy.approval_channel"
    )
    check_every: Duration = Field(
        timedelta(minutes=5), description="how often the thresholds are checked"
    )
    margin_percent: float = Field(
        5, ge=0, le=50, description="a metric recovers only below its threshold minus this"
    )
    duration: timedelta = Field(
        timedelta(0), description="how long a crossing or a recovery must last to be posted"
    )
    window: Duration = Field(
        timedelta(hours=24), description="the period the run rates are computed over"
    )

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        if value in (0, "0", "0s"):
            return timedelta(0)
        return parse_duration(value)

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is not None and not CHANNEL_ID.match(value):
            raise ValueError(f"'{value}' is not a Slack channel ID such as C0ALERTS")
        return value


class QualityGateThresholds(BaseModel):
    """`quality_gate`: how much a pull request may add before code_quality_check fails it."""

    model_config = ConfigDict(extra="forbid")

    max_new_errors: int = Field(0, ge=0, description="new error findings allowed")
    max_new_warnings: int = Field(5, ge=0, description="new warning findings allowed")
    max_complexity_increase: int = Field(
        5, ge=0, description="how much one existing function's complexity may grow"
    )


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cicd-chatops"


class OrchestrationConfig(BaseSettings):
    """Every setting of the system, with the design document's names."""

    model_config = SettingsConfigDict(extra="forbid", case_sensitive=False)

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_webhook_url: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL
    host: str = "0.0.0.0"
    port: int = Field(3000, ge=1, le=65535)

    # Repository the components live in: a local path or a git URL.
    cicd_repo: str = "."
    cicd_data_dir: Path = Field(default_factory=_default_data_dir)

    # Integrations (used by later workflows; never required for analysis).
    codegen_org_id: str | None = None
    codegen_token: SecretStr | None = None
    codegen_api_base_url: str | None = None
    github_token: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    # Where people read code (file:line links in issues); None: derived from github_api_url.
    github_web_url: str | None = None
    linear_api_key: SecretStr | None = None
    linear_api_url: str = "https://api.linear.app/graphql"
    # The repository on GitHub ("owner/name") and the Linear team (key such as "ZAM") that
    # the flows update.
    github_repository: str | None = None
    linear_team_key: str | None = None
    # OSV vulnerability database (security_audit); no key needed.
    osv_api_url: str = "https://api.osv.dev"
    # Calls that may succeed later (5xx, timeouts, rate limits) are tried this many times,
    # waiting base * 2^n seconds (with jitter) unless the service says how long to wait.
    integration_retry_attempts: int = Field(5, ge=1, le=20)
    integration_retry_base_seconds: float = Field(1.0, ge=0, le=60)

    # System behaviour
    max_concurrent_workflows: int = Field(5, ge=1, le=100)
    auto_recovery_enabled: bool = True
    monitoring_enabled: bool = True
    alert_thresholds: AlertThresholds = Field(default_factory=AlertThresholds)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    # Jobs of the in-bot scheduler (`cicd schedule` and `/cicd schedule` add more at run time).
    schedules: list[ScheduleEntry] = Field(default_factory=list)

    # Who may start and approve what, and how waiting approvals escalate (workflows/access.py).
    access_policy: AccessPolicy = Field(default_factory=AccessPolicy)
    # How often the bot looks at waiting approvals (posts, escalates, times out).
    approval_poll_seconds: float = Field(5.0, gt=0, le=300)

    # What code_quality_check lets a pull request add before it fails.
    quality_gate: QualityGateThresholds = Field(default_factory=QualityGateThresholds)

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_webhook_url",
        "codegen_token",
        "github_token",
        "linear_api_key",
        mode="before",
    )
    @classmethod
    def _no_empty_secrets(cls, value: object) -> object:
        # An empty signing secret would make every forged signature "valid": refuse it.
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str) and not text.strip():
            raise ValueError("is empty; unset it or give the real value")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("xoxb-", "xoxp-")):
            raise ValueError("expected a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("expected an app-level token starting with xapp- (Socket Mode)")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @property
    def slack_enabled(self) -> bool:
        """True when the bot has what it needs to talk to Slack."""
        return self.slack_bot_token is not None and (
            self.slack_signing_secret is not None or self.slack_app_token is not None
        )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Constructor arguments, then the environment, then the YAML file."""
        return init_settings, env_settings, _FileSource(settings_cls)


class _FileSource(PydanticBaseSettingsSource):
    """Values read from the YAML file by `load_config()`."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return (_file_values.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_file_values.get() or {})


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{path}:{where}: {problem}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys to values at the top level")
    return {str(k).lower(): v for k, v in data.items()}


def _inner_model(annotation: object) -> type[BaseModel] | None:
    """The model inside `X`, `X | None`, `list[X]` or `dict[K, X]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(get_args(annotation)):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _model_at(loc: list[str]) -> type[BaseModel]:
    """The settings model that holds the key at `loc` (nested sections such as alert_thresholds).

    A list index or mapping key after a field (``escalation.0``, ``workflows.health_check``)
    leads into the model of the items.
    """
    model: type[BaseModel] = OrchestrationConfig
    skip = False
    for part in loc:
        if skip:
            skip = False
            continue
        field = model.model_fields.get(part)
        inner = _inner_model(field.annotation) if field is not None else None
        if field is None or inner is None:
            break
        model, skip = inner, _is_container(field.annotation)
    return model


def _is_container(annotation: object) -> bool:
    return any(get_origin(arg) in (list, dict) for arg in (annotation, *get_args(annotation)))


def _describe(error: dict[str, Any], file_keys: set[str], path: Path | None) -> str:
    loc = [str(part) for part in error.get("loc", ())]
    key = ".".join(loc) or "config"
    if error.get("type") == "extra_forbidden":
        known = list(_model_at(loc[:-1]).model_fields)
        close = difflib.get_close_matches(loc[-1] if loc else key, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return f"{path or 'configuration'}: unknown key '{key}'{hint}"
    # The environment wins over the file, so a key set in both came from the environment.
    in_env = bool(loc) and loc[0] in {name.lower() for name in os.environ}
    in_file = path is not None and bool(loc) and loc[0] in file_keys
    source = f"{path}" if in_file and not in_env else "environment"
    if source == "environment" and loc:
        source = f"environment variable {loc[0].upper()}"
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{key}: {message} (from {source})"


def load_config(
    path: str | os.PathLike[str] | None = None,
    **overrides: Any,  # noqa: ANN401  setting values of any type, validated by pydantic
) -> OrchestrationConfig:
    """Load the configuration; raise `ConfigError` with one readable line on any problem."""
    explicit = path is not None or "CICD_CONFIG" in os.environ
    config_path = Path(path or os.environ.get("CICD_CONFIG") or DEFAULT_CONFIG_FILE)
    if config_path.exists():
        values = _read_yaml(config_path)
    elif explicit:
        origin = "given" if path is not None else "set by CICD_CONFIG"
        raise ConfigError(f"{config_path}: configuration file not found ({origin})")
    else:
        values = {}
    token = _file_values.set(values)
    try:
        return OrchestrationConfig(**overrides)
    except ValidationError as exc:
        errors = exc.errors()
        # A misspelt key also makes its correct spelling "missing": name the misspelling.
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        file_path = config_path if values else None
        raise ConfigError(_describe(dict(first), set(values), file_path)) from None
    finally:
        _file_values.reset(token)
