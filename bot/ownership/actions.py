"""What people do on a confirmation card (Confirm, Hand over, Not me), the hand-over form, the
successor's Accept / Decline, and `owners confirm [SYSTEM]` (your cards now, whenever you like)."""

from __future__ import annotations

from bot import choices
from bot.events import Clicked, Submitted
from bot.markdown import escape
from bot.messages import Actions, Button, Field, Form, Message, Reply, Text, text_message
from bot.ownership import confirmations as c
from bot.ownership import leavers
from bot.ownership.models import DepartureReview, RoleConfirmation
from bot.people import service as people
from bot.people.models import Person
from bot.policy.model import Kind
from bot.routing import FormSpec, Router
from bot.turn import Turn, UserError

CHOICES = choices.by_action(c.CONFIRM, c.NOT_ME, "form.open")
SUCCESSOR_CHOICES = choices.by_action(c.ACCEPT, c.DECLINE)
WORDS = {
    "confirmed": "Confirmed",
    "not_me": "Not me",
    "handover": "Handing over",
    "lapsed": "No answer in time",
}


def register(router: Router) -> None:
    router.action(c.CONFIRM, confirm_clicked)
    router.action(c.NOT_ME, not_me_clicked)
    router.action(c.ACCEPT, accept_clicked)
    router.action(c.DECLINE, decline_clicked)
    router.form(FormSpec(c.HANDOVER_FORM, build_handover_form, submit_handover))
    router.action(leavers.CONFIRM, departed_clicked)
    router.action(leavers.DISMISS, still_here_clicked)


def _name(person: Person | None) -> str:
    if person is None:
        return "someone"
    return person.display_name or person.email or f"person {person.id}"


def _mine(turn: Turn, value: str) -> RoleConfirmation:
    row = turn.session.get(RoleConfirmation, int(value)) if value.isdigit() else None
    if row is None or row.person_id != turn.person_id:
        raise UserError("That card is not yours, or no longer exists. Type `owners confirm` to see yours.")
    return row


def _system_name(turn: Turn, row: RoleConfirmation) -> str:
    system = turn.content.systems.get(row.system_key)
    return system.name if system is not None else row.system_key


def _settled(turn: Turn, row: RoleConfirmation, note: str) -> Message:
    return choices.settle(c.card(row, _system_name(turn, row)), note=note, is_choice=CHOICES)


def confirm_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    row = _mine(turn, event.value)
    if row.answer is not None:
        return choices.already(
            _settled(turn, row, WORDS.get(row.answer, row.answer)), WORDS.get(row.answer, row.answer)
        )
    c.answer(session=turn.session, row=row, answer="confirmed", person_id=turn.person_id, now=turn.now)
    return choices.chosen(_settled(turn, row, "Confirmed. Thank you: people know whom to ask."))


def not_me_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    row = _mine(turn, event.value)
    if row.answer is not None:
        return choices.already(
            _settled(turn, row, WORDS.get(row.answer, row.answer)), WORDS.get(row.answer, row.answer)
        )
    c.answer(session=turn.session, row=row, answer="not_me", person_id=turn.person_id, now=turn.now)
    system = _system_name(turn, row)
    note = text_message(
        f"**{escape(_name(turn.person))}** says they are not {escape(c.role_words(row.roles))} of "
        f"**{escape(system)}**. Please name who is, with `owners set ROLE {escape(row.system_key)} EMAIL`."
    )
    for admin in people.admins(session=turn.session):
        turn.attention.deliver(
            admin, note, key=f"ownership:confirm:{row.id}:not_me:{admin.id}", kind=Kind.escalation_notice
        )
    return choices.chosen(_settled(turn, row, "Not me: the admins were told, and will fix the list."))


def build_handover_form(turn: Turn, context: str) -> Form:
    row = _mine(turn, context)
    if row.answer is not None and row.answer != "handover":
        raise UserError(f"You answered that card already: {WORDS.get(row.answer, row.answer)}.")
    return Form(
        form_id=c.HANDOVER_FORM,
        title="Hand over",
        intro=f"Who takes over as {escape(c.role_words(row.roles))} of **{escape(_system_name(turn, row))}**? "
        "They are asked to accept; the list changes when they do.",
        fields=(Field("successor", "Their email address", placeholder="name@example.com", max_length=254),),
        submit_label="Ask them",
        context=str(row.id),
    )


