"""`settings`: a person's time zone and working hours, as a form. Working hours may run past midnight
(a night shift, 18 to 9), and then belong to the day they start on."""

from __future__ import annotations

from zoneinfo import available_timezones

from bot.attention import quiet_hours_for, shift_of
from bot.audit import service as audit
from bot.config import Settings
from bot.events import Submitted
from bot.markdown import escape
from bot.messages import Actions, Block, Button, Fact, Facts, Field, Form, Message, Reply, Text
from bot.people.models import Person
from bot.policy.model import is_valid_timezone, open_windows
from bot.routing import Command, FormSpec, Router
from bot.turn import Turn

FORM_ID = "people.settings"


def register(router: Router) -> None:
    router.command(
        Command("settings", "Your time zone and working hours", settings_command, aliases=("me", "timezone"))
    )
    router.form(FormSpec(FORM_ID, build_form, submit_form))


def settings_command(turn: Turn, _rest: str) -> list[Reply]:
    person = turn.person
    tz = person.effective_timezone or f"{turn.settings.default_timezone} (default)"
    return [
        Reply(
            message=Message(
                summary="Your settings",
                blocks=(
                    Text("**Your settings.** I only send you messages inside your working hours."),
                    Facts(
                        (
                            Fact("Time zone", tz),
                            Fact("Working hours", hours_words(person.workday_start, person.workday_end)),
                        )
                    ),
                    Actions((Button("form.open", "Change", value=f"{FORM_ID}|", style="primary"),)),
                ),
            )
        )
    ]


def build_form(turn: Turn, _context: str) -> Form:
    person = turn.person
    return Form(
        form_id=FORM_ID,
        title="Your settings",
        intro="I'll keep my messages inside your working hours, in your time zone.",
        fields=(
            Field(
                "timezone",
                "Time zone",
                initial=person.effective_timezone or turn.settings.default_timezone,
                placeholder="Europe/Berlin",
                hint="An IANA name such as Asia/Tokyo or America/Los_Angeles",
            ),
            Field(
                "workday_start",
                "Working day starts (hour, 0–23)",
                kind="number",
                initial=str(person.workday_start),
            ),
            Field(
                "workday_end",
                "Working day ends (hour, 1–24)",
                kind="number",
                initial=str(person.workday_end),
                hint="Before the start for a shift past midnight: 18 to 9 ends at 9 the next morning",
            ),
        ),
        submit_label="Save",
    )


def submit_form(turn: Turn, event: Submitted) -> list[Reply]:
    errors: dict[str, str] = {}
    tz = event.values.get("timezone", "").strip()
    if not _valid_timezone(tz):
        errors["timezone"] = "Use a time zone name such as Europe/Berlin."
    start = _hour(event.values.get("workday_start", ""), 0, 23)
    end = _hour(event.values.get("workday_end", ""), 1, 24)
    if start is None:
        errors["workday_start"] = "A whole hour from 0 to 23."
    if end is None:
        errors["workday_end"] = "A whole hour from 1 to 24."
    if start is not None and end is not None and end == start:
        errors["workday_end"] = "Start and end are the same hour; for round the clock use 0 and 24."
    if errors:
        return [Reply(form_errors=errors)]
    assert start is not None and end is not None
    person = turn.person
    person.timezone_override = tz
    person.workday_start, person.workday_end = start, end
    audit.record(
        session=turn.session,
        at=turn.now,
        actor_person_id=turn.person_id,
        action="person.settings",
        subject=f"person:{turn.person_id}",
        detail={"timezone": tz, "start": start, "end": end},
    )
    blocks: list[Block] = [Text(f"Saved: **{escape(tz)}**, {hours_words(start, end)}.")]
    note = quiet_note(person, turn.settings)
    if note:
        blocks.append(Text(note))
    return [Reply(message=Message(summary="Settings saved", blocks=tuple(blocks)))]


def hours_words(start: int, end: int) -> str:
    """'09:00–17:00', or '18:00–09:00 the next day' for a shift past midnight."""
    words = f"{start:02d}:00–{end:02d}:00"
    return f"{words} the next day" if end < start else words


def quiet_note(person: Person, settings: Settings) -> str | None:
    """What the deployment's quiet hours leave of the person's hours, when they leave less than all."""
    work = shift_of(person)
    quiet = quiet_hours_for(work, settings)
    if quiet is None:
        return None
    windows = open_windows(work, quiet)
    if windows == open_windows(work, None):
        return None
    spans = " and ".join(f"{_clock(low)}–{_clock(high)}" for low, high in windows)
    return f"Quiet hours are {quiet[0]:%H:%M}–{quiet[1]:%H:%M}, so I'll write to you {spans}."


def _clock(seconds: int) -> str:
    return f"{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}"


def _valid_timezone(name: str) -> bool:
    """A zone a person may choose: one the policy can use and a name from the IANA list."""
    return name in available_timezones() and is_valid_timezone(name)  # the list first: any text arrives here


def _hour(raw: str, low: int, high: int) -> int | None:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 2:
        return None
    value = int(raw)
    return value if low <= value <= high else None
