"""Admins change the ownership registry from the readiness page: the same checks and audit entry as
`owners set` in chat; owners and users neither see the form nor may post it; the form needs the
session's CSRF token and the dashboard's own origin."""

from __future__ import annotations

from sqlmodel import select

from adapters.runtime import Runtime
from bot.audit import service as audit
from bot.ownership import service
from bot.people.models import Person
from tests.dashboard.helpers import csrf, link_from_chat, sign_in
from tests.local.helpers import Client

ADMIN, OWNER = "ada@example.com", "lena@example.com"
FORM = "/dashboard/readiness/owners"


def origin(client: Client) -> dict[str, str]:
    return {"Origin": f"http://{client.host}:{client.port}"}


async def signed_in(client: Client, email: str) -> str:
    """Signs `email` in and answers the readiness page's HTML."""
    await sign_in(client, await link_from_chat(client, email))
    page = await client.get("/dashboard/readiness")
    assert page.status == 200
    return await page.text()


def held(runtime: Runtime, system: str, role: str) -> tuple[str | None, str | None]:
    def look(s):  # type: ignore[no-untyped-def]
        row = service.assignment(session=s, system=system, role=role)
        holder = s.get(Person, row.person_id) if row and row.person_id else None
        return (holder.email if holder else None), (row.backup if row else None)

    return runtime.store.run_sync(look)  # type: ignore[no-any-return]


def trail(runtime: Runtime, system: str, role: str) -> list[str]:
    return runtime.store.run_sync(
        lambda s: [e.action for e in audit.for_subject(session=s, subject=f"system:{system}:{role}")]
    )


async def test_an_admin_changes_a_role_and_it_is_audited(client: Client, runtime: Runtime) -> None:
    page = await signed_in(client, ADMIN)
    assert 'id="owners-contract-review-escalation_owner"' in page
    saved = await client.post(
        FORM,
        data={
            "csrf": csrf(page),
            "system": "contract-review",
            "role": "escalation_owner",
            "primary": "Sam@Example.com",
            "backup": "group:legal-ops",
        },
        headers=origin(client),
        allow_redirects=False,
    )
    assert saved.status == 303, await saved.text()
    assert saved.headers["Location"] == "/dashboard/readiness?system=contract-review&saved=1"
    assert held(runtime, "contract-review", "escalation_owner") == ("sam@example.com", "group:legal-ops")
    assert trail(runtime, "contract-review", "escalation_owner") == ["ownership.set"]
    shown = await (await client.get(saved.headers["Location"])).text()
    assert "Saved: the change is in the audit trail." in shown
    assert 'value="sam@example.com"' in shown and 'value="group:legal-ops"' in shown

    cleared = await client.post(  # an empty backup field clears it
        FORM,
        data={
            "csrf": csrf(page),
            "system": "contract-review",
            "role": "escalation_owner",
            "primary": "sam@example.com",
            "backup": "",
        },
        headers=origin(client),
        allow_redirects=False,
    )
    assert cleared.status == 303
    assert held(runtime, "contract-review", "escalation_owner") == ("sam@example.com", None)


async def test_bad_input_is_answered_on_the_page_and_changes_nothing(
    client: Client, runtime: Runtime
) -> None:
    page = await signed_in(client, ADMIN)
    before = held(runtime, "assistant", "drift_monitor")
    cases = {
        ("assistant", "drift_monitor", "not-an-email@", ""): "is not an email address",
        ("assistant", "drift_monitor", "nobody", ""): "Use their email address",
        ("assistant", "drift_monitor", "", ""): "Name the primary by their email address",
        ("assistant", "tea_maker", "sam@example.com", ""): "Roles are:",
        ("nowhere", "drift_monitor", "sam@example.com", ""): "I don&#39;t know the system",
        ("assistant", "drift_monitor", "sam@example.com", "group:nobody"): "There is no group",
        ("assistant", "drift_monitor", "sam@example.com", "not an email"): "A backup is an email",
    }
    for (system, role, primary, backup), expected in cases.items():
        answer = await client.post(
            FORM,
            data={"csrf": csrf(page), "system": system, "role": role, "primary": primary, "backup": backup},
            headers=origin(client),
        )
        text = await answer.text()
        assert answer.status == 400, (primary, backup, text)
        assert expected in text and 'id="problem"' in text, (primary, backup)
    assert held(runtime, "assistant", "drift_monitor") == before
    assert trail(runtime, "assistant", "drift_monitor") == []


async def test_hostile_values_are_refused_and_escaped(client: Client, runtime: Runtime) -> None:
    page = await signed_in(client, ADMIN)
    hostile = "<script>alert(1)</script>@evil.example"
    for field in ("primary", "backup"):
        data = {
            "csrf": csrf(page),
            "system": "assistant",
            "role": "drift_monitor",
            "primary": "sam@example.com",
        }
        data["backup"] = ""
        data[field] = hostile
        answer = await client.post(FORM, data=data, headers=origin(client))
        text = await answer.text()
        assert answer.status == 400
        assert "script>" not in text and "alert(1)&lt;/script&gt;@evil.example" in text, field
    emails = runtime.store.run_sync(lambda s: [p.email or "" for p in s.exec(select(Person)).all()])
    assert not [e for e in emails if "script" in e]


async def test_owners_neither_see_the_form_nor_may_post_it(client: Client, runtime: Runtime) -> None:
    page = await signed_in(client, OWNER)
    assert "Readiness and ownership" in page
    assert 'action="/dashboard/readiness/owners"' not in page
    refused = await client.post(
        FORM,
        data={"csrf": csrf(page), "system": "assistant", "role": "drift_monitor", "primary": OWNER},
        headers=origin(client),
    )
    assert refused.status == 403 and "Only admins" in await refused.text()
    assert trail(runtime, "assistant", "drift_monitor") == []


async def test_the_form_needs_the_csrf_token_and_the_dashboards_origin(
    client: Client, runtime: Runtime
) -> None:
    page = await signed_in(client, ADMIN)
    data = {"system": "assistant", "role": "drift_monitor", "primary": "sam@example.com", "backup": ""}
    for given in ({}, {"csrf": "nope"}):
        forged = await client.post(FORM, data={**data, **given}, headers=origin(client))
        assert forged.status == 403 and "expired" in await forged.text()
    elsewhere = await client.post(
        FORM, data={**data, "csrf": csrf(page)}, headers={"Origin": "https://evil.example"}
    )
    assert elsewhere.status == 403
    assert trail(runtime, "assistant", "drift_monitor") == []
    await client.get("/dashboard/readiness")  # still signed in: the refusals spent nothing
