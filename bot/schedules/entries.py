"""A schedule's words (`add NAME "CRON" TYPE key=value ...`) and its typed request.

Shared by `/cicd schedule add`, `cicd schedule add` and the scheduler, which checks every
entry's parameters against its workflow's request model before it runs anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ValidationError

from workflows.parameters import ParameterError, parse_parameters
from workflows.registry import FlowSpec
from workflows.schedules.models import CHANNEL_ID, ScheduleEntry
from workflows.types import WorkflowType

ADD_USAGE = (
    '`/cicd schedule add NAME "CRON" TYPE [channel=#channel] [key=value ...]` or '
    "`/cicd schedule add NAME every=30m TYPE ...`, e.g. "
    '`/cicd schedule add nightly-audit "0 2 * * *" security_audit`'
)
Specs = dict[WorkflowType, FlowSpec]


class ScheduleInputError(ValueError):
    """The words or the entry are wrong; the message says what to type instead."""


def request_of(entry: ScheduleEntry, specs: Specs, repo: str) -> BaseModel:
    """The typed request an occurrence of `entry` launches (`repo` is the bot's own)."""
    spec = specs.get(entry.workflow)
    if spec is None:
        raise ScheduleInputError(f"`{entry.workflow.value}` is not served by this bot.")
    model = spec.request_type
    if "repo" in entry.parameters:
        raise ScheduleInputError("`repo` is set by the bot's configuration (cicd_repo).")
    data: dict[str, object] = dict(entry.parameters)
    if "channel" in model.model_fields:
        data.setdefault("channel", entry.channel)
    if "repo" in model.model_fields:
        data["repo"] = repo
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScheduleInputError(str(ParameterError.from_validation(exc))) from None


def parse_add(
    words: Sequence[str],
    *,
    channel: str | None,
    specs: Specs,
    repo: str,
    source: Literal["slack", "cli"],
    created_by: str | None = None,
) -> ScheduleEntry:
    """The entry `add` describes, its parameters checked; `ScheduleInputError` says what's wrong."""
    if len(words) < 3:
        raise ScheduleInputError(f"`add` needs a name, a time and a workflow type: {ADD_USAGE}")
    name, timing, type_word, *rest = words
    timing_fields = _timing(timing)
    workflow = _workflow(type_word, specs)
    pairs = [w for w in rest if not w.lower().startswith(("channel=", "tz=", "timezone="))]
    options = dict(w.split("=", 1) for w in rest if w not in pairs)
    target = options.get("channel") or channel
    if not target:
        raise ScheduleInputError("Say where it reports: `channel=#deploys` (a channel ID).")
    target = target.lstrip("#")
    if not CHANNEL_ID.match(target):
        raise ScheduleInputError(f"`{target}` is not a Slack channel: use `channel=#deploys`.")
    spec = specs[workflow]
    model = spec.request_type
    fixed = {"repo": repo} if "repo" in model.model_fields else {}
    defaults = {"channel": target} if "channel" in model.model_fields else {}
    try:
        request = parse_parameters(
            model, pairs, fixed=fixed, defaults=defaults, workflow=workflow.value
        )
    except ParameterError as exc:
        raise ScheduleInputError(str(exc)) from None
    parameters = request.model_dump(mode="json", exclude_unset=True, exclude=set(fixed))
    fields = {
        "name": name,
        **timing_fields,
        "timezone": options.get("tz") or options.get("timezone") or "UTC",
        "channel": target,
        "workflow": workflow,
        "parameters": parameters,
        "source": source,
        "created_by": created_by,
    }
    try:
        return ScheduleEntry.model_validate(fields)
    except ValidationError as exc:
        raise ScheduleInputError(_first_problem(exc)) from None


def _timing(word: str) -> dict[str, str]:
    """`every=5m` or a five-field cron expression (quoted in Slack: `"0 9 * * 1-5"`)."""
    key, sep, value = word.partition("=")
    if sep and key.lower() == "every":
        return {"every": value}
    if sep and key.lower() == "cron":
        return {"cron": value}
    if len(word.split()) == 5:
        return {"cron": word}
    raise ScheduleInputError(
        f'`{word}` is not a time: give a quoted cron expression such as `"0 9 * * 1-5"` '
        "(09:00 on weekdays) or `every=30m`."
    )


def _workflow(word: str, specs: Specs) -> WorkflowType:
    try:
        workflow = WorkflowType(word.lower())
    except ValueError:
        served = ", ".join(sorted(w.value for w in specs))
        raise ScheduleInputError(
            f"`{word}` is not a workflow type. Types that run: {served}."
        ) from None
    if workflow not in specs:
        served = ", ".join(sorted(w.value for w in specs))
        raise ScheduleInputError(
            f"`{workflow.value}` is not implemented yet. Types that run: {served}."
        )
    return workflow


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"`{where}`: {message}" if where else message
