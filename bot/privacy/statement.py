"""The privacy statement as data: each kind of record the coach keeps, who sees it, how long it is kept.

Retention periods are the defaults (`COACH_RETENTION` may set others, never below `COACH_RETENTION_FLOOR`);
the page (adapters/web/templates/privacy.html) only lays this out.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import RETENTION_DEFAULTS
from bot.escalations import drafts

UNTIL_REMOVED = "Until an administrator removes it."
DRAFT_DAYS = drafts.RETENTION.days
DAYS = RETENTION_DEFAULTS
SET_BY = " (by default: your organisation may set another period)"


@dataclass(frozen=True)
class Kept:
    what: str
    details: str
    who_sees: str
    kept_for: str
    tables: tuple[str, ...]  # the database tables holding it (checked against the schema by a test)


KEPT: tuple[Kept, ...] = (
    Kept(
        "Who you are",
        "Your name, email address, user id on Slack or Teams and how the coach reaches you there, your time "
        "zone, working hours, snooze or stop, and your roles (user, owner, admin).",
        "You (`settings`, `home`); owners and admins see names on the cards and reports meant for them.",
        UNTIL_REMOVED,
        ("person", "identity"),
    ),
    Kept(
        "Your programme",
        "The programme you follow, the steps you finished, your answers to check-in questions and the "
        "steps still planned for you.",
        "You. Owners and admins see totals in `outcomes`, never for fewer than the minimum group size.",
        UNTIL_REMOVED,
        ("enrolment", "step_progress", "pulse_answer", "programme_version", "due_work"),
    ),
    Kept(
        "Programme previews",
        "When an admin previews a programme to someone: the steps that person clicked through and their "
        "answers, kept apart from their real enrolment (a preview never counts in outcomes).",
        "That person.",
        UNTIL_REMOVED,
        ("programme_preview", "preview_step"),
    ),
    Kept(
        "Your use of AI systems",
        "Usage events your organisation's systems send: which system, when, what kind, and a number such "
        "as minutes saved; and per system and day, how many uses and minutes saved (what reports read for "
        "whole days), with which days are summed so far.",
        "Owners and admins, as totals in `outcomes` (groups smaller than the minimum size are withheld).",
        f"{DAYS['usage']} days{SET_BY}; after that only each system's weekly totals are kept.",
        ("usage_event", "usage_day", "usage_day_mark", "usage_rolled"),
    ),
    Kept(
        "Friction reports",
        "What you wrote, its category, severity and status, owners' notes, and whether it got better.",
        "The system's programme owner, their backup and admins. An anonymous report never shows your name "
        "to anyone; the coach keeps who sent it only to tell you what happened.",
        f"What you and the owners wrote: {DAYS['friction']} days after the report last changed{SET_BY}; then "
        "it is erased and the report's category, severity and status are kept without your name.",
        ("friction_report", "friction_note", "friction_digest_choice"),
    ),
    Kept(
        "Flagged AI outputs",
        "The output you flagged, why, the link and trace id you gave, the owner's answer, and your rating "
        "of it. An answer the owner publishes keeps the output and the answer, to offer them to the next "
        "person who flags something similar.",
        "The system's escalation owner, their backup and admins; the card is posted in the system's "
        "escalation channel, so that channel's members see it (without your name when you chose anonymous).",
        f"The output, why, the link and trace id: {DAYS['flags']} days{SET_BY}; then they are erased and the "
        "flag's dates and deadlines are kept without your name. A published answer stays until removed.",
        ("escalation", "faq_entry"),
    ),
    Kept(
        "Outputs being flagged",
        "The output you are flagging and its link, kept whole while you fill in the flag form.",
        "Nobody but you, until you send the flag.",
        f"About {DRAFT_DAYS} days: drafts older than that are deleted when the next one is kept.",
        ("flag_draft",),
    ),
    Kept(
        "Announcements",
        "Who each announcement went to, whether it arrived, whether you clicked Got it, and the questions "
        "you asked about it.",
        "The announcement's author, the system's change communicator and admins.",
        f"What you asked: {DAYS['questions']} days after you asked{SET_BY}; then it is erased and the "
        "communicator's answer and its dates are kept. The rest until an administrator removes it.",
        ("announcement", "announcement_recipient", "announcement_question"),
    ),
    Kept(
        "Ownership of AI systems",
        "Who holds each role for each AI system (escalation owner, drift monitor, …) and their backups; "
        "when each was asked to confirm their roles, their answer (confirmed, handing over, not me, no "
        "answer) and, for a hand-over, who was asked to take over and whether they accepted; signs that someone "
        "may have left (removed from a Teams team, messages refused) and the admin's decision.",
        "Everyone (`owners`); the answers: the person, their successor and admins (readiness names who has "
        "not confirmed).",
        UNTIL_REMOVED,
        ("system_record", "role_assignment", "role_confirmation", "departure_review"),
    ),
    Kept(
        "The decision log",
        "Drift reviews (who reviewed an AI system, what they looked at, their verdict and evidence links, "
        "and the counts of flags and friction shown to them) and decisions about a system (retrain, "
        "replace, roll back, keep, suspend, retire) with who made them, why, and the reviews and flags "
        "behind them.",
        "The system's owners, their backups and admins (`decisions SYSTEM`).",
        UNTIL_REMOVED,
        ("drift_review", "decision"),
    ),
    Kept(
        "Handover drills",
        "Each drill an admin ran on a system: when, who stood in for whom, and its report (flags and "
        "friction handled by the backups, within their SLA or not, and what needed the person away).",
        "Admins, and the people who stood in (the report); readiness counts it.",
        UNTIL_REMOVED,
        ("drill",),
    ),
    Kept(
        "Weekly figures",
        "Each AI system's outcomes for each past week (active users, uses, time saved, reports and flags, "
        "as counts and totals), frozen before the rows they come from are erased, so reports stay true; and "
        "each system's readiness score per week, for its trend.",
        "Owners and admins.",
        UNTIL_REMOVED,
        ("weekly_rollup", "readiness_week"),
    ),
    Kept(
        "Messages to you",
        "A copy of each message the coach sends on its own (nudges, answers, announcements), with when it "
        "was sent or why it could not be.",
        "Admins (`outbox`), to see what is waiting or failed.",
        f"The message's text and address: {DAYS['outbox']} days after it was sent or given up{SET_BY}; "
        "whether it was sent is kept.",
        ("outbox_message",),
    ),
    Kept(
        "Audit trail",
        "Who did what and when: status changes, answers, role changes, admin actions.",
        "Admins.",
        UNTIL_REMOVED,
        ("auditentry",),
    ),
    Kept(
        "Channels",
        "The address of each channel the coach posts in or was mentioned in (no messages).",
        "Admins.",
        UNTIL_REMOVED,
        ("channel_address",),
    ),
    Kept(
        "Event ids",
        "The platform's id of each event the coach handled, to ignore repeats (no text).",
        "Nobody.",
        "Two days.",
        ("processedevent",),
    ),
    Kept(
        "Sending pace",
        "For each platform limit (a Slack method in a workspace), the next moment a message may be sent and "
        "the rate, so that several coach processes together keep to the platform's limit (no people).",
        "Nobody.",
        "As long as the coach runs.",
        ("send_pace",),
    ),
    Kept(
        "Events waiting after a stop",
        "A message or click Slack delivered just as a coach process stopped, with what it said, until the "
        "next process handles it.",
        "Nobody.",
        "Until it is handled, usually within a minute.",
        ("parked_event",),
    ),
    Kept(
        "Local chat transcript",
        "Only in the local web chat (for trials, not Slack or Teams): each conversation's lines, including "
        "what people typed.",
        "Anyone using the local chat, which lets anyone act as anyone.",
        f"The newest 500 lines of each conversation, none older than {DAYS['transcripts']} days{SET_BY}.",
        ("transcript_line",),
    ),
    Kept(
        "Dashboard sign-in",
        "The sign-in links the coach sent you (`dashboard`) and the browser sessions they opened, each kept "
        "as a hash of its secret, with when it was made, used and ends; the key links are signed with.",
        "Nobody; the coach checks them when a browser signs in or opens a page.",
        "Sessions until they end (8 hours); links a day after they expire (15 minutes after they were sent).",
        ("dashboard_key", "dashboard_link", "dashboard_session"),
    ),
    Kept(
        "Slack installations",
        "For each Slack workspace that installed the coach: the workspace, the installing person's id and "
        "the bot's access token; a short-lived code for each install in progress.",
        "Nobody; the coach uses the token to talk to that workspace.",
        "Until the app is uninstalled from the workspace (install codes: ten minutes). When the installing "
        "person is forgotten, their id and any token of theirs are erased; the bot's token stays.",
        ("workspace_installation", "workspace_bot", "install_state"),
    ),
)

NOT_KEPT: tuple[str, ...] = (
    "Messages in channels that are not for the coach: it reads only replies in the threads of its own "
    "cards and messages that mention it, and stores none of the others, nor who wrote them.",
    "A transcript of your chats with the coach on Slack or Teams: what you type is acted on, and kept only "
    "where it becomes one of the records above (a report, a flag, an answer, a setting).",
)

YOUR_DATA: tuple[str, ...] = (
    "Seeing it: an administrator can show you everything the coach keeps about you (`coach people export` "
    'gives it as JSON; `people export` in chat), and the dashboard\'s "my data" page shows the same.',
    "Removing it: an administrator can make the coach forget you (`coach people forget`; `people forget` in "
    "chat). Your identities, drafts, planned messages and local chat lines are deleted; your email, name and "
    "user ids are erased from every message and record, including messages sent to others and the audit "
    "trail; an answer an owner published from your flag keeps only the owner's answer; a Slack workspace you "
    "installed the coach in keeps the coach's token but not your id. What counts in figures others rely on "
    "(your programme progress and answers, your use of AI "
    "systems, your flags' and reports' status and deadlines, whether an announcement reached you) is kept "
    "anonymised, with what you wrote in it erased; the administrator is told what was kept. The audit "
    "trail records that someone was forgotten, without naming them.",
    "Personal details in a flag: where your organisation turns it on, email addresses, phone numbers, "
    "card and account numbers in an output you flag (and in what you expected) are hidden before the "
    "owners see it, and the coach keeps only the hidden version. The flag form shows you what will be "
    "shared before you send it, and the coach's reply names what was hidden.",
    "Backups: copies of the database your organisation keeps hold what was in it when they were made, "
    "including what was later removed or forgotten, until those backups are rotated.",
)
