"""Running each measured tool in a fresh process, and reading what the tools report.

Every measurement is one fresh process, started by a tiny spawner (``python -I -S -c
SPAWNER``, ~10 MB) that times it with ``time.perf_counter()`` from spawn to exit (interpreter
start-up included, the same for every tool) and reads its peak RSS with
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` (the spawner has exactly that one child).
The spawner is there because Linux folds the RSS of the process a child was forked or vforked
from into the child's ``ru_maxrss``: measured straight from this script, every tool would
report at least this script's own peak. Figures below ~11 MB are therefore the spawner's floor.

Our engine and the parse floor run in ``python -m benchmarks._tools <mode> ...``, which prints
one JSON object on its last stdout line (``work_s`` is the time inside the process):

- ``ours ROOT [RULE,...]``: ``analyze_path(ROOT)`` from cold (no cache, worker processes as
  the engine chooses); the findings come back as ``[rule, path, line, symbol]`` lists.
- ``floor ROOT``: read every ``*.py`` file, parse it with tree-sitter and visit every node of
  its tree with a cursor (no analysis), in one process: the least any tree-sitter tool has to
  pay.
- ``touch ROOT FILE``: ``analyze_path(ROOT, cache_dir=...)`` into an empty cache, append a
  comment to ``FILE``, then time ``analyze_path(ROOT, cache_dir=...)`` again in a fresh
  process, as a developer re-running the command would (``work_s`` is that second run).

Our engine starts worker processes, whose memory the spawner's ``ru_maxrss`` does not see
(they are children of multiprocessing's fork server, never waited for by the worker). So
``ours`` and ``touch`` also sample the RSS of their whole process tree every 20 ms (psutil;
the list of processes is refreshed every 200 ms, since listing them reads all of ``/proc``)
and report the highest sum as ``tree_peak_mb``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Run",
    "parse_ruff_f401",
    "parse_vulture_dead_code",
    "run_measured",
    "worker_command",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TOUCH_COMMENT = b"\n# touched by benchmarks.analysis_bench\n"
_VULTURE_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+): unused (?P<kind>function|class|method) '(?P<name>[^']+)'"
)
_IDENTIFIER = re.compile(r"\w+")
SPAWNER = """
import json, os, resource, sys, time
result, cwd, *command = sys.argv[1:]
os.chdir(cwd)
started = time.perf_counter()
pid = os.posix_spawnp(command[0], command, os.environ)
_, status, _ = os.wait4(pid, 0)
wall = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
code = os.waitstatus_to_exitcode(status)
with open(result, "w") as handle:
    json.dump({"wall_s": wall, "maxrss_kb": peak, "code": code}, handle)
"""

Key = tuple[str, int, str]
"""(relative POSIX path, 1-based line, name)."""


@dataclass(frozen=True, slots=True)
class Run:
    """One finished child process."""

    wall_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str

    def payload(self) -> dict:
        """The JSON object a ``benchmarks._tools`` worker printed last."""
        lines = self.stdout.strip().splitlines()
        if self.returncode != 0 or not lines:
            raise RuntimeError(f"worker failed ({self.returncode}):\n{self.stderr[-3000:]}")
        return json.loads(lines[-1])


def run_measured(command: Sequence[str], cwd: Path, ok_codes: Sequence[int] = (0,)) -> Run:
    """Run ``command`` in ``cwd`` through the spawner; its wall time, peak RSS, exit code, output.

    Exit codes outside ``ok_codes`` raise RuntimeError.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory(prefix="cicd-bench-run-") as tmp,
    ):
        result = Path(tmp) / "result.json"
        spawner = [sys.executable, "-I", "-S", "-c", SPAWNER, str(result), str(cwd), *command]
        subprocess.run(spawner, stdout=out, stderr=err, check=False)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        if not result.is_file():
            raise RuntimeError(f"could not start {' '.join(command)}:\n{stderr[-3000:]}")
        figures = json.loads(result.read_text())
    run = Run(
        wall_s=figures["wall_s"],
        peak_rss_mb=figures["maxrss_kb"] / 1024,  # KiB on Linux
        returncode=figures["code"],
        stdout=stdout,
        stderr=stderr,
    )
    if run.returncode not in ok_codes:
        raise RuntimeError(f"{' '.join(command)} exited {run.returncode}:\n{run.stderr[-3000:]}")
    return run


def worker_command(mode: str, *args: str) -> list[str]:
    """The command line of a ``benchmarks._tools`` worker (run it with cwd=PROJECT_ROOT)."""
    return [sys.executable, "-m", "benchmarks._tools", mode, *args]


def parse_vulture_dead_code(output: str, root: Path) -> dict[Key, str]:
    """Vulture's unused function/class/method items: key -> ``function``, ``class``, ``method``."""
    items: dict[Key, str] = {}
    for line in output.splitlines():
        match = _VULTURE_LINE.match(line)
        if match:
            path = _relative(match["path"], root)
            items[(path, int(match["line"]), match["name"])] = match["kind"]
    return items


