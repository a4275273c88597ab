"""What owners do on a card: acknowledge, answer (a form or a reply in the card's thread), reassign,
resolve as explained / model issue / data issue / not an issue, publish the answer as an FAQ entry,
read the whole output (cards show its start); and what the flagger does with the answer: rate it.
Only the escalation owner, their backups, the person it was reassigned to and admins may act (the
flagger may read their own output); anyone else gets an ephemeral refusal. All audited.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.choices import already, by_action, chosen, settle
from bot.escalations import messages, notices, service
from bot.escalations.models import Escalation
from bot.events import Clicked, Place, Said, Submitted
from bot.inbound import row_id
from bot.markdown import escape
from bot.messages import Actions, Button, Form, Message, Reply, Text, text_message
from bot.ownership import service as ownership
from bot.people import service as people
from bot.people.models import Person
from bot.policy.model import Kind
from bot.routing import FormSpec, Router
from bot.schedule import service as schedule
from bot.turn import Turn, UserError


def register(router: Router) -> None:
    router.action(messages.ACK, acknowledge_clicked)
    router.action(messages.RESOLVE, resolve_clicked)
    router.action(messages.PUBLISH, publish_clicked)
    router.action(messages.RATE, rate_clicked)
    router.action(messages.SHOW_OUTPUT, show_output_clicked)
    router.form(FormSpec(messages.ANSWER_FORM, build_answer_form, submit_answer))
    router.form(FormSpec(messages.REASSIGN_FORM, build_reassign_form, submit_reassign))
    router.thread_hooks.append(thread_reply)
    router.thread_owners.append(is_card_thread)


def allowed(turn: Turn, row: Escalation) -> bool:
    if row.owner_id == turn.person_id:
        return True
    return ownership.may_act(
        session=turn.session,
        content=turn.content,
        person=turn.person,
        system=row.system_key,
        role=notices.ROLE,
        now=turn.now,
    )


def _load(turn: Turn, raw: str) -> Escalation:
    head = raw.split(":", 1)[0]
    wanted = row_id(head)
    row = service.get(session=turn.session, escalation_id=wanted) if wanted else None
    if row is None:
        raise UserError("That flag no longer exists.")
    return row


def _load_to(turn: Turn, raw: str, verb: str) -> Escalation:
    """The flag, for a form only those allowed may open."""
    row = _load(turn, raw)
    if not allowed(turn, row):
        raise UserError(f"Only the escalation owner, their backup or an admin can {verb} {row.reference}.")
    return row


def _refused(turn: Turn, row: Escalation, action: str) -> list[Reply]:
    service.record(
        session=turn.session,
        row=row,
        action="refused",
        actor_id=turn.person_id,
        now=turn.now,
        detail={"attempted": action},
    )
    system = turn.content.systems[row.system_key].name
    text = (
        f"Only the escalation owner of {escape(system)}, their backup or an admin can act on "
        f"{row.reference}. Type `owners {row.system_key}` to see who they are."
    )
    return [Reply(message=text_message(text), ephemeral=True)]


def _closed(row: Escalation) -> list[Reply]:
    return [Reply(message=text_message(f"{row.reference} is already resolved."), ephemeral=True)]


def _refresh(turn: Turn, row: Escalation) -> None:
    notices.refresh_card(
        session=turn.session, row=row, content=turn.content, settings=turn.settings, now=turn.now
    )


def acknowledge_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    row = _load(turn, event.value)
    if not allowed(turn, row):
        return _refused(turn, row, "acknowledge")
    if row.is_closed:
        return _closed(row)
    if service.acknowledge(row=row, now=turn.now):
        service.record(
            session=turn.session, row=row, action="acknowledged", actor_id=turn.person_id, now=turn.now
        )
        _refresh(turn, row)
    return [Reply(message=text_message(f"You acknowledged {row.reference}."), ephemeral=True)]


def show_output_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    """The whole output, which cards and notices show only the start of: to the owners and the flagger."""
    row = _load(turn, event.value)
    if row.flagger_id != turn.person_id and not allowed(turn, row):
        return _refused(turn, row, "show the full output")
    return [Reply(message=messages.full_output(row), dialog=True, ephemeral=True, in_thread=True)]


def build_answer_form(turn: Turn, context: str) -> Form:
    return messages.answer_form(_load_to(turn, context, "answer"))


def submit_answer(turn: Turn, event: Submitted) -> list[Reply]:
    row = _load(turn, event.context)
    if not allowed(turn, row):
        return _refused(turn, row, "answer")
    text = (event.values.get("answer") or "").strip()
    if not text:
        return [Reply(form_errors={"answer": "Write the answer the person will receive."})]
    problem = answer_too_long(text)
    if problem is not None:
        return [Reply(form_errors={"answer": problem})]
    return answer(turn, row, text)


def answer_too_long(text: str) -> str | None:
    """Why an answer cannot be sent, naming the limit; None when it can."""
    if len(text) <= messages.ANSWER_MAX:
        return None
    return (
        f"That answer is {len(text):,} characters; an answer holds up to {messages.ANSWER_MAX:,}. "
        "Shorten it, or send the rest as a second answer."
    )


def answer(turn: Turn, row: Escalation, text: str) -> list[Reply]:
    """Record the answer and send it to the flagger's DM (critical: they are waiting for it)."""
    if row.is_closed:
        return _closed(row)
    problem = answer_too_long(text)
    if problem is not None:  # every way in (form, thread reply) ends here: never sent cut
        return [
            Reply(
                message=Message(summary=problem, blocks=(Text(escape(problem)),)),
                ephemeral=True,
                in_thread=True,
            )
        ]
    service.answer(row=row, text=text, by=turn.person_id, now=turn.now)
    service.record(session=turn.session, row=row, action="answered", actor_id=turn.person_id, now=turn.now)
    flagger = people.get(session=turn.session, person_id=row.flagger_id)
    if flagger is not None:
        notices.tell(
            session=turn.session,
            person=flagger,
            message=answer_message(turn, row, turn.person),
            key=f"escalation:{row.id}:answer:{turn.now.isoformat()}",
            kind=Kind.answer,
            settings=turn.settings,
            content=turn.content,
            now=turn.now,
            critical=True,
        )
    _refresh(turn, row)
    who = "the person (anonymous)" if row.anonymous else notices.flagged_by(turn.session, row)
    return [
        Reply(
            message=Message(
                summary=f"Your answer is on its way to {who}",
                blocks=(
                    Text(f"Your answer to {row.reference} is on its way to {escape(who)}."),
                    Actions((Button(messages.PUBLISH, "Publish as FAQ", value=str(row.id)),)),
                ),
            ),
            ephemeral=True,
            in_thread=True,
        )
    ]


