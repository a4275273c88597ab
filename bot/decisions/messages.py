"""The decision log's forms and messages (neutral markdown; person text escaped or quoted)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.decisions.models import Decision, DecisionKind, DriftReview
from bot.decisions.service import KINDS, VERDICTS, Since
from bot.markdown import escape
from bot.messages import Context, Field, Form, Header, Message, Option, Quote, Text
from bot.wording import plural

REVIEW_FORM = "decisions.review"
DECISION_FORM = "decisions.decision"
NO_REVIEW = "none"  # select options need a non-empty value on every platform
LOOKED_AT_MAX = 2000
EVIDENCE_MAX = 2000
RATIONALE_MAX = 2000
FLAGS_MAX = 300
VERSION_MAX = 100

REASON_WORDS = {
    "wrong": "looks wrong",
    "unclear": "unclear",
    "outdated": "outdated",
    "harmful": "could cause harm",
    "other": "other",
}


def since_words(since: Since, *, reviewer: str | None) -> str:
    """Flags by reason and friction themes since the last review, as the form shows them."""
    when = f"{since.since:%a %d %b %Y}"
    head = (
        f"Since the last review ({escape(when)}, by {escape(reviewer)})"
        if since.last_review is not None and reviewer is not None
        else f"Since {escape(when)} (no review yet)"
    )
    lines = [f"**{head}:**"]
    if since.flags:
        reasons = ", ".join(f"{n} {REASON_WORDS.get(r, escape(r))}" for r, n in since.flags_by_reason)
        lines.append(f"- {plural(since.flags, 'flag')}: {reasons}")
    else:
        lines.append("- no flags")
    if since.friction:
        categories = ", ".join(f"{escape(c)} {n}" for c, n in since.friction_by_category)
        lines.append(f"- {plural(since.friction, 'friction report')}: {categories}")
        if since.friction_phrases:
            phrases = ", ".join(f"“{escape(p)}” ({n})" for p, n in since.friction_phrases)
            lines.append(f"- recurring themes: {phrases}")
    else:
        lines.append("- no friction reports")
    return "\n".join(lines)


def review_form(*, system_key: str, system_name: str, since: Since, reviewer: str | None) -> Form:
    return Form(
        form_id=REVIEW_FORM,
        title="Drift review",
        intro=f"**Drift review of {escape(system_name)}.**\n\n{since_words(since, reviewer=reviewer)}",
        fields=(
            Field(
                "looked_at",
                "What you looked at",
                kind="multiline",
                placeholder="Evaluation set results, sampled answers, the flags above",
                max_length=LOOKED_AT_MAX,
            ),
            Field(
                "verdict",
                "Verdict",
                kind="select",
                options=tuple(Option(str(v), label.capitalize()) for v, label in VERDICTS.items()),
            ),
            Field(
                "evidence",
                "Evidence links",
                kind="multiline",
                required=False,
                hint="One link a line (a dashboard, a notebook, an evaluation report)",
                max_length=EVIDENCE_MAX,
            ),
        ),
        submit_label="Record review",
        context=system_key,
    )


def decision_form(
    *, system_key: str, system_name: str, reviews: Sequence[DriftReview], review_id: int | None
) -> Form:
    options = [Option(NO_REVIEW, "No review")] + [
        Option(str(r.id), f"{r.reference} {r.created_at:%d %b} ({r.verdict})") for r in reviews
    ]
    return Form(
        form_id=DECISION_FORM,
        title="Decision",
        intro=f"**A decision about {escape(system_name)}.** Suspend and retire tell its users and stop "
        "its programme; a new model version goes to the change communicator to announce.",
        fields=(
            Field(
                "kind",
                "Decision",
                kind="select",
                options=tuple(Option(str(k), label.capitalize()) for k, label in KINDS.items()),
            ),
            Field("rationale", "Why", kind="multiline", max_length=RATIONALE_MAX),
            Field(
                "review",
                "Drift review behind it",
                kind="select",
                required=False,
                options=tuple(options),
                initial=str(review_id) if review_id else NO_REVIEW,
            ),
            Field(
                "flags",
                "Flags behind it",
                required=False,
                placeholder="ESC-3, ESC-7",
                max_length=FLAGS_MAX,
            ),
            Field(
                "model_version",
                "New model version",
                required=False,
                hint="For retrain, replace or roll back, once you know it",
                max_length=VERSION_MAX,
            ),
        ),
        submit_label="Record decision",
        context=f"{system_key}|{review_id or ''}",
    )


def review_line(review: DriftReview, reviewer: str) -> str:
    return (
        f"- **{review.reference}** {review.created_at:%d %b %Y}: **{escape(review.verdict)}** "
        f"by {escape(reviewer)}"
    )


def decision_line(decision: Decision, decider: str) -> str:
    links = []
    if decision.review_id:
        links.append(f"DR-{decision.review_id}")
    links.extend(f"ESC-{i}" for i in decision.flag_ids)
    behind = f" (after {', '.join(links)})" if links else ""
    version = f", model {escape(decision.model_version)}" if decision.model_version else ""
    label = KINDS.get(DecisionKind(decision.kind), decision.kind)
    return (
        f"- **{decision.reference}** {decision.created_at:%d %b %Y}: **{escape(label)}**{version}"
        f" by {escape(decider)}{behind}"
    )


def log_message(
    *, system_name: str, reviews: list[tuple[DriftReview, str]], decisions: list[tuple[Decision, str]]
) -> Message:
    blocks: list[Header | Text | Quote | Context] = [Header(f"Decision log: {system_name}")]
    blocks.append(
        Text("**Drift reviews**\n" + ("\n".join(review_line(r, n) for r, n in reviews) or "None yet."))
    )
    blocks.append(
        Text("**Decisions**\n" + ("\n".join(decision_line(d, n) for d, n in decisions) or "None yet."))
    )
    blocks.append(Context("`review drift SYSTEM` records a review; `decide SYSTEM` records a decision."))
    return Message(summary=f"Decision log: {system_name}", blocks=tuple(blocks))
