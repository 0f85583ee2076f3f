"""``python -m tests.emulators github``: the GitHub emulator from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from tests.emulators.background import wait_for_signal
from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator


def run_github(args: argparse.Namespace) -> int:
    """Run the GitHub emulator until interrupted."""

    tokens = args.token or [DEFAULT_TOKEN]
    with GitHubEmulator(tokens=tokens, owner=args.owner, repo=args.repo, port=args.port) as emu:
        print(emu.url, flush=True)
        print(f"repository {emu.full_name}, clone URL {emu.clone_url}", flush=True)
        print(f"{len(tokens)} token(s) accepted; Ctrl-C to stop", flush=True)
        wait_for_signal()
    return 0


def add_cli(subparsers: Any) -> None:
    """Register ``github`` on ``python -m tests.emulators``'s subcommands."""
    parser = subparsers.add_parser("github", help="GitHub REST API emulator (prints its base URL)")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = any)")
    parser.add_argument(
        "--token", action="append", help="accepted token (repeatable; default: a fixed test token)"
    )
    parser.add_argument("--owner", default="acme", help="repository owner (default acme)")
    parser.add_argument("--repo", default="widgets", help="repository name (default widgets)")
    parser.set_defaults(func=run_github)
