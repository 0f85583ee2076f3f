"""Ack latency of `/cicd` slash commands and time to the first thread messages.

Starts the Slack emulator and the real `python -m bot serve` (with its embedded Prefect
server) in a temporary directory, then measures:

1. the ack latency of signed slash commands (`/cicd help`, `/cicd analyze no/such/dir`) sent
   N times with C in flight, and of a few real `/cicd analyze contexten/agents` commands;
2. for those real analyses, the time from sending the command to the parent channel
   message, the first thread reply and the final result, as recorded by the emulator.

Run: ``.venv/bin/python -m benchmarks.ack_latency [--requests 200] [--concurrency 10]
[--analyze-runs 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

import httpx

from tests.conftest import make_repo  # also turns telemetry off for the bot's environment
from tests.e2e.bot_process import SIGNING_SECRET, BotProcess
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import AsyncSlackDriver
from tests.emulators.slack_http import RecordedCall

CHANNEL = "C0001"
USERS = ("U0001", "U0002", "U0003")
COMPONENT = "contexten/agents"
WARMUP_PER_COMMAND = 5
RESULT_TIMEOUT_S = 90.0
GAP_S = 0.5


@dataclass
class Series:
    """Ack latencies of one kind of command."""

    label: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0  # non-200 answers and transport failures
    unexpected: int = 0  # 200, but not the answer this command should get
    wall_s: float = 0.0


@dataclass
class AnalyzeTiming:
    """One real `/cicd analyze`: seconds from sending it to each Slack message (None = never)."""

    ack_ms: float | None
    parent_s: float | None = None
    first_reply_s: float | None = None
    result_s: float | None = None
    outcome: str = "pending"


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _ack_looks_right(text: str, response: httpx.Response) -> bool:
    """Whether a 200 carries the ephemeral answer `help` / `analyze no/such/dir` should get."""
    try:
        body = response.json()
    except ValueError:
        return False
    if body.get("response_type") != "ephemeral":
        return False
    if text == "help":
        return bool(body.get("blocks"))
    return "does not exist" in str(body.get("text"))


async def _one(driver: AsyncSlackDriver, text: str, series: Series, user: str) -> None:
    start = time.perf_counter()
    try:
        response = await driver.slash_command(text, user_id=user, channel_id=CHANNEL)
    except httpx.HTTPError:
        series.errors += 1
        return
    elapsed_ms = (time.perf_counter() - start) * 1000
    series.latencies_ms.append(elapsed_ms)
    if response.status_code != 200:
        series.errors += 1
    elif not _ack_looks_right(text, response):
        series.unexpected += 1


async def ack_series(
    driver: AsyncSlackDriver, text: str, requests: int, concurrency: int
) -> Series:
    """Send `/cicd <text>` `requests` times, at most `concurrency` at once."""
    series = Series(f"/cicd {text}")
    gate = asyncio.Semaphore(concurrency)

    async def gated(i: int) -> None:
        async with gate:
            await _one(driver, text, series, USERS[i % len(USERS)])

    start = time.perf_counter()
    await asyncio.gather(*(gated(i) for i in range(requests)))
    series.wall_s = time.perf_counter() - start
    return series


def _thread_posts(slack: SlackEmulator, thread_ts: str) -> list[RecordedCall]:
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.ok and c.params.get("thread_ts") == thread_ts
    ]


def _parent_call(slack: SlackEmulator, sent_at: float, user: str) -> RecordedCall | None:
    for c in slack.calls_to("chat.postMessage"):
        text = str(c.params.get("text", ""))
        if (
            c.ok
            and c.at >= sent_at
            and not c.params.get("thread_ts")
            and COMPONENT in text
            and f"<@{user}>" in text
        ):
            return c
    return None


async def real_analysis(driver: AsyncSlackDriver, slack: SlackEmulator, user: str) -> AnalyzeTiming:
    """Send one real `/cicd analyze` and wait for its result (or failure, or timeout)."""
    sent_at = time.monotonic()
    start = time.perf_counter()
    try:
        response = await driver.slash_command(
            f"analyze {COMPONENT}", user_id=user, channel_id=CHANNEL
        )
    except httpx.HTTPError as exc:
        return AnalyzeTiming(ack_ms=None, outcome=f"transport error: {exc!r}")
    timing = AnalyzeTiming(ack_ms=(time.perf_counter() - start) * 1000)
    if response.status_code != 200:
        timing.outcome = f"HTTP {response.status_code}"
        return timing
    deadline = sent_at + RESULT_TIMEOUT_S
    parent: RecordedCall | None = None
    while time.monotonic() < deadline:
        if parent is None:
            parent = _parent_call(slack, sent_at, user)
            if parent is not None:
                timing.parent_s = parent.at - sent_at
        if parent is not None:
            replies = _thread_posts(slack, str(parent.response.get("ts")))
            if replies and timing.first_reply_s is None:
                timing.first_reply_s = replies[0].at - sent_at
            for reply in replies:
                blocks = json.dumps(reply.params.get("blocks", []), ensure_ascii=False)
                if "worker.py" in blocks:
                    timing.result_s = reply.at - sent_at
                    timing.outcome = "ok"
                    return timing
                if "failed:" in str(reply.params.get("text", "")):
                    timing.outcome = f"failed: {reply.params.get('text')}"
                    return timing
        await asyncio.sleep(0.02)
    timing.outcome = f"no result within {RESULT_TIMEOUT_S:.0f} s"
    return timing


async def measure(
    bot: BotProcess, slack: SlackEmulator, args: argparse.Namespace
) -> tuple[list[Series], list[AnalyzeTiming]]:
    """Warm up, then run the three ack series and the real analyses."""
    async with AsyncSlackDriver(
        f"{bot.url}/slack/events", SIGNING_SECRET, response_url_base=slack.response_url_base
    ) as driver:
        print(
            f"warming up: {WARMUP_PER_COMMAND} x `/cicd help` and "
            f"{WARMUP_PER_COMMAND} x `/cicd analyze no/such/dir` (not measured)",
            flush=True,
        )
        for _ in range(WARMUP_PER_COMMAND):
            for text in ("help", "analyze no/such/dir"):
                await driver.slash_command(text, user_id=USERS[0], channel_id=CHANNEL)
        series = []
        for text in ("analyze no/such/dir", "help"):
            print(f"measuring `/cicd {text}` ...", flush=True)
            series.append(await ack_series(driver, text, args.requests, args.concurrency))
        print(f"measuring {args.analyze_runs} real `/cicd analyze {COMPONENT}` ...", flush=True)
        timings: list[AnalyzeTiming] = []
        for i in range(args.analyze_runs):
            if i:
                await asyncio.sleep(GAP_S)
            timing = await real_analysis(driver, slack, USERS[i % len(USERS)])
            print(f"  run {i + 1}: {timing.outcome}", flush=True)
            timings.append(timing)
        real = Series(f"/cicd analyze {COMPONENT}")
        for t in timings:
            if t.ack_ms is not None:
                real.latencies_ms.append(t.ack_ms)
            if t.ack_ms is None or t.outcome.startswith("HTTP"):
                real.errors += 1
        if timings:
            series.append(real)
        return series, timings


def render_acks(series: list[Series]) -> str:
    """The ack latency table."""
    head = (
        f"{'command':<34}{'count':>6}{'errors':>7}{'bad':>5}"
        f"{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}{'mean':>9}{'req/s':>8}"
    )
    lines = ["Ack latency at the bot, ms (send -> HTTP response received)", head, "-" * len(head)]
    for s in series:
        v = s.latencies_ms
        figures = (
            [percentile(v, 50), percentile(v, 90), percentile(v, 99), max(v), statistics.fmean(v)]
            if v
            else []
        )
        stats = "".join(f"{x:>9.1f}" for x in figures) or f"{'-':>45}"
        rate = f"{len(v) / s.wall_s:>8.1f}" if s.wall_s else f"{'-':>8}"
        lines.append(f"{s.label:<34}{len(v):>6}{s.errors:>7}{s.unexpected:>5}{stats}{rate}")
    return "\n".join(lines)


def render_analyses(timings: list[AnalyzeTiming]) -> str:
    """Per-run figures and p50/max of command -> parent, first reply, result."""
    lines = [
        f"Real `/cicd analyze {COMPONENT}`: ms from sending the command to each Slack message",
        f"{'run':>4}{'ack':>10}{'(a) parent':>12}{'(b) 1st reply':>15}{'(c) result':>12}  outcome",
    ]

    def cell(seconds: float | None, width: int) -> str:
        return f"{seconds * 1000:>{width}.1f}" if seconds is not None else f"{'-':>{width}}"

    for i, t in enumerate(timings, 1):
        ack = f"{t.ack_ms:>10.1f}" if t.ack_ms is not None else f"{'-':>10}"
        lines.append(
            f"{i:>4}{ack}{cell(t.parent_s, 12)}{cell(t.first_reply_s, 15)}"
            f"{cell(t.result_s, 12)}  {t.outcome}"
        )
    lines.append("")
    head = f"{'message':<38}{'count':>6}{'p50':>10}{'max':>10}"
    lines += [head, "-" * len(head)]
    for label, attr in (
        ("(a) parent channel message", "parent_s"),
        ("(b) first thread reply (progress)", "first_reply_s"),
        ("(c) final result (mentions worker.py)", "result_s"),
    ):
        values = [getattr(t, attr) * 1000 for t in timings if getattr(t, attr) is not None]
        if values:
            lines.append(
                f"{label:<38}{len(values):>6}{percentile(values, 50):>10.1f}{max(values):>10.1f}"
            )
        else:
            lines.append(f"{label:<38}{0:>6}{'-':>10}{'-':>10}")
    return "\n".join(lines)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def context_lines(args: argparse.Namespace) -> list[str]:
    """Machine context and parameters."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"date:        {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine:     {platform.platform()}, {os.cpu_count()} CPU(s), load avg {load}",
        f"python:      {platform.python_version()} ({sys.executable})",
        f"packages:    prefect {_version('prefect')}, slack-bolt {_version('slack-bolt')}, "
        f"aiohttp {_version('aiohttp')}, httpx {_version('httpx')}",
        f"parameters:  --requests {args.requests} --concurrency {args.concurrency} "
        f"--analyze-runs {args.analyze_runs}",
    ]


