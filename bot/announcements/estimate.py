"""How long an announcement's remaining sends take at the platforms' posting limits, for its author.

The rate is the shared schedule's (`send_pace`, lowered after a refusal) when one exists for the
platform's posting quota, else the published limit the senders pace by, times `COACH_QUOTA_SCALE`.
Each platform sends at its own pace at once, so the slowest platform's share sets the finish.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.announcements.models import Announcement
from bot.outbox.models import OutboxMessage, OutboxState, SendPace
from bot.people import service as people

# platform -> (its posting quota's method in send_pace keys, sends per second as paced, how it is named)
POSTING = {
    "slack": ("chat.postMessage", 600 * 0.9 / 60, "Slack's limit"),
    "teams": ("send", 40.0, "Teams' limit"),
}


def finish_text(
    *, session: Session, announcement: Announcement, pending: int, scale: float = 1.0
) -> str | None:
    """ "~17 min at Slack's limit" for `pending` sends still to go, or None when nothing is left."""
    assert announcement.id is not None
    if pending <= 0:
        return None
    queued = dict(
        session.exec(
            select(OutboxMessage.platform, func.count())
            .where(
                col(OutboxMessage.idempotency_key).startswith(f"announcement:{announcement.id}:person:"),
                col(OutboxMessage.state).in_([OutboxState.pending, OutboxState.sending]),
                col(OutboxMessage.platform).in_(list(POSTING)),
            )
            .group_by(OutboxMessage.platform)
        ).all()
    )
    if not queued:  # none queued on a paced platform yet: the author's own platform, if it is one
        platform = _authors_platform(session, announcement)
        if platform is None:
            return None
        queued = {platform: 0}
    busiest = max(queued, key=lambda p: queued[p])
    queued[busiest] += max(0, pending - sum(queued.values()))  # not fanned out yet: most go the same way
    seconds, platform = max((queued[p] / _rate(session, p, scale), p) for p in queued)
    return f"{_duration(seconds)} at {POSTING[platform][2]}"


def _authors_platform(session: Session, announcement: Announcement) -> str | None:
    if announcement.author_id is None:
        return None
    identity = people.reachable_identity(session=session, person_id=announcement.author_id)
    return identity.platform if identity is not None and identity.platform in POSTING else None


def _rate(session: Session, platform: str, scale: float) -> float:
    method, published, _ = POSTING[platform]
    shared = session.exec(
        select(func.min(SendPace.rate)).where(
            col(SendPace.key).startswith(f"{platform}:"), col(SendPace.key).endswith(f":{method}")
        )
    ).first()
    return float(shared) if shared else published * scale


def _duration(seconds: float) -> str:
    if seconds < 60:
        return "under a minute"
    if seconds < 90 * 60:
        return f"~{round(seconds / 60)} min"
    return f"~{seconds / 3600:.1f} h"
