"""A workspace (a Slack team, a Teams tenant) that removed the coach: stop sending there, tell admins.
One whose events the platform stops delivering for a while (Slack's app_rate_limited): tell admins once.

Nothing of the workspace's people is deleted (the privacy statement's periods apply); their identities
there are marked unreachable, so new messages for them wait as unreachable and go out again once they
write after a reinstall (people.resolve makes an identity reachable on contact).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlmodel import Session, col, select

from bot.attention import Attention
from bot.audit import service as audit
from bot.config import Settings
from bot.markdown import escape
from bot.messages import Message, text_message
from bot.people import service as people
from bot.people.models import Identity
from bot.policy.model import Kind

REMOVED = "workspace.removed"
RATE_LIMITED = "workspace.rate_limited"


def removed(
    *,
    session: Session,
    platform: str,
    workspace: str,
    reason: str,
    now: datetime,
    settings: Settings,
    holidays: Collection[date] = (),
) -> int:
    """Mark the workspace's identities unreachable, record why, and tell every admin; returns how many
    identities there were."""
    identities = session.exec(
        select(Identity).where(col(Identity.platform) == platform, col(Identity.workspace) == workspace)
    ).all()
    for identity in identities:
        identity.reachable = False
    affected = len(identities)
    audit.record(
        session=session,
        at=now,
        actor_person_id=None,
        action=REMOVED,
        subject=f"{platform}:{workspace}",
        detail={"reason": reason, "identities": affected},
    )
    where = f"{platform.capitalize()} workspace `{escape(workspace)}`"
    message = text_message(
        f"The coach was removed from {where} ({escape(reason)}). Nobody there gets messages from it until "
        "it is installed again; what it keeps about them stays as the privacy page says. "
        f"{affected} {'person was' if affected == 1 else 'people were'} reachable there.",
        summary=f"The coach was removed from {platform.capitalize()} workspace {workspace}",
    )
    # An outage for everyone there: admins hear at once, whatever the hour.
    _tell_admins(
        session, settings, holidays, now, message, f"{REMOVED}:{platform}:{workspace}:{now.isoformat()}"
    )
    return affected


def rate_limited(
    *,
    session: Session,
    platform: str,
    workspace: str,
    window: str,
    now: datetime,
    settings: Settings,
    holidays: Collection[date] = (),
) -> None:
    """The platform drops this workspace's events for a while: tell every admin once per `window` (Slack
    sends the event every minute it lasts; the message's key makes the later ones add nothing)."""
    where = f"{platform.capitalize()} workspace `{escape(workspace)}`"
    message = text_message(
        f"{platform.capitalize()} is dropping the coach's events in {where}: more than its hourly allowance "
        "arrived (Slack: 30,000 an hour). People there get no answer until it lifts, usually within the "
        "hour; look for a loop (a bot talking to the coach, a busy channel it was added to).",
        summary=f"{platform.capitalize()} is dropping the coach's events in workspace {workspace}",
    )
    _tell_admins(session, settings, holidays, now, message, f"{RATE_LIMITED}:{platform}:{workspace}:{window}")


def _tell_admins(
    session: Session,
    settings: Settings,
    holidays: Collection[date],
    now: datetime,
    message: Message,
    key: str,
) -> None:
    """Every admin, at once whatever the hour (people there are cut off now); `key` plus the admin's id
    is the outbox key, so a second notice for the same key adds nothing."""
    policy = Attention(session=session, settings=settings, holidays=frozenset(holidays), now=now)
    for admin in people.admins(session=session):
        policy.deliver(admin, message, key=f"{key}:{admin.id}", kind=Kind.escalation_notice, critical=True)
