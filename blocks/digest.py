"""The channel health digest as Block Kit (phone first), and the run's short thread result.

One section per area with two-column fields, at most five links each, a headline that says
the state in one line, and a context line with the period. Areas not connected say so.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.analysis import slack_link
from blocks.text import clip, clip_lines, duration, escape
from workflows.models.slack_notifications import (
    TOP,
    ActionsDigest,
    DigestResult,
    LinearDigest,
    Link,
    NotificationKind,
    PullRequestsDigest,
    SlackNotificationResult,
    Source,
    SourceState,
    SystemDigest,
)

SECTION_TEXT = 3000
FIELD_TEXT = 2000
SOURCE_MARKS = {SourceState.NOT_CONNECTED: "🔌", SourceState.ERROR: "⚠️"}


def percent(value: float | None) -> str:
    """`92%`, `92.5%`, or `n/a`."""
    if value is None:
        return "n/a"
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


def delta(points: float | None, unit: str = "") -> str:
    """`▲4`, `▼2.5`, `±0` (empty when unknown)."""
    if points is None:
        return ""
    shown = f"{abs(points):.0f}" if float(points).is_integer() else f"{abs(points):.1f}"
    if points > 0:
        return f"▲{shown}{unit}"
    if points < 0:
        return f"▼{shown}{unit}"
    return f"±0{unit}"


def headline(digest: DigestResult) -> str:
    """`CI 92% green (▲4) · 3 PRs waiting · 2 blocked`: the connected areas only."""
    parts = []
    actions = digest.actions
    if actions.source.ok:
        if actions.success_rate is None:
            parts.append(f"CI: {_plural(actions.runs, 'run')}")
        else:
            trend = delta(actions.rate_delta)
            parts.append(
                f"CI {percent(actions.success_rate)} green" + (f" ({trend})" if trend else "")
            )
    if digest.pulls.source.ok:
        parts.append(f"{_plural(digest.pulls.waiting_review, 'PR')} waiting")
    if digest.linear.source.ok:
        parts.append(f"{digest.linear.blocked} blocked")
    if digest.system.source.ok and digest.system.approvals_waiting:
        parts.append(f"{_plural(digest.system.approvals_waiting, 'approval')} waiting")
    return " · ".join(parts) or "Nothing connected to report on"


def digest_text(digest: DigestResult) -> str:
    """The notification's plain text."""
    return f"Channel health digest for {digest.period.label()}: {headline(digest)}"


def digest_blocks(digest: DigestResult) -> list[Block]:
    """The whole digest: header, headline, one section per area, the period."""
    return [
        HeaderBlock(text="📊 Channel health digest"),
        SectionBlock(text=MarkdownTextObject(text=f"*{escape(headline(digest))}*")),
        ContextBlock(elements=[MarkdownTextObject(text=_period_line(digest))]),
        DividerBlock(),
        *_actions(digest.actions),
        *_pulls(digest.pulls),
        *_linear(digest.linear),
        *_system(digest.system),
        *_host(digest),
        ContextBlock(elements=[MarkdownTextObject(text=_footer(digest))]),
    ]


def _footer(digest: DigestResult) -> str:
    period = digest.period
    chart = " Trend chart in the thread." if digest.actions.source.ok else ""
    return (
        f"Period {_stamp(period.start)} to {_stamp(period.end)} UTC, compared with the "
        f"period before.{chart}"
    )


def _period_line(digest: DigestResult) -> str:
    repo = digest.actions.repository
    where = f"`{escape(repo)}` · " if repo else ""
    return f"{where}{digest.period.label()}"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%b %d %H:%M")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _title(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _fields(*pairs: tuple[str, str]) -> SectionBlock:
    return SectionBlock(
        fields=[
            MarkdownTextObject(text=clip(f"*{label}*\n{value}", FIELD_TEXT))
            for label, value in pairs[:10]
        ]
    )


def _unavailable(title: str, source: Source) -> list[Block]:
    mark = SOURCE_MARKS.get(source.state, "")
    return [_title(f"{title}\n{mark} {escape(source.message)}")]


def _bullets(title: str, links: list[Link], total: int) -> SectionBlock | None:
    if not links:
        return None
    lines = [
        f"• {slack_link(link.url, link.title)}"
        + (f" · {escape(link.detail)}" if link.detail else "")
        for link in links[:TOP]
    ]
    hidden = max(0, total - len(lines))
    return _title(clip_lines([f"*{title}*", *lines], SECTION_TEXT, hidden=hidden))


