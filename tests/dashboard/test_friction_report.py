"""Each friction report opens on its own page from the friction list: admins and its system's owners
see it without the reporter's name, the reporter sees it as theirs, anyone else is told it does not
exist (404, as for an id that is no report)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.runtime import Runtime
from bot.friction.models import FrictionReport
from bot.people.models import Person
from tests.dashboard.helpers import link_from_chat, sign_in
from tests.local.helpers import Client

REPORTER = "uma@example.com"


async def _report(client: Client, runtime: Runtime) -> int:
    token = await link_from_chat(client, REPORTER)  # meets Uma, so she exists to file it
    now = runtime.clock.now()

    def seed(s):  # type: ignore[no-untyped-def]
        uma = s.exec(select(Person).where(Person.email == REPORTER)).one()
        report = FrictionReport(
            reporter_id=uma.id,
            system_key="assistant",
            category="answer_quality",
            severity="blocks",
            trying_to="summarise the supplier contract",
            details="the summary left out the penalty clause",
            created_at=now - timedelta(days=2),
            updated_at=now - timedelta(days=1),
        )
        s.add(report)
        s.flush()
        return report.id

    report_id: int = runtime.store.run_sync(seed)
    await sign_in(client, token)
    return report_id


async def test_a_report_opens_on_its_own_page_for_those_who_may_see_it(
    client: Client, runtime: Runtime
) -> None:
    report_id = await _report(client, runtime)
    url = f"/dashboard/friction/{report_id}"

    assert f'<a href="{url}">FR-{report_id}</a>' in await (await client.get("/dashboard/me")).text()
    mine = await client.get(url)  # Uma filed it: she sees it as hers, linked from her own page
    assert mine.status == 200
    text = await mine.text()
    assert "summarise the supplier contract" in text and "<td>you</td>" in text

    await sign_in(client, await link_from_chat(client, "ada@example.com"))  # an admin
    listed = await (await client.get("/dashboard/friction")).text()
    assert f'<a href="{url}">FR-{report_id}</a>' in listed
    page = await client.get(url)
    assert page.status == 200
    text = await page.text()
    assert "the penalty clause" in text and "never says who filed" in text
    assert REPORTER not in text and "Uma" not in text

    await sign_in(client, await link_from_chat(client, "omar@example.com"))  # owns Compass
    assert (await client.get(url)).status == 200

    await sign_in(client, await link_from_chat(client, "lena@example.com"))  # owns contract-review only
    assert (await client.get(url)).status == 404
    await sign_in(client, await link_from_chat(client, "bob@example.com"))  # neither owner nor reporter
    assert (await client.get(url)).status == 404
    assert (await client.get("/dashboard/friction/999999")).status == 404


async def test_signed_out_visitors_are_not_shown_a_report(client: Client, runtime: Runtime) -> None:
    report_id = await _report(client, runtime)
    client.session.cookie_jar.clear()  # the session cookie gone: signed out
    assert (await client.get(f"/dashboard/friction/{report_id}")).status == 401