def submit_handover(turn: Turn, event: Submitted) -> list[Reply]:
    row = _mine(turn, event.context)
    if row.answer is not None and row.answer != "handover":
        raise UserError(f"You answered that card already: {WORDS.get(row.answer, row.answer)}.")
    email = (event.values.get("successor") or "").strip().strip("<>").lower()
    if "@" not in email or " " in email or len(email) > 254:
        return [Reply(form_errors={"successor": "Their email address, e.g. name@example.com."})]
    if email == (turn.person.email or "").lower():
        return [Reply(form_errors={"successor": "Name someone else: you hold these roles now."})]
    successor = people.ensure_by_email(session=turn.session, email=email, now=turn.now)
    c.offer(session=turn.session, row=row, successor=successor, person_id=turn.person_id, now=turn.now)
    system = _system_name(turn, row)
    ask = Message(
        summary=f"Will you take over on {system}?",
        blocks=(
            Text(
                f"**{escape(_name(turn.person))}** asks you to take over as {escape(c.role_words(row.roles))} of "
                f"**{escape(system)}**. Nothing changes until you accept."
            ),
            Actions(
                (
                    Button(c.ACCEPT, "Accept", value=str(row.id), style="primary"),
                    Button(c.DECLINE, "Decline", value=str(row.id)),
                )
            ),
        ),
    )
    turn.attention.deliver(
        successor, ask, key=f"ownership:handover:{row.id}:{successor.id}", kind=Kind.escalation_notice
    )
    return [
        Reply(
            message=text_message(
                f"Asked {escape(email)} to take over on **{escape(system)}**. You stay on the list until they accept."
            )
        )
    ]


def _offered(turn: Turn, value: str) -> RoleConfirmation:
    row = turn.session.get(RoleConfirmation, int(value)) if value.isdigit() else None
    if row is None or row.successor_id != turn.person_id:
        raise UserError("That hand-over is not addressed to you.")
    return row


def _successor_settled(turn: Turn, row: RoleConfirmation, note: str) -> Message:
    system = _system_name(turn, row)
    message = Message(
        summary=f"Will you take over on {system}?",
        blocks=(
            Text(f"Take over as {escape(c.role_words(row.roles))} of **{escape(system)}**?"),
            Actions(
                (
                    Button(c.ACCEPT, "Accept", value=str(row.id)),
                    Button(c.DECLINE, "Decline", value=str(row.id)),
                )
            ),
        ),
    )
    return choices.settle(message, note=note, is_choice=SUCCESSOR_CHOICES)


def accept_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    row = _offered(turn, event.value)
    if row.successor_answer is not None:
        said = "Accepted" if row.successor_answer == "accepted" else "Declined"
        return choices.already(_successor_settled(turn, row, said), said)
    left = c.accept(session=turn.session, content=turn.content, row=row, successor=turn.person, now=turn.now)
    system = _system_name(turn, row)
    leaving = turn.session.get(Person, row.person_id)
    told = text_message(
        f"**{escape(_name(turn.person))}** accepted: they are now {escape(c.role_words(row.roles))} of "
        f"**{escape(system)}**."
        + (
            f" Admins: a group backs up {escape(c.role_words(left))}; change it in systems.yaml."
            if left
            else ""
        )
    )
    for person in {
        p.id: p for p in [*([leaving] if leaving else []), *people.admins(session=turn.session)]
    }.values():
        turn.attention.deliver(
            person, told, key=f"ownership:handover:{row.id}:accepted:{person.id}", kind=Kind.escalation_notice
        )
    return choices.chosen(
        _successor_settled(turn, row, f"Accepted. You are now {c.role_words(row.roles)} of {system}.")
    )


def decline_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    row = _offered(turn, event.value)
    if row.successor_answer is not None:
        said = "Accepted" if row.successor_answer == "accepted" else "Declined"
        return choices.already(_successor_settled(turn, row, said), said)
    c.decline(session=turn.session, row=row, successor=turn.person, now=turn.now)
    leaving = turn.session.get(Person, row.person_id)
    system = _system_name(turn, row)
    if leaving is not None:
        turn.attention.deliver(
            leaving,
            Message(
                summary=f"{_name(turn.person)} declined",
                blocks=(
                    Text(f"**{escape(_name(turn.person))}** declined to take over on **{escape(system)}**."),
                    *c.card(row, system).blocks,
                ),
            ),
            key=f"ownership:handover:{row.id}:declined:{turn.person_id}",
            kind=Kind.escalation_notice,
        )
    return choices.chosen(_successor_settled(turn, row, "Declined. They were told."))


