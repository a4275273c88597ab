"""Settings, read once at start-up from the environment and `.env`.

A missing or malformed setting fails at start-up with the key's name (`load_settings`).
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Literal
from urllib.parse import unquote_plus, urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./coach.db"


RETENTION_KINDS = ("flags", "friction", "questions", "usage", "outbox", "transcripts")
RETENTION_DEFAULTS = {
    "flags": 365,
    "friction": 365,
    "questions": 365,
    "usage": 400,
    "outbox": 90,
    "transcripts": 30,
}
# The outcomes report reaches back 52 weeks and one more for "went quiet" (bot.outcomes.service.MAX_WEEKS;
# a test keeps them equal): usage may not go sooner, or a report would change because rows were deleted.
RETENTION_BUILT_IN_FLOORS = {"usage": 53 * 7}


def _retention_days(text: str, *, name: str) -> dict[str, int]:
    days: dict[str, int] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        kind, _, value = (x.strip() for x in part.partition("="))
        if kind not in RETENTION_KINDS:
            raise ValueError(f"{name}: unknown kind {kind!r} (known: {', '.join(RETENTION_KINDS)})")
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 36500:
            raise ValueError(f"{name}: {kind} must be a whole number of days from 1 to 36500")
        days[kind] = int(value)
    return days


def parse_retention(retention: str, floor: str) -> dict[str, int]:
    """Days each kind is kept: the defaults, overridden by COACH_RETENTION, never below a floor."""
    days = {**RETENTION_DEFAULTS, **_retention_days(retention, name="COACH_RETENTION")}
    floors = dict(RETENTION_BUILT_IN_FLOORS)
    for kind, least in _retention_days(floor, name="COACH_RETENTION_FLOOR").items():
        floors[kind] = max(floors.get(kind, 0), least)
    for kind, least in floors.items():
        if days[kind] < least:
            why = (
                "what outcomes reach back to"
                if least == RETENTION_BUILT_IN_FLOORS.get(kind)
                else "COACH_RETENTION_FLOOR"
            )
            raise ValueError(
                f"COACH_RETENTION: {kind}={days[kind]} is below its floor of {least} days ({why})"
            )
    return days


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the key."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        alias="COACH_DATABASE_URL",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    content_dir: Path = Field(
        Path("content"), alias="COACH_CONTENT_DIR", description="Programmes, templates and systems.yaml"
    )
    public_url: str | None = Field(
        None,
        alias="COACH_PUBLIC_URL",
        description="The https address people and platforms reach this coach at, e.g. https://coach.example.com: "
        "the Slack OAuth redirect, the privacy and terms links, and `coach manifest` use it",
    )
    host: str = Field("127.0.0.1", alias="COACH_HOST", description="Address the HTTP server binds")
    port: int = Field(3978, alias="COACH_PORT", ge=1, le=65535, description="Port the HTTP server binds")
    admins: str = Field(
        "", alias="COACH_ADMINS", description="Comma-separated emails or platform user ids made admins"
    )
    api_token: SecretStr | None = Field(
        None, alias="COACH_API_TOKEN", description="Bearer token for /api/v1/* (usage, announcements)"
    )
    local_chat: bool | None = Field(
        None,
        alias="COACH_LOCAL_CHAT",
        description="Serve the local web chat; default: only when no platform credentials are set",
    )
    local_chat_force_remote: bool = Field(
        False,
        alias="COACH_LOCAL_CHAT_FORCE_REMOTE",
        description="Allow the local chat (which lets anyone act as anyone) on a non-loopback host",
    )
    local_chat_force_with_platforms: bool = Field(
        False,
        alias="COACH_LOCAL_CHAT_FORCE_WITH_PLATFORMS",
        description="Allow the local chat beside Slack or Teams (a tab could act as any of their people)",
    )
    demo: bool = Field(
        True,
        alias="COACH_DEMO",
        description="Seed the local chat's demo people with their roles; only without platform credentials",
    )
    demo_history: bool = Field(
        True,
        alias="COACH_DEMO_HISTORY",
        description="With the demo: seed twelve weeks of an example organisation's rollout on a new database",
    )
    max_body_bytes: int = Field(
        2 * 1024 * 1024, alias="COACH_MAX_BODY_BYTES", ge=1024, description="Largest request body accepted"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO",
        alias="COACH_LOG_LEVEL",
        description="Log level; platform SDKs stay at WARNING unless DEBUG, which logs request bodies",
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        alias="COACH_LOG_FORMAT",
        description="text lines, or JSON lines (time, level, logger, message, request_id, fields)",
    )
    access_log_sample: int = Field(
        100,
        alias="COACH_ACCESS_LOG_SAMPLE",
        ge=1,
        description="Log one in N answered requests on /slack/events and /api/messages (every refusal, error "
        "and slow answer is logged); 1 logs them all",
    )
    default_timezone: str = Field(
        "UTC", alias="COACH_DEFAULT_TIMEZONE", description="Time zone for people whose platform gives none"
    )

    default_programme: str | None = Field(
        None, alias="COACH_DEFAULT_PROGRAMME", description="Programme new people join; default: the first one"
    )
    weekly_cap: int = Field(
        5, alias="COACH_WEEKLY_CAP", ge=1, description="Proactive messages per person per rolling 7 days"
    )
    min_gap_hours: float = Field(
        4, alias="COACH_MIN_GAP_HOURS", ge=0, description="Least time between two proactive messages"
    )
    quiet_hours: str = Field(
        "20:00-08:00",
        alias="COACH_QUIET_HOURS",
        description="Local HH:MM-HH:MM when nothing is sent; empty: none",
    )
    outbox_lease_seconds: float = Field(
        120,
        alias="COACH_OUTBOX_LEASE_SECONDS",
        gt=0,
        description="A message claimed longer ago than this by a process that died is claimed again",
    )
    due_work_lease_seconds: float = Field(
        30,
        alias="COACH_DUE_WORK_LEASE_SECONDS",
        gt=0,
        description="Due work (a fan-out's next chunk) held by a process that died is run by another after this",
    )
    quota_scale: float = Field(
        1.0,
        alias="COACH_QUOTA_SCALE",
        gt=0,
        description="Multiplies every platform rate limit the coach paces by (benchmarks against a fast fake)",
    )
    tick_seconds: float = Field(
        10, alias="COACH_TICK_SECONDS", gt=0, description="How often due work is checked"
    )
    min_group_size: int = Field(
        5,
        alias="COACH_MIN_GROUP_SIZE",
        ge=1,
        description="Outcomes count people only in groups at least this big; smaller ones could be identified",
    )

    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN", description="xoxb- bot token")
    slack_signing_secret: SecretStr | None = Field(
        None, alias="SLACK_SIGNING_SECRET", description="Verifies requests from Slack"
    )
    slack_app_token: SecretStr | None = Field(
        None, alias="SLACK_APP_TOKEN", description="xapp- token: use Socket Mode instead of HTTP"
    )
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID", description="OAuth install")
    slack_client_secret: SecretStr | None = Field(None, alias="SLACK_CLIENT_SECRET", description="OAuth")
    slack_api_url: str = Field(
        "https://slack.com/api/", alias="SLACK_API_URL", description="Web API base URL (GovSlack, proxies)"
    )
    slack_authorize_url: str | None = Field(
        None,
        alias="SLACK_AUTHORIZE_URL",
        description="Where /slack/install sends the browser; default: SLACK_API_URL's host, /oauth/v2/authorize",
    )

    teams_app_id: str | None = Field(None, alias="TEAMS_APP_ID", description="Bot's Microsoft app id")
    teams_app_password: SecretStr | None = Field(None, alias="TEAMS_APP_PASSWORD", description="Secret")
    teams_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = Field(
        "MultiTenant", alias="TEAMS_APP_TYPE"
    )
    teams_app_tenant_id: str | None = Field(None, alias="TEAMS_APP_TENANT_ID")
    teams_openid_metadata_url: str | None = Field(None, alias="TEAMS_OPENID_METADATA_URL")
    teams_token_issuer: str | None = Field(None, alias="TEAMS_TOKEN_ISSUER")
    teams_login_url: str | None = Field(None, alias="TEAMS_LOGIN_URL")
    teams_oauth_scope: str | None = Field(None, alias="TEAMS_OAUTH_SCOPE")
    teams_oauth_url: str | None = Field(None, alias="TEAMS_OAUTH_URL")
    redact_flags: bool = Field(
        False,
        alias="COACH_REDACT_FLAGS",
        description="Hide email addresses, phone numbers, card and account numbers in flagged outputs before "
        "owners see them (the person flagging sees what will be shared)",
    )
    redact_region: str = Field(
        "US",
        alias="COACH_REDACT_REGION",
        pattern=r"^[A-Z]{2}$",
        description="The country whose phone numbers may be written without a +country code (ISO 3166, e.g. GB)",
    )
    retention: str = Field(
        ",".join(f"{kind}={days}" for kind, days in RETENTION_DEFAULTS.items()),
        alias="COACH_RETENTION",
        description="Days each kind is kept: flags, friction, questions, usage, outbox, transcripts (any subset; "
        "the rest keep their default)",
    )
    retention_floor: str = Field(
        "",
        alias="COACH_RETENTION_FLOOR",
        description="The least number of days the organisation must keep a kind, e.g. flags=730",
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return check_public_url(value)

    @model_validator(mode="after")
    def _oauth_needs_public_url(self) -> Settings:
        # Slack refuses an install whose redirect_uri is not one of the app's redirect URLs; the coach
        # can only name the right one when it knows the address it is reached at.
        if self.slack_client_id and self.slack_signing_secret is not None and self.public_url is None:
            raise ValueError(
                "COACH_PUBLIC_URL: SLACK_CLIENT_ID (installs in several workspaces) needs the public https "
                "address, for the OAuth redirect https://HOST/slack/oauth_redirect"
            )
        return self

    def public_link(self, path: str) -> str | None:
        """An absolute link to a page of this coach (None when COACH_PUBLIC_URL is not set): what
        platforms, manifests and messages point people at."""
        if self.public_url is None:
            return None
        return self.public_url + "/" + path.lstrip("/")

    @model_validator(mode="after")
    def _retention_above_floors(self) -> Settings:
        self.retention_days  # noqa: B018  (parsed once here, so start-up names a bad one)
        return self

    @property
    def retention_days(self) -> dict[str, int]:
        return parse_retention(self.retention, self.retention_floor)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        if value.strip() and parse_quiet_hours(value) is None:
            raise ValueError("use HH:MM-HH:MM, e.g. 20:00-08:00, or leave empty")
        return value.strip()

    @property
    def admin_handles(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.admins.split(",") if h.strip())

    @property
    def slack_enabled(self) -> bool:
        return self.slack_signing_secret is not None or self.slack_app_token is not None

    @property
    def teams_enabled(self) -> bool:
        return bool(self.teams_app_id)

    @property
    def local_chat_enabled(self) -> bool:
        if self.local_chat is not None:
            return self.local_chat
        return not (self.slack_enabled or self.teams_enabled)

    @property
    def platform_credentials_set(self) -> bool:
        """Any Slack or Teams credential at all, even an incomplete set: then this is no demo."""
        slack = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token, self.slack_client_id)
        teams = (self.teams_app_id, self.teams_app_password)
        return any(_given(value) for value in (*slack, *teams))

    @property
    def demo_enabled(self) -> bool:
        """The embedded default: the local chat with no platform credentials, and COACH_DEMO not off."""
        return self.demo and self.local_chat_enabled and not self.platform_credentials_set

    @property
    def platforms(self) -> tuple[str, ...]:
        """The platforms this deployment serves, in the order the bot prefers to post on them."""
        served = (
            ("slack", self.slack_enabled),
            ("teams", self.teams_enabled),
            ("local", self.local_chat_enabled),
        )
        return tuple(name for name, on in served if on)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _given(value: SecretStr | str | None) -> bool:
    return bool(value.get_secret_value() if isinstance(value, SecretStr) else value)


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning pydantic's report into one line per bad key."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            if error["loc"]:
                problems.append(f"{_env_name(str(error['loc'][0]))}: {error['msg']}")
            else:  # a rule across settings: its message names the keys
                problems.append(str(error["msg"]).removeprefix("Value error, "))
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None


def _env_name(field_or_alias: str) -> str:
    field = Settings.model_fields.get(field_or_alias)
    if field is not None and field.alias:
        return field.alias
    return field_or_alias


MASK = "********"
# Query parameters and userinfo that carry credentials: passwords, tokens, keys, signatures, codes.
SECRET_PARAMETER = re.compile(r"pass|pwd|secret|token|key|sig|auth|credential|session|code", re.IGNORECASE)
# Schemes whose userinfo without a password is a role name, not a credential.
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")


def masked(settings: Settings) -> dict[str, str]:
    """The effective configuration keyed by environment name, secrets masked: secret settings whole,
    and in every URL-valued one its password, a bare credential as userinfo and secret parameters."""
    shown: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            text = MASK if value.get_secret_value() else ""
        elif value is None:
            text = ""
        else:
            text = mask_url(str(value))
        shown[field.alias or name] = text
    return shown


def mask_url(url: str) -> str:
    """`url` with its secrets masked (anything else is returned as it is): the password in
    `user:password@`, userinfo without a password unless it is a database role, and the values of
    query or fragment parameters named like a secret (`?password=`, `?token=`, `&sig=` …)."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme.replace("+", "").replace("-", "").replace(".", "").isalnum():
        return url
    rest, hash_mark, fragment = rest.partition("#")
    rest, question, query = rest.partition("?")
    if "@" in rest and not rest.startswith("/"):
        userinfo, _, location = rest.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        if colon:
            userinfo = f"{user}:{MASK}"
        elif not scheme.split("+")[0].lower().startswith(DATABASE_SCHEMES):
            userinfo = MASK
        rest = f"{userinfo}@{location}"
    return f"{scheme}://{rest}{question}{_mask_parameters(query)}{hash_mark}{_mask_parameters(fragment)}"


def _mask_parameters(parameters: str) -> str:
    masked_pairs = []
    for pair in re.split(r"([&;])", parameters):
        key, equals, value = pair.partition("=")
        secret = equals and value and SECRET_PARAMETER.search(unquote_plus(key))
        masked_pairs.append(f"{key}={MASK}" if secret else pair)
    return "".join(masked_pairs)


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def check_public_url(value: str) -> str:
    """An https base URL without a trailing slash (plain http only on this machine, for trials);
    raises ValueError saying what is wrong."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError(f"must be an https URL such as https://coach.example.com, not {value!r}")
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        raise ValueError(f"must use https (Slack and Teams call only https addresses), not {value!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"must be a base address without ?query or #fragment, not {value!r}")
    return url


def parse_quiet_hours(value: str) -> tuple[time, time] | None:
    """("20:00-08:00") -> (20:00, 08:00); None when empty or malformed."""
    start, sep, end = value.strip().partition("-")
    if not sep:
        return None
    try:
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        return None
