"""The `cicd` command: analyse from the terminal, serve Slack, list workflow types.

Prefect is imported only inside the commands that need it, after its settings are in the
environment (see `bot.runtime.embedded.apply_prefect_defaults`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import StartError
from workflows.config import ConfigError, OrchestrationConfig, load_config
from workflows.models.runs import check_ref
from workflows.repository.checkout import is_remote
from workflows.types import CATALOG, WorkflowType

if TYPE_CHECKING:
    from workflows.analysis.options import AnalysisOptions

EXIT_OK, EXIT_USAGE = 0, 2
FAIL_ON = ("info", "warning", "error", "never")


def build_parser() -> argparse.ArgumentParser:
    """All subcommands and their options."""
    parser = argparse.ArgumentParser(
        prog="cicd", description="Slack-native CI/CD control plane (Prefect + tree-sitter)."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    analyze = sub.add_parser("analyze", help="analyse a local directory or a git URL")
    analyze.add_argument("path", nargs="?", default=".", help="directory, file or git URL")
    analyze.add_argument("--component", default="", help="path inside PATH to analyse")
    analyze.add_argument("--ref", default=None, help="branch, tag or commit (clones a copy)")
    analyze.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    analyze.add_argument("--select", metavar="RULES", help="comma-separated rule ids to run")
    analyze.add_argument("--ignore", metavar="RULES", help="comma-separated rule ids to skip")
    analyze.add_argument(
        "--min-confidence", type=int, default=0, metavar="N", help="drop findings below N%%"
    )
    analyze.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="error",
        help="exit 1 when a finding is at least this severe (default: error)",
    )
    analyze.add_argument(
        "--whitelist", metavar="FILE", help="whitelist file (default: PATH/.cicd-whitelist)"
    )
    analyze.add_argument("--fix", action="store_true", help="apply safe fixes to a local PATH")
    analyze.add_argument(
        "--linear-issue-id",
        metavar="ID",
        default=None,
        help="record the results in this Linear issue (e.g. ZAM-1084); needs LINEAR_API_KEY",
    )
    analyze.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")

    run = sub.add_parser(
        "run",
        help="start any implemented workflow type: cicd run TYPE key=value ...",
        description="Start a workflow type with typed parameters; `cicd workflows -v` lists them.",
    )
    run.add_argument("workflow", metavar="TYPE", help="a workflow type, e.g. component_analysis")
    run.add_argument("params", nargs="*", metavar="key=value", help="the type's parameters")
    run.add_argument("--format", choices=("text", "json"), default="text")
    run.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")

    audit = sub.add_parser(
        "audit", help="the audit trail: requests, decisions, escalations, re-runs, cancels"
    )
    audit.add_argument("run", nargs="?", help="a run's name or id (or its start); all runs if none")
    audit.add_argument("--json", action="store_true", help="one JSON record per line")
    audit.add_argument("--limit", type=int, default=50, metavar="N", help="newest N records")

    health = sub.add_parser(
        "health-check",
        help="host, integrations and run rates against alert_thresholds; exit 1 when unhealthy",
    )
    health.add_argument("--json", action="store_true", help="the result as JSON")
    health.add_argument(
        "--window-hours", type=int, default=24, metavar="N", help="run rates over N hours"
    )
    health.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")

    from bot.cli.schedules import add_parser as add_schedule_parser

    add_schedule_parser(sub)
    sub.add_parser("serve", help="run the Slack bot (HTTP mode, or Socket Mode)")
    sub.add_parser("worker", help="scaled out: register deployments and run a Prefect worker")
    listing = sub.add_parser("workflows", help="list the 20 workflow types")
    listing.add_argument(
        "-v", "--verbose", action="store_true", help="with the parameters of each runnable type"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `cicd` console script."""
    try:
        return _run(argv)
    except BrokenPipeError:  # `cicd workflows | head`: the reader left early; not a failure
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return EXIT_USAGE
    if args.command == "workflows":
        return _workflows(verbose=args.verbose)
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _setup_logging()
    try:
        if args.command == "serve":
            from bot.runtime.process import serve

            return serve(config)
        if args.command == "worker":
            from bot.runtime.worker import run_worker

            return run_worker(config)
        if args.command == "audit":
            return _audit(args, config)
        if args.command == "schedule":
            return _schedule(args, config)
        if args.command == "run":
            return _run_workflow(args, config)
        if args.command == "health-check":
            return _health_check(args, config)
        return _analyze(args, config)
    except StartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _setup_logging() -> None:
    from bot.runtime.logs import configure_logging

    configure_logging(os.environ.get("LOG_LEVEL", "INFO"))


