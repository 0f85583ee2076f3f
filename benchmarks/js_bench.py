"""Speed and memory of the JS/TS analysis on a real code base: in-process, workers, cache.

The corpus is an npm package tarball (default ``rxjs@7.8.1``, whose tarball ships its
TypeScript ``src/``), fetched from the npm registry at run time and cached under
``~/.cache/cicd-chatops/bench/``; the engine analyses what its discovery keeps (``dist/`` and
the like are excluded). Every measurement runs ``analyze_javascript`` in a fresh process:

- cold, ``workers=1`` (everything in one process), ``workers=2``, and the default (``None``:
  workers only above the size threshold);
- with the cache: a run that fills it, a run with nothing changed, and a run after appending
  a comment to one file.

Each is repeated ``--repeat`` times (median wall time of the analysis call, max peak RSS of
the analysing process; worker processes are forkserver children, which it does not see).
It also checks that every run reports the same
findings and graph. Timings are only comparable within one run: the machine is shared.

Run: ``.venv/bin/python -m benchmarks.js_bench [--packages rxjs@7.8.1,...] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CACHE = Path.home() / ".cache" / "cicd-chatops" / "bench"
DEFAULT_REGISTRY = "https://registry.npmjs.org/"
# The file each package's re-analysis measurement appends a comment to.
TOUCH = {"rxjs": "src/internal/Observable.ts", "date-fns": "addDays.js"}
MARKER = "corpus.json"


@dataclass(frozen=True, slots=True)
class Corpus:
    """An unpacked npm package."""

    name: str
    version: str
    root: Path
    touch: str


def _registry() -> str:
    """The registry npm is configured with (the public one when npm is not installed)."""
    npm = shutil.which("npm")
    if npm is None:
        return DEFAULT_REGISTRY
    done = subprocess.run([npm, "config", "get", "registry"], capture_output=True, text=True)
    url = done.stdout.strip()
    return url if done.returncode == 0 and url.startswith("http") else DEFAULT_REGISTRY


def prepare(spec: str, cache_dir: Path) -> Corpus:
    """The package ``name@version`` unpacked under ``cache_dir`` (downloaded when missing)."""
    name, _, version = spec.rpartition("@")
    if not name or not version:
        raise SystemExit(f"expected name@version, got {spec!r}")
    slug = f"{name.replace('/', '-').lstrip('@')}-{version}"
    root = cache_dir / "corpora" / f"npm-{slug}"
    tarball = cache_dir / "npm" / f"{slug}.tgz"
    touch = TOUCH.get(name, "")
    if not (root / MARKER).is_file():
        if not tarball.is_file():
            url = f"{_registry().rstrip('/')}/{name}/-/{name.rpartition('/')[2]}-{version}.tgz"
            print(f"downloading {url}", flush=True)
            tarball.parent.mkdir(parents=True, exist_ok=True)
            with urllib.request.urlopen(url, timeout=60) as response:
                data = response.read()
            tarball.write_bytes(data)
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        with tarfile.open(tarball) as archive:
            archive.extractall(root, filter="data")
        sha = hashlib.sha256(tarball.read_bytes()).hexdigest()
        (root / MARKER).write_text(json.dumps({"package": spec, "sha256": sha}) + "\n")
    return Corpus(name, version, root / "package", touch)


def _child(root: str, workers: str, cache: str) -> None:
    """Run one analysis in this (fresh) process and print its figures as JSON."""
    from workflows.analysis.javascript import analyze_javascript

    started = time.perf_counter()
    analysis = analyze_javascript(
        root,
        workers=None if workers == "auto" else int(workers),
        cache_dir=cache or None,
    )
    wall = time.perf_counter() - started
    report = analysis.model_dump(mode="json")
    digest = hashlib.sha256(
        json.dumps([report["findings"], report["graph"]], sort_keys=True).encode()
    ).hexdigest()
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "wall_s": wall,
                "files": analysis.files_analyzed,
                "lines": analysis.lines_analyzed,
                "findings": len(analysis.findings),
                "files_cached": analysis.files_cached,
                "digest": digest,
                "rss_mb": self_kb / 1024,
            }
        )
    )


def _run(root: Path, workers: str, cache: Path | None = None) -> dict:
    command = [sys.executable, "-m", "benchmarks.js_bench", "--child", str(root), workers]
    command.append(str(cache) if cache is not None else "")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _touched(corpus: Corpus, workers: str, scratch: Path) -> tuple[dict, dict, dict]:
    """(filling run, unchanged run, run after appending to one file), all with the cache."""
    tree = scratch / "tree"
    cache = scratch / "cache"
    shutil.rmtree(tree, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    shutil.copytree(corpus.root, tree)
    filling = _run(tree, workers, cache)
    unchanged = _run(tree, workers, cache)
    with (tree / corpus.touch).open("a", encoding="utf-8") as handle:
        handle.write("\n// touched by the benchmark\n")
    touched = _run(tree, workers, cache)
    return filling, unchanged, touched


def measure(corpus: Corpus, repeat: int) -> tuple[list[tuple[str, list[dict]]], set[str]]:
    """Every measured row of ``corpus`` with its runs, and the findings digests seen."""
    rows: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="js-bench-") as scratch:
        for _ in range(repeat):
            for label, workers in (
                ("cold, workers=1", "1"),
                ("cold, workers=2", "2"),
                ("cold, default workers", "auto"),
            ):
                rows.setdefault(label, []).append(_run(corpus.root, workers))
            if corpus.touch:
                filling, unchanged, touched = _touched(corpus, "auto", Path(scratch))
                rows.setdefault("cache: first run (fills it)", []).append(filling)
                rows.setdefault("cache: nothing changed", []).append(unchanged)
                rows.setdefault(f"cache: after touching {corpus.touch}", []).append(touched)
    digests = {
        run["digest"] for label, runs in rows.items() if "touching" not in label for run in runs
    }
    return list(rows.items()), digests


def render(corpus: Corpus, rows: list[tuple[str, list[dict]]], digests: set[str]) -> list[str]:
    """The table for one corpus, as Markdown lines."""
    first = rows[0][1][0]
    lines = [
        f"{corpus.name} {corpus.version}: {first['files']:,} files, {first['lines']:,} lines, "
        f"{first['findings']} findings; same findings and graph in every untouched run: "
        f"{'yes' if len(digests) == 1 else 'NO'}",
        "",
        "| run (fresh process) | wall s (median) | files parsed | files cached | peak RSS MB |",
        "|---|--:|--:|--:|--:|",
    ]
    for label, runs in rows:
        wall = statistics.median(run["wall_s"] for run in runs)
        cached = runs[-1]["files_cached"]
        rss = max(run["rss_mb"] for run in runs)
        lines.append(
            f"| {label} | {wall:.3f} | {runs[-1]['files'] - cached} | {cached} | {rss:.0f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Prepare the corpora, measure, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", default="rxjs@7.8.1", help="comma-separated name@version")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    print(
        f"# JS/TS analysis benchmark, {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}, repeat {args.repeat}",
        flush=True,
    )
    for spec in args.packages.split(","):
        corpus = prepare(spec.strip(), args.cache_dir)
        rows, digests = measure(corpus, args.repeat)
        print("\n".join(["", *render(corpus, rows, digests)]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
