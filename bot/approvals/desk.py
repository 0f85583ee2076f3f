"""`ApprovalDesk`: approval requests in Slack. It posts what a paused run waits for, checks
each click against the policy, lets exactly one decision through, escalates, and closes.

Nothing here lives only in memory. The request, the message's place, the levels reached and
the decision are flow-run inputs of the run itself (see `workflows.governance.approvals`), so
buttons keep working across bot restarts. Within one bot a lock per run orders the clicks; across
replicas the create-only decision key does: whoever writes it first decides.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Literal
from uuid import UUID

from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.responses import SetStateStatus
from slack_sdk.web.async_client import AsyncWebClient

from blocks.approvals import Closed, slack_date, who_text
from blocks.text import duration, escape
from bot.approvals.messages import RequestMessages
from bot.approvals.notify import Notifier
from bot.approvals.pending import Pending, load_pending, now, status_of
from bot.directory import SlackDirectory
from workflows.config import OrchestrationConfig
from workflows.governance import audit
from workflows.governance.access import Rules, escalation_state, may_decide, may_escalate
from workflows.governance.approvals import (
    TIMEOUT,
    ApprovalRequest,
    Decided,
    approval_name,
    claim,
    decision_key,
    level_key,
    message_key,
    read_value,
    read_values,
)
from workflows.governance.audit import AuditKind, AuditRecord

log = logging.getLogger(__name__)
Decision = Literal["approve", "reject"]
MISSING = "I can't find that approval request any more; the run may have been deleted."


class ApprovalDesk:
    """Approval requests: post, decide, escalate, time out, close."""

    def __init__(
        self,
        client: AsyncWebClient,
        config: OrchestrationConfig,
        directory: SlackDirectory,
        notifier: Notifier,
    ) -> None:
        self.client = client
        self.messages = RequestMessages(client)
        self.config = config
        self.policy = config.access_policy
        self.directory = directory
        self.notifier = notifier
        self._locks: dict[str, asyncio.Lock] = {}
        self._unroutable: set[str] = set()
        self._open: set[str] = set()  # runs seen waiting at the last scan

    def lock(self, run_id: str) -> asyncio.Lock:
        """The lock that orders everything done to one run's approvals in this process."""
        return self._locks.setdefault(run_id, asyncio.Lock())

    # -- reading ------------------------------------------------------------------------------

    def rules(self, pending: Pending) -> Rules:
        """The policy for the run's workflow type."""
        return self.policy.rules(pending.request.workflow)

    # -- the loop -----------------------------------------------------------------------------

    async def scan(self) -> None:
        """Look at every run paused for an approval once."""
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
                ),
                limit=200,
            )
        waiting: set[str] = set()
        for run in runs:
            name = approval_name(run.state.state_details.pause_key if run.state else None)
            if name is not None:
                waiting.add(str(run.id))
                try:
                    await self.tick(str(run.id), name)
                except Exception:
                    log.exception("approval of run %s (%s) not handled", run.id, run.name)
        # A run that stopped waiting without a decision here (Prefect's own timeout, a resume
        # in the Prefect UI, a crash): its request must not keep live buttons.
        for run_id in self._open - waiting:
            try:
                await self.close(run_id, "gone", audit.SYSTEM, "the run stopped waiting")
            except Exception:
                log.exception("approval request of run %s not closed", run_id)
        self._open = waiting

    async def tick(self, run_id: str, name: str | None = None) -> None:
        """Post the request if nobody has, then escalate or time out as the policy says."""
        async with self.lock(run_id), get_client() as client:
            pending = await load_pending(client, run_id, name)
            if pending is None or not pending.paused:
                return
            if pending.decided is not None:  # decided, but the run was never resumed
                await self._resume(client, pending)
                return
            rules = self.rules(pending)
            if pending.message is None:
                await self._post(client, pending, rules)
                if pending.message is None:
                    return
            state = escalation_state(rules, pending.requested_at, pending.reached, now())
            if state.timed_out:
                await self._time_out(client, pending, rules)
            elif state.due_level is not None and state.next_due is not None:
                await self._escalate(client, pending, rules, state.due_level, state.next_due, None)

    # -- clicks -------------------------------------------------------------------------------

    async def decide(
        self,
        run_id: str,
        name: str,
        user: str,
        decision: Decision,
        clicked: tuple[str, str] | None = None,
        comment: str = "",
    ) -> str | None:
        """Approve or reject for `user`; returns what to tell them privately, if anything.

        `clicked` is the (channel, ts) of the message whose button was pressed.
        """
        async with self.lock(run_id), get_client() as client:
            pending = await load_pending(client, run_id, name)
            if pending is None:
                return MISSING
            await self._adopt_message(client, pending, clicked)
            refusal = await self._refusal(client, pending, user, decision)
            if refusal:
                return refusal
            rules = self.rules(pending)
            level = escalation_state(rules, pending.requested_at, pending.reached, now()).level
            decided = Decided(
                decision=decision,
                who=user,
                at=now(),
                comment=comment.strip()[:500],
                permalink=(pending.message or {}).get("permalink"),
            )
            if not await claim(
                client, pending.run.id, decision_key(name), decided.model_dump(mode="json")
            ):
                again = await load_pending(client, run_id, name)
                return await self._closed_reason(again) if again else None
            pending.decided = decided
            await self._render(pending, rules)
            problem = await self._resume(client, pending)
            kind = AuditKind.APPROVED if decision == "approve" else AuditKind.REJECTED
            what = f"{kind.value} “{pending.request.title}” ({pending.request.summary})"
            if decided.comment:
                what += f": “{decided.comment}”"
            await self._audit(client, pending, kind, user, what, level=level + 1)
            mark = "✅ Approved" if decision == "approve" else "❌ Rejected"
            why = f": “{escape(decided.comment)}”" if decided.comment else ""
            follow = "the run continues" if decision == "approve" else "nothing will be changed"
            await self.messages.reply(pending, f"{mark} by <@{user}>{why}; {follow}.")
            return f"⚠️ {problem}" if problem else None

    async def precheck(
        self, run_id: str, name: str, user: str, decision: Decision
    ) -> tuple[ApprovalRequest | None, str | None]:
        """The request, and why `user` cannot decide it now (None if they can); asked before
        opening the reason modal, and asked again when it is submitted."""
        async with self.lock(run_id), get_client() as client:
            pending = await load_pending(client, run_id, name)
            if pending is None:
                return None, MISSING
            return pending.request, await self._refusal(client, pending, user, decision)

    async def _refusal(
        self, client: PrefectClient, pending: Pending, user: str, decision: Decision
    ) -> str | None:
        """Already decided, no longer waiting, or not `user`'s to decide: what to say; else None."""
        refusal = await self._closed_reason(pending)
        if refusal:
            return refusal
        rules = self.rules(pending)
        level = escalation_state(rules, pending.requested_at, pending.reached, now()).level
        groups = await self.directory.groups_of(user, rules.groups())
        verdict = may_decide(rules, user, pending.request.requested_by, level, groups)
        if verdict.allowed:
            return None
        what = f"tried to {decision} “{pending.request.title}” without the right"
        await self._audit(client, pending, AuditKind.DENIED, user, what)
        return f"⛔ {verdict.reason} Nothing was changed."

    async def escalate(
        self, run_id: str, name: str, user: str, clicked: tuple[str, str] | None = None
    ) -> str | None:
        """Move the request to its next level now, for `user`."""
        async with self.lock(run_id), get_client() as client:
            pending = await load_pending(client, run_id, name)
            if pending is None:
                return MISSING
            await self._adopt_message(client, pending, clicked)
            refusal = await self._closed_reason(pending)
            if refusal:
                return refusal
            rules = self.rules(pending)
            state = escalation_state(rules, pending.requested_at, pending.reached, now())
            groups = await self.directory.groups_of(user, rules.groups())
            verdict = may_escalate(rules, user, pending.request.requested_by, state.level, groups)
            if not verdict.allowed:
                what = f"tried to escalate “{pending.request.title}” without the right"
                await self._audit(client, pending, AuditKind.DENIED, user, what)
                return f"⛔ {verdict.reason} Nothing was changed."
            following = state.level + 1
            if following >= len(rules.levels):
                when = slack_date(state.next_due) if state.next_due else "at its timeout"
                return (
                    "This request is already at its last escalation level; if nobody decides "
                    f"it is rejected {when}."
                )
            if not await self._escalate(client, pending, rules, following, now(), user):
                return "Someone escalated this request a moment ago."
            return None

    async def close(self, run_id: str, outcome: str, who: str, note: str = "") -> None:
        """Show an open request as closed (e.g. its run was cancelled); buttons go away."""
        self._open.discard(run_id)
        async with self.lock(run_id), get_client() as client:
            stored = await read_values(client, UUID(run_id), "cicd-")
            names = [k[len("cicd-") : -len("-request")] for k in stored if k.endswith("-request")]
            for name in names:
                pending = await load_pending(client, run_id, name)
                if pending is None or pending.message is None or pending.decided is not None:
                    continue
                await self.messages.show(pending, Closed(outcome, who, now(), note))

    # -- steps --------------------------------------------------------------------------------

    async def _adopt_message(
        self, client: PrefectClient, pending: Pending, clicked: tuple[str, str] | None
    ) -> None:
        """Know every copy of the request a person clicked on.

        A bot stopped between posting a request and recording where has left a message nobody
        recorded: the click says where it is. Another copy (posted again later) is remembered
        too, so that closing the request takes the buttons off both.
        """
        if clicked is None:
            return
        channel, ts = clicked
        if pending.message is None:
            where = {
                "channel": channel,
                "ts": ts,
                "thread_ts": pending.request.origin.thread_ts if pending.request.origin else None,
                "permalink": await self.messages.permalink(channel, ts),
            }
            if await claim(client, pending.run.id, message_key(pending.name), where):
                pending.message = where
                return
            pending.message = await read_value(client, pending.run.id, message_key(pending.name))
        if pending.message is not None and pending.message.get("ts") != ts:
            pending.copies.append({"channel": channel, "ts": ts})

    async def _closed_reason(self, pending: Pending) -> str | None:
        """Why a click can do nothing now (already decided, run gone on); None if it can."""
        decided = pending.decided
        rules = self.rules(pending)
        if decided is not None:
            await self._render(pending, rules)  # make sure the buttons are gone
            if decided.who == TIMEOUT:
                return f"Already rejected: nobody decided in time ({slack_date(decided.at)})."
            verb = "approved" if decided.decision == "approve" else "rejected"
            return f"Already {verb} by {who_text(decided.who)} {slack_date(decided.at)}."
        if not pending.paused:
            state = pending.run.state
            words = (state.name or state.type.value).lower() if state else "gone"
            await self.messages.show(pending, Closed("gone", None, now(), f"the run is {words}"))
            return f"This run is no longer waiting for approval: it is {words}."
        return None

    async def _post(self, client: PrefectClient, pending: Pending, rules: Rules) -> None:
        """Post the request in the run's thread (or the approval channel) and claim it."""
        origin = pending.request.origin
        if origin is not None and origin.channel:
            channel, thread_ts = origin.channel, origin.thread_ts
        elif self.policy.approval_channel:
            channel, thread_ts = self.policy.approval_channel, None
        else:
            if pending.run_id not in self._unroutable:
                self._unroutable.add(pending.run_id)
                log.warning(
                    "run %s waits for approval but was not started from Slack; set "
                    "access_policy.approval_channel to have its request posted",
                    pending.run.name,
                )
            return
        first = rules.levels[0].notify.mentions()
        where = await self.messages.post(
            pending, status_of(pending, rules), channel, thread_ts, mention=first
        )
        if where is None:
            return
        if not await claim(client, pending.run.id, message_key(pending.name), where):
            await self.messages.delete(where)
            return
        pending.message = where
        start = {"since": pending.requested_at.isoformat(), "by": None}
        if await claim(client, pending.run.id, level_key(pending.name, 0), start):
            pending.reached[0] = pending.requested_at
            await self._notify(pending, rules, 0, None)
        what = f"asked for approval of “{pending.request.title}” ({pending.request.summary})"
        actor = pending.request.requested_by or audit.SYSTEM
        await self._audit(client, pending, AuditKind.REQUESTED, actor, what, level=1)

    async def _escalate(
        self,
        client: PrefectClient,
        pending: Pending,
        rules: Rules,
        level: int,
        since: datetime,
        by: str | None,
    ) -> bool:
        """Record and announce `level`; False if it had been recorded already."""
        entry = {"since": since.isoformat(), "by": by, "notified_at": now().isoformat()}
        if not await claim(client, pending.run.id, level_key(pending.name, level), entry):
            return False
        pending.reached[level] = since
        done = await self._notify(pending, rules, level, by)
        await self._render(pending, rules)
        who = rules.levels[level].notify.mentions() or "nobody named"
        what = f"escalated “{pending.request.title}” to level {level + 1} ({who})"
        if done:
            what += f": {', '.join(done)}"
        await self._audit(
            client, pending, AuditKind.ESCALATED, by or audit.SYSTEM, what, level=level + 1
        )
        return True

    async def _notify(
        self, pending: Pending, rules: Rules, level: int, by: str | None
    ) -> list[str]:
        thread = pending.thread
        if thread is None:
            return []
        return await self.notifier.notify(
            pending.request,
            level,
            rules.levels[level].notify,
            channel=thread[0],
            thread_ts=thread[1],
            permalink=(pending.message or {}).get("permalink"),
            by=by,
        )

    async def _time_out(self, client: PrefectClient, pending: Pending, rules: Rules) -> None:
        """Nobody decided after the last level: reject, and say so."""
        waited = duration(rules.total_wait.total_seconds())
        levels = len(rules.levels)
        comment = f"nobody decided within {waited} ({levels} level{'s' if levels != 1 else ''})"
        decided = Decided(decision="reject", who=TIMEOUT, at=now(), comment=comment)
        if not await claim(
            client, pending.run.id, decision_key(pending.name), decided.model_dump(mode="json")
        ):
            return
        pending.decided = decided
        await self._render(pending, rules)
        await self._resume(client, pending)
        await self.messages.reply(pending, f"⌛ Rejected: {comment}. Nothing will be changed.")
        what = f"rejected “{pending.request.title}” by timeout: {comment}"
        await self._audit(client, pending, AuditKind.TIMED_OUT, audit.SYSTEM, what, level=levels)

    async def _resume(self, client: PrefectClient, pending: Pending) -> str | None:
        """Hand the decision to the run; a problem is shown on the message and returned."""
        assert pending.decided is not None
        problem = None
        try:
            result = await client.resume_flow_run(
                pending.run.id, run_input=pending.decided.as_input()
            )
            if result.status is not SetStateStatus.ACCEPT:
                reason = getattr(result.details, "reason", None) or result.status.value
                problem = f"the run could not be resumed: {reason}"
        except Exception as exc:
            problem = f"the run could not be resumed: {exc}"
        if problem:
            log.error("run %s: %s", pending.run.name, problem)
            await self._render(pending, self.rules(pending), note=problem)
        return problem

    async def _render(self, pending: Pending, rules: Rules, note: str = "") -> None:
        await self.messages.show(pending, status_of(pending, rules, note))

    async def _audit(
        self,
        client: PrefectClient,
        pending: Pending,
        kind: AuditKind,
        actor: str,
        what: str,
        *,
        level: int | None = None,
    ) -> None:
        message = pending.message or {}
        entry = AuditRecord(
            kind=kind,
            actor=actor,
            what=what,
            run_id=pending.run_id,
            run_name=pending.run.name,
            workflow=pending.request.workflow,
            channel=message.get("channel"),
            permalink=message.get("permalink"),
            level=level,
        )
        await audit.record(client, self.config.cicd_data_dir, entry)
