"""Turning `/cicd ...` text into a typed request, or a friendly error."""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from workflows.models.runs import GIT_REF, normalise_issue_id
from workflows.repository.components import ComponentError, normalise_component
from workflows.types import CATALOG, WorkflowType

SUBCOMMANDS = (
    "analyze",
    "cleanup",
    "run",
    "audit",
    "help",
    "workflows",
    "health",
    "digest",
    "schedule",
)
ALIASES = {
    "analyse": "analyze",
    "ls": "workflows",
    "list": "workflows",
    "?": "help",
    "clean": "cleanup",
    "dead_code_cleanup": "cleanup",
    "status": "health",
    "schedules": "schedule",
}
SCHEDULE_ACTIONS = ("list", "add", "remove")
# A run named by Prefect (`brave-fox`) or by (a prefix of) its id.
_RUN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
# Slack wraps links as <url|label> or <url>; keep what the person typed.
_SLACK_LINK = re.compile(r"<([^>|]+)(?:\|([^>]+))?>")
# A channel mention (`<#C0DEPLOYS|deploys>`) stands for its ID.
_CHANNEL_MENTION = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")


class CommandError(ValueError):
    """The text could not be understood; the message tells the person what to do."""


@dataclass(frozen=True)
class HelpCommand:
    """`/cicd help`."""


@dataclass(frozen=True)
class WorkflowsCommand:
    """`/cicd workflows`."""


@dataclass(frozen=True)
class AnalyzeCommand:
    """`/cicd analyze <component> [--ref REF] [--linear-issue-id ZAM-1084]`."""

    component: str
    ref: str | None = None
    workflow: WorkflowType = field(default=WorkflowType.COMPONENT_ANALYSIS)
    linear_issue_id: str | None = None


@dataclass(frozen=True)
class CleanupCommand:
    """`/cicd cleanup <component> [--ref REF] [--linear-issue-id ZAM-1084]`."""

    component: str
    ref: str | None = None
    workflow: WorkflowType = field(default=WorkflowType.DEAD_CODE_CLEANUP)
    linear_issue_id: str | None = None


@dataclass(frozen=True)
class RunCommand:
    """`/cicd run <type> key=value ...`: any implemented type, its parameters as words."""

    workflow: WorkflowType
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScheduleCommand:
    """`/cicd schedule list|add|remove ...`: the in-bot scheduler's jobs."""

    action: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditCommand:
    """`/cicd audit [run]`: the audit trail, of one run or of all."""

    run: str | None = None


Command = (
    HelpCommand
    | WorkflowsCommand
    | AnalyzeCommand
    | CleanupCommand
    | RunCommand
    | AuditCommand
    | ScheduleCommand
)
StartCommand = AnalyzeCommand | CleanupCommand | RunCommand


def _unwrap_links(text: str) -> str:
    text = _CHANNEL_MENTION.sub(lambda m: m.group(1), text)
    return _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)


def _suggest(word: str) -> str:
    choices = list(SUBCOMMANDS) + [t.value for t in WorkflowType]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" Did you mean `{close[0]}`?" if close else ""


def parse_command(text: str) -> Command:
    """Parse the text after `/cicd`; raise `CommandError` with a helpful message."""
    try:
        words = shlex.split(_unwrap_links(text or ""))
    except ValueError:
        raise CommandError("I couldn't read that: a quote is not closed.") from None
    if not words:
        return HelpCommand()
    head, args = words[0].lower(), words[1:]
    head = ALIASES.get(head, head)
    if head == WorkflowType.COMPONENT_ANALYSIS.value and args and all(_is_pair(a) for a in args):
        return RunCommand(WorkflowType.COMPONENT_ANALYSIS, tuple(args))  # key=value words
    if head == WorkflowType.COMPONENT_ANALYSIS.value:
        head = "analyze"
    parse = _PARSERS.get(head)
    if parse is not None:
        return parse(args)
    if head in {t.value for t in WorkflowType}:
        return RunCommand(_implemented(head), tuple(args))
    raise CommandError(f"Unknown command `{words[0]}`.{_suggest(head)} Try `/cicd help`.")


def _parse_cleanup(args: list[str]) -> CleanupCommand:
    parsed = _parse_analyze(args, verb="cleanup")
    return CleanupCommand(parsed.component, parsed.ref, linear_issue_id=parsed.linear_issue_id)


def _parse_health(args: list[str]) -> RunCommand:
    return RunCommand(_implemented(WorkflowType.HEALTH_CHECK.value), tuple(args))


def _is_pair(word: str) -> bool:
    return "=" in word and not word.startswith("-")


