"""Teams activities carry no email: the coach asks the connector for the sender's (TeamsInfo.get_member)
when it first meets them, so an owner systems.yaml names by email is that owner on Teams too."""

from __future__ import annotations

from tests.fakes.teams_connector import FakeBotFramework
from tests.teams.conftest import Teams

LENA = {"id": "29:lena", "name": "Lena Park", "aadObjectId": "aad-lena", "userPrincipalName": "lena@example.com"}


async def test_an_owner_named_by_email_is_recognised_on_first_contact(teams: Teams, bf: FakeBotFramework) -> None:
    bf.people["29:lena"] = LENA  # no `email` here: the user principal name stands in, as in most tenants
    assert (await teams.post(teams.personal("help", user="lena", name="Lena Park"))).status == 201
    assert "Your roles: owner, user." in "\n".join(bf.texts())
    assert bf.member_lookups == [("a:personal-lena", "29:lena")]
    assert (await teams.post(teams.personal("help", user="lena", name="Lena Park"))).status == 201
    assert len(bf.member_lookups) == 1  # remembered: one lookup per person, not per message


async def test_a_failed_lookup_answers_anyway_and_is_not_repeated_at_once(
    teams: Teams, bf: FakeBotFramework
) -> None:
    for _ in range(2):  # the fake knows no Bob: 404 MemberNotFoundInConversation
        assert (await teams.post(teams.personal("help", user="bob", name="Bob Builder"))).status == 201
    assert bf.texts().count("Your roles: user. Type a command, or click a button below.") == 2
    assert bf.member_lookups == [("a:personal-bob", "29:bob")]


async def test_a_click_does_not_wait_for_a_lookup(teams: Teams, bf: FakeBotFramework) -> None:
    bf.people["29:lena"] = LENA
    click = teams.invoke("adaptiveCard/action", {"action": {"type": "Action.Execute", "verb": "help.show"}}, user="lena")
    assert (await teams.post(click)).status == 200
    assert bf.member_lookups == []