def _prefect_server_pid(bot: BotProcess) -> int | None:
    """The embedded Prefect server's pid, from the state file the bot writes when it is up."""
    try:
        return int(json.loads((bot.workdir / "data/prefect/server.json").read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return None


def _prefect_server_running(pid: int) -> bool:
    """Whether `pid` is still a `prefect server start` process (guards against pid reuse)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"prefect" in cmdline and b"server" in cmdline


def _bot_problems(bot: BotProcess) -> list[str]:
    """Log lines of the bot that look like trouble."""
    try:
        lines = bot.log_path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    needles = ("ERROR", "Traceback", "CRITICAL", "Exception")
    return [line for line in lines if any(n in line for n in needles)]


def _stop_bot(bot: BotProcess, interrupted: bool) -> int | None:
    """`BotProcess.stop()`, but after a Ctrl-C first let the bot finish its own shutdown.

    A terminal's Ctrl-C also reaches the bot (same process group); a SIGTERM sent while it
    is already shutting down would kill it before it stops its embedded Prefect server.
    """
    process = bot.process
    if interrupted and process is not None:
        deadline = time.monotonic() + 1.0
        while process.poll() is None and time.monotonic() < deadline:
            if "bot.runtime.process: shutting down" in bot.logs(tail=20):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=30)
                break
            time.sleep(0.05)
    return bot.stop()


@contextlib.contextmanager
def running_bot(workdir: Path, slack: SlackEmulator) -> Iterator[BotProcess]:
    """The real bot in `workdir`, ready; always stopped (and its Prefect server checked)."""
    repo = make_repo(workdir / "repo")
    (workdir / "bot").mkdir()
    bot = BotProcess(workdir / "bot", slack.url, repo)
    server_pid: int | None = None
    interrupted = False
    try:
        start = time.monotonic()
        bot.start()
        server_pid = _prefect_server_pid(bot)
        print(f"bot ready (embedded Prefect up) in {time.monotonic() - start:.1f} s", flush=True)
        yield bot
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        server_pid = server_pid or _prefect_server_pid(bot)
        code = _stop_bot(bot, interrupted)
        print(f"bot stopped (exit code {code})", flush=True)
        if server_pid is not None and _prefect_server_running(server_pid):
            print(f"WARNING: embedded Prefect server {server_pid} outlived the bot; stopping it")
            os.kill(server_pid, signal.SIGTERM)
        problems = _bot_problems(bot)
        if problems:
            print(f"bot log has {len(problems)} suspicious line(s); last ones:")
            for line in problems[-10:]:
                print(f"  {line[:200]}")


def _raise_on_sigterm(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="acks per cheap command")
    parser.add_argument("--concurrency", type=int, default=10, help="requests in flight")
    parser.add_argument("--analyze-runs", type=int, default=5, help="real analyses (sequential)")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or args.analyze_runs < 0:
        parser.error("--requests and --concurrency must be >= 1, --analyze-runs >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables; 1 if any request failed, 130 on Ctrl-C."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    began = time.perf_counter()
    print("\n".join(context_lines(args)), flush=True)
    series: list[Series] = []
    timings: list[AnalyzeTiming] = []
    try:
        with (
            tempfile.TemporaryDirectory(prefix="cicd-bench-") as tmp,
            SlackEmulator(tokens=("xoxb-test-token",)) as slack,
            running_bot(Path(tmp), slack) as bot,
        ):
            series, timings = asyncio.run(measure(bot, slack, args))
    except KeyboardInterrupt:
        print(f"\ninterrupted; torn down after {time.perf_counter() - began:.1f} s")
        return 130
    print()
    print(render_acks(series))
    print("  errors = non-200 or no answer; bad = 200 but not the expected ephemeral answer")
    if timings:
        print()
        print(render_analyses(timings))
    total = time.perf_counter() - began
    print(f"\ntotal wall time: {total:.1f} s (start-up and teardown included)")
    failed = any(s.errors or s.unexpected for s in series) or any(
        t.outcome != "ok" for t in timings
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
