"""Codegen agent runs: start one from a prompt, follow it to its end, report result and PR link.

`CodegenClient` does the HTTP through the official generated client; `run_codegen_agent` is the
Prefect task the flows call. A failed agent run is a result (status and error text), not an
exception: only trouble talking to Codegen raises an `IntegrationError`.
"""

# Why the generated client (`codegen_api_client`, what `codegen.Agent` wraps) and not `Agent`
# itself, measured on codegen 0.57.0. We send what `Agent.run` and `AgentTask.refresh` send (same
# endpoints, `{"prompt": ...}` body, `authorization: Bearer` header), but:
# - `import codegen` raises ValueError when ENV is not prod/staging/develop (ENV=production is
#   common on a PaaS) and loads a `.env` found above site-packages with override=True into
#   os.environ;
# - `Agent(org_id=7)` silently becomes org 1 when ~/.codegen/auth.json lists other
#   organisations (and it creates ~/.codegen);
# - `Agent.run` and `refresh` pass no request timeout, so a stalled server blocks the flow
#   forever, and the client model drops `github_pull_requests`, the link we need. The
#   `*_with_http_info` calls give us the raw body of the same response: one GET per poll on a
#   rate-limited endpoint instead of a second request for that one field.
# The client is imported lazily: ~0.4 s on its own (0.16 s once Prefect is loaded).

import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Self, TypedDict, Unpack, cast
from uuid import UUID

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    computed_field,
    field_validator,
)

from workflows.config import OrchestrationConfig, load_config
from workflows.integrations.codegen_errors import SERVICE, to_integration_error
from workflows.integrations.retrying import (
    DEFAULT_POLICY,
    IntegrationError,
    IntegrationNotConfigured,
    RetryPolicy,
    call_with_retries,
    policy_from_config,
)

if TYPE_CHECKING:
    from codegen_api_client.api.agents_api import AgentsApi


# The OpenAPI spec's server; the SDK's own default is https://codegen-sh--rest-api.modal.run.
DEFAULT_API_BASE_URL = "https://api.codegen.com"
# The CLI of codegen 0.57 treats COMPLETE as success; its README and docs say "completed".
SUCCESS_STATUSES = frozenset({"COMPLETE", "COMPLETED"})
TERMINAL_STATUSES = SUCCESS_STATUSES | {
    "FAILED",
    "ERROR",
    "CANCELLED",
    "STOPPED",
    "TIMEOUT",
    "MAX_ITERATIONS_REACHED",
    "OUT_OF_TOKENS",
}


class PullRequestLink(BaseModel):
    """A pull request the agent opened (`github_pull_requests[]` in the API)."""

    model_config = ConfigDict(extra="ignore")

    id: int | None = None
    url: str | None = None
    title: str | None = None
    head_branch_name: str | None = None
    created_at: str | None = None


