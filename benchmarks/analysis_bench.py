"""Speed, memory and accuracy of our analysis engine against vulture, ruff and a parse floor.

On corpora made of released wheels (``benchmarks._corpora``: click, Django and Twisted by
default, sympy on request; fetched with pip and cached), it runs, one after the other and each
in a fresh process:

- ours: ``analyze_path(corpus)`` with all registered rules, and with only
  ``unused-import,unused-function,unused-class`` (like with like against vulture);
- the parse floor: tree-sitter parse of every file plus a walk over every node, no analysis;
- ``vulture --min-confidence 60`` and ``--min-confidence 100``;
- ``ruff check --isolated --select F401 --no-cache --output-format json``;

repeating the round ``--repeat`` times (median wall time, max peak RSS), then once per corpus
the re-analysis after appending a comment to one file, with the engine's content-hash cache
filled by a first run. It prints a table, the accuracy against ruff (F401) and vulture (dead
code), and the issue's targets as PASS/FAIL.

Run: ``.venv/bin/python -m benchmarks.analysis_bench [--sizes small,medium,large]
[--cache-dir DIR] [--repeat N]`` (``--sizes`` also accepts ``xlarge``).
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path, PurePosixPath

from benchmarks._accuracy import compare_dead_code, compare_imports, compare_methods
from benchmarks._corpora import CORPORA, Corpus, prepare_corpus
from benchmarks._tools import (
    PROJECT_ROOT,
    Run,
    parse_ruff_f401,
    parse_vulture_dead_code,
    run_measured,
    worker_command,
)

DEAD_CODE_RULES = ("unused-import", "unused-function", "unused-class")
DEFAULT_SIZES = ("small", "medium", "large")
DEFAULT_CACHE = Path.home() / ".cache" / "cicd-chatops" / "bench"
BIN = Path(sys.executable).parent


@dataclass(frozen=True, slots=True)
class Tool:
    """One measured command."""

    key: str
    label: str
    command: list[str]
    cwd: Path
    ok_codes: tuple[int, ...] = (0,)
    worker: bool = False
    """Whether it is a ``benchmarks._tools`` worker that reports ``work_s`` in JSON."""


@dataclass
class Measured:
    """All runs of one tool on one corpus."""

    tool: Tool
    runs: list[Run] = field(default_factory=list)

    @property
    def wall_s(self) -> float:
        """Median wall time of the process, start-up included."""
        return statistics.median(r.wall_s for r in self.runs)

    @property
    def work_s(self) -> float | None:
        """Median time inside the worker process (workers only)."""
        if not self.tool.worker:
            return None
        return statistics.median(r.payload()["work_s"] for r in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        """Highest peak RSS over the runs; for our engine, of its whole process tree."""
        peaks = [r.peak_rss_mb for r in self.runs]
        if self.tool.worker:
            peaks += [r.payload().get("tree_peak_mb", 0.0) for r in self.runs]
        return max(peaks)


def tools_for(corpus: Corpus) -> list[Tool]:
    """The commands measured on ``corpus``, in the order they run in each round."""
    root = corpus.root
    ruff = [str(BIN / "ruff"), "check", "--isolated", "--select", "F401", "--no-cache"]
    return [
        Tool(
            "ours", "ours, all rules", worker_command("ours", str(root)), PROJECT_ROOT, worker=True
        ),
        Tool(
            "ours3",
            "ours, 3 rules (as vulture)",
            worker_command("ours", str(root), ",".join(DEAD_CODE_RULES)),
            PROJECT_ROOT,
            worker=True,
        ),
        Tool(
            "floor",
            "parse floor (tree-sitter)",
            worker_command("floor", str(root)),
            PROJECT_ROOT,
            worker=True,
        ),
        Tool(
            "v60",
            "vulture --min-confidence 60",
            [str(BIN / "vulture"), "--min-confidence", "60", "."],
            root,
            (0, 3),
        ),
        Tool(
            "v100",
            "vulture --min-confidence 100",
            [str(BIN / "vulture"), "--min-confidence", "100", "."],
            root,
            (0, 3),
        ),
        Tool("ruff", "ruff F401", [*ruff, "--output-format", "json", "."], root, (0, 1)),
    ]


def measure(corpus: Corpus, repeat: int) -> tuple[dict[str, Measured], Run]:
    """Run every tool ``repeat`` times (interleaved rounds), then the one-file-touch run."""
    results = {tool.key: Measured(tool) for tool in tools_for(corpus)}
    for round_no in range(1, repeat + 1):
        figures = []
        for measured in results.values():
            run = run_measured(measured.tool.command, measured.tool.cwd, measured.tool.ok_codes)
            measured.runs.append(run)
            figures.append(f"{measured.tool.key} {run.wall_s:.2f}")
        print(f"  {corpus.name} round {round_no}/{repeat}: {', '.join(figures)} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="cicd-bench-touch-") as tmp:
        copy = Path(tmp) / corpus.name
        shutil.copytree(corpus.root, copy)
        touch = run_measured(worker_command("touch", str(copy), corpus.spec.touch), PROJECT_ROOT)
    print(f"  {corpus.name} touch: {touch.payload()['work_s']:.2f} s", flush=True)
    return results, touch


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def render_table(rows: list[tuple[Corpus, dict[str, Measured], Run]]) -> list[str]:
    """The timing table: one line per corpus and tool."""
    head = (
        f"{'corpus':<7}{'files':>6}{'lines':>8}  {'tool':<30}{'median s':>9}{'in-proc s':>10}"
        f"{'lines/s':>10}{'RSS MB':>8}{'/floor':>8}{'/vulture':>9}"
    )
    out = [head, "-" * len(head)]
    for corpus, results, touch in rows:
        floor, vulture = results["floor"].wall_s, results["v60"].wall_s
        for i, measured in enumerate(results.values()):
            lead = f"{corpus.name:<7}{corpus.files:>6}{corpus.lines:>8}" if i == 0 else " " * 21
            work = measured.work_s
            ratios = (
                f"{_ratio(measured.wall_s, floor):>8}{_ratio(measured.wall_s, vulture):>9}"
                if measured.tool.key in ("ours", "ours3")
                else ""
            )
            out.append(
                f"{lead}  {measured.tool.label:<30}{measured.wall_s:>9.2f}"
                f"{(f'{work:.2f}' if work is not None else '-'):>10}"
                f"{corpus.lines / measured.wall_s:>10,.0f}{measured.peak_rss_mb:>8.0f}{ratios}"
            )
        second = touch.payload()["work_s"]
        out.append(
            f"{'':21}  {'ours, after 1-file touch*':<30}{second:>9.2f}{second:>10.2f}"
            f"{corpus.lines / second:>10,.0f}{touch.payload()['tree_peak_mb']:>8.0f}"
        )
    out += [
        "median s: median wall time of the process over the rounds, interpreter start-up included",
        "in-proc s: median time inside our worker (analyze_path, or parse + walk), no start-up",
        "RSS MB: highest peak RSS of the process; for ours, of its whole process tree (the",
        "  main process plus its worker processes, summed); /floor, /vulture: our median s",
        "  divided by the parse floor's and by vulture 60's median s. The floor runs in one",
        "  process; ours spreads files over one worker process per CPU.",
        "* one run: analyze_path() with an empty cache directory, then a comment appended to one",
        "  file, then analyze_path() again with that cache in a fresh process (time shown: the",
        "  second run, in-process; RSS: the higher of the two process trees).",
    ]
    return out


def render_accuracy(corpus: Corpus, results: dict[str, Measured]) -> list[str]:
    """Accuracy of the last round: unused imports vs ruff, dead code vs vulture."""
    findings = results["ours"].runs[-1].payload()["findings"]
    ours_imports = {(p, line, s) for r, p, line, s in findings if r == "unused-import"}
    ours_dead = {
        (p, line, s): r.removeprefix("unused-")
        for r, p, line, s in findings
        if r in ("unused-function", "unused-class")
    }
    ruff = parse_ruff_f401(results["ruff"].runs[-1].stdout, corpus.root)
    out = [f"== {corpus.name} ({', '.join(corpus.spec.requirements)}) ==", ""]
    out.append("Unused imports: ours (unused-import) vs ruff F401 (keys: path, line, bound name)")
    out += compare_imports(ours_imports, ruff, corpus.root)
    in_init = sum(PurePosixPath(path).name == "__init__.py" for path, _, _ in ruff)
    out.append(
        f"  note: ruff F401 also checks __init__.py (re-exports; {in_init} item(s) here); ours"
    )
    out.append("  skips __init__.py by design, so those are expected ruff-only items.")
    ours_methods = {(p, line, s) for r, p, line, s in findings if r == "unused-method"}
    for key, label in (("v60", "60"), ("v100", "100")):
        vulture = parse_vulture_dead_code(results[key].runs[-1].stdout, corpus.root)
        out += ["", f"Dead code: ours (unused-function, unused-class) vs vulture at {label}%"]
        out += compare_dead_code(ours_dead, vulture, corpus.root)
        out += ["", f"Unused methods: ours (unused-method, any confidence) vs vulture at {label}%"]
        out += compare_methods(ours_methods, vulture, corpus.root)
    out.append("  note: vulture rates unused functions/classes/methods at 60% confidence, so at")
    out.append("  100% it reports none; ours looks at module-level functions and classes plus")
    out.append("  methods in class bodies, and skips test files and decorated definitions")
    out.append("  (methods: any decorator but @staticmethod/@classmethod).")
    return out


def render_targets(rows: list[tuple[Corpus, dict[str, Measured], Run]]) -> list[str]:
    """The issue's targets for the large corpus, as PASS/FAIL lines."""
    large = [(c, r, t) for c, r, t in rows if c.name == "large"]
    if not large:
        return ["SKIP  targets are defined on the large corpus, which was not selected"]
    corpus, results, touch = large[0]
    ours, floor, vulture = results["ours"], results["floor"], results["v60"]
    second = touch.payload()["work_s"]
    ratio = ours.wall_s / floor.wall_s
    in_proc = (ours.work_s or 0) / (floor.work_s or 1)

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    return [
        f"{verdict(ours.wall_s < vulture.wall_s)}  full analysis of {corpus.name} "
        f"({corpus.lines:,} lines) faster than vulture: ours {ours.wall_s:.2f} s vs "
        f"vulture {vulture.wall_s:.2f} s ({ours.wall_s / vulture.wall_s:.2f}x)",
        f"{verdict(ratio <= 3)}  within 3x of the parse floor: {ratio:.2f}x "
        f"(ours {ours.wall_s:.2f} s, floor {floor.wall_s:.2f} s; in-process "
        f"{ours.work_s:.2f} s / {floor.work_s:.2f} s = {in_proc:.2f}x)",
        f"{verdict(second < 1)}  re-analysis after a one-file touch under 1 s: {second:.2f} s "
        f"({touch.payload()['files_cached']} of {corpus.files} files from the cache)",
    ]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def context_lines(args: argparse.Namespace, corpora: Sequence[Corpus]) -> list[str]:
    """Machine, versions, parameters and corpora."""
    from workflows.analysis.rules import RULES

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    out = [
        f"date:        {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine:     {platform.platform()}, {os.cpu_count()} CPU(s), load avg {load}",
        f"python:      {platform.python_version()} ({sys.executable})",
        f"tools:       vulture {_version('vulture')}, ruff {_version('ruff')}, tree-sitter "
        f"{_version('tree-sitter')}, tree-sitter-python {_version('tree-sitter-python')}",
        f"our rules:   {', '.join(RULES)} ({len(RULES)})",
        f"parameters:  --sizes {','.join(c.name for c in corpora)} --repeat {args.repeat} "
        f"--cache-dir {args.cache_dir}",
    ]
    for corpus in corpora:
        out.append(
            f"corpus {corpus.name + ':':<8}{', '.join(corpus.wheels)}: {corpus.files} files, "
            f"{corpus.lines:,} lines"
        )
        if corpus.spec.note:
            out.append(f"{'':16}excluded: {corpus.spec.note}")
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default=",".join(DEFAULT_SIZES), help=f"corpora, any of {', '.join(CORPORA)}"
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="wheel cache")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per corpus (median)")
    args = parser.parse_args(argv)
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in args.sizes if s not in CORPORA]
    if unknown or not args.sizes:
        parser.error(f"--sizes takes a comma-separated subset of {', '.join(CORPORA)}")
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    return args


