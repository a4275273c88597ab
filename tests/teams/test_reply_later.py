"""A reply Teams refuses for now (429 twice in the turn) goes through the outbox and arrives later."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from adapters.runtime import Runtime
from bot.outbox.models import OutboxMessage, OutboxState
from tests.fakes.teams_connector import PER_APP_IN_TENANT, FakeBotFramework
from tests.teams.conftest import Teams


async def test_a_reply_refused_with_429_is_delivered_later(
    teams: Teams, bf: FakeBotFramework, teams_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("adapters.teams.app.REPLY_PATIENCE", 0.0)  # retry in the turn at once, not in 5 s
    await teams.post(teams.personal("hi"))
    bf.calls.clear()
    bf.app_limits = ((600.0, 0),)  # Teams refuses everything for now
    bf.retry_after = "0"  # and asks for no pause, so that the drain below need not wait one out
    response = await teams.post(teams.personal("help"))
    assert response.status < 300 and bf.calls == [] and bf.throttled >= 2

    def later(session: Session) -> list[OutboxMessage]:
        query = select(OutboxMessage).where(col(OutboxMessage.idempotency_key).startswith("reply:teams:"))
        return list(session.exec(query).all())

    (row,) = teams_runtime.store.run_sync(later)
    assert row.platform == "teams" and row.address["conversation"]["id"] == "a:personal-ada"
    bf.app_limits = PER_APP_IN_TENANT  # it lifts
    await teams_runtime.dispatcher.drain()
    assert [r.state for r in teams_runtime.store.run_sync(later)] == [OutboxState.sent]
    assert any(c.conversation_id == "a:personal-ada" and c.method == "POST" for c in bf.calls)
