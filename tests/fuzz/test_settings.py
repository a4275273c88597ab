"""Settings as an operator types them: a working configuration or one line naming the bad key, never a
traceback; `coach config` shows any accepted configuration with its secrets masked."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.config import MASK, Settings, SettingsError, load_settings, masked

NAMES = sorted(field.alias for field in Settings.model_fields.values() if field.alias)
SECRETS = {"COACH_API_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_SECRET",
           "TEAMS_APP_PASSWORD"}  # fmt: skip
VALUES = st.sampled_from(
    ["", " ", "0", "-1", "99999999999999999999", "1e308", "nan", "inf", "true", "yes", "maybe", "25:00-08:00",
     "08:00-08:00", "Mars/Olympus", "http://", "https://user:pw@host/x?token=abc", "postgresql://u:p@h/d",
     "sqlite:///", "\x00", "\ud800", "a" * 10000, "https://coach.example.com/", "ftp://x", "DEBUG"]
) | st.text(max_size=40)  # fmt: skip


@given(name=st.sampled_from(NAMES), value=VALUES)
@example(name="COACH_QUIET_HOURS", value="25:00-08:00")
@example(name="COACH_DEFAULT_TIMEZONE", value="Mars/Olympus")
def test_any_value_of_any_setting_is_taken_or_named(name: str, value: str) -> None:
    try:
        settings = load_settings(**{name: value}, _env_file=None)
    except SettingsError as exc:
        assert str(exc).startswith("invalid settings: ") and "\n" not in str(exc)
        return
    shown = masked(settings)
    if name in SECRETS and value.strip():
        assert shown[name] == MASK, (name, shown[name])
