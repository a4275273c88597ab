"""Transcripts: the local chat's conversations in the database, bounded per conversation."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, func, select

from bot.messages import Actions, Button, Message, Text, text_message
from bot.ports import FixedClock
from bot.store.db import Store
from bot.transcripts import service
from bot.transcripts.models import TranscriptLine
from bot.transcripts.service import Line

DM = "user:uma@example.com"


def said(n: int, *, email: str | None = "uma@example.com", thread_id: str | None = None) -> Line:
    if email is None:
        return Line(
            message_id=f"m-{n}", author="Adoption Coach", message=text_message(f"bot {n}"), thread_id=thread_id
        )
    return Line(
        message_id=f"m-{n}", author="Uma", text=f"line {n}", author_email=email, thread_id=thread_id
    )


def append(
    store: Store, now: datetime, *lines: Line, conversation: str = DM, keep: int = service.KEEP
) -> None:
    for line in lines:
        store.run_sync(
            lambda s, line=line: service.append(
                session=s, conversation=conversation, line=line, now=now, keep=keep
            )
        )


def test_lines_come_back_in_order_with_cards_intact(store: Store, clock: FixedClock) -> None:
    card = Message("Pick", (Text("Pick *one*"), Actions((Button("t.go", "Go", value="7", style="primary"),))))
    append(store, clock.now(), said(1), Line(message_id="m-2", author="Adoption Coach", message=card))
    append(store, clock.now(), said(3, thread_id="m-2"), conversation="channel:elsewhere")
    lines = store.run_sync(lambda s: service.recent(session=s, conversation=DM))
    assert lines == [said(1), Line(message_id="m-2", author="Adoption Coach", message=card)]
    assert store.run_sync(lambda s: service.find(session=s, conversation=DM, message_id="m-2")) == lines[1]
    assert store.run_sync(lambda s: service.find(session=s, conversation=DM, message_id="m-3")) is None


def test_replace_keeps_the_id_thread_and_place(store: Store, clock: FixedClock) -> None:
    append(store, clock.now(), said(1), said(2, email=None, thread_id="m-1"), said(3))
    new = Line(message_id="other", author="Adoption Coach", message=text_message("edited"))
    kept = store.run_sync(lambda s: service.replace(session=s, conversation=DM, message_id="m-2", line=new))
    edited = text_message("edited")
    assert kept == Line(message_id="m-2", author="Adoption Coach", message=edited, thread_id="m-1")
    ids = [line.message_id for line in store.run_sync(lambda s: service.recent(session=s, conversation=DM))]
    assert ids == ["m-1", "m-2", "m-3"]
    gone = store.run_sync(lambda s: service.replace(session=s, conversation=DM, message_id="m-9", line=new))
    assert gone is None


def test_each_conversation_keeps_only_its_newest_lines(store: Store, clock: FixedClock) -> None:
    append(store, clock.now(), *(said(n) for n in range(1, 8)), keep=5)
    append(store, clock.now(), said(1), conversation="channel:quiet", keep=5)
    lines = store.run_sync(lambda s: service.recent(session=s, conversation=DM))
    assert [line.message_id for line in lines] == ["m-3", "m-4", "m-5", "m-6", "m-7"]

    def count(session: Session) -> int:
        return int(session.exec(select(func.count()).select_from(TranscriptLine)).one())

    assert store.run_sync(count) == 6  # the quiet channel keeps its line
    newest = store.run_sync(lambda s: service.recent(session=s, conversation=DM, limit=2))
    assert [line.message_id for line in newest] == ["m-6", "m-7"]


def test_posters_first_seen_first(store: Store, clock: FixedClock) -> None:
    channel = "channel:team"
    append(
        store,
        clock.now(),
        said(1, email="omar@example.com"),
        said(2, email=None),
        said(3, email="uma@example.com"),
        said(4, email="omar@example.com"),
        conversation=channel,
    )
    assert store.run_sync(lambda s: service.posters(session=s, conversation=channel)) == [
        "omar@example.com",
        "uma@example.com",
    ]
