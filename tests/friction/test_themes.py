"""Themes as pure functions: counts by category, system and week, recurring word n-grams."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.friction.due import next_digest_at
from bot.friction.models import Cadence
from bot.friction.themes import Item, ngrams, recurring_phrases, themes, week_of

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_ngrams_skip_stop_words_at_the_edges() -> None:
    grams = ngrams("The login page is too slow")
    assert "login page" in grams and "too slow" not in grams and "the login" not in grams


def test_recurring_phrases_prefer_the_longest_shared_phrase() -> None:
    texts = [
        "Search takes forever to load",
        "it takes forever to load again",
        "login fails",
        "Login fails daily",
    ]
    assert recurring_phrases(texts) == [("takes forever to load", 2), ("login fails", 2)]


def test_a_phrase_counts_once_per_report() -> None:
    assert recurring_phrases(["slow search slow search slow search"]) == []


def test_counts_by_category_system_and_week() -> None:
    items = [
        Item("speed", "assistant", MONDAY, "slow"),
        Item("speed", "contract-review", MONDAY, "slow"),
        Item("trust", "assistant", datetime(2026, 12, 1, tzinfo=UTC), "wrong"),
    ]
    found = themes(items)
    assert found.total == 3
    assert found.by_category == (("speed", 2), ("trust", 1))
    assert found.by_system == (("assistant", 2), ("contract-review", 1))
    assert found.by_week == (("2026-W48", 2), ("2026-W49", 1))
    assert week_of(MONDAY) == "2026-W48"


def test_digest_time_is_nine_in_the_owners_zone_on_a_working_day() -> None:
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    daily = next_digest_at(friday_evening, timezone="America/New_York", cadence=Cadence.daily)
    assert daily.isoformat() == "2026-11-30T09:00:00-05:00"  # Monday, skipping the weekend
    weekly = next_digest_at(MONDAY, timezone="Europe/London", cadence=Cadence.weekly)
    assert weekly.isoformat() == "2026-11-30T09:00:00+00:00"
