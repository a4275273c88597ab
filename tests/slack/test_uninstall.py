"""A single-workspace install (SLACK_BOT_TOKEN) that is uninstalled: nothing more is sent there, and the
admins' notice waits as unreachable (they were reachable only there) instead of failing."""

from __future__ import annotations

import asyncio
import time

from sqlmodel import select

from adapters.runtime import Runtime
from bot.audit.models import AuditEntry
from bot.outbox.models import OutboxMessage, OutboxState
from bot.people.models import Identity
from tests.fakes.slack_api import TEAM, FakeSlackApi
from tests.slack.conftest import ADA, SlackClient, fixture


async def test_uninstalled_workspace_is_marked_and_admins_hear_of_it(
    slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime
) -> None:
    await slack.dm(ADA, "hi", event_id="Ev1")
    await fake.wait_for("chat.postMessage")
    fake.revoked.add(fake.token)
    body = fixture("event_message_im_top_level.json")
    body.update(event={"type": "app_uninstalled", "event_ts": "1.2"}, event_id="Ev2")
    assert (await slack.event(body)).status == 200

    def entries() -> list[AuditEntry]:
        return list(
            slack_runtime.store.run_sync(
                lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "workspace.removed")).all()
            )
        )

    deadline = time.monotonic() + 10
    while not entries():  # Bolt runs the listener after its ack
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    (entry,) = entries()
    assert entry.subject == f"slack:{TEAM}" and entry.detail["reason"] == "the app was uninstalled"
    await slack_runtime.dispatcher.drain()
    identities = slack_runtime.store.run_sync(lambda s: s.exec(select(Identity)).all())
    assert identities and not any(i.reachable for i in identities)
    notices = slack_runtime.store.run_sync(
        lambda s: s.exec(select(OutboxMessage).where(OutboxMessage.kind == "escalation_notice")).all()
    )
    assert [(n.state, n.platform) for n in notices] == [(OutboxState.unreachable, "none")]
