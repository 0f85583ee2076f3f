"""Resolving import specifiers: relative ones to analysed files, bare ones to package names."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Literal

__all__ = [
    "NODE_BUILTINS",
    "RESOLVE_EXTENSIONS",
    "SpecifierKind",
    "classify_specifier",
    "package_entry_files",
    "package_name",
    "resolve_relative",
]

SpecifierKind = Literal["relative", "package", "builtin", "other"]

RESOLVE_EXTENSIONS: tuple[str, ...] = (
    ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".d.ts",
)  # fmt: skip
"""Tried in order after the exact path, then as ``<dir>/index<ext>``."""

# TypeScript's ESM convention: `import "./a.js"` names the output of `a.ts`.
_SOURCE_FOR_OUTPUT: dict[str, tuple[str, ...]] = {
    ".js": (".ts", ".tsx"),
    ".jsx": (".tsx",),
    ".mjs": (".mts",),
    ".cjs": (".cts",),
}

NODE_BUILTINS: frozenset[str] = frozenset(
    {
        "assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants",
        "crypto", "dgram", "diagnostics_channel", "dns", "domain", "events", "fs", "http", "http2",
        "https", "inspector", "module", "net", "os", "path", "perf_hooks", "process", "punycode",
        "querystring", "readline", "repl", "stream", "string_decoder", "sys", "timers", "tls",
        "trace_events", "tty", "url", "util", "v8", "vm", "wasi", "worker_threads", "zlib",
    }
)  # fmt: skip
"""Node.js core modules (also importable with a ``node:`` prefix): not third-party packages."""

# npm package names: optional @scope/, then a name not starting with ".", "_" or "~" (the
# last two are the usual path-alias prefixes, "~/x", "@/x", which are not packages).
_PACKAGE_RE = re.compile(r"(@[A-Za-z0-9-][\w.~-]*/)?[A-Za-z0-9-][\w.~-]*")
_ENTRY_FIELDS = ("main", "module", "browser", "exports", "bin")


def classify_specifier(specifier: str) -> SpecifierKind:
    """``relative`` (``./a``, ``../b``), ``package`` (``react``, ``@scope/pkg/sub``),
    ``builtin`` (``fs``, ``node:fs``), or ``other`` (aliases like ``@/x``, URLs, ``#imports``)."""
    if specifier in (".", "..") or specifier.startswith(("./", "../")):
        return "relative"
    if specifier.startswith("node:"):
        return "builtin"
    name = package_name(specifier)
    if name is None:
        return "other"
    return "builtin" if name in NODE_BUILTINS or name.split("/")[0] in NODE_BUILTINS else "package"


def package_name(specifier: str) -> str | None:
    """The top-level npm package a bare specifier names (``@scope/pkg`` for
    ``@scope/pkg/sub``), or None when it is not a package specifier."""
    parts = specifier.split("/")
    name = "/".join(parts[:2]) if specifier.startswith("@") else parts[0]
    if not name or ":" in name or not _PACKAGE_RE.fullmatch(name):
        return None
    return name


def _candidates(base: str) -> Iterator[str]:
    if base:
        yield base
        stem, suffix = posixpath.splitext(base)
        for source_suffix in _SOURCE_FOR_OUTPUT.get(suffix, ()):
            yield stem + source_suffix
        for extension in RESOLVE_EXTENSIONS:
            yield base + extension
    prefix = f"{base}/index" if base else "index"
    for extension in RESOLVE_EXTENSIONS:
        yield prefix + extension


def resolve_relative(importer: str, specifier: str, files: Collection[str]) -> str | None:
    """The analysed file that relative ``specifier`` in file ``importer`` names, or None.

    Tries the exact path, ``.js`` -> ``.ts`` source files, each extension of
    `RESOLVE_EXTENSIONS`, then ``<path>/index.<ext>``. Paths leaving the root resolve to None.
    """
    joined = posixpath.join(posixpath.dirname(importer), specifier.split("?", 1)[0])
    base = posixpath.normpath(joined) if joined else "."
    if base == ".." or base.startswith("../"):
        return None
    base = "" if base == "." else base
    return next((c for c in _candidates(base) if c in files), None)


def _entry_strings(value: object) -> Iterator[str]:
    """Every string leaf of a package.json field (``exports`` nests conditions and subpaths)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _entry_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _entry_strings(item)


def _manifest_entries(directory: str, manifest: object, files: Collection[str]) -> Iterator[str]:
    if not isinstance(manifest, dict):
        return
    importer = posixpath.join(directory, "package.json")
    for field in _ENTRY_FIELDS:
        for target in _entry_strings(manifest.get(field)):
            if "*" in target or target.startswith(("/", "..")):
                continue
            relative = target if target.startswith("./") else f"./{target}"
            resolved = resolve_relative(importer, relative, files)
            if resolved is not None:
                yield resolved


def package_entry_files(root: Path, files: Collection[str]) -> set[str]:
    """Analysed files named by the main/module/browser/exports/bin fields of the package.json
    at ``root`` or in any directory holding analysed files (workspaces of a monorepo).

    Missing or unreadable manifests are skipped.
    """
    directories = {""}
    for path in files:
        parent = posixpath.dirname(path)
        while parent and parent not in directories:
            directories.add(parent)
            parent = posixpath.dirname(parent)
    entries: set[str] = set()
    for directory in sorted(directories):
        try:
            text = (root / directory / "package.json").read_text(encoding="utf-8")
            manifest = json.loads(text)
        except (OSError, ValueError):
            continue
        entries.update(_manifest_entries(directory, manifest, files))
    return entries
