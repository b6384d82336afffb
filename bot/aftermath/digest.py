"""The weekly digest: last week's report summary, posted into the incident channel through the
outbox as a `channel_post` row (no incident). Its key names the ISO week, so a second run in the
same week (a restart, a second worker, a misfire catch-up) adds nothing: posted exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.aftermath import report
from bot.core import i18n
from bot.response import outbox
from models import Outbox

PERIOD = timedelta(days=7)


def digest_key(now: datetime) -> str:
    # The team's week: a digest set for Monday 02:00 in Sofia fires on Sunday (UTC) in summer and
    # on Monday in winter, and a UTC week would name the spring change's two runs alike.
    year, week, _ = i18n.local(now).isocalendar()
    return f"digest:{year}-W{week:02d}"


def enqueue_digest(session: Session, *, channel: str | None, now: datetime) -> bool:
    """Queue this week's digest; False when it was queued already."""
    key = digest_key(now)
    if session.scalar(select(Outbox.id).where(Outbox.key == key)) is not None:
        return False  # queued already: the week's report is not built again
    text = report.slack_summary(report.build(session, since=now - PERIOD, until=now))
    return outbox.enqueue_channel_post(session, key=key, channel=channel, text=text, now=now)