def _workflows(*, verbose: bool = False) -> int:
    if verbose:  # the parameters come from the flows' models, which import Prefect
        from bot.runtime.embedded import apply_prefect_defaults

        try:
            apply_prefect_defaults(load_config().cicd_data_dir, quiet=True)
        except ConfigError as exc:
            print(f"configuration error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    for info in CATALOG.values():
        mark = "yes" if info.implemented else "not yet"
        print(f"{info.workflow.value:<24} {info.group:<12} {mark:<8} {info.summary}")
        if verbose and info.implemented:
            for line in _parameter_lines(info.workflow):
                print(f"    {line}")
    return EXIT_OK


def _parameter_lines(workflow: WorkflowType) -> list[str]:
    from blocks.plain import unmark
    from workflows.parameters import usage_lines
    from workflows.registry import spec_of

    spec = spec_of(workflow)
    return [unmark(line) for line in usage_lines(spec.request_type)] if spec else []


def _run_workflow(args: argparse.Namespace, config: OrchestrationConfig) -> int:
    """`cicd run TYPE key=value ...`: the type is checked before Prefect is imported."""
    try:
        workflow = WorkflowType(args.workflow)
    except ValueError:
        return _usage(f"unknown workflow type {args.workflow!r}; see `cicd workflows`")
    if not CATALOG[workflow].implemented:
        return _usage(f"{workflow.value} is not implemented yet; see `cicd workflows`")
    from bot.runtime.embedded import apply_prefect_defaults, running_server

    apply_prefect_defaults(config.cicd_data_dir, quiet=not args.verbose)
    if not os.environ.get("PREFECT_API_URL"):
        served = running_server(config.cicd_data_dir)
        if served:
            os.environ["PREFECT_API_URL"] = served
    from blocks.plain import unmark
    from bot.cli.run import run_workflow
    from workflows.parameters import ParameterError, parse_parameters
    from workflows.registry import flow_specs

    spec = flow_specs(config)[workflow]
    model = spec.request_type
    defaults = {"repo": config.cicd_repo} if "repo" in model.model_fields else {}
    try:
        request = parse_parameters(model, args.params, defaults=defaults, workflow=workflow.value)
    except ParameterError as exc:
        return _usage(unmark(str(exc)))
    return asyncio.run(run_workflow(spec, request, args.format))


def _health_check(args: argparse.Namespace, config: OrchestrationConfig) -> int:
    """`cicd health-check`: 0 healthy (or degraded), 1 unhealthy, 2 usage or configuration."""
    if not 1 <= args.window_hours <= 24 * 31:
        return _usage(f"--window-hours must be 1-744, not {args.window_hours}")
    from bot.runtime.embedded import apply_prefect_defaults, running_server

    apply_prefect_defaults(config.cicd_data_dir, quiet=not args.verbose)
    if not os.environ.get("PREFECT_API_URL"):
        served = running_server(config.cicd_data_dir)
        if served:
            os.environ["PREFECT_API_URL"] = served
    from bot.cli.health import run_health_check
    from workflows.models.health_check import HealthCheckRequest

    request = HealthCheckRequest(window_hours=args.window_hours)
    return asyncio.run(run_health_check(request, as_json=args.json))


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _audit(args: argparse.Namespace, config: OrchestrationConfig) -> int:
    """The local trail, plus Prefect's events when a Prefect API (or `cicd serve`) is up."""
    if args.limit < 1:
        print("error: --limit must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    from bot.runtime.embedded import apply_prefect_defaults, running_server

    apply_prefect_defaults(config.cicd_data_dir, quiet=True)
    if not os.environ.get("PREFECT_API_URL"):
        served = running_server(config.cicd_data_dir)
        if served:
            os.environ["PREFECT_API_URL"] = served
    from bot.cli.audit import run_audit

    return asyncio.run(
        run_audit(config.cicd_data_dir, args.run, as_json=args.json, limit=args.limit)
    )


def _schedule(args: argparse.Namespace, config: OrchestrationConfig) -> int:
    """`cicd schedule list|add|remove`, against the Prefect API the bot uses."""
    if args.action is None:
        return _usage("say what: cicd schedule list | add | remove (see cicd schedule -h)")
    from bot.runtime.embedded import apply_prefect_defaults, running_server

    apply_prefect_defaults(config.cicd_data_dir, quiet=True)
    if not os.environ.get("PREFECT_API_URL"):
        served = running_server(config.cicd_data_dir)
        if not served:
            return _usage(
                "schedules are kept in Prefect's database: start `cicd serve` (or set "
                "PREFECT_API_URL to the bot's Prefect server) first"
            )
        os.environ["PREFECT_API_URL"] = served
    from bot.cli.schedules import run_schedule

    return asyncio.run(run_schedule(args, config))


def _analyze(args: argparse.Namespace, config: OrchestrationConfig) -> int:
    repo, component = args.path, args.component
    target: Path | None = None
    if not is_remote(repo):
        path = Path(repo).expanduser()
        if not path.exists():
            print(f"error: {repo} does not exist", file=sys.stderr)
            return EXIT_USAGE
        if path.is_file():
            repo, component = str(path.parent), path.name
        target = Path(repo) / component if component else Path(repo)
    try:
        options = _analysis_options(args, target)
        issue = _linear_issue_id(args.linear_issue_id)
        check_ref(args.ref)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    fix_root: Path | None = None
    if args.fix:
        if target is None or args.ref is not None or not target.exists():
            print("error: --fix works on a local PATH without --ref", file=sys.stderr)
            return EXIT_USAGE
        fix_root = target if target.is_dir() else target.parent
    from bot.runtime.embedded import apply_prefect_defaults, running_server

    apply_prefect_defaults(config.cicd_data_dir, quiet=not args.verbose)
    if not os.environ.get("PREFECT_API_URL"):
        served = running_server(config.cicd_data_dir)
        if served:
            os.environ["PREFECT_API_URL"] = served
    from bot.cli.analyze import run_analyze

    return asyncio.run(
        run_analyze(
            repo,
            component,
            args.ref,
            args.format,
            options=options,
            fail_on=args.fail_on,
            fix_root=fix_root,
            linear_issue_id=issue,
        )
    )


def _linear_issue_id(value: str | None) -> str | None:
    if value is None:
        return None
    from workflows.models.runs import normalise_issue_id

    try:
        return normalise_issue_id(value)
    except ValueError:
        raise ValueError(
            f"--linear-issue-id: {value!r} is not an issue identifier such as ZAM-1084"
        ) from None


def _rule_list(text: str | None, flag: str) -> list[str] | None:
    if text is None:
        return None
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise ValueError(f"{flag} needs at least one rule id (comma-separated)")
    return ids


def _analysis_options(args: argparse.Namespace, target: Path | None) -> AnalysisOptions:
    """The options of `cicd analyze`, checked; ValueError says what to change.

    ``--whitelist FILE`` replaces ``.cicd-whitelist``; a local ``.cicd-whitelist`` is checked
    here so a mistake in it is a usage error (the flow reads it itself).
    """
    from pydantic import ValidationError

    from workflows.analysis.options import AnalysisOptions, known_rule_ids
    from workflows.analysis.whitelist import find_whitelist, load_whitelist

    if not 0 <= args.min_confidence <= 100:
        raise ValueError(f"--min-confidence must be 0-100, not {args.min_confidence}")
    entries: list[str] = []
    if args.whitelist is not None:
        file = Path(args.whitelist).expanduser()
        if not file.is_file():
            raise ValueError(f"whitelist file {args.whitelist} does not exist")
        entries = load_whitelist(file, known_rule_ids())
    elif target is not None and (found := find_whitelist(target)) is not None:
        load_whitelist(found, known_rule_ids())
    try:
        return AnalysisOptions(
            select=_rule_list(args.select, "--select"),
            ignore=_rule_list(args.ignore, "--ignore") or [],
            min_confidence=args.min_confidence,
            whitelist=entries,
            read_whitelist_file=args.whitelist is None,
        )
    except ValidationError as exc:
        raise ValueError(
            "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        ) from None