class AgentRun(BaseModel):
    """An agent run as Codegen last reported it; `timed_out` if we stopped following first."""

    model_config = ConfigDict(extra="ignore")

    id: int
    organization_id: int
    status: str | None = None
    web_url: str | None = None
    result: str | None = None
    summary: str | None = None
    created_at: str | None = None
    pull_requests: list[PullRequestLink] = Field(
        default_factory=list,
        validation_alias=AliasChoices("github_pull_requests", "pull_requests"),
    )
    timed_out: bool = False

    @field_validator("pull_requests", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value

    @property
    def finished(self) -> bool:
        """Codegen will not change this run any more."""
        return (self.status or "").upper() in TERMINAL_STATUSES

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def succeeded(self) -> bool:
        """The run completed (it may or may not have opened a pull request)."""
        return (self.status or "").upper() in SUCCESS_STATUSES

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def pr_url(self) -> str | None:
        """The first pull request link the run reports."""
        return next((pr.url for pr in self.pull_requests if pr.url), None)

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def error(self) -> str | None:
        """Why a finished run did not complete, in Codegen's words when it gave any."""
        if not self.finished or self.succeeded:
            return None
        return self.result or self.summary or f"the agent run ended with status {self.status}"


class PollPolicy(BaseModel):
    """How patiently to poll a run's status (rate limited: 60 requests per 30 s)."""

    model_config = ConfigDict(frozen=True)

    first_interval: float = Field(2.0, gt=0)
    factor: float = Field(1.5, ge=1)
    max_interval: float = Field(30.0, gt=0)
    deadline: float = Field(2 * 3600.0, gt=0, description="seconds before we stop following")

    def intervals(self) -> Iterator[float]:
        """first, first*factor, ... capped at max_interval."""
        interval = self.first_interval
        while True:
            yield min(interval, self.max_interval)
            interval = min(interval * self.factor, self.max_interval)


class ClientOptions(TypedDict, total=False):
    """`CodegenClient`'s keyword arguments that `from_config` does not take from the settings."""

    retry: RetryPolicy
    timeout: tuple[float, float]
    sleep: Callable[[float], None]
    clock: Callable[[], float]


def codegen_configured(config: OrchestrationConfig) -> bool:
    """True when CODEGEN_TOKEN and CODEGEN_ORG_ID are both set."""
    return config.codegen_token is not None and bool(config.codegen_org_id)


class CodegenClient:
    """Agent runs of one Codegen organisation, every call under the shared retry rules."""

    def __init__(
        self,
        *,
        token: SecretStr,
        org_id: int,
        base_url: str = DEFAULT_API_BASE_URL,
        retry: RetryPolicy = DEFAULT_POLICY,
        timeout: tuple[float, float] = (10.0, 60.0),
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.org_id = org_id
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._retry = retry
        self._timeout = (float(timeout[0]), float(timeout[1]))  # the client wants floats
        self._sleep = sleep
        self._clock = clock
        agents = _agents_api(self.base_url)
        # The calls `Agent.run` and `AgentTask.refresh` make; `*_with_http_info` adds the raw body.
        self._create = agents.create_agent_run_v1_organizations_org_id_agent_run_post_with_http_info
        self._fetch = (
            agents.get_agent_run_v1_organizations_org_id_agent_run_agent_run_id_get_with_http_info
        )
        self._pool = agents.api_client.rest_client.pool_manager

    @classmethod
    def from_config(
        cls, config: OrchestrationConfig | None = None, **kwargs: Unpack[ClientOptions]
    ) -> Self:
        """A client for CODEGEN_ORG_ID with CODEGEN_TOKEN, or `IntegrationNotConfigured`."""
        config = config or load_config()
        if config.codegen_token is None:
            raise IntegrationNotConfigured(SERVICE, "CODEGEN_TOKEN")
        if not config.codegen_org_id:
            raise IntegrationNotConfigured(SERVICE, "CODEGEN_ORG_ID")
        try:
            org_id = int(config.codegen_org_id)
        except ValueError:
            raise IntegrationError(
                SERVICE,
                f"CODEGEN_ORG_ID must be the organisation's number, not {config.codegen_org_id!r}",
            ) from None
        kwargs.setdefault(
            "retry",
            policy_from_config(
                config.integration_retry_attempts, config.integration_retry_base_seconds
            ),
        )
        return cls(
            token=config.codegen_token,
            org_id=org_id,
            base_url=config.codegen_api_base_url or DEFAULT_API_BASE_URL,
            **kwargs,
        )

    def start(self, prompt: str) -> AgentRun:
        """Create an agent run for `prompt` (`POST /v1/organizations/{org}/agent/run`)."""
        from codegen_api_client.models.create_agent_run_input import CreateAgentRunInput

        if not prompt.strip():
            raise IntegrationError(SERVICE, "the prompt for the agent is empty")

        def create() -> AgentRun:
            response = self._create(
                org_id=self.org_id,
                create_agent_run_input=CreateAgentRunInput(prompt=prompt),
                authorization=self._authorization(),
                _request_timeout=self._timeout,
            )
            return AgentRun.model_validate_json(response.raw_data)

        return self._call(create, "start agent run", run_id=None)

    def get(self, run_id: int) -> AgentRun:
        """The run's current status, result and pull requests."""

        def fetch() -> AgentRun:
            response = self._fetch(
                agent_run_id=int(run_id),
                org_id=self.org_id,
                authorization=self._authorization(),
                _request_timeout=self._timeout,
            )
            return AgentRun.model_validate_json(response.raw_data)

        return self._call(fetch, f"get agent run {run_id}", run_id=run_id)

    def follow(
        self,
        run_id: int,
        polling: PollPolicy | None = None,
        on_update: Callable[[AgentRun], None] | None = None,
    ) -> AgentRun:
        """Poll with growing intervals until the run ends or `polling.deadline` passes.

        `on_update` sees the run whenever its status changes.
        """
        polling = polling or PollPolicy()
        deadline = self._clock() + polling.deadline
        intervals = polling.intervals()
        seen: str | None = None
        while True:
            run = self.get(run_id)
            if on_update is not None and run.status != seen:
                on_update(run)
            seen = run.status
            if run.finished:
                return run
            remaining = deadline - self._clock()
            if remaining <= 0:
                return run.model_copy(update={"timed_out": True})
            self._sleep(min(next(intervals), remaining))

    def close(self) -> None:
        """Drop pooled connections."""
        self._pool.clear()

    def _authorization(self) -> str:
        return f"Bearer {self._token.get_secret_value()}"

    def _call(self, call: Callable[[], AgentRun], what: str, *, run_id: int | None) -> AgentRun:
        classify = partial(
            to_integration_error, what=what, org_id=self.org_id, run_id=run_id, base=self.base_url
        )
        return call_with_retries(
            call, classify=classify, what=what, policy=self._retry, sleep=self._sleep
        )


@task(name="codegen-run-agent", retries=0, cache_policy=NONE)
def run_codegen_agent(prompt: str, polling: PollPolicy | None = None) -> AgentRun:
    """Ask Codegen's agent to do `prompt` and wait for its result and pull request link.

    Retries live in the client (shared rules), so the task itself is not retried.
    """
    logger = get_run_logger()
    client = CodegenClient.from_config(load_config())
    progress = _AgentProgress()
    try:
        run = client.start(prompt)
        logger.info("Codegen agent run %d started: %s", run.id, run.web_url or "(no link)")
        progress.show(run)

        def on_update(update: AgentRun) -> None:
            logger.info("Codegen agent run %d is %s", update.id, update.status)
            progress.show(update)

        run = client.follow(run.id, polling, on_update=on_update)
    finally:
        client.close()
    if run.timed_out:
        logger.warning("Stopped following Codegen agent run %d (still %s)", run.id, run.status)
    elif run.succeeded:
        logger.info("Codegen agent run %d complete; pull request: %s", run.id, run.pr_url)
    else:
        logger.warning("Codegen agent run %d ended %s: %s", run.id, run.status, run.error)
    return run


class _AgentProgress:
    """The agent's status as the task's progress artifact: live progress views show
    "agent running: ACTIVE" beside the step."""

    STAGES = {"PENDING": 10.0, "ACTIVE": 50.0}

    def __init__(self) -> None:
        self._artifact: UUID | None = None

    def show(self, run: AgentRun) -> None:
        from prefect.artifacts import create_progress_artifact, update_progress_artifact

        status = (run.status or "PENDING").upper()
        percent = 100.0 if run.finished else self.STAGES.get(status, 50.0)
        words = f"agent running: {status}" if not run.finished else f"agent {status.lower()}"
        try:
            if self._artifact is None:
                # sync_compatible: called from sync code, it returns the artifact's id.
                self._artifact = cast(
                    UUID, create_progress_artifact(progress=percent, description=words)
                )
            else:
                update_progress_artifact(self._artifact, progress=percent, description=words)
        except Exception as exc:  # progress is a nicety; never lose the agent run for it
            get_run_logger().debug("progress artifact not updated: %s", exc)


def _agents_api(base_url: str) -> "AgentsApi":
    from codegen_api_client.api.agents_api import AgentsApi
    from codegen_api_client.api_client import ApiClient
    from codegen_api_client.configuration import Configuration

    # retries=0: urllib3 would otherwise retry connection errors three times on its own, out
    # of sight of our policy. The token travels in the per-call header, not in Configuration.
    return AgentsApi(ApiClient(Configuration(host=base_url, retries=0)))
