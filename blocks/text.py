"""Small text helpers for Block Kit: escaping and truncation to Slack's limits."""

from __future__ import annotations


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip_lines(lines: list[str], limit: int, more: str = "…and {n} more", hidden: int = 0) -> str:
    """Join whole lines up to `limit` characters, saying how many were left out.

    `hidden` counts lines already left out by the caller; they are included in the count.
    """
    sizes = [0]  # sizes[k]: characters of the first k lines, without separators
    for line in lines:
        sizes.append(sizes[-1] + len(line))
    tail = ""
    for keep in range(len(lines), -1, -1):
        left = len(lines) - keep + hidden
        tail = more.format(n=left) if left else ""
        parts = keep + (1 if tail else 0)
        if sizes[keep] + len(tail) + max(parts - 1, 0) <= limit:
            return "\n".join(lines[:keep] + ([tail] if tail else []))
    return clip(tail, limit)


def duration(seconds: float) -> str:
    """`42 s`, `3 min 05 s`."""
    whole = int(seconds)
    if whole < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    return f"{whole // 60} min {whole % 60:02d} s"
