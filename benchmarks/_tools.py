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

- ``ours ROOT [RULE,...]``: ``analyze_path(ROOT)``; the findings come back as
  ``[rule, path, line, symbol]`` lists.
- ``floor ROOT``: read every ``*.py`` file, parse it with tree-sitter and visit every node of
  its tree with a cursor (no analysis): the least any tree-sitter tool has to pay.
- ``touch ROOT FILE``: ``analyze_path(ROOT)``, append a comment to ``FILE``, then time
  ``analyze_path(ROOT)`` again in the same process (``work_s`` is that second run).
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
    r"^(?P<path>.+?):(?P<line>\d+): unused (?P<kind>function|class) '(?P<name>[^']+)'"
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
    """Vulture's "unused function"/"unused class" items: key -> ``function`` or ``class``."""
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


def _ours(root: Path, select: list[str] | None) -> dict:
    from workflows.analysis.engine import analyze_path
    from workflows.analysis.rules import select_rules

    started = time.perf_counter()
    report = analyze_path(root, select=select)
    work = time.perf_counter() - started
    return {
        "work_s": work,
        "files": report.files_analyzed,
        "lines": report.lines_analyzed,
        "rules": [rule.id for rule in select_rules(select)],
        "parse_errors": len(report.parse_errors),
        "findings": [[f.rule, f.path, f.line, f.symbol] for f in report.findings],
    }


def _touch(root: Path, relative: str) -> dict:
    from workflows.analysis.engine import analyze_path

    started = time.perf_counter()
    analyze_path(root)
    first = time.perf_counter() - started
    with (root / relative).open("ab") as handle:
        handle.write(TOUCH_COMMENT)
    started = time.perf_counter()
    report = analyze_path(root)
    second = time.perf_counter() - started
    return {"first_s": first, "work_s": second, "findings": len(report.findings)}


def main(argv: list[str]) -> int:
    """Worker entry point: ``ours ROOT [RULES]``, ``floor ROOT`` or ``touch ROOT FILE``."""
    mode, root = argv[0], Path(argv[1])
    if mode == "floor":
        result = _floor(root)
    elif mode == "ours":
        result = _ours(root, argv[2].split(",") if len(argv) > 2 else None)
    elif mode == "touch":
        result = _touch(root, argv[2])
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
