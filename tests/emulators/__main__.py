"""Start emulators by hand: ``python -m tests.emulators slack [--port N] [--token T ...]``."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from tests.emulators.slack import SlackEmulator


def _wait_for_signal() -> None:
    """Block until Ctrl-C or SIGTERM."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stop.wait(0.5):
        pass


def run_slack(args: argparse.Namespace) -> int:
    """Run the Slack Web API emulator until interrupted."""
    tokens = args.token or ["xoxb-test-token"]
    with SlackEmulator(tokens=tokens, port=args.port) as emu:
        print(emu.url, flush=True)
        print(f"response_url base: {emu.response_url_base}", flush=True)
        print(f"{len(tokens)} token(s) accepted; Ctrl-C to stop", flush=True)
        _wait_for_signal()
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The CLI: one subcommand per emulator."""
    parser = argparse.ArgumentParser(prog="python -m tests.emulators", description=__doc__)
    sub = parser.add_subparsers(dest="emulator", required=True)
    slack = sub.add_parser("slack", help="Slack Web API emulator (prints its base URL)")
    slack.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = any)")
    slack.add_argument(
        "--token", action="append", help="accepted bot token (repeatable; default xoxb-test-token)"
    )
    slack.set_defaults(func=run_slack)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen emulator."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
