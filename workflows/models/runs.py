"""What every run carries: where it was asked for, and the Linear issue id it may name."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

# A Linear issue identifier ("ZAM-1084") or an issue UUID.
LINEAR_ISSUE_ID = re.compile(
    r"^(?:[A-Za-z][A-Za-z0-9]{0,9}-[0-9]{1,9}|[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})$"
)


def normalise_issue_id(value: str) -> str:
    """`zam-1084` -> `ZAM-1084` (UUIDs in lower case); ValueError for anything else."""
    value = value.strip()
    if not LINEAR_ISSUE_ID.match(value):
        raise ValueError(f"'{value}' is not a Linear issue identifier such as ZAM-1084")
    return value.lower() if len(value) == 36 else value.upper()


class RunOrigin(BaseModel):
    """Where a run was asked for; the flow carries it but never acts on it."""

    source: str = Field("cli", description="cli, slack, schedule, webhook or workflow_step")
    user: str | None = None
    channel: str | None = None
    thread_ts: str | None = None


# A branch, tag or commit; never starting with `-` (git would read it as an option).
GIT_REF = re.compile(r"^(?!-)[A-Za-z0-9._/@{}^~-]{1,200}$")


def check_ref(value: str | None) -> str | None:
    """A git ref as given, or ValueError when git could misread it."""
    if value is not None and not GIT_REF.match(value):
        raise ValueError(f"'{value}' is not a valid git ref")
    return value


# Request field types that check themselves, e.g. `ref: GitRef | None`.
GitRef = Annotated[str, AfterValidator(check_ref)]
IssueId = Annotated[str, AfterValidator(normalise_issue_id)]
