"""Benchmark corpora: the Python sources of pinned, released wheels, cached on disk.

Each corpus is built once: ``pip download --no-deps --only-binary=:all: <pkg>==<version>``
(through ``sys.executable -m pip``) into ``<cache>/wheels/``, then only the ``*.py`` files under
the wheel's top-level package directories are extracted to ``<cache>/corpora/<name>/`` (no
``*.dist-info``/``*.data``, no top-level single-file modules). A ``corpus.json`` written last
marks a complete corpus and records its file and line counts; later runs reuse it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["CORPORA", "Corpus", "CorpusSpec", "count_lines", "prepare_corpus"]

MARKER = "corpus.json"


@dataclass(frozen=True, slots=True)
class CorpusSpec:
    """What a corpus is made of."""

    name: str
    requirements: tuple[str, ...]
    """Pinned ``pkg==version`` requirements; all their wheels are extracted under one root."""
    touch: str
    """Relative path of the file that the re-analysis measurement appends a comment to."""
    exclude: tuple[str, ...] = ()
    """Relative paths left out of the corpus (for every tool), with the reason in `note`."""
    note: str = ""


CORPORA: dict[str, CorpusSpec] = {
    spec.name: spec
    for spec in (
        CorpusSpec("small", ("click==8.1.8",), touch="click/core.py"),
        # flask 3.1.0 + werkzeug 3.1.3 together are only ~30k lines; Django is the
        # well-known pure-Python wheel closest to the ~100k the issue asks for.
        CorpusSpec("medium", ("django==5.1.4",), touch="django/db/models/query.py"),
        # Django's wheel is ~155k lines, short of 300k+. Twisted (tests included) is ~380k.
        CorpusSpec("large", ("twisted==24.11.0",), touch="twisted/internet/base.py"),
        # Not in the defaults: sympy, ~740k lines (about twice the run time of `large`).
        CorpusSpec(
            "xlarge",
            ("sympy==1.13.3",),
            touch="sympy/core/basic.py",
            exclude=("sympy/polys/numberfields/resolvent_lookup.py",),
            note=(
                "sympy/polys/numberfields/resolvent_lookup.py (a generated lookup table, AST "
                "depth 569) is left out: vulture 2.16 dies on it with RecursionError"
            ),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Corpus:
    """A prepared corpus on disk."""

    spec: CorpusSpec
    root: Path
    files: int
    lines: int
    wheels: tuple[str, ...]

    @property
    def name(self) -> str:
        """The corpus name (``small``, ``medium``, ``large``)."""
        return self.spec.name


def count_lines(data: bytes) -> int:
    """Lines in ``data``, counted as the engine counts them (a last line without ``\\n`` too)."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _download(requirement: str, wheel_dir: Path) -> Path:
    """The wheel for a pinned ``requirement``, downloaded into ``wheel_dir`` if not there yet."""
    target = wheel_dir / requirement.replace("==", "-")
    wheels = sorted(target.glob("*.whl"))
    if not wheels:
        target.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        command += ["--disable-pip-version-check", "-q", requirement, "-d", str(target)]
        print(f"  downloading {requirement} ...", flush=True)
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = sorted(target.glob("*.whl"))
        if done.returncode != 0 or len(wheels) != 1:
            raise RuntimeError(f"pip download {requirement} failed:\n{done.stderr[-2000:]}")
    return wheels[0]


def _package_sources(names: list[str]) -> list[str]:
    """Members of a wheel that are ``*.py`` files under a top-level package directory."""
    picked = []
    for name in names:
        parts = PurePosixPath(name).parts
        if len(parts) < 2 or not name.endswith(".py"):
            continue
        if parts[0].endswith((".dist-info", ".data")):
            continue
        picked.append(name)
    return picked


def _extract(wheel: Path, root: Path, exclude: tuple[str, ...]) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for name in _package_sources(archive.namelist()):
            if name in exclude:
                continue
            destination = root / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(name))


def prepare_corpus(spec: CorpusSpec, cache_dir: Path) -> Corpus:
    """The corpus for ``spec`` under ``cache_dir``, downloaded and extracted when not cached."""
    root = cache_dir / "corpora" / spec.name
    marker = root / MARKER
    expected = {"requirements": list(spec.requirements), "exclude": list(spec.exclude)}
    if marker.is_file():
        recorded = json.loads(marker.read_text())
        if {k: recorded.get(k) for k in expected} == expected:
            return Corpus(
                spec, root, recorded["files"], recorded["lines"], tuple(recorded["wheels"])
            )
    print(f"preparing corpus {spec.name} ({', '.join(spec.requirements)}) in {root}", flush=True)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    wheels = [_download(req, cache_dir / "wheels") for req in spec.requirements]
    for wheel in wheels:
        _extract(wheel, root, spec.exclude)
    sources = sorted(root.rglob("*.py"))
    lines = sum(count_lines(path.read_bytes()) for path in sources)
    info = {**expected, "files": len(sources), "lines": lines, "wheels": [w.name for w in wheels]}
    marker.write_text(json.dumps(info, indent=2) + "\n")
    return Corpus(spec, root, len(sources), lines, tuple(info["wheels"]))
