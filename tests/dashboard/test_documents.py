"""The handover pack and the evidence report on the dashboard, through the real app: the pack for the
system's owners (any role, primary or backup) and admins, the evidence report and its hash-chained
export for admins; others refused, a hostile key a 404; the readiness page links both per system."""

from __future__ import annotations

import json

import pytest

from bot.evidence import chain
from tests.dashboard.helpers import link_from_chat, sign_in
from tests.local.helpers import Client

ADMIN, OMAR, LENA, BEA, UMA = (
    "ada@example.com",  # admin
    "omar@example.com",  # assistant's escalation owner
    "lena@example.com",  # contract-review's owner, nothing on assistant
    "bea@example.com",  # assistant's backup only
    "uma@example.com",  # a user
)


async def as_(client: Client, email: str) -> None:
    await sign_in(client, await link_from_chat(client, email))


async def test_owners_and_backups_read_their_pack_and_no_other(client: Client) -> None:
    await as_(client, OMAR)
    page = await client.get("/dashboard/handover/assistant")
    assert page.status == 200
    body = await page.text()
    assert body.startswith("<!doctype html>") and "Handover pack: Compass" in body
    assert "style-src 'sha256-" in page.headers["Content-Security-Policy"]
    assert (await client.get("/dashboard/handover/contract-review")).status == 403
    assert (await client.get("/dashboard/evidence/assistant")).status == 403  # admins only
    readiness = await (await client.get("/dashboard/readiness")).text()
    assert 'href="/dashboard/handover/assistant"' in readiness
    assert "/dashboard/evidence/" not in readiness


async def test_a_backup_reads_the_pack(client: Client) -> None:
    await as_(client, BEA)
    assert (await client.get("/dashboard/handover/assistant")).status == 200


async def test_another_systems_owner_and_a_user_are_refused(client: Client) -> None:
    await as_(client, LENA)
    assert (await client.get("/dashboard/handover/assistant")).status == 403
    assert (await client.get("/dashboard/handover/contract-review")).status == 200
    await as_(client, UMA)
    assert (await client.get("/dashboard/handover/assistant")).status == 403
    assert (await client.get("/dashboard/evidence/assistant")).status == 403


async def test_not_signed_in_is_refused(client: Client) -> None:
    assert (await client.get("/dashboard/handover/assistant")).status == 401
    assert (await client.get("/dashboard/evidence/assistant/export.jsonl")).status == 401


async def test_an_admin_reads_the_evidence_report_and_downloads_a_chain_that_verifies(client: Client) -> None:
    await as_(client, ADMIN)
    readiness = await (await client.get("/dashboard/readiness")).text()
    assert 'href="/dashboard/evidence/assistant"' in readiness
    assert 'href="/dashboard/handover/contract-review"' in readiness
    page = await client.get(
        "/dashboard/evidence/assistant", params={"from": "2020-01-01", "to": "2030-12-31"}
    )
    assert page.status == 200
    body = await page.text()
    assert "Governance evidence: Compass" in body and "not legal advice" in body
    assert 'href="/dashboard/evidence/assistant/export.jsonl?from=2020-01-01&amp;to=2030-12-31"' in body
    export = await client.get("/dashboard/evidence/assistant/export.jsonl", params={"from": "2020-01-01"})
    assert export.status == 200
    assert "attachment" in export.headers["Content-Disposition"]
    text = await export.text()
    assert chain.verify(text).ok
    assert not chain.verify(text.replace("assistant", "assistent", 1)).ok
    # The head hash, as the CLI prints it: on the page beside the link, and on the download it names.
    same = await client.get(
        "/dashboard/evidence/assistant/export.jsonl", params={"from": "2020-01-01", "to": "2030-12-31"}
    )
    head = json.loads((await same.text()).splitlines()[-1])["hash"]
    assert same.headers["X-Evidence-Head-Hash"] == head
    assert f"head hash {head}: keep it apart from the file" in body
    bad = await client.get("/dashboard/evidence/assistant", params={"from": "yesterday"})
    assert bad.status == 400 and "is not a date" in await bad.text()


@pytest.mark.parametrize(
    "key",
    ["nope", "<script>alert(1)</script>", "..%2F..%2Fetc", "%00", "a%22b", "assistant%20", "%F0%9F%92%A5"],
)
async def test_a_hostile_system_key_is_a_404_not_a_500(client: Client, key: str) -> None:
    await as_(client, ADMIN)
    for path in (
        f"/dashboard/handover/{key}",
        f"/dashboard/evidence/{key}",
        f"/dashboard/evidence/{key}/export.jsonl",
    ):
        answer = await client.get(path)
        assert answer.status == 404, path
        assert "<script>alert" not in await answer.text()
