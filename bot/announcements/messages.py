"""The messages announcements send: to recipients, the author's preview and live status, question notices."""

from __future__ import annotations

from bot.announcements.models import Announcement, AnnouncementQuestion
from bot.announcements.service import Counts
from bot.content import Content
from bot.markdown import escape
from bot.messages import (
    OPEN_FORM,
    Actions,
    Block,
    Button,
    Context,
    Divider,
    Fact,
    Facts,
    Header,
    Message,
    Quote,
    Text,
)

ACK = "announcement.ack"
CONFIRM = "announcement.confirm"
CANCEL = "announcement.cancel"
DISCARD = "announcement.discard"  # the preview's Cancel: drops a draft, never stops a sending
QUESTION_FORM = "announcements.question"
ANSWER_FORM = "announcements.answer"


def footer(*, content: Content, announcement: Announcement, system_name: str) -> str:
    return content.render(
        "announcements/footer.md.j2",
        announcement={
            "author": announcement.author_name or "your admins",
            "system": system_name,
            "model_version": announcement.model_version or "",
        },
    )


def to_recipient(*, announcement: Announcement, body: str, footer_markdown: str) -> Message:
    """What a recipient sees; the buttons carry the announcement id."""
    assert announcement.id is not None
    buttons = []
    if announcement.ack_required:
        buttons.append(Button(ACK, "Got it", value=str(announcement.id), style="primary"))
    buttons.append(Button(OPEN_FORM, "I have a question", value=f"{QUESTION_FORM}|{announcement.id}"))
    prefix = "Important: " if announcement.critical else ""
    return Message(
        summary=f"{prefix}{announcement.title}"[:150],
        blocks=(
            Header(f"{prefix}{announcement.title}"),
            Text(body),
            Context(footer_markdown),
            Actions(tuple(buttons)),
        ),
    )


def preview(
    *,
    announcement: Announcement,
    sample: Message,
    audience: str,
    when: str,
    recipients: int,
    unreachable: int,
) -> Message:
    assert announcement.id is not None
    facts = [
        Fact("Audience", audience),
        Fact("Recipients", str(recipients)),
        Fact("Unreachable now", f"{unreachable} (they get it when they first talk to me)"),
        Fact("When", when),
        Fact("Acknowledgement", "required" if announcement.ack_required else "not asked"),
    ]
    if announcement.critical:
        facts.append(Fact("Critical", "yes: bypasses working hours, quiet hours and caps"))
    return Message(
        summary=f"Preview: {announcement.title}",
        blocks=(
            Text("**Preview.** This is how it looks to you; each person sees their own name."),
            Divider(),
            *sample.blocks[:-1],
            Facts(tuple(facts)),
            Actions(
                (
                    Button(CONFIRM, "Confirm and send", value=str(announcement.id), style="primary"),
                    Button(DISCARD, "Cancel", value=str(announcement.id), style="danger"),
                )
            ),
        ),
    )


def status(*, announcement: Announcement, counts: Counts, state: str, finish: str | None = None) -> Message:
    """The author's live status; `state` is `service.progress` (done only once nothing is pending);
    `finish` the estimate for what is pending ("~17 min at Slack's limit")."""
    assert announcement.id is not None
    blocks: list[Block] = [
        Text(f"**Announcement {announcement.id}: {escape(announcement.title)}** ({state})"),
        Facts(
            (
                Fact("Recipients", str(counts.recipients)),
                Fact("Sent", str(counts.sent)),
                Fact("Pending", str(counts.pending)),
                Fact("Failed", str(counts.failed)),
                Fact("Unreachable", str(counts.unreachable)),
                Fact("Acknowledged", str(counts.acknowledged)),
                Fact("Questions", str(counts.questions)),
            )
            + ((Fact("Cancelled", str(counts.cancelled)),) if counts.cancelled else ())
            + ((Fact("Estimated finish", finish),) if finish and state not in ("done", "cancelled") else ())
        ),
        Context(f"`announcement {announcement.id}` shows the full report."),
    ]
    if state not in ("done", "cancelled") and counts.pending:
        blocks.append(
            Actions((Button(CANCEL, "Cancel what has not gone", value=str(announcement.id), style="danger"),))
        )
    return Message(
        summary=f"Announcement {announcement.id}: {counts.sent} sent, {counts.acknowledged} acknowledged",
        blocks=tuple(blocks),
    )


def question_notice(
    *, content: Content, announcement: Announcement, question: AnnouncementQuestion, asker: str, due: str
) -> Message:
    assert question.id is not None
    text = content.render(
        "announcements/question.md.j2",
        person={"name": asker},
        announcement={"title": announcement.title, "system": announcement.system_key or ""},
        escalation={"due": due},
    )
    return Message(
        summary=f"Question from {asker} about {announcement.title}"[:150],
        blocks=(
            Text(text),
            Quote(question.text, label="Their question"),
            Actions((Button(OPEN_FORM, "Answer", value=f"{ANSWER_FORM}|{question.id}", style="primary"),)),
        ),
    )


def answer(*, announcement: Announcement, question: AnnouncementQuestion, by: str) -> Message:
    return Message(
        summary=f"An answer about {announcement.title}"[:150],
        blocks=(
            Text(f'**{escape(by)} answered your question about "{escape(announcement.title)}":**'),
            Quote(question.text, label="You asked"),
            Quote(question.answer or "", label="Answer"),
        ),
    )
