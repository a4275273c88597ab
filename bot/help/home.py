"""The home view (Slack App Home, and `home` in any chat): progress, open flags and reports, quick actions."""

from __future__ import annotations

from sqlmodel import col, select

from bot.escalations import service as escalations
from bot.friction import service as friction
from bot.friction.models import FrictionReport, Status
from bot.messages import Actions, Button, Context, Fact, Facts, Header, Message, Reply, Text
from bot.programmes import service as programmes
from bot.turn import Turn

CLOSED_REPORTS = (Status.fixed, Status.wont_fix, Status.closed)


def home(turn: Turn) -> list[Reply]:
    return [Reply(message=home_message(turn))]


def home_message(turn: Turn) -> Message:
    facts: list[Fact] = []
    for enrolment in programmes.enrolments_of(session=turn.session, person_id=turn.person_id):
        programme = programmes.programme_for(session=turn.session, content=turn.content, enrolment=enrolment)
        progress = programmes.all_progress(session=turn.session, enrolment_id=enrolment.id or 0)
        received = sum(1 for p in progress.values() if p.times_sent)
        facts.append(
            Fact(programme.name, f"stage {enrolment.stage}, {received} of {len(programme.steps)} steps")
        )
    flags = escalations.open_for_flagger(session=turn.session, person_id=turn.person_id)
    reports = turn.session.exec(
        select(FrictionReport).where(
            FrictionReport.reporter_id == turn.person_id, col(FrictionReport.status).not_in(CLOSED_REPORTS)
        )
    ).all()
    facts.append(Fact("Open flags", str(len(flags))))
    facts.append(Fact("Open friction reports", str(len(reports))))
    if turn.person.is_owner:  # what waits for them as the owner of an AI system
        waiting = escalations.waiting_for(session=turn.session, owner_id=turn.person_id)
        oldest = f" (the oldest: {waiting[0].reference})" if waiting else ""
        facts.append(Fact("Flags waiting for your answer", f"{len(waiting)}{oldest}"))
        to_look_at = friction.to_look_at(session=turn.session, owner_id=turn.person_id)
        facts.append(Fact("Friction reports for you to look at", str(len(to_look_at))))
    status = "stopped (type `start`)" if turn.person.stopped else "on, inside your working hours"
    buttons = [
        Button("form.open", "Flag an AI output", value="escalation.flag|", style="primary"),
        Button("form.open", "Something's not working", value="friction.report|"),
        Button("form.open", "My settings", value="people.settings|"),
        Button("help.show", "Everything I can do"),
        Button("dashboard.link", "Dashboard"),
    ]
    if turn.router.lets(turn, "outcomes"):  # a button for a command shows only to whom help lists it
        buttons.append(Button("outcomes.show", "Outcomes"))
    return Message(
        summary="Your adoption coach",
        blocks=(
            Header("Your adoption coach"),
            Text(f"Hi {turn.person.first_name}! Here is where you are."),
            Facts(tuple(facts)),
            Actions(tuple(buttons)),
            Context(f"Programme messages: {status}."),
        ),
    )
