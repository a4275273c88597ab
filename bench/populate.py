"""Fills a database with N enrolled people quickly (core inserts), for the benchmarks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from bot.content import Content
from bot.people.models import Identity, Person
from bot.programmes import service as programmes
from bot.programmes.models import Enrolment
from bot.schedule.models import DueWork
from bot.store.db import Store

CHUNK = 5_000


def populate(store: Store, content: Content, *, people: int, due_now: int, now: datetime) -> None:
    """`people` enrolled in the default programme; `due_now` of them have a step due now, the rest later."""
    programme = content.programmes[min(content.programmes)]
    store.run_sync(
        lambda s: programmes.remember_version(
            session=s, programme=programme, source=content.sources[programme.key], now=now
        )
    )
    step = programme.steps[1].key
    with store.database.begin() as conn:
        for start in range(1, people + 1, CHUNK):
            ids = range(start, min(start + CHUNK, people + 1))
            conn.execute(
                insert(Person),
                [
                    {
                        "id": i,
                        "email": f"p{i}@example.com",
                        "display_name": f"Person {i}",
                        "timezone": "UTC",
                        "workday_start": 0,
                        "workday_end": 24,
                        "is_admin": False,
                        "is_owner": False,
                        "active": True,
                        "stopped": False,
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(Identity),
                [
                    {
                        "person_id": i,
                        "platform": "local",
                        "workspace": "local",
                        "user_id": f"p{i}@example.com",
                        "address": {"user": f"p{i}@example.com"},
                        "reachable": True,
                        "last_seen_at": now,
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(Enrolment),
                [
                    {
                        "id": i,
                        "person_id": i,
                        "programme_key": programme.key,
                        "version": programme.version,
                        "stage": "invited",
                        "stage_at": now,
                        "enrolled_at": now - timedelta(days=2),
                        "enrolled_by": "import",
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(DueWork),
                [
                    {
                        "kind": "programme.step",
                        "subject": f"programme:{i}:{step}",
                        "person_id": i,
                        "payload": {"enrolment": i, "step": step},
                        "state": "pending",
                        "due_at": now if i <= due_now else now + timedelta(days=30),
                        "created_at": now,
                    }
                    for i in ids
                ],
            )


def populate_history(store: Store, content: Content, *, people: int, weeks: int, now: datetime) -> str:
    """An example organisation's rollout: `weeks` of usage, flags, friction and announcements for `people`
    (the demo's generator, bot/demo/history.py, at scale); a line saying what was made."""
    from bot.demo.history import seed_history

    made = store.run_sync(
        lambda session: seed_history(session=session, content=content, now=now, people=people, weeks=weeks)
    )
    return (
        f"{made.people:,} people, {weeks} weeks: {made.usage:,} usage events, {made.flags:,} flags, "
        f"{made.reports:,} friction reports, {made.announcements} announcements"
    )