def confirm_command(turn: Turn, rest: str) -> list[Reply]:
    """`owners confirm [SYSTEM]`: your cards now, one per system where you hold or back up a role."""
    systems = (
        [turn.content.systems[rest]] if rest in turn.content.systems else list(turn.content.systems.values())
    )
    if rest and rest not in turn.content.systems:
        raise UserError(f"I don't know the system {rest!r}. Systems: {', '.join(turn.content.systems)}.")
    replies = []
    for system in systems:
        roles = c.holdings(session=turn.session, content=turn.content, system=system, now=turn.now).get(
            turn.person_id
        )
        if not roles:
            continue
        last = c.latest(session=turn.session, system=system.key, person_id=turn.person_id)
        row = (
            last
            if last is not None and last.answer is None
            else c.ask(
                session=turn.session, system=system, person_id=turn.person_id, roles=roles, now=turn.now
            )
        )
        replies.append(Reply(message=c.card(row, system.name)))
    if not replies:
        raise UserError("Only people who hold or back up a role can confirm it. `owners` shows who does.")
    return replies


# --- leavers: the admins' review of a sign that someone left ------------------------------------


REVIEW_CHOICES = choices.by_action(leavers.CONFIRM, leavers.DISMISS)


def _review(turn: Turn, value: str) -> tuple[DepartureReview, Person]:
    turn.require_role("admin")
    review = turn.session.get(DepartureReview, int(value)) if value.isdigit() else None
    person = turn.session.get(Person, review.person_id) if review is not None else None
    if review is None or person is None:
        raise UserError("That review no longer exists.")
    return review, person


def _review_settled(review: DepartureReview, person: Person, note: str) -> Message:
    message = Message(
        summary=f"Has {_name(person)} left?",
        blocks=(
            Text(f"**Has {escape(_name(person))} left?** {escape(review.detail)}"),
            Actions(
                (
                    Button(leavers.CONFIRM, "They left", value=str(review.id)),
                    Button(leavers.DISMISS, "Still here", value=str(review.id)),
                )
            ),
        ),
    )
    return choices.settle(message, note=note, is_choice=REVIEW_CHOICES)


def departed_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    review, person = _review(turn, event.value)
    if review.state != "open":
        said = "They left" if review.state == "confirmed" else "Still here"
        return choices.already(_review_settled(review, person, said), said)
    review.state, review.decided_by, review.decided_at = "confirmed", turn.person_id, turn.now
    uncovered = leavers.depart(
        session=turn.session, content=turn.content, person=person, reason=f"confirmed by {_name(turn.person)}",
        actor_id=turn.person_id, policy=turn.attention,
    )  # fmt: skip
    return choices.chosen(
        _review_settled(
            review, person, f"They left: roles handed over; {len(uncovered)} gap(s) listed for the admins."
        )
    )


def still_here_clicked(turn: Turn, event: Clicked) -> list[Reply]:
    review, person = _review(turn, event.value)
    if review.state != "open":
        said = "They left" if review.state == "confirmed" else "Still here"
        return choices.already(_review_settled(review, person, said), said)
    review.state, review.decided_by, review.decided_at = "dismissed", turn.person_id, turn.now
    return choices.chosen(_review_settled(review, person, "Still here: nothing changes."))


def left_command(turn: Turn, handle: str) -> list[Reply]:
    """`owners left EMAIL` (admins): someone left; their roles and open flags go to their backups now."""
    turn.require_role("admin")
    person = people.find(session=turn.session, handle=handle.strip("<>")) if handle else None
    if person is None:
        raise UserError("Usage: `owners left EMAIL`, for someone the coach knows.")
    if not person.active:
        raise UserError(f"{_name(person)} is already marked as left.")
    uncovered = leavers.depart(
        session=turn.session, content=turn.content, person=person, reason=f"{_name(turn.person)} said so",
        actor_id=turn.person_id, policy=turn.attention,
    )  # fmt: skip
    lines = "\n".join(f"- {escape(u)}" for u in uncovered) or "- nothing: they held no role"
    return [
        Reply(
            message=text_message(f"**{escape(_name(person))}** is marked as left. Now uncovered:\n{lines}"),
            private=True,
        )
    ]