def is_card_thread(session: Session, place: Place) -> bool:
    """Whether a thread is an escalation card's (where a reply may be the owner's answer)."""
    return bool(place.thread_id) and (
        service.by_thread(session=session, platform=place.platform, thread_id=place.thread_id or "")
        is not None
    )


def thread_reply(turn: Turn, text: str) -> list[Reply] | None:
    """A reply in the card's thread is the answer, when an owner wrote it."""
    event = turn.event
    if not isinstance(event, Said) or not event.place.thread_id:
        return None
    row = service.by_thread(
        session=turn.session, platform=event.place.platform, thread_id=event.place.thread_id
    )
    if row is None:
        return None
    if not allowed(turn, row):
        return _refused(turn, row, "answer in thread")
    if not text.strip():
        return []
    return answer(turn, row, text.strip())


def build_reassign_form(turn: Turn, context: str) -> Form:
    return messages.reassign_form(_load_to(turn, context, "reassign"))


def submit_reassign(turn: Turn, event: Submitted) -> list[Reply]:
    row = _load(turn, event.context)
    if not allowed(turn, row):
        return _refused(turn, row, "reassign")
    if row.is_closed:
        return _closed(row)
    handle = (event.values.get("owner") or "").strip().strip("<>").lower()
    person = people.find(session=turn.session, handle=handle) if handle else None
    if person is None and "@" in handle:
        person = people.ensure_by_email(session=turn.session, email=handle, now=turn.now)
    if person is None:
        return [Reply(form_errors={"owner": "Give the new owner's email address."})]
    before = row.owner_id
    row.owner_id = person.id
    service.record(
        session=turn.session,
        row=row,
        action="reassigned",
        actor_id=turn.person_id,
        now=turn.now,
        detail={"from": before, "to": person.id},
    )
    notices.tell(
        session=turn.session,
        person=person,
        message=messages.notice(
            title=f"{notices.name(turn.person)} passed {row.reference} to you",
            body=f"Please answer it by replying in its thread or with the **Answer** button. "
            f"System: {escape(turn.content.systems[row.system_key].name)}.",
            row=row,
            actions=True,
        ),
        key=f"escalation:{row.id}:reassigned:{person.id}:{turn.now.isoformat()}",
        kind=Kind.escalation_notice,
        settings=turn.settings,
        content=turn.content,
        now=turn.now,
    )
    _refresh(turn, row)
    return [
        Reply(
            message=text_message(f"{row.reference} now belongs to {escape(notices.name(person))}."),
            ephemeral=True,
        )
    ]


