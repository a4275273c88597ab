"""The shapes of content/ files, as pydantic models that non-engineers meet through YAML.

Every model forbids unknown fields, so a typo (`tempalte:`) is reported rather than ignored.
Cross-file references (a step's template, a programme's system) are checked in `bot.content.check`.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Stage = Literal["invited", "onboarded", "activated", "habitual", "champion"]
STAGES: tuple[Stage, ...] = ("invited", "onboarded", "activated", "habitual", "champion")

StepKind = Literal["nudge", "tip", "check_in", "question"]
ButtonAction = Literal["done", "snooze", "stop", "report_problem", "link"]
Platform = Literal["local", "slack", "teams"]
RoleName = Literal[
    "escalation_owner",
    "drift_monitor",
    "retraining_decider",
    "change_communicator",
    "business_owner",
    "programme_owner",
]
ROLES: tuple[RoleName, ...] = (
    "escalation_owner",
    "drift_monitor",
    "retraining_decider",
    "change_communicator",
    "business_owner",
    "programme_owner",
)

KEY = r"^[a-z0-9][a-z0-9_-]*$"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://\S+$")


def stage_index(stage: Stage) -> int:
    """Position in invited → onboarded → activated → habitual → champion, for `stage_at_least`."""
    return STAGES.index(stage)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def _url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


# --- programmes --------------------------------------------------------------------------------


class StageRule(_Model):
    """A person reaches a stage when every criterion here holds (and they reached the stage before)."""

    min_uses: int = Field(0, ge=0, description="usage events of kind 'used' for the programme's system")
    min_active_days: int = Field(0, ge=0, description="distinct days with usage ...")
    within_days: int | None = Field(None, ge=1, description="... counted over the last N days")
    steps_done: tuple[str, ...] = Field((), description="step keys the person clicked 'done' on")


class Stages(_Model):
    onboarded: StageRule = StageRule()
    activated: StageRule = StageRule(min_uses=1)
    habitual: StageRule = StageRule(min_active_days=8, within_days=21)
    champion: StageRule = StageRule(min_active_days=15, within_days=30)


class Trigger(_Model):
    """Send when something happens rather than at a time; exactly one field is set."""

    inactive_days: int | None = Field(None, ge=1, description="no usage for N days (working or not)")
    stage_reached: Stage | None = None
    usage_milestone: int | None = Field(None, ge=1, description="the person's N-th use of the system")
    step_done: str | None = Field(None, description="the person clicked 'done' on this step")

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        chosen = [name for name, value in self if value is not None]
        if len(chosen) != 1:
            raise ValueError(
                "a trigger needs exactly one of inactive_days, stage_reached, usage_milestone, step_done"
            )
        return self


class SkipIf(_Model):
    """The step is skipped when ANY condition listed here holds for the person."""

    used_system: bool | None = Field(None, description="true: skip if they already used the system")
    stage_at_least: Stage | None = None
    step_done: str | None = Field(None, description="skip if they clicked 'done' on this step")


class Button(_Model):
    """Written in YAML as `done`, `snooze`, `stop`, `report_problem` or `{link: {label, url}}`."""

    action: ButtonAction
    label: str | None = None
    url: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"action": data}
        if isinstance(data, dict) and set(data) == {"link"}:
            link = data["link"]
            return {"action": "link", **link} if isinstance(link, dict) else {"action": "link", "url": link}
        return data

    @model_validator(mode="after")
    def _link_needs_url(self) -> Button:
        if self.action == "link":
            if not self.label or not self.url:
                raise ValueError("a link button needs both label and url")
            _url(self.url)
        elif self.url is not None:
            raise ValueError(f"only link buttons have a url, not {self.action!r}")
        return self


class Question(_Model):
    key: str = Field(pattern=KEY, description="answers are stored under this key, e.g. minutes_saved")
    prompt: str
    kind: Literal["number", "scale", "choice"]
    min: int | None = None
    max: int | None = None
    options: tuple[str, ...] = ()
    hint: str | None = None

    @model_validator(mode="after")
    def _range_or_options(self) -> Question:
        if self.kind == "choice":
            if len(self.options) < 2:
                raise ValueError("a choice question needs at least two options")
        elif self.min is None or self.max is None or self.min >= self.max:
            raise ValueError(f"a {self.kind} question needs min and max, with min < max")
        return self


class Repeat(_Model):
    every_working_days: int = Field(ge=1)
    max: int = Field(ge=1, description="how many times in all, the first one included")


class Step(_Model):
    key: str = Field(pattern=KEY)
    template: str = Field(description="path under templates/, e.g. programmes/assistant/welcome.md.j2")
    kind: StepKind = "nudge"
    after_working_days: int | None = Field(None, ge=0, description="working days after enrolment")
    after_hours: int | None = Field(None, ge=0, description="hours after enrolment")
    trigger: Trigger | None = None
    skip_if: SkipIf | None = None
    stages: tuple[Stage, ...] | None = Field(None, description="only people at these stages get it")
    buttons: tuple[Button, ...] = ()
    question: Question | None = None
    repeat: Repeat | None = None
    priority: int = Field(50, ge=0, le=100, description="higher goes first when several are due")

    @model_validator(mode="after")
    def _one_timing(self) -> Step:
        timings = [self.after_working_days, self.after_hours, self.trigger]
        if sum(t is not None for t in timings) != 1:
            raise ValueError("a step needs exactly one of after_working_days, after_hours, trigger")
        if self.kind == "question" and self.question is None:
            raise ValueError("a step of kind 'question' needs a question")
        return self


class Programme(_Model):
    key: str = Field(pattern=KEY)
    name: str
    description: str = ""
    system: str = Field(description="a system key from systems.yaml")
    stages: Stages = Stages()
    steps: tuple[Step, ...] = Field(min_length=1)
    # Set by the loader from the file's bytes, never written in YAML (see `_no_version`).
    version: str = ""

    @model_validator(mode="before")
    @classmethod
    def _no_version(cls, data: Any) -> Any:
        if isinstance(data, dict) and "version" in data:
            raise ValueError("version is computed from the file; remove it")
        return data

    @field_validator("steps")
    @classmethod
    def _unique_steps(cls, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        seen: set[str] = set()
        for step in steps:
            if step.key in seen:
                raise ValueError(f"two steps have the key {step.key!r}")
            seen.add(step.key)
        return steps

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)


# --- systems.yaml --------------------------------------------------------------------------------


class RoleAssignment(_Model):
    """A named person and a backup (an email or `group:NAME`); a missing one is a readiness gap."""

    person: str | None = None
    backup: str | None = None

    @field_validator("person")
    @classmethod
    def _person_email(cls, value: str | None) -> str | None:
        return None if value is None else _email(value)

    @field_validator("backup")
    @classmethod
    def _backup_email_or_group(cls, value: str | None) -> str | None:
        if value is None or value.startswith("group:"):
            return value
        return _email(value)


class Sla(_Model):
    """Counted in working hours of the owner's time zone; frozen on each escalation at flag time."""

    acknowledge_hours: float = Field(gt=0)
    answer_hours: float = Field(gt=0)

    @model_validator(mode="after")
    def _answer_after_ack(self) -> Sla:
        if self.answer_hours < self.acknowledge_hours:
            raise ValueError("answer_hours must be at least acknowledge_hours")
        return self


