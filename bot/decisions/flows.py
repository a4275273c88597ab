"""`review drift SYSTEM` (drift monitors), `decide SYSTEM` (retraining deciders), `decisions SYSTEM`
(the log), and what a decision sets going: the change communicator's prompt, users told of a
suspension or retirement (`effects`)."""

from __future__ import annotations

import re

from bot.content import System
from bot.decisions import effects, service
from bot.decisions import messages as m
from bot.decisions.models import DecisionKind, Verdict
from bot.escalations.models import Escalation
from bot.events import Submitted
from bot.markdown import escape
from bot.messages import OPEN_FORM, Actions, Button, Form, Message, Reply, Text, text_message
from bot.ownership import service as ownership
from bot.ownership.service import ROLE_LABELS
from bot.people import service as people
from bot.people.models import Person
from bot.routing import Allowed, Command, FormSpec, Router
from bot.turn import Turn, UserError

DRIFT = "drift_monitor"
DECIDER = "retraining_decider"
_URL = re.compile(r"^https?://\S+$")
_FLAG = re.compile(r"^(?:ESC-)?(\d{1,9})$", re.IGNORECASE)


def register(router: Router) -> None:
    topic = "Decision log"
    router.command(
        Command(
            "review",
            "Record a drift review of an AI system (its drift monitor)",
            review_command,
            usage="review drift SYSTEM",
            allowed=monitors_drift,
            topic=topic,
        )
    )
    router.command(
        Command(
            "decide",
            "Record a decision: retrain, replace, roll back, keep, suspend use or retire (its retraining decider)",
            decide_command,
            usage="decide SYSTEM",
            allowed=decides_retraining,
            topic=topic,
        )
    )
    router.command(
        Command(
            "decisions",
            "A system's drift reviews and decisions",
            log_command,
            usage="decisions SYSTEM",
            allowed=reads_log,
            topic=topic,
            private=True,
        )
    )
    router.form(FormSpec(m.REVIEW_FORM, build_review_form, submit_review))
    router.form(FormSpec(m.DECISION_FORM, build_decision_form, submit_decision))


def acts_as(role: str) -> Allowed:
    """Whoever may act in `role` on some system: its holder, a backup (backups need not be owners
    elsewhere), an admin; help lists the command to exactly them."""

    def allowed(turn: Turn) -> bool:
        return any(
            ownership.may_act(
                session=turn.session,
                content=turn.content,
                person=turn.person,
                system=key,
                role=role,
                now=turn.now,
            )
            for key in turn.content.systems
        )

    return allowed


def monitors_drift(turn: Turn) -> bool:
    return acts_as(DRIFT)(turn)


def decides_retraining(turn: Turn) -> bool:
    return acts_as(DECIDER)(turn)


def reads_log(turn: Turn) -> bool:
    return turn.person.is_owner or monitors_drift(turn) or decides_retraining(turn)


def _first(turn: Turn, allowed: Allowed, who: str) -> None:
    """Refuse before reading the rest, so a bare command says who may use it, not how."""
    if not allowed(turn):
        raise UserError(f"Only {who} and admins can do that. Type `help` to see what you can do.")


def system_named(turn: Turn, word: str, usage: str) -> System:
    if not word:
        raise UserError(f"Usage: `{usage}`. Systems: {', '.join(turn.content.systems)}.")
    system = turn.content.systems.get(word)
    if system is None:
        raise UserError(f"I don't know the system {word!r}. Systems: {', '.join(turn.content.systems)}.")
    return system


def _require(turn: Turn, system: System, role: str) -> None:
    if not ownership.may_act(
        session=turn.session,
        content=turn.content,
        person=turn.person,
        system=system.key,
        role=role,
        now=turn.now,
    ):
        raise UserError(
            f"Only the {ROLE_LABELS[role]} of {system.name}, their backup and admins can do that. "
            f"Type `owners {system.key}` to see who that is."
        )


def name(person: Person | None) -> str:
    if person is None:
        return "nobody yet"
    return person.display_name or person.email or f"person {person.id}"


# --- drift reviews --------------------------------------------------------------------------------