def _present(*blocks: SectionBlock | None) -> list[Block]:
    return [b for b in blocks if b is not None]


def _actions(actions: ActionsDigest) -> list[Block]:
    title = "*⚙️ GitHub Actions*"
    if not actions.source.ok:
        return _unavailable(title, actions.source)
    runs_trend = delta(actions.runs - actions.previous_runs)
    rate_trend = delta(actions.rate_delta, " pts")
    failing = [
        Link(title=f.name, url=f.url, detail=f"{f.failures} of {_plural(f.runs, 'run')} failed")
        for f in actions.failing
    ]
    slow = [
        Link(title=j.name, url=j.url, detail=f"{j.workflow} · {duration(j.seconds)}")
        for j in actions.slowest
    ]
    return _present(
        _title(title),
        _fields(
            ("Runs", f"{actions.runs}" + (f" ({runs_trend} vs {actions.previous_runs})")),
            (
                "Success rate",
                percent(actions.success_rate) + (f" ({rate_trend})" if rate_trend else ""),
            ),
            ("Failed", str(actions.failed)),
            ("Flaky workflows", str(len(actions.flaky))),
        ),
        _bullets("Failing", failing, len(failing)),
        _bullets("Flaky", actions.flaky, len(actions.flaky)),
        _bullets("Slowest jobs", slow, len(slow)),
    )


def _pulls(pulls: PullRequestsDigest) -> list[Block]:
    title = "*🔀 Pull requests*"
    if not pulls.source.ok:
        return _unavailable(title, pulls.source)
    return _present(
        _title(title),
        _fields(
            ("Open", f"{pulls.open}" + (f" ({pulls.drafts} draft)" if pulls.drafts else "")),
            ("Waiting for review", str(pulls.waiting_review)),
            (f"Stale (> {pulls.stale_days} d)", str(pulls.stale)),
        ),
        _bullets("Waiting for review", pulls.waiting, pulls.waiting_review),
        _bullets("Stale", pulls.stale_links, pulls.stale),
    )


def _linear(linear: LinearDigest) -> list[Block]:
    title = "*📋 Linear*" + (f" · {escape(linear.team)}" if linear.team else "")
    if not linear.source.ok:
        return _unavailable(title, linear.source)
    return _present(
        _title(title),
        _fields(
            ("In progress", str(linear.in_progress)),
            ("Blocked", str(linear.blocked)),
            ("Done in period", str(linear.done)),
        ),
        _bullets("Blocked", linear.blocked_links, linear.blocked),
        _bullets("Done", linear.done_links, linear.done),
    )


def _system(system: SystemDigest) -> list[Block]:
    title = "*🤖 This system's runs*"
    if not system.source.ok:
        return _unavailable(title, system.source)
    blocks: list[Block] = [
        _title(title),
        _fields(
            ("Runs", f"{system.runs} ({system.failed} failed)"),
            ("Success rate", percent(system.success_rate)),
            ("Approvals waiting", str(system.approvals_waiting)),
            ("Escalations", str(system.escalations)),
        ),
    ]
    if system.worst:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=f"Most failures: `{escape(system.worst)}`")]
            )
        )
    return blocks


def _host(digest: DigestResult) -> list[Block]:
    title = "*🖥️ Host*"
    host = digest.host
    if host is None:
        return [_title(f"{title}\n⚠️ {escape(digest.host_error or 'not measured')}")]
    return [
        _title(title),
        _fields(
            ("CPU", f"{host.cpu_percent:.0f}%"),
            ("Memory", f"{host.memory_percent:.0f}%"),
            ("Disk", f"{host.disk_percent:.0f}% ({host.disk_free_gb:g} GB free)"),
        ),
    ]


# -- the run's thread result ----------------------------------------------------------------


def notification_text(result: SlackNotificationResult) -> str:
    """What the run's thread says was posted where."""
    request = result.request
    if request.kind is NotificationKind.MESSAGE or result.digest is None:
        return f"Message posted to <#{request.channel}>"
    return f"Digest for {result.digest.period.label()} posted to <#{request.channel}>"


def notification_blocks(result: SlackNotificationResult) -> list[Block]:
    """One line, and the digest's headline."""
    blocks: list[Block] = [_title(f"✅ {notification_text(result)}")]
    if result.digest is not None:
        line = escape(headline(result.digest))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=line)]))
    return blocks


def notification_outcome(result: SlackNotificationResult) -> str:
    """The parent message's outcome."""
    if result.digest is None:
        return "✅ message posted"
    return f"✅ {headline(result.digest)}"
