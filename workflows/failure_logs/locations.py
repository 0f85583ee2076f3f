"""Where a lint or compiler line of a CI log points: `file.py:12:5: E501 ...` and friends.

Recognised: `path:line[:col]: message` (flake8, ruff, mypy, gcc, go), `path(line,col): message`
(tsc), `--> path:line:col` (rustc, ruff's full format) and `would reformat path` (black).
Paths under the runner's checkout (`/home/runner/work/<repo>/<repo>/`) are made relative;
other absolute paths and URLs are not places in the repository and are left out.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

_PATH = r"(?P<path>[\w./@+-]+?\.[A-Za-z0-9]+)"
_PREFIX = r"^(?:##\[(?:error|warning)\])?(?:-->\s*)?"
_COLON = re.compile(
    _PREFIX + _PATH + r":(?P<line>\d+)(?::(?P<col>\d+))?(?::\s*|\s+|$)(?P<rest>.*)$"
)
_PAREN = re.compile(_PREFIX + _PATH + r"\((?P<line>\d+)(?:,(?P<col>\d+))?\):?\s*(?P<rest>.*)$")
_REFORMAT = re.compile(r"^would reformat (?P<path>\S+)$")
_CHECKOUT = re.compile(r"^(?:/home/runner/work/[^/]+/[^/]+/|/github/workspace/|\./)")


class LogLocation(BaseModel):
    """A place in the repository a log line names, and what the line says about it."""

    path: str = Field(description="POSIX path from the repository's top")
    line: int = Field(ge=1)
    column: int | None = None
    message: str = Field(description="the line without its location (the whole line if empty)")


def relative_path(path: str) -> str | None:
    """`path` from the repository's top, or None when it is not a place inside it."""
    path = _CHECKOUT.sub("", path.strip())
    if not path or path.startswith(("/", "~")) or "://" in path or ".." in path.split("/"):
        return None
    return path


def location_of(text: str) -> LogLocation | None:
    """The place one cleaned log line names, if it names one."""
    text = text.strip()
    reformat = _REFORMAT.match(text)
    if reformat:
        path = relative_path(reformat["path"])
        return LogLocation(path=path, line=1, message=f"would reformat {path}") if path else None
    match = _COLON.match(text) or _PAREN.match(text)
    if match is None or int(match["line"]) < 1:
        return None
    path = relative_path(match["path"])
    if path is None:
        return None
    return LogLocation(
        path=path,
        line=int(match["line"]),
        column=int(match["col"]) if match["col"] else None,
        message=match["rest"].strip() or text,
    )