class BusinessCase(_Model):
    """What an hour saved is worth, for the dashboard's value in money, and the saving aimed for."""

    hourly_cost: float = Field(gt=0, description="the loaded cost of an hour of the users' time")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    target_hours_per_week: float | None = Field(None, gt=0, description="the business case's aim, if any")


RiskClass = Literal["minimal", "limited", "high"]
EVIDENCE_KINDS = ("literacy", "oversight", "monitoring", "workers_informed", "logs")


class SystemLogs(_Model):
    """Where the AI system's own logs are kept and for how long: the coach does not hold them, it reports them."""

    where: str = Field(min_length=1, description="e.g. the provider's console, a log store and its index")
    kept_days: int = Field(ge=1, le=36500, description="how many days they are kept")


class System(_Model):
    key: str = Field(pattern=KEY)
    name: str
    description: str = ""
    runbook: str | None = None
    model_version: str | None = None
    escalation_channel: dict[Platform, str] = Field(default_factory=dict)
    sla: Sla = Sla(acknowledge_hours=4, answer_hours=16)
    drift_review_days: int = Field(30, ge=1, le=366, description="a drift review is due this often")
    confirm_roles_days: int = Field(90, ge=7, le=366, description="owners confirm their roles this often")
    drills: bool = Field(False, description="true: admins may run handover drills on this system")
    # Names are checked against ROLES by the checker, which can point at the offending line.
    roles: dict[str, RoleAssignment] = Field(default_factory=dict)
    business_case: BusinessCase | None = None
    # Governance evidence (`coach evidence`): which duties apply, from when, and where its logs are.
    risk_class: RiskClass | None = Field(None, description="minimal, limited or high")
    go_live: date | None = Field(None, description="the day it was (or will be) put into service, YYYY-MM-DD")
    logs: SystemLogs | None = None

    @field_validator("runbook")
    @classmethod
    def _runbook_url(cls, value: str | None) -> str | None:
        return None if value is None else _url(value)

    def role(self, name: RoleName) -> RoleAssignment:
        return self.roles.get(name) or RoleAssignment()


