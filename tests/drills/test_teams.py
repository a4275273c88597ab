"""A drill over real Teams activities: the admin starts it, the backup gets the briefing card and the
flag's card in their personal chat; the owners' channel and the primary get nothing."""

from __future__ import annotations

from sqlmodel import Session, select

from adapters.runtime import Runtime
from bot.people import service as people
from bot.people.models import Identity
from tests.fakes.teams_connector import FakeBotFramework
from tests.friction.test_teams import action_data
from tests.teams.conftest import Teams, bf, client, teams, teams_runtime, teams_settings  # noqa: F401
from tests.teams.test_http import assert_valid_cards


def link(runtime: Runtime, user: str, email: str) -> None:
    """Teams activities carry no email: join the Teams identity to the person systems.yaml names, as an
    admin linking accounts (or a roster lookup) would."""

    def move(session: Session) -> None:
        identity = session.exec(select(Identity).where(Identity.user_id == f"aad-{user}")).one()
        person = people.ensure_by_email(session=session, email=email, now=runtime.clock.now())
        identity.person_id = person.id or 0

    runtime.store.run_sync(move)


async def test_a_drill_over_teams_sends_the_flag_to_the_backup(
    teams: Teams,  # noqa: F811
    bf: FakeBotFramework,  # noqa: F811
    teams_runtime: Runtime,  # noqa: F811
) -> None:
    for user, name in (("ada", "Ada Lovelace"), ("bea", "Bea Jones"), ("omar", "Omar K"), ("uma", "Uma P")):
        await teams.post(teams.personal("hi", user=user, name=name))
    link(teams_runtime, "bea", "bea@example.com")
    link(teams_runtime, "omar", "omar@example.com")
    await teams_runtime.dispatcher.drain()
    bf.calls.clear()

    await teams.post(teams.personal("drill assistant 5 days"))
    assert any("DRILL-1** runs on **Compass" in t for t in bf.texts())
    await teams_runtime.dispatcher.drain()
    assert [c for c in bf.calls if c.conversation_id == "a:personal-bea" and "This is a drill" in str(c.body)]

    bf.calls.clear()
    await teams.post(teams.personal("flag The moon is made of cheese.", user="uma", name="Uma P"))
    form = bf.cards()[-1]
    submit = {**action_data(form, "Send"), "reason": "wrong", "system": "assistant", "anonymous": "no"}
    await teams.post(teams.submit(submit, reply_to=bf.sent_id(form), user="uma"))
    await teams_runtime.dispatcher.drain()
    to = {c.conversation_id for c in bf.calls if "ESC-1" in str(c.body)}
    assert "a:personal-bea" in to
    assert not to & {"a:personal-omar", "19:compass-escalations@thread.tacv2"}
    assert_valid_cards(bf)
