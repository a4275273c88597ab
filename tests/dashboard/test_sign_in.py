"""Sign-in by a one-time link sent in chat, sessions, CSRF and who sees which page."""

from __future__ import annotations

import re

from adapters.runtime import Runtime
from bot.dashboard.signin import LINK_LIFETIME, SESSION_LIFETIME
from bot.ports import FixedClock
from tests.dashboard.helpers import csrf, link_from_chat, sign_in
from tests.local.helpers import Client

ADMIN, OWNER, USER = "ada@example.com", "lena@example.com", "uma@example.com"


def origin(client: Client) -> dict[str, str]:
    return {"Origin": f"http://{client.host}:{client.port}"}


async def test_the_link_signs_in_once_and_a_preview_does_not_spend_it(client: Client) -> None:
    token = await link_from_chat(client, ADMIN)
    for _ in range(2):  # a chat platform's preview, then the person: neither spends it
        page = await client.get("/dashboard/sign-in", params={"token": token})
        assert page.status == 200 and 'id="sign-in"' in await page.text()
    await sign_in(client, token)
    overview = await client.get("/dashboard")
    assert overview.status == 200
    assert "Compass (assistant)" in await overview.text()
    again = await client.post("/dashboard/sign-in", data={"token": token}, headers=origin(client))
    assert again.status == 403 and "used already" in await again.text()
    assert "used already" in await (await client.get("/dashboard/sign-in", params={"token": token})).text()


async def test_an_expired_or_altered_link_is_refused(client: Client, runtime: Runtime) -> None:
    token = await link_from_chat(client, ADMIN)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    refused = await client.post("/dashboard/sign-in", data={"token": tampered}, headers=origin(client))
    assert refused.status == 403 and "not a sign-in link" in await refused.text()
    runtime.clock.advance(seconds=LINK_LIFETIME.total_seconds() + 1)  # type: ignore[attr-defined]
    expired = await client.post("/dashboard/sign-in", data={"token": token}, headers=origin(client))
    assert expired.status == 403 and "expired" in await expired.text()


async def test_the_session_cookie_is_http_only_and_same_site(client: Client) -> None:
    token = await link_from_chat(client, ADMIN)
    response = await client.post(
        "/dashboard/sign-in", data={"token": token}, headers=origin(client), allow_redirects=False
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain http here


async def test_a_post_from_another_site_is_refused(client: Client) -> None:
    token = await link_from_chat(client, ADMIN)
    refused = await client.post(
        "/dashboard/sign-in", data={"token": token}, headers={"Origin": "https://evil.example"}
    )
    assert refused.status == 403
    await sign_in(client, token)  # the refused attempt did not spend it


async def test_sign_out_needs_the_csrf_token_and_ends_the_session(client: Client) -> None:
    await sign_in(client, await link_from_chat(client, ADMIN))
    page = await (await client.get("/dashboard/readiness")).text()
    forged = await client.post("/dashboard/sign-out", data={"csrf": "nope"}, headers=origin(client))
    assert forged.status == 403
    assert (await client.get("/dashboard/readiness")).status == 200
    out = await client.post("/dashboard/sign-out", data={"csrf": csrf(page)}, headers=origin(client))
    assert out.status == 200 and "signed out" in await out.text()
    assert (await client.get("/dashboard/readiness")).status == 401


async def test_sessions_expire(client: Client, runtime: Runtime) -> None:
    await sign_in(client, await link_from_chat(client, ADMIN))
    runtime.clock.advance(seconds=SESSION_LIFETIME.total_seconds() + 1)  # type: ignore[attr-defined]
    assert (await client.get("/dashboard")).status == 401


async def test_an_admin_opens_every_page_and_downloads_csv(client: Client) -> None:
    await sign_in(client, await link_from_chat(client, ADMIN))
    for name in ("overview", "funnel", "escalations", "friction", "announcements", "readiness", "me"):
        page = await client.get(f"/dashboard/{name}", params={"weeks": "4"})
        assert page.status == 200, (name, await page.text())
    csv = await client.get("/dashboard/readiness.csv", params={"table": "assistant-owners"})
    assert csv.status == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert (await csv.text()).splitlines()[0] == "role,held by,email,backup"
    chart_numbers = await client.get("/dashboard/overview.csv", params={"table": "assistant-active"})
    assert (await chart_numbers.text()).splitlines()[0] == "week,active users"


async def test_times_show_to_the_minute_and_download_as_iso_8601_with_zone(
    client: Client, clock: FixedClock
) -> None:
    clock.advance(microseconds=123456)  # a real clock's times carry microseconds
    await sign_in(client, await link_from_chat(client, ADMIN))
    page = await (await client.get("/dashboard/me")).text()
    assert re.search(r"<td>known since</td><td>\d{4}-\d\d-\d\d \d\d:\d\d</td>", page), page
    csv = await (await client.get("/dashboard/me.csv", params={"table": "profile"})).text()
    (known,) = [line for line in csv.splitlines() if line.startswith("known since,")]
    assert re.fullmatch(r"known since,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", known), known


async def test_an_owner_sees_only_their_systems(client: Client) -> None:
    await sign_in(client, await link_from_chat(client, OWNER))  # Lena: Clause Checker's escalation owner
    overview = await (await client.get("/dashboard")).text()
    assert "Clause Checker" in overview and "Compass" not in overview
    mine = await client.get("/dashboard/escalations", params={"system": "contract-review"})
    assert mine.status == 200
    other = await client.get("/dashboard/escalations", params={"system": "assistant"})
    assert other.status == 403
    other_csv = await client.get(
        "/dashboard/readiness.csv", params={"system": "assistant", "table": "assistant-owners"}
    )
    assert other_csv.status == 403


async def test_a_backup_through_a_group_is_an_owner_too(client: Client) -> None:
    await sign_in(client, await link_from_chat(client, "ivan@example.com"))  # drift monitor of Compass
    overview = await (await client.get("/dashboard")).text()
    assert "Compass" in overview and "Clause Checker" not in overview


async def test_a_user_sees_only_their_own_page(client: Client) -> None:
    await sign_in(client, await link_from_chat(client, USER))
    home = await client.get("/dashboard", allow_redirects=False)
    assert home.status == 303 and home.headers["Location"] == "/dashboard/me"
    me = await client.get("/dashboard/me")
    assert me.status == 200 and "uma@example.com" in await me.text()
    export = await client.get("/dashboard/me.json")
    assert export.status == 200 and (await export.json())["person"]["email"] == "uma@example.com"
    for name in ("overview", "funnel", "escalations", "friction", "announcements", "readiness"):
        assert (await client.get(f"/dashboard/{name}")).status == 403, name
    assert (await client.get("/dashboard/overview.csv", params={"table": "assistant-active"})).status == 403


async def test_signed_out_visitors_are_told_how_to_sign_in(client: Client) -> None:
    page = await client.get("/dashboard")
    assert page.status == 401 and "`dashboard`" in await page.text()