def review_command(turn: Turn, rest: str) -> list[Reply]:
    _first(turn, monitors_drift, "drift monitors, their backups")
    words = rest.split()
    if not words or words[0].lower() != "drift":
        raise UserError("Usage: `review drift SYSTEM`.")
    system = system_named(turn, words[1] if len(words) > 1 else "", "review drift SYSTEM")
    return [Reply(form=build_review_form(turn, system.key))]


def build_review_form(turn: Turn, context: str) -> Form:
    system = system_named(turn, context, "review drift SYSTEM")
    _require(turn, system, DRIFT)
    since = service.since_last_review(
        session=turn.session, system=system.key, interval_days=system.drift_review_days, now=turn.now
    )
    reviewer = (
        name(people.get(session=turn.session, person_id=since.last_review.reviewer_id))
        if since.last_review
        else None
    )
    return m.review_form(system_key=system.key, system_name=system.name, since=since, reviewer=reviewer)


def submit_review(turn: Turn, event: Submitted) -> list[Reply]:
    system = system_named(turn, event.context, "review drift SYSTEM")
    _require(turn, system, DRIFT)
    values = {k: (v or "").strip() for k, v in event.values.items()}
    errors: dict[str, str] = {}
    if not values.get("looked_at"):
        errors["looked_at"] = "Say what you looked at: evaluation results, sampled answers, the flags."
    elif len(values["looked_at"]) > m.LOOKED_AT_MAX:
        errors["looked_at"] = f"Up to {m.LOOKED_AT_MAX:,} characters, please."
    if values.get("verdict") not in {str(v) for v in Verdict}:
        errors["verdict"] = "Choose stable, watch or degraded."
    links = [line.strip() for line in values.get("evidence", "").splitlines() if line.strip()]
    if len(values.get("evidence", "")) > m.EVIDENCE_MAX:
        errors["evidence"] = f"Up to {m.EVIDENCE_MAX:,} characters, please."
    elif any(not _URL.match(link) for link in links):
        errors["evidence"] = "One link a line, each starting with https:// (or http://)."
    if errors:
        return [Reply(form_errors=errors)]
    since = service.since_last_review(
        session=turn.session, system=system.key, interval_days=system.drift_review_days, now=turn.now
    )
    review = service.record_review(
        session=turn.session,
        system=system.key,
        reviewer_id=turn.person_id,
        verdict=Verdict(values["verdict"]),
        looked_at=values["looked_at"],
        evidence="\n".join(links),
        shown=since,
        drill_id=effects.drill_of(turn, system.key),
        now=turn.now,
    )
    text = f"{review.reference} recorded: **{review.verdict}** for **{escape(system.name)}**."
    if review.verdict == Verdict.degraded:
        decider = _ask_for_decision(turn, system, review.id or 0)
        text += (
            f" {escape(name(decider))} (retraining decider) is asked to decide."
            if decider
            else (" Nobody decides on retraining for this system yet: the admins were asked.")
        )
    return [Reply(message=text_message(text + " Type `decisions " + system.key + "` for the log."))]


def _ask_for_decision(turn: Turn, system: System, review_id: int) -> Person | None:
    decider = ownership.holder(session=turn.session, system=system.key, role=DECIDER)
    recipients = [decider] if decider is not None else list(people.admins(session=turn.session))
    message = Message(
        summary=f"A degraded drift review of {system.name} needs a decision",
        blocks=(
            Text(
                f"**{escape(name(turn.person))}** reviewed drift on **{escape(system.name)}** "
                f"(DR-{review_id}) and found it **degraded**. Please record what happens next: retrain, "
                "replace, roll back, keep, suspend use or retire."
                + effects.drill_note(turn.session, system.key)
            ),
            Actions(
                (
                    Button(
                        OPEN_FORM,
                        "Decide",
                        value=f"{m.DECISION_FORM}|{system.key}|{review_id}",
                        style="primary",
                    ),
                )
            ),
        ),
    )
    for person in recipients:
        effects.tell(turn, person, message, key=f"decisions:review:{review_id}:decide:{person.id}")
    return decider


# --- decisions ------------------------------------------------------------------------------------