def compile_bytecode() -> None:
    """Write our packages' ``.pyc`` files, as installing them does (vulture's and ruff's are).

    With ``PYTHONDONTWRITEBYTECODE`` set, or an editable install never imported before, every
    run of ours would otherwise compile the engine's source (about 0.1 s).
    """
    for package in ("workflows", "benchmarks"):
        compileall.compile_dir(PROJECT_ROOT / package, quiet=1)


def main(argv: list[str] | None = None) -> int:
    """Prepare the corpora, measure, print the table, the accuracy and the targets."""
    args = parse_args(argv)
    began = time.perf_counter()
    missing = [name for name in ("vulture", "ruff") if not (BIN / name).is_file()]
    if missing:
        print(f"not found next to {sys.executable}: {', '.join(missing)}", file=sys.stderr)
        return 2
    corpora = [prepare_corpus(CORPORA[size], args.cache_dir) for size in args.sizes]
    compile_bytecode()
    print("\n".join(context_lines(args, corpora)), flush=True)
    rows: list[tuple[Corpus, dict[str, Measured], Run]] = []
    for corpus in corpora:
        for path in corpus.root.rglob("*.py"):  # warm the page cache for every tool alike
            path.read_bytes()
        results, touch = measure(corpus, args.repeat)
        seen = results["ours"].runs[-1].payload()["files"]
        if seen != corpus.files:
            print(f"  WARNING: ours analysed {seen} of the {corpus.files} files", flush=True)
        rows.append((corpus, results, touch))
    print()
    print("\n".join(render_table(rows)))
    for corpus, results, _ in rows:
        print()
        print("\n".join(render_accuracy(corpus, results)))
    print()
    print("Targets (issue), large corpus:")
    print("\n".join(render_targets(rows)))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\ntotal wall time: {time.perf_counter() - began:.1f} s (corpus set-up included); "
        f"load avg now {load}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