class SystemsFile(_Model):
    groups: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    holidays: tuple[date, ...] = ()
    systems: tuple[System, ...] = Field(min_length=1)

    @field_validator("groups")
    @classmethod
    def _group_emails(cls, groups: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return {name: tuple(_email(e) for e in members) for name, members in groups.items()}

    @field_validator("systems")
    @classmethod
    def _unique_systems(cls, systems: tuple[System, ...]) -> tuple[System, ...]:
        _refuse_repeated([s.key for s in systems], "system")
        return systems


# --- friction.yaml -------------------------------------------------------------------------------


class Choice(_Model):
    key: str = Field(pattern=KEY)
    label: str


class Severity(Choice):
    urgent: bool = Field(False, description="true: sent to the owner at once, not in the digest")


class FrustrationRule(_Model):
    """Phrases that, found in a message to the bot, make it offer to file a friction report."""

    phrases: tuple[str, ...] = Field(min_length=1)
    category: str | None = Field(None, description="pre-selects this category in the report form")


class Friction(_Model):
    categories: tuple[Choice, ...] = Field(min_length=1)
    severities: tuple[Severity, ...] = Field(min_length=1)
    frustration: tuple[FrustrationRule, ...] = ()

    def match(self, text: str) -> FrustrationRule | None:
        """The first rule with a phrase in `text` (case, apostrophes and spacing ignored)."""
        said = f" {_normalise(text)} "
        for rule, phrases in self._normalised():
            if any(p in said for p in phrases):
                return rule
        return None

    def _normalised(self) -> tuple[tuple[FrustrationRule, tuple[str, ...]], ...]:
        return _normalised_rules(self.frustration)


@functools.lru_cache(maxsize=8)
def _normalised_rules(
    rules: tuple[FrustrationRule, ...],
) -> tuple[tuple[FrustrationRule, tuple[str, ...]], ...]:
    """Every message passes through `Friction.match`: normalise the phrases once, not per message."""
    return tuple((r, tuple(f" {_normalise(p)} " for p in r.phrases)) for r in rules)


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[^\w']+", " ", text).split())


class Duty(_Model):
    """A duty the evidence report assembles records for; the texts and dates live in duties.yaml, not code."""

    key: str = Field(pattern=KEY)
    title: str
    source: str  # e.g. "EU AI Act, Article 4"
    applies_to: tuple[RiskClass, ...] = Field(min_length=1)
    applies_from: date | None = None  # leave out when not verified: `applies_note` says where to look
    applies_note: str = ""
    summary: str
    evidence: tuple[Literal["literacy", "oversight", "monitoring", "workers_informed", "logs"], ...] = Field(
        min_length=1
    )


class DutiesFile(_Model):
    disclaimer: str = Field(min_length=1)
    checked_on: date  # when someone last checked the texts and dates against the current law
    duties: tuple[Duty, ...] = Field(min_length=1)

    @field_validator("duties")
    @classmethod
    def _unique_duties(cls, duties: tuple[Duty, ...]) -> tuple[Duty, ...]:
        _refuse_repeated([d.key for d in duties], "duty")
        return duties


def _refuse_repeated(keys: list[str], what: str) -> None:
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError(f"duplicate {what} keys: {', '.join(duplicates)}")
