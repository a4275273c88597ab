"""Anonymity holds everywhere: no outgoing message, reply to anyone else, export or INFO log line
names an anonymous reporter, and they still hear back. Reporter text is escaped."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlmodel import select

from adapters.runtime import Runtime
from bot.events import Actor, Submitted
from bot.friction import export
from bot.messages import dump_message
from bot.outbox.models import OutboxMessage
from bot.people.models import Person
from bot.ports import FixedClock
from tests.friction.helpers import ADA, CHANNEL, DEV, click, file_report, record, say, shown
from tests.programmes.harness import dm, run_until

ZELDA = Actor(
    "local",
    "local",
    "zq-7781",
    display_name="Zelda Quux",
    email="zelda.quux@example.com",
    timezone="Europe/London",
    address={"user": "zelda.quux@example.com"},
)
SECRETS = ("zelda", "quux", "zq-7781")


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text.lower()]


async def test_an_anonymous_reporter_is_never_named_yet_hears_back(
    runtime: Runtime, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sent = record(runtime, clock)
    others: list[str] = []  # everything shown to anyone but Zelda
    for who in (DEV, ADA):
        others.append(shown(await say(runtime, who, "hi")))
    await say(runtime, ZELDA, "hi")

    # one report that blocks her (owner's card at once), one for the digest, one merged duplicate
    await file_report(runtime, ZELDA, anonymous="yes")
    await file_report(runtime, ZELDA, anonymous="yes", severity="slows", trying_to="Find the *policy*")
    await file_report(runtime, ZELDA, anonymous="yes", severity="annoying", trying_to="Find the policy again")
    await runtime.run_due_work()
    await run_until(runtime, clock, clock.now() + timedelta(days=1, hours=2))

    others.append(shown(await say(runtime, DEV, "friction merge 3 into 2")))
    for command in ("friction list", "friction summary", "friction show 1", "friction show 2"):
        others.append(shown(await say(runtime, DEV, command)))
    others.append(shown(await say(runtime, ADA, "friction export")))
    others.append(shown(await click(runtime, DEV, "friction.plan", "2")))
    others.append(shown(await click(runtime, DEV, "friction.fixed", "1", place=CHANNEL)))
    others.append(shown(await click(runtime, DEV, "friction.fixed", "2")))
    others.append(shown(await click(runtime, DEV, "friction.wontfix", "2")))
    await runtime.run_due_work()

    # she hears back about both of her reports and the merged duplicate, and answers "not better"
    hers = sent.friction(to="zelda.quux@example.com")
    assert any("has been fixed" in d.text for d in hers) and any("fix is now planned" in d.text for d in hers)
    no = next(b for d in hers for b in d.buttons() if b.value.startswith("1:no:"))  # 1:no:REVISION
    await click(runtime, ZELDA, no.action_id, no.value)
    others.append(
        shown(
            await runtime.engine.handle(
                Submitted(DEV, dm(DEV), "friction.wontfix", {"reason": "Not ours to fix."}, context="1")
            )
        )
    )
    await runtime.run_due_work()

    def rows(session):  # type: ignore[no-untyped-def]
        zelda = session.exec(select(Person).where(Person.email == "zelda.quux@example.com")).one()
        return zelda.id, list(session.exec(select(OutboxMessage)).all())

    zelda_id, outbox_rows = runtime.store.run_sync(rows)
    not_hers = [r for r in outbox_rows if r.person_id != zelda_id]
    assert any(r.idempotency_key.startswith("friction:1:card") for r in not_hers)
    assert any(r.idempotency_key.startswith("friction.digest") for r in not_hers)
    assert any("not-better" in r.idempotency_key for r in not_hers)
    for row in not_hers:
        assert leaks(json.dumps({"payload": row.payload, "address": row.address})) == [], row.idempotency_key
    for delivered in sent.delivered:
        if delivered.to != "zelda.quux@example.com":
            assert leaks(delivered.dump()) == [], delivered.key
    for text in others:
        assert leaks(text) == []
    csv_text = runtime.store.run_sync(lambda s: export.to_csv(session=s))
    assert csv_text.count("anonymous") == 3 and leaks(csv_text) == []
    for record_ in caplog.records:
        if record_.levelno >= logging.INFO:
            assert leaks(record_.getMessage()) == [], record_.getMessage()
    # escaped: her markdown stays literal in the digest
    digest = next(d for d in sent.friction(to="dev@example.com") if d.key.startswith("friction.digest"))
    assert r"Find the \*policy\*" in digest.text
    assert all(leaks(json.dumps(dump_message(d.message))) == [] for d in sent.friction(to="dev@example.com"))


async def test_a_named_report_shows_its_reporter_to_the_owner(runtime: Runtime, clock: FixedClock) -> None:
    sent = record(runtime, clock)
    await say(runtime, DEV, "hi")
    await say(runtime, ZELDA, "hi")
    await file_report(runtime, ZELDA)
    await runtime.run_due_work()
    (card,) = sent.friction(to="esc-assistant")
    assert "Zelda Quux" in card.dump()
    csv_text = runtime.store.run_sync(lambda s: export.to_csv(session=s))
    assert "zelda.quux@example.com" in csv_text


def test_export_defuses_spreadsheet_formulas() -> None:
    # The friction export writes through the shared guarded writer (tests/test_csv_export.py).
    assert export.csv_export.cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert export.csv_export.cell("fine") == "fine"
