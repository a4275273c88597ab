"""`enrol channel`: an admin enrols everyone in a local channel; the clock asks the channel's directory
who is in it, enrols them in one unit of work and tells the admin the counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from sqlmodel import Session, select

from adapters.local import identity
from adapters.local.directory import LocalDirectory
from adapters.local.hub import Entry, Hub
from adapters.runtime import Runtime
from bot.events import Actor, Said
from bot.outbox.models import OutboxMessage, OutboxState
from bot.people.models import Identity, Person
from bot.ports import FixedClock
from bot.programmes.channel import ENROL_CHANNEL, QUEUED
from bot.programmes.models import Enrolment
from bot.schedule.models import DueState, DueWork
from tests.programmes.harness import RecordingSender

CHANNEL = "team-compass"
POSTERS = ("uma@example.com", "omar@example.com", "lena.berg@example.com")
ADA = "ada@example.com"


@pytest.fixture
def sender(runtime: Runtime, clock: FixedClock) -> RecordingSender:
    recording = RecordingSender(clock)
    runtime.dispatcher.senders["local"] = recording
    return recording


@pytest.fixture
async def hub(runtime: Runtime) -> Hub:
    hub = Hub(store=runtime.store, clock=runtime.clock)
    for email in POSTERS:
        entry = Entry(id=hub.new_id(), author=email, text="morning all", author_email=email)
        await hub.post(f"channel:{CHANNEL}", entry)
    runtime.directories["local"] = LocalDirectory(hub)
    return hub


async def in_channel(runtime: Runtime, email: str, text: str) -> str:
    event = Said(identity.actor(email), identity.channel_place(CHANNEL), text, via="mention")
    replies = await runtime.engine.handle(event)
    return "\n".join(r.message.summary for r in replies if r.message is not None)


def enrolled_by(runtime: Runtime) -> dict[str, str]:
    def query(session: Session) -> dict[str, str]:
        rows = session.exec(select(Person.email, Enrolment.enrolled_by).join(Enrolment)).all()
        return {str(email): by for email, by in rows if email != ADA}  # Ada: on first contact

    return runtime.store.run_sync(query)


def notices(sender: RecordingSender) -> list[str]:
    return [r.message.summary for r in sender.to(ADA) if r.key.startswith(ENROL_CHANNEL)]


async def test_admin_enrols_everyone_who_posted_and_a_repeat_enrols_nobody_twice(
    runtime: Runtime, hub: Hub, sender: RecordingSender
) -> None:
    assert (await in_channel(runtime, ADA, "enrol channel")).endswith(QUEUED)
    assert enrolled_by(runtime) == {}  # nothing happens before the clock runs the job
    await runtime.run_due_work()

    assert enrolled_by(runtime) == dict.fromkeys(POSTERS, "channel")
    (notice,) = notices(sender)
    assert "Enrolled 3 of 3 people from team-compass" in notice
    assert "(0 already enrolled, 0 can't be reached yet)" in notice

    hub.subscribe(f"channel:{CHANNEL}", _Watcher(), email="vic@example.com")  # watching counts too
    assert (await in_channel(runtime, ADA, "enrol channel #team-compass")).endswith(QUEUED)
    await runtime.run_due_work()
    assert "Enrolled 1 of 4 people from team-compass" in notices(sender)[1]
    assert "(3 already enrolled, 0 can't be reached yet)" in notices(sender)[1]
    assert sorted(enrolled_by(runtime)) == sorted((*POSTERS, "vic@example.com"))

    def jobs(session: Session) -> list[DueState]:
        return list(session.exec(select(DueWork.state).where(DueWork.kind == ENROL_CHANNEL)).all())

    assert runtime.store.run_sync(jobs) == [DueState.done, DueState.done]


async def test_a_non_admin_is_refused(runtime: Runtime, hub: Hub, sender: RecordingSender) -> None:
    answer = await in_channel(runtime, "uma@example.com", "enrol channel")
    assert "Only admins" in answer
    await runtime.run_due_work()
    assert enrolled_by(runtime) == {}


async def test_a_dm_must_name_the_channel(runtime: Runtime, hub: Hub) -> None:
    event = Said(identity.actor(ADA), identity.dm_place(ADA), "enrol channel")
    (reply,) = await runtime.engine.handle(event)
    assert reply.message is not None and "Name the channel" in reply.message.summary


class _Watcher:
    def show_entry(self, entry: Entry, *, replaced: bool) -> None:
        pass


class _Unreachable:
    """A directory whose platform can't message one of the members yet (as Teams before install)."""

    async def members(self, address: Mapping[str, Any]) -> list[Actor]:
        return [
            identity.actor("uma@example.com"),
            Actor("local", "local", "ghost", display_name="Ghost", email="ghost@example.com"),
        ]


async def test_members_the_platform_cannot_reach_are_counted_and_wait(
    runtime: Runtime, sender: RecordingSender, clock: FixedClock
) -> None:
    runtime.directories["local"] = _Unreachable()
    assert (await in_channel(runtime, ADA, "enrol channel")).endswith(QUEUED)
    await runtime.run_due_work()
    (notice,) = notices(sender)
    assert "Enrolled 2 of 2 people" in notice and "1 can't be reached yet" in notice

    def ghost(session: Session) -> tuple[bool, list[OutboxState]]:
        person = session.exec(select(Person).where(Person.email == "ghost@example.com")).one()
        (found,) = session.exec(select(Identity).where(Identity.person_id == person.id)).all()
        rows = session.exec(select(OutboxMessage.state).where(OutboxMessage.person_id == person.id)).all()
        return found.reachable, list(rows)

    clock.advance(hours=3)  # the welcome step is due
    await runtime.run_due_work()
    reachable, states = runtime.store.run_sync(ghost)
    assert not reachable
    assert states and set(states) == {OutboxState.unreachable}


async def test_a_platform_without_a_directory_is_reported(runtime: Runtime, sender: RecordingSender) -> None:
    assert (await in_channel(runtime, ADA, "enrol channel")).endswith(QUEUED)  # no local directory registered
    await runtime.run_due_work()
    (notice,) = notices(sender)
    assert "can't list a channel's members" in notice
