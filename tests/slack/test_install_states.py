"""Install states (the OAuth `state` Slack's redirect brings back): each is good once, until it expires."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from adapters.slack.oauth import STATE_SECONDS, StateStore
from bot.installations.models import InstallState
from bot.ports import FixedClock
from bot.store.db import Store


async def test_two_redirects_with_one_state_cannot_both_pass(store: Store, clock: FixedClock) -> None:
    states = StateStore(store=store, clock=clock)
    state = await states.async_issue()
    passed = await asyncio.gather(
        *(states.async_consume(state) for _ in range(8))
    )  # at once, on every worker
    assert sorted(passed) == [False] * 7 + [True]
    assert not await states.async_consume(state)


async def test_a_state_expires_and_expired_states_are_cleaned(store: Store, clock: FixedClock) -> None:
    states = StateStore(store=store, clock=clock)
    late, left = await states.async_issue(), await states.async_issue()
    clock.advance(seconds=STATE_SECONDS)
    assert not await states.async_consume(late)  # expired: refused, and gone
    fresh = await states.async_issue()  # issuing cleans the expired ones of installs never finished
    kept = await store.read(lambda session: session.exec(select(InstallState.state)).all())
    assert kept == [fresh] and left not in kept
    assert await states.async_consume(fresh)


async def test_a_state_is_unguessable_and_unknown_ones_are_refused(store: Store, clock: FixedClock) -> None:
    states = StateStore(store=store, clock=clock)
    issued = {await states.async_issue() for _ in range(3)}
    assert len(issued) == 3 and all(len(s) >= 32 for s in issued)
    assert not await states.async_consume("not-a-state")
