"""Persistence for the decision log: what a drift review is shown, reviews, decisions, and the
cadence readiness checks (a review within the interval, a decision on every degraded review)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.audit import service as audit
from bot.decisions.models import Decision, DecisionKind, DriftReview, Verdict
from bot.escalations.models import Escalation
from bot.friction import themes
from bot.friction.models import FrictionReport

VERDICTS = {
    Verdict.stable: "stable",
    Verdict.watch: "watch",
    Verdict.degraded: "degraded",
}
KINDS = {
    DecisionKind.retrain: "retrain",
    DecisionKind.replace_model: "replace the model",
    DecisionKind.roll_back: "roll back",
    DecisionKind.keep: "keep as it is",
    DecisionKind.suspend: "suspend use",
    DecisionKind.retire: "retire the system",
}
VERSION_CHANGING = frozenset({DecisionKind.retrain, DecisionKind.replace_model, DecisionKind.roll_back})
OUT_OF_USE = {DecisionKind.suspend: "suspended", DecisionKind.retire: "retired"}


@dataclass(frozen=True)
class Since:
    """What happened to a system since its last drift review (or over the review interval)."""

    since: datetime
    last_review: DriftReview | None
    flags_by_reason: tuple[tuple[str, int], ...]
    flag_ids: tuple[int, ...]
    friction_by_category: tuple[tuple[str, int], ...]
    friction_phrases: tuple[tuple[str, int], ...]

    @property
    def flags(self) -> int:
        return sum(n for _, n in self.flags_by_reason)

    @property
    def friction(self) -> int:
        return sum(n for _, n in self.friction_by_category)

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "last_review": self.last_review.id if self.last_review else None,
            "flags_by_reason": dict(self.flags_by_reason),
            "friction_by_category": dict(self.friction_by_category),
            "friction_phrases": dict(self.friction_phrases),
        }


def latest_review(*, session: Session, system: str) -> DriftReview | None:
    return session.exec(
        select(DriftReview)
        .where(DriftReview.system_key == system)
        .order_by(col(DriftReview.created_at).desc(), col(DriftReview.id).desc())
    ).first()


def since_last_review(*, session: Session, system: str, interval_days: int, now: datetime) -> Since:
    last = latest_review(session=session, system=system)
    start = last.created_at if last is not None else now - timedelta(days=interval_days)
    flags = session.exec(
        select(Escalation.id, Escalation.reason).where(
            Escalation.system_key == system, col(Escalation.created_at) > start
        )
    ).all()
    reports = session.exec(
        select(FrictionReport).where(
            FrictionReport.system_key == system, col(FrictionReport.created_at) > start
        )
    ).all()
    found = themes.themes(
        [themes.Item(r.category, r.system_key, r.created_at, f"{r.trying_to} {r.details}") for r in reports]
    )
    return Since(
        since=start,
        last_review=last,
        flags_by_reason=_ranked(Counter(reason for _, reason in flags)),
        flag_ids=tuple(sorted(i for i, _ in flags if i is not None)),
        friction_by_category=found.by_category,
        friction_phrases=found.phrases,
    )


def _ranked(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def record_review(
    *,
    session: Session,
    system: str,
    reviewer_id: int,
    verdict: Verdict,
    looked_at: str,
    evidence: str,
    shown: Since,
    drill_id: int | None,
    now: datetime,
) -> DriftReview:
    review = DriftReview(
        system_key=system,
        reviewer_id=reviewer_id,
        verdict=str(verdict),
        looked_at=looked_at,
        evidence=evidence,
        shown=shown.as_json(),
        drill_id=drill_id,
        created_at=now,
    )
    session.add(review)
    session.flush()
    audit.record(
        session=session,
        at=now,
        actor_person_id=reviewer_id,
        action="decisions.drift_review",
        subject=f"system:{system}",
        detail={"review": review.id, "verdict": str(verdict)},
    )
    return review


def record_decision(
    *,
    session: Session,
    system: str,
    decider_id: int,
    kind: DecisionKind,
    rationale: str,
    review_id: int | None,
    flag_ids: Sequence[int],
    model_version: str | None,
    drill_id: int | None,
    now: datetime,
) -> Decision:
    decision = Decision(
        system_key=system,
        decider_id=decider_id,
        kind=str(kind),
        rationale=rationale,
        review_id=review_id,
        flag_ids=list(flag_ids),
        model_version=model_version,
        drill_id=drill_id,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    audit.record(
        session=session,
        at=now,
        actor_person_id=decider_id,
        action="decisions.decision",
        subject=f"system:{system}",
        detail={"decision": decision.id, "kind": str(kind), "review": review_id, "flags": list(flag_ids)},
    )
    return decision


def reviews(*, session: Session, system: str, limit: int = 10) -> Sequence[DriftReview]:
    return session.exec(
        select(DriftReview)
        .where(DriftReview.system_key == system)
        .order_by(col(DriftReview.created_at).desc(), col(DriftReview.id).desc())
        .limit(limit)
    ).all()


def decisions(*, session: Session, system: str, limit: int = 10) -> Sequence[Decision]:
    return session.exec(
        select(Decision)
        .where(Decision.system_key == system)
        .order_by(col(Decision.created_at).desc(), col(Decision.id).desc())
        .limit(limit)
    ).all()


def review(*, session: Session, review_id: int) -> DriftReview | None:
    return session.get(DriftReview, review_id)


def undecided_degraded(*, session: Session, system: str) -> Sequence[DriftReview]:
    """Degraded reviews no decision answers: none names them, and none was made after them."""
    degraded = session.exec(
        select(DriftReview).where(
            DriftReview.system_key == system, DriftReview.verdict == str(Verdict.degraded)
        )
    ).all()
    if not degraded:
        return []
    made = session.exec(select(Decision).where(Decision.system_key == system)).all()
    named = {d.review_id for d in made}
    last = max((d.created_at for d in made), default=None)
    return [r for r in degraded if r.id not in named and (last is None or last < r.created_at)]


def made_during(*, session: Session, drill_id: int) -> tuple[Sequence[DriftReview], Sequence[Decision]]:
    return (
        session.exec(select(DriftReview).where(DriftReview.drill_id == drill_id)).all(),
        session.exec(select(Decision).where(Decision.drill_id == drill_id)).all(),
    )
