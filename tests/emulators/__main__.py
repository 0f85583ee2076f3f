"""Start emulators by hand: ``python -m tests.emulators {slack,github,linear,codegen,osv,all}``.

``all`` starts every emulator in one process and prints the ``export`` lines that point the bot
at them, so the bot can be tried without any account.
"""

from __future__ import annotations

import argparse
import importlib
import shlex
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from types import ModuleType

from tests.emulators import codegen
from tests.emulators.background import wait_for_signal
from tests.emulators.slack import SlackEmulator

SLACK_TOKEN = "xoxb-test-token"
# Any value works: the bot checks signatures with it, and the driver signs with the same one.
SLACK_SIGNING_SECRET = "emulator-signing-secret"
# Emulators written alongside this one; each has ``add_cli(subparsers)``. Looked up by name so
# that a checkout without one of them still runs the others.
OPTIONAL_EMULATORS = ("tests.emulators.github_cli", "tests.emulators.linear", "tests.emulators.osv")


def _optional_module(name: str) -> ModuleType | None:
    """The module, or None if it does not exist (an error inside it still raises)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def run_slack(args: argparse.Namespace) -> int:
    """Run the Slack Web API emulator until interrupted."""
    tokens = args.token or [SLACK_TOKEN]
    with SlackEmulator(tokens=tokens, port=args.port) as emu:
        print(emu.url, flush=True)
        print(f"response_url base: {emu.response_url_base}", flush=True)
        print(f"{len(tokens)} token(s) accepted; Ctrl-C to stop", flush=True)
        wait_for_signal()
    return 0


# -- all ------------------------------------------------------------------------------------

Starter = Callable[[ExitStack, int], dict[str, str] | None]


def _start_slack(stack: ExitStack, port: int) -> dict[str, str]:
    emu = stack.enter_context(SlackEmulator(tokens=[SLACK_TOKEN], port=port))
    return {
        "SLACK_API_URL": emu.url,
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
    }


def _start_codegen(stack: ExitStack, port: int) -> dict[str, str]:
    emu = stack.enter_context(codegen.CodegenEmulator(port=port))
    return {
        "CODEGEN_API_BASE_URL": emu.url,
        "CODEGEN_TOKEN": emu.token,
        "CODEGEN_ORG_ID": str(emu.org_id),
    }


def _start_github(stack: ExitStack, port: int) -> dict[str, str] | None:
    github = _optional_module("tests.emulators.github")
    if github is None:
        return None
    emu = stack.enter_context(github.GitHubEmulator(port=port))
    return {
        "GITHUB_API_URL": emu.url,
        "GITHUB_TOKEN": github.DEFAULT_TOKEN,
        "GITHUB_REPOSITORY": emu.full_name,
    }


def _start_linear(stack: ExitStack, port: int) -> dict[str, str] | None:
    linear = _optional_module("tests.emulators.linear")
    if linear is None:
        return None
    try:
        emu = stack.enter_context(linear.LinearEmulator(port=port))
    except FileNotFoundError as exc:  # Linear's schema lives in ../shared, beside the checkout
        print(f"# linear emulator not started: {exc}", flush=True)
        return None
    # The seeded workspace has one team, ZAM.
    return {
        "LINEAR_API_URL": emu.url,
        "LINEAR_API_KEY": linear.DEFAULT_KEY,
        "LINEAR_TEAM_KEY": "ZAM",
    }


def _start_osv(stack: ExitStack, port: int) -> dict[str, str] | None:
    osv = _optional_module("tests.emulators.osv")
    if osv is None:
        return None
    emu = stack.enter_context(osv.OsvEmulator(port=port))
    return {"OSV_API_URL": emu.url}


# In ``--base-port`` order. A starter returns None when its emulator is not in this checkout.
STARTERS: dict[str, Starter] = {
    "slack": _start_slack,
    "github": _start_github,
    "linear": _start_linear,
    "codegen": _start_codegen,
    "osv": _start_osv,
}


def run_all(args: argparse.Namespace) -> int:
    """Start every emulator, print the environment for the bot, serve until interrupted."""
    with ExitStack() as stack:
        env: dict[str, str] = {}
        missing = []
        for offset, (name, starter) in enumerate(STARTERS.items()):
            port = args.base_port + offset if args.base_port else 0
            started = starter(stack, port)
            if started is None:
                missing.append(name)
            else:
                env.update(started)
        for key, value in env.items():
            print(f"export {key}={shlex.quote(value)}", flush=True)
        if missing:
            print(f"# not available here: {', '.join(missing)}", flush=True)
        print("# emulators running; Ctrl-C to stop", flush=True)
        wait_for_signal()
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The CLI: one subcommand per emulator, and ``all``."""
    parser = argparse.ArgumentParser(prog="python -m tests.emulators", description=__doc__)
    sub = parser.add_subparsers(dest="emulator", required=True)
    slack = sub.add_parser("slack", help="Slack Web API emulator (prints its base URL)")
    slack.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = any)")
    slack.add_argument(
        "--token", action="append", help="accepted bot token (repeatable; default xoxb-test-token)"
    )
    slack.set_defaults(func=run_slack)
    for name in OPTIONAL_EMULATORS:
        module = _optional_module(name)
        if module is not None:
            module.add_cli(sub)
    codegen.add_cli(sub)
    every = sub.add_parser("all", help="every emulator at once; prints the environment for the bot")
    every.add_argument(
        "--base-port",
        type=int,
        default=0,
        help="ports from N in the order slack, github, linear, codegen, osv (0 = any free ports)",
    )
    every.set_defaults(func=run_all)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen emulator."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
