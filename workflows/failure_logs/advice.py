"""What to do about a failed run, from the kind of failure and its history on the same commit."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from workflows.failure_logs.signals import LABELS, FailureKind

# The kind that speaks for a run whose jobs failed differently: a failure in the code first
# (re-running cannot fix it), then what needs a person, then what a re-run may cure.
RUN_KIND_ORDER = (
    FailureKind.TEST,
    FailureKind.BUILD,
    FailureKind.LINT,
    FailureKind.OUT_OF_MEMORY,
    FailureKind.UNKNOWN,
    FailureKind.TIMEOUT,
    FailureKind.INFRASTRUCTURE,
)
CODE_KINDS = frozenset({FailureKind.TEST, FailureKind.BUILD, FailureKind.LINT})
PASSING_KINDS = frozenset({FailureKind.TIMEOUT, FailureKind.INFRASTRUCTURE})


class Action(StrEnum):
    """The next step we recommend."""

    RERUN = "rerun"
    LINEAR_ISSUE = "linear_issue"
    CODEGEN_FIX = "codegen_fix"
    NOTHING = "nothing"


ACTION_LABELS = {
    Action.RERUN: "Re-run the failed jobs",
    Action.LINEAR_ISSUE: "Open a Linear issue",
    Action.CODEGEN_FIX: "Ask Codegen for a fix",
    Action.NOTHING: "Nothing to do",
}


class Advice(BaseModel):
    """The recommendation and the reason for it, in one sentence."""

    action: Action
    reason: str

    @property
    def label(self) -> str:
        """`Re-run the failed jobs`, ..."""
        return ACTION_LABELS[self.action]


def run_kind(kinds: list[FailureKind]) -> FailureKind:
    """The kind of failure that speaks for the whole run."""
    return min(kinds, key=RUN_KIND_ORDER.index) if kinds else FailureKind.UNKNOWN


def recommend(
    kinds: list[FailureKind], *, flaky: bool, repeated: int, suspects: int | None
) -> Advice:
    """Re-run, a Linear issue or a Codegen fix.

    ``flaky``: the failed jobs also passed on this commit. ``repeated``: how many tries of this
    commit failed the same way (1 when only this one is known). ``suspects``: commits since the
    last green run, None when unknown.
    """
    if not kinds:
        return Advice(action=Action.NOTHING, reason="No job of this run failed.")
    kind = run_kind(kinds)
    label = LABELS[kind].lower()
    if flaky:
        return Advice(
            action=Action.RERUN,
            reason=f"The same job failed and passed on this commit: a flaky {label}.",
        )
    if kind in PASSING_KINDS:
        if repeated >= 2:
            return Advice(
                action=Action.LINEAR_ISSUE,
                reason=f"A {label} on each of {repeated} tries of this commit: a re-run will not "
                "cure it; someone should look.",
            )
        return Advice(action=Action.RERUN, reason=f"A {label} usually passes when run again.")
    if kind in CODE_KINDS:
        since = ""
        if suspects:
            noun = "commit" if suspects == 1 else "commits"
            since = f" It came with {suspects} {noun} since the last green run."
        return Advice(
            action=Action.CODEGEN_FIX,
            reason=f"A {label} in the code: a re-run will fail the same way.{since}",
        )
    return Advice(
        action=Action.LINEAR_ISSUE,
        reason=f"{LABELS[kind]}: this needs a person (runner size, memory, or a look at the log).",
    )
