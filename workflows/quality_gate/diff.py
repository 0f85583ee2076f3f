"""Which lines a pull request adds or changes, read from `git diff --unified=0` output.

Only the new side matters: a finding can only be new on a line that is there after the change.
Renames are remembered so that a file's old findings follow it to its new path.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_DEV_NULL = "/dev/null"


class FileLines(BaseModel):
    """One file of the diff: its path after the change and the line spans added there."""

    path: str = Field(description="path on the head side (POSIX, relative to the repository)")
    old_path: str | None = Field(None, description="path on the base side; None for a new file")
    spans: list[tuple[int, int]] = Field(
        default_factory=list, description="added or changed lines, inclusive 1-based spans"
    )

    @property
    def line_count(self) -> int:
        """How many lines the change adds or changes in this file."""
        return sum(end - start + 1 for start, end in self.spans)

    def first_changed(self, start: int, end: int) -> int | None:
        """The first changed line in ``start..end``, or None when none of them changed."""
        for low, high in self.spans:
            if low <= end and start <= high:
                return max(low, start)
        return None


class ChangedLines(BaseModel):
    """Every file the change leaves with added or changed lines, by its head path."""

    files: dict[str, FileLines] = Field(default_factory=dict)

    @property
    def line_count(self) -> int:
        """Added or changed lines over all files."""
        return sum(f.line_count for f in self.files.values())

    def renames(self) -> dict[str, str]:
        """Base path -> head path of the files that moved."""
        return {
            f.old_path: f.path for f in self.files.values() if f.old_path and f.old_path != f.path
        }

    def first_changed(self, path: str, start: int, end: int) -> int | None:
        """The first changed line of ``path`` in ``start..end``, or None."""
        found = self.files.get(path)
        return found.first_changed(start, end) if found else None


def unquote_path(text: str) -> str:
    """A path as git prints it: plain, or C-quoted (``"a/na\\303\\257ve.py"``) when unusual."""
    if not (len(text) >= 2 and text[0] == text[-1] == '"'):
        return text
    raw = text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return raw.encode("latin-1").decode("utf-8", "replace")


def _strip_prefix(path: str) -> str | None:
    path = unquote_path(path.rstrip("\t"))
    if path == _DEV_NULL:
        return None
    return path[2:] if path[:2] in ("a/", "b/") else path


class _Parser:
    """Walks the diff once, counting hunk bodies so an added ``+++`` line is not a header."""

    def __init__(self) -> None:
        self.files: dict[str, FileLines] = {}
        self.old: str | None = None
        self.new: str | None = None
        self.spans: list[tuple[int, int]] = []
        self.body = 0  # lines of the current hunk still to skip

    def feed(self, line: str) -> None:
        if self.body > 0:
            if not line.startswith("\\"):  # "\ No newline at end of file" is not a line
                self.body -= 1
            return
        if line.startswith("diff --git "):
            self.flush()
        elif line.startswith("rename from "):
            self.old = unquote_path(line.removeprefix("rename from "))
        elif line.startswith("rename to "):
            self.new = unquote_path(line.removeprefix("rename to "))
        elif line.startswith("--- "):
            self.old = _strip_prefix(line[4:])
        elif line.startswith("+++ "):
            self.new = _strip_prefix(line[4:])
        elif match := _HUNK.match(line):
            old_count = 1 if match[2] is None else int(match[2])
            start, count = int(match[3]), 1 if match[4] is None else int(match[4])
            if count:
                self.spans.append((start, start + count - 1))
            self.body = old_count + count

    def flush(self) -> None:
        if self.new is not None:
            self.files[self.new] = FileLines(path=self.new, old_path=self.old, spans=self.spans)
        self.old = self.new = None
        self.spans = []
        self.body = 0


def parse_unified_diff(text: str) -> ChangedLines:
    """The changed lines of ``git diff --unified=0 -M base...head`` output, per head path.

    Deleted files are left out (nothing of them is left to judge); a file renamed without
    edits is kept with no spans, so its old findings still follow it.
    """
    parser = _Parser()
    for line in text.splitlines():
        parser.feed(line)
    parser.flush()
    return ChangedLines(files=parser.files)