def _implemented(name: str) -> WorkflowType:
    """The implemented workflow type `name`, or a `CommandError` saying what runs today."""
    runnable = ", ".join(f"`{t.value}`" for t, info in CATALOG.items() if info.implemented)
    try:
        workflow = WorkflowType(name)
    except ValueError:
        close = difflib.get_close_matches(name, [t.value for t in WorkflowType], n=1, cutoff=0.6)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        raise CommandError(
            f"Unknown workflow type `{name}`.{hint} Types that run: {runnable}."
        ) from None
    info = CATALOG[workflow]
    if not info.implemented:
        raise CommandError(
            f"`{name}` ({info.summary.lower()}) is not implemented yet. Types that run: "
            f"{runnable}; `/cicd workflows` lists them with their parameters."
        )
    return workflow


def _parse_run(args: list[str]) -> RunCommand:
    if not args:
        raise CommandError(
            "Which workflow? `/cicd run <type> key=value ...`, e.g. "
            "`/cicd run component_analysis component=src`. `/cicd workflows` lists the types "
            "and their parameters."
        )
    return RunCommand(_implemented(args[0].lower()), tuple(args[1:]))


def _parse_digest(args: list[str]) -> RunCommand:
    """`/cicd digest [channel] [key=value ...]`: a channel health digest, here or there."""
    words = ["kind=digest"]
    for word in args:
        if _is_pair(word):
            words.append(word)
        elif re.match(r"^#?[CG][A-Z0-9]{2,}$", word):
            words.append(f"channel={word.lstrip('#')}")
        else:
            raise CommandError(
                f"`{word}` is not a channel. `/cicd digest` posts here; `/cicd digest #channel` "
                "posts there (pick the channel from Slack's list so it becomes a link)."
            )
    return RunCommand(_implemented(WorkflowType.SLACK_NOTIFICATIONS.value), tuple(words))


def _parse_schedule(args: list[str]) -> ScheduleCommand:
    action = args[0].lower() if args else "list"
    action = {"ls": "list", "rm": "remove", "delete": "remove", "new": "add"}.get(action, action)
    if action not in SCHEDULE_ACTIONS:
        raise CommandError(
            f'`/cicd schedule {args[0]}`? Use `list`, `add NAME "CRON" TYPE [key=value ...]` '
            "or `remove NAME`."
        )
    return ScheduleCommand(action, tuple(args[1:]))


def _option_value(
    word: str, rest: list[str], names: tuple[str, ...], example: str, verb: str = "analyze"
) -> str:
    """The value of `--name VALUE` or `--name=VALUE`."""
    if "=" in word:
        return word.split("=", 1)[1]
    if not rest:
        raise CommandError(f"`{names[0]}` needs a value: `/cicd {verb} src {names[0]} {example}`.")
    return rest.pop(0)


def _parse_audit(args: list[str]) -> AuditCommand:
    if not args:
        return AuditCommand()
    if len(args) > 1 or not _RUN.match(args[0]):
        raise CommandError(
            "`/cicd audit` takes one run: its name (`brave-fox`) or id, or nothing for all runs."
        )
    return AuditCommand(run=args[0])


def _parse_analyze(args: list[str], verb: str = "analyze") -> AnalyzeCommand:
    component: str | None = None
    ref: str | None = None
    issue: str | None = None
    rest = list(args)
    while rest:
        word = rest.pop(0)
        name = word.split("=", 1)[0]
        if name in ("--ref", "-r"):
            ref = _option_value(word, rest, ("--ref",), "main", verb)
        elif name in ("--linear-issue-id", "--linear"):
            issue = _option_value(word, rest, ("--linear-issue-id",), "ZAM-1084", verb)
        elif word.startswith("-") and word != "-":
            raise CommandError(
                f"Unknown option `{word}`. `/cicd {verb}` takes `--ref` and `--linear-issue-id`."
            )
        elif component is None:
            component = word
        else:
            raise CommandError(
                f"`/cicd {verb}` takes one component; got `{component}` and `{word}`."
            )
    if component is None:
        raise CommandError(
            f"Which component? Give a path in the repository: `/cicd {verb} contexten/agents` "
            "(or `.` for all of it)."
        )
    if ref is not None and not GIT_REF.match(ref):
        raise CommandError(f"`{ref}` is not a valid git ref.")
    if issue is not None:
        try:
            issue = normalise_issue_id(issue)
        except ValueError:
            raise CommandError(
                f"`{issue}` is not a Linear issue identifier such as `ZAM-1084`."
            ) from None
    try:
        clean = normalise_component(component)
    except ComponentError as exc:
        raise CommandError(str(exc)) from None
    return AnalyzeCommand(component=clean, ref=ref, linear_issue_id=issue)


_PARSERS: dict[str, Callable[[list[str]], Command]] = {
    "help": lambda _: HelpCommand(),
    "workflows": lambda _: WorkflowsCommand(),
    "analyze": _parse_analyze,
    "cleanup": _parse_cleanup,
    "audit": _parse_audit,
    "run": _parse_run,
    "health": _parse_health,
    "digest": _parse_digest,
    "schedule": _parse_schedule,
}