def decide_command(turn: Turn, rest: str) -> list[Reply]:
    _first(turn, decides_retraining, "retraining deciders, their backups")
    words = rest.split()
    system = system_named(turn, words[0] if words else "", "decide SYSTEM")
    return [Reply(form=build_decision_form(turn, system.key))]


def build_decision_form(turn: Turn, context: str) -> Form:
    key, _, review = context.partition("|")
    system = system_named(turn, key, "decide SYSTEM")
    _require(turn, system, DECIDER)
    reviews = service.reviews(session=turn.session, system=system.key, limit=5)
    return m.decision_form(
        system_key=system.key,
        system_name=system.name,
        reviews=reviews,
        review_id=int(review) if review.isdigit() else None,
    )


def submit_decision(turn: Turn, event: Submitted) -> list[Reply]:
    key, _, _ = event.context.partition("|")
    system = system_named(turn, key, "decide SYSTEM")
    _require(turn, system, DECIDER)
    values = {k: (v or "").strip() for k, v in event.values.items()}
    errors: dict[str, str] = {}
    if values.get("kind") not in {str(k) for k in DecisionKind}:
        errors["kind"] = "Choose a decision."
    if not values.get("rationale"):
        errors["rationale"] = "Say why, for whoever reads the log next year."
    elif len(values["rationale"]) > m.RATIONALE_MAX:
        errors["rationale"] = f"Up to {m.RATIONALE_MAX:,} characters, please."
    review_id: int | None = None
    chosen = values.get("review") or m.NO_REVIEW
    if chosen != m.NO_REVIEW:
        found = service.review(session=turn.session, review_id=int(chosen)) if chosen.isdigit() else None
        if found is None or found.system_key != system.key:
            errors["review"] = "Choose one of this system's reviews."
        else:
            review_id = found.id
    flag_ids, problem = _flags(turn, system, values.get("flags", ""))
    if problem:
        errors["flags"] = problem
    version = values.get("model_version") or None
    if version is not None and len(version) > m.VERSION_MAX:
        errors["model_version"] = f"Up to {m.VERSION_MAX} characters, please."
    if errors:
        return [Reply(form_errors=errors)]
    kind = DecisionKind(values["kind"])
    decision = service.record_decision(
        session=turn.session,
        system=system.key,
        decider_id=turn.person_id,
        kind=kind,
        rationale=values["rationale"],
        review_id=review_id,
        flag_ids=flag_ids,
        model_version=version if kind in service.VERSION_CHANGING else None,
        drill_id=effects.drill_of(turn, system.key),
        now=turn.now,
    )
    done = effects.follow_up(turn, system, decision)
    text = f"{decision.reference} recorded: **{escape(service.KINDS[kind])}** for **{escape(system.name)}**."
    return [Reply(message=text_message(" ".join([text, *done])))]


def _flags(turn: Turn, system: System, raw: str) -> tuple[list[int], str | None]:
    if len(raw) > m.FLAGS_MAX:
        return [], f"Up to {m.FLAGS_MAX} characters, please."
    ids: list[int] = []
    for word in re.split(r"[\s,;]+", raw):
        if not word:
            continue
        match = _FLAG.match(word)
        if match is None:
            return [], f"{word!r} is not a flag reference: write them like ESC-3, ESC-7."
        row = turn.session.get(Escalation, int(match.group(1)))
        if row is None or row.system_key != system.key:
            return [], f"ESC-{match.group(1)} is not a flag about {system.name}."
        ids.append(int(match.group(1)))
    return sorted(set(ids)), None


def log_command(turn: Turn, rest: str) -> list[Reply]:
    _first(turn, reads_log, "system owners, their backups")
    words = rest.split()
    system = system_named(turn, words[0] if words else "", "decisions SYSTEM")
    reviews = service.reviews(session=turn.session, system=system.key)
    decisions = service.decisions(session=turn.session, system=system.key)

    def who(person_id: int) -> str:
        return name(people.get(session=turn.session, person_id=person_id))

    return [
        Reply(
            message=m.log_message(
                system_name=system.name,
                reviews=[(r, who(r.reviewer_id)) for r in reviews],
                decisions=[(d, who(d.decider_id)) for d in decisions],
            )
        )
    ]
