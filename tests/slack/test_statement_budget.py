"""How many SQL statements one Slack DM costs, through the real Bolt app (issue 16's guard).

Nothing is timed: a change that adds a query per planned step, per button or per reply shows here as a
count, long before a benchmark would notice. The counts cover the whole path of the event: Bolt's
signed request, the unit of work (de-duplication, person, routing, enrolment on first contact), the
reply, and the outbox rows it leaves, sent by one drain of the dispatcher. SQLite's explicit BEGIN is
left out, so that both databases count alike (PostgreSQL's driver begins without a statement).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event

from adapters.runtime import Runtime
from adapters.web.app import build_app
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import BOB, SlackClient

CY = "UCY"

# The budgets: raise one only with a reason in the commit (what the new statements buy). Each count ends
# with the dispatcher's drain (2: its lease sweep and its claim), which the test runs itself.
FIRST_CONTACT = 10  # de-duplication, identity, the email (people are matched across platforms by it),
# person (its profile's time zone in the INSERT), identity, usage link, enrolment, its planned steps and the
# latest change to its system (1 INSERT of due work), drain. No enrolment is looked for (the person is
# new), nor the programme's version (stored at start-up; the process's snapshot knows it), nor the role
# registry, drills and authors for the welcome's `help` (the listings' snapshots).
RETURNING = 4  # de-duplication, identity, drain: help's permission rules answer from the snapshots
SHORT = 4  # de-duplication, identity, drain: a word like no command asks no one's permissions


@pytest.fixture
async def quiet_slack(slack_runtime: Runtime) -> AsyncIterator[SlackClient]:
    """The coach's server without its clock and dispatcher loop, whose idle polls would be counted too:
    the test drains the outbox itself."""
    app = build_app(slack_runtime)
    app.cleanup_ctx.clear()
    http: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await http.start_server()
    yield SlackClient(http)
    await http.close()


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("BEGIN"):  # BEGIN, or a unit of work's BEGIN IMMEDIATE
            seen.append(statement)

    event.listen(runtime.store.database, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(runtime.store.database, "before_cursor_execute", count)


async def say(
    slack: SlackClient, fake: FakeSlackApi, runtime: Runtime, text: str, n: int, *, user: str = BOB
) -> None:
    posted = len(fake.to("chat.postMessage"))
    assert (await slack.dm(user, text, event_id=f"EvBudget{n}")).status == 200
    await fake.wait_for("chat.postMessage", posted + 1)
    for _ in range(50):  # the reply is out; let the after-ack work finish its unit of work
        await asyncio.sleep(0.02)
    await runtime.dispatcher.drain()


async def test_statements_per_first_contact_and_per_returning_message(
    quiet_slack: SlackClient, fake: FakeSlackApi, slack_runtime: Runtime
) -> None:
    # Someone first, as a process running a while has: the listings' snapshots of roles, drills and
    # authors are built (bot/store/snapshot; 3 statements more for the first `help` a process answers).
    fake.add_user(CY, email="cy@example.com", name="Cy")
    await say(quiet_slack, fake, slack_runtime, "hello", 0, user=CY)
    with statements(slack_runtime) as first:
        await say(quiet_slack, fake, slack_runtime, "hello", 1)
    with statements(slack_runtime) as again:
        await say(quiet_slack, fake, slack_runtime, "help", 2)
    with statements(slack_runtime) as short:
        await say(quiet_slack, fake, slack_runtime, "thank you", 3)
    report = "\n".join(["--- first", *first, "--- help", *again, "--- short", *short])
    assert (len(first), len(again), len(short)) == (FIRST_CONTACT, RETURNING, SHORT), report