def parse_ruff_f401(output: str, root: Path) -> set[Key]:
    """Ruff's F401 diagnostics as keys; the name is the one the import binds.

    Ruff reports the qualified name (``os.path``, ``pkg.mod.name``) at the bound identifier
    (the alias when there is one), so the identifier at its location is the bound name.
    """
    keys: set[Key] = set()
    lines_cache: dict[str, list[str]] = {}
    for item in json.loads(output or "[]"):
        if item.get("code") != "F401":
            continue
        path = _relative(item["filename"], root)
        row, column = item["location"]["row"], item["location"]["column"]
        if path not in lines_cache:
            text = (root / path).read_text(encoding="utf-8", errors="replace")
            lines_cache[path] = text.splitlines()
        source_line = lines_cache[path][row - 1] if row <= len(lines_cache[path]) else ""
        match = _IDENTIFIER.match(source_line, column - 1)
        name = match.group() if match else item["message"].split("`")[1].split(".")[0]
        keys.add((path, row, name))
    return keys


def _relative(path: str, root: Path) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        candidate = candidate.resolve().relative_to(root.resolve())
    return candidate.as_posix().removeprefix("./")


# --- the worker side (runs in the child process) ---------------------------------------------


def _floor(root: Path) -> dict:
    import tree_sitter_python
    from tree_sitter import Language, Parser

    started = time.perf_counter()
    parser = Parser(Language(tree_sitter_python.language()))
    files = nodes = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            cursor = parser.parse(Path(dirpath, name).read_bytes()).walk()
            files += 1
            while True:  # pre-order walk over every node, named or not
                nodes += 1
                if cursor.goto_first_child():
                    continue
                while not cursor.goto_next_sibling():
                    if not cursor.goto_parent():
                        break
                else:
                    continue
                break
    return {"work_s": time.perf_counter() - started, "files": files, "nodes": nodes}


_TREE_SAMPLER = """
import contextlib, select, sys
import psutil
root, me, interval, peak = psutil.Process(int(sys.argv[1])), psutil.Process(), float(sys.argv[2]), 0
tree, samples = [], 0
def sample():
    global tree, samples
    if samples % 10 == 0:  # listing children reads every /proc entry: refresh it now and then
        tree = [p for p in [root, *root.children(recursive=True)] if p.pid != me.pid]
    samples += 1
    total = 0
    for process in tree:
        with contextlib.suppress(psutil.Error):  # it ended between listing and reading
            total += process.memory_info().rss
    return total
print("ready", flush=True)
while True:
    peak = max(peak, sample())
    if select.select([sys.stdin], [], [], interval)[0]:
        break
samples = 0
print(max(peak, sample()), flush=True)
"""


class _TreeMemory:
    """Samples the summed RSS of this process and all its descendants.

    The sampling runs in a separate process, not a thread: the engine forks its workers only
    from a single-threaded process, so a sampling thread would change what is measured.
    """

    def __init__(self, interval: float = 0.02) -> None:
        self._interval = interval
        self._sampler: subprocess.Popen[str] | None = None
        self.peak = 0

    def __enter__(self) -> _TreeMemory:
        self._sampler = subprocess.Popen(
            [sys.executable, "-c", _TREE_SAMPLER, str(os.getpid()), str(self._interval)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._sampler.stdout is not None
        self._sampler.stdout.readline()  # "ready": sampling has begun
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._sampler is not None
        out, _ = self._sampler.communicate("stop\n", timeout=30)
        self.peak = int(out.split()[-1])

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20


def _ours(root: Path, select: list[str] | None) -> dict:
    from workflows.analysis.engine import analyze_path
    from workflows.analysis.rules import select_rules

    with _TreeMemory() as memory:
        started = time.perf_counter()
        report = analyze_path(root, select=select)
        work = time.perf_counter() - started
    return {
        "work_s": work,
        "tree_peak_mb": memory.peak_mb,
        "files": report.files_analyzed,
        "lines": report.lines_analyzed,
        "rules": [rule.id for rule in select_rules(select)],
        "parse_errors": len(report.parse_errors),
        "findings": [[f.rule, f.path, f.line, f.symbol] for f in report.findings],
    }


def _touch(root: Path, relative: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="cicd-bench-cache-") as cache:
        first = _timed_subprocess("cached", str(root), cache)
        with (root / relative).open("ab") as handle:
            handle.write(TOUCH_COMMENT)
        second = _timed_subprocess("cached", str(root), cache)
    return {
        "first_s": first["work_s"],
        "work_s": second["work_s"],
        "files_cached": second["files_cached"],
        "findings": second["findings"],
        "tree_peak_mb": max(first["tree_peak_mb"], second["tree_peak_mb"]),
    }


def _timed_subprocess(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks._tools", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cached(root: Path, cache: str) -> dict:
    from workflows.analysis.engine import analyze_path

    with _TreeMemory() as memory:
        started = time.perf_counter()
        report = analyze_path(root, cache_dir=cache)
        work = time.perf_counter() - started
    return {
        "work_s": work,
        "files_cached": report.files_cached,
        "findings": len(report.findings),
        "tree_peak_mb": memory.peak_mb,
    }


def main(argv: list[str]) -> int:
    """Worker entry point: ``ours ROOT [RULES]``, ``floor ROOT``, ``touch ROOT FILE`` or
    ``cached ROOT CACHE_DIR``."""
    mode, root = argv[0], Path(argv[1])
    if mode == "floor":
        result = _floor(root)
    elif mode == "ours":
        result = _ours(root, argv[2].split(",") if len(argv) > 2 else None)
    elif mode == "touch":
        result = _touch(root, argv[2])
    elif mode == "cached":
        result = _cached(root, argv[2])
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
