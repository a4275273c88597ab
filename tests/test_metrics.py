"""The metrics the alert rules in deploy/ read: outbox rows by state (from the database), 429 answers
from a platform, SLA breaches, event failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import REGISTRY

from adapters.runtime import Runtime
from adapters.web.app import build_app
from bot.messages import text_message
from bot.outbox import service as outbox
from bot.outbox.models import OutboxState
from bot.outbox.pace import Quota
from bot.ports import FixedClock
from tests.escalations.helpers import ADA, BEA, OMAR, UMA, flag, install, meet
from tests.programmes.harness import run_until


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def http(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient[Any, Any]]:
    async def no_background(**_kwargs: Any) -> None:  # it would claim the rows these tests count
        return None

    monkeypatch.setattr(runtime.dispatcher, "run_forever", no_background)
    async with TestClient(TestServer(build_app(runtime))) as client:
        yield client


async def test_dead_outbox_rows_are_counted_in_the_database(
    http: TestClient[Any, Any], runtime: Runtime
) -> None:
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)

    def dead_and_pending(session: Any) -> None:
        for key in ("a", "b", "c"):
            outbox.enqueue(session=session, key=key, platform="slack", address={"channel": "C1"},
                           message=text_message(key), now=now)  # fmt: skip
        session.flush()
        for row in outbox.listing(session=session, states=[OutboxState.pending])[:2]:
            assert row.id is not None
            outbox.mark_final(session=session, row_id=row.id, state=OutboxState.dead, error="invalid_auth")

    runtime.store.run_sync(dead_and_pending)
    text = await (await http.get("/metrics")).text()
    assert 'coach_outbox_messages{state="dead"} 2.0' in text
    assert 'coach_outbox_messages{state="pending"} 1.0' in text
    assert 'coach_outbox_messages{state="unreachable"} 0.0' in text
    assert 'coach_outbox_backlog{platform="slack"} 1.0' in text  # due now, not sent yet


async def test_quota_use_and_the_rate_each_quota_allows_now(
    http: TestClient[Any, Any], runtime: Runtime
) -> None:
    quota = Quota(key="slack:T1:chat.postMessage", rate=100.0)
    before = sample("coach_quota_sends_total", platform="slack", method="chat.postMessage")
    for _ in range(3):
        await runtime.pacer.acquire(quota)
    assert sample("coach_quota_sends_total", platform="slack", method="chat.postMessage") == before + 3
    await runtime.pacer.refused(quota, 1.0)  # a 429: every process resumes at 80% of the rate
    text = await (await http.get("/metrics")).text()
    assert 'coach_quota_rate{method="chat.postMessage",platform="slack"} 80.0' in text


async def test_sla_breaches_are_counted(runtime: Runtime, clock: FixedClock) -> None:
    before = {m: sample("coach_escalation_sla_breaches_total", missed=m) for m in ("acknowledge", "answer")}
    install(runtime)
    await meet(runtime, UMA, OMAR, BEA, ADA)
    await flag(runtime, UMA, "The contract renews in March.")
    await run_until(runtime, clock, datetime(2026, 11, 26, 12, 0, tzinfo=UTC))  # nobody answers
    assert sample("coach_escalation_sla_breaches_total", missed="acknowledge") == before["acknowledge"] + 1
    assert sample("coach_escalation_sla_breaches_total", missed="answer") == before["answer"] + 1
