"""Action ids of the buttons the bot renders; the bot's action listeners use the same names."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

RETRY = "cicd_retry"
OPEN_ISSUE = "cicd_open_issue"
REQUEST_FIX = "cicd_request_fix"
ALL = (RETRY, OPEN_ISSUE, REQUEST_FIX)


def retry_button(run_id: str, *, primary: bool = False) -> ButtonElement:
    """Start a new run with the same parameters."""
    return ButtonElement(
        text="Re-run", action_id=RETRY, value=run_id, style="primary" if primary else None
    )


def result_actions(run_id: str) -> ActionsBlock:
    """The buttons under a result: re-run, open an issue, ask for a fix."""
    return ActionsBlock(
        block_id="cicd_result_actions",
        elements=[
            retry_button(run_id),
            ButtonElement(text="Open issue", action_id=OPEN_ISSUE, value=run_id),
            ButtonElement(text="Ask for a fix", action_id=REQUEST_FIX, value=run_id),
        ],
    )