def resolve_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    row = _load(turn, event.value)
    if not allowed(turn, row):
        return _refused(turn, row, "resolve")
    if row.is_closed:
        return _closed(row)
    resolution = event.value.partition(":")[2]
    if resolution not in service.RESOLUTIONS:
        raise UserError("That button no longer works.")
    service.resolve(row=row, resolution=resolution, now=turn.now)
    service.record(
        session=turn.session,
        row=row,
        action="resolved",
        actor_id=turn.person_id,
        now=turn.now,
        detail={"as": resolution},
    )
    schedule.cancel(session=turn.session, subject_prefix=f"escalation:{row.id}:")
    label = service.RESOLUTIONS[resolution]
    system = turn.content.systems[row.system_key]
    if resolution == "model_issue":
        decider = ownership.holder(session=turn.session, system=row.system_key, role="retraining_decider")
        for person in [decider] if decider else people.admins(session=turn.session):
            notices.tell(
                session=turn.session,
                person=person,
                message=messages.notice(
                    title=f"{row.reference} was resolved as a model issue",
                    body=f"{escape(notices.name(turn.person))} marked this output of {escape(system.name)} "
                    f"(model {escape(row.model_version or 'unknown')}) as a model issue. "
                    "You decide on retraining for this system.",
                    row=row,
                ),
                key=f"escalation:{row.id}:model_issue:{person.id}",
                kind=Kind.escalation_notice,
                settings=turn.settings,
                content=turn.content,
                now=turn.now,
            )
    flagger = people.get(session=turn.session, person_id=row.flagger_id)
    if flagger is not None and row.answer is None:
        notices.tell(
            session=turn.session,
            person=flagger,
            message=text_message(
                f"Your flag {row.reference} about {escape(system.name)} was closed as "
                f"{label} by {escape(notices.name(turn.person))}."
            ),
            key=f"escalation:{row.id}:resolved",
            kind=Kind.answer,
            settings=turn.settings,
            content=turn.content,
            now=turn.now,
            critical=True,
        )
    _refresh(turn, row)
    return [Reply(message=text_message(f"{row.reference} is resolved as {label}."), ephemeral=True)]


def publish_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    row = _load(turn, event.value)
    if not allowed(turn, row):
        return _refused(turn, row, "publish")
    if not row.answer:
        raise UserError("Answer the flag first; the answer is what gets published.")
    entry = service.publish_faq(session=turn.session, row=row, by=turn.person_id, now=turn.now)
    service.record(
        session=turn.session,
        row=row,
        action="published_faq",
        actor_id=turn.person_id,
        now=turn.now,
        detail={"faq": entry.id},
    )
    text = "Published. I'll offer this answer to the next person who flags a similar output."
    return [Reply(message=text_message(text), ephemeral=True)]


def rate_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    row = _load(turn, event.value)
    if row.flagger_id != turn.person_id:
        return [
            Reply(message=text_message("Only the person who flagged it can rate the answer."), ephemeral=True)
        ]
    choice = event.value.partition(":")[2]
    if choice not in RATINGS or row.answer is None:
        raise UserError("That button no longer works. Type `flags` to see your flags.")
    turn.session.refresh(row, with_for_update=True)  # a double click is decided once (PostgreSQL)
    if row.helpful is not None:
        return already(_rated(turn, row), RATINGS["yes" if row.helpful else "no"])
    helpful = choice == "yes"
    row.helpful = helpful
    service.record(
        session=turn.session,
        row=row,
        action="rated",
        actor_id=turn.person_id,
        now=turn.now,
        detail={"helpful": helpful},
    )
    owner = people.get(session=turn.session, person_id=row.answered_by or row.owner_id or 0)
    if not helpful and owner is not None:
        notices.tell(
            session=turn.session,
            person=owner,
            message=messages.notice(
                title=f"The answer to {row.reference} didn't help",
                body="The person said your answer didn't help. You can answer again from the card.",
                row=row,
                actions=True,
            ),
            key=f"escalation:{row.id}:unhelpful:{turn.now.isoformat()}",
            kind=Kind.escalation_notice,
            settings=turn.settings,
            content=turn.content,
            now=turn.now,
        )
    return chosen(_rated(turn, row))


RATINGS = {"yes": "Yes", "no": "No"}  # the rating buttons' values and labels


def _rated(turn: Turn, row: Escalation) -> Message:
    """The answer as the flagger got it, showing their rating instead of the buttons."""
    thanks = "Thanks, glad it helped." if row.helpful else "Thanks for saying so; I've let the owner know."
    answerer = people.get(session=turn.session, person_id=row.answered_by or 0)
    return settle(answer_message(turn, row, answerer), note=thanks, is_choice=by_action(messages.RATE))


def answer_message(turn: Turn, row: Escalation, answerer: Person | None) -> Message:
    by = notices.name(answerer)
    return messages.answer_dm(
        row=row,
        by=by,
        body=turn.content.render(
            "escalations/answered.md.j2",
            escalation={"owner": by, "reference": row.reference},
            system={"name": turn.content.systems[row.system_key].name},
        ),
    )
