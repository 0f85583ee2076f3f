"""Posting a `slack_notifications` run: the digest (Block Kit plus its trend chart) or a message.

`deliver_notification` is the run type's delivery handler (`bot.runs.deliveries.HANDLERS`).
"""

from bot.digests.delivery import deliver_notification

__all__ = ["deliver_notification"]
