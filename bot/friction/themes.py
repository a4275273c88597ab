"""Themes in friction reports, as pure functions: counts by category, system and ISO week, and
recurring phrases.

Recurring phrases are word n-grams (two to four words, stop words dropped at the edges) counted
once per report; a phrase is a theme when at least two reports use it. Longer phrases win over the
shorter ones they contain, so "takes forever to load" doesn't also show as "takes forever".
No model, no TF-IDF: with a few dozen reports a week, shared phrasing is the signal owners can read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

STOP_WORDS = frozenset(
    """a an and are as at be but by can could did do does doesn't don't for from had has have i i'm
    if in into is it it's its just me my no not of on or our so than that the their them then there
    this to too up was we were what when which who will with would you your very really""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[a-z0-9][a-z0-9']*")


@dataclass(frozen=True)
class Item:
    """What themes need from a report (so this module needs no database)."""

    category: str
    system: str
    created_at: datetime
    text: str


@dataclass(frozen=True)
class Themes:
    total: int
    by_category: tuple[tuple[str, int], ...]
    by_system: tuple[tuple[str, int], ...]
    by_week: tuple[tuple[str, int], ...]  # ("2026-W48", n), oldest first
    phrases: tuple[tuple[str, int], ...]  # (phrase, reports using it), most used first


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def ngrams(text: str, sizes: Sequence[int] = (2, 3, 4)) -> set[str]:
    """Distinct n-grams of `text` that neither start nor end with a stop word."""
    tokens = words(text)
    found: set[str] = set()
    for n in sizes:
        for i in range(len(tokens) - n + 1):
            gram = tokens[i : i + n]
            if gram[0] in STOP_WORDS or gram[-1] in STOP_WORDS:
                continue
            found.add(" ".join(gram))
    return found


def recurring_phrases(texts: Iterable[str], *, min_reports: int = 2, limit: int = 5) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(ngrams(text))
    common = [(p, n) for p, n in counts.items() if n >= min_reports]
    # Longest first, so a phrase inside a longer one with as many reports is dropped as redundant.
    common.sort(key=lambda pn: (-len(pn[0].split()), -pn[1], pn[0]))
    kept: list[tuple[str, int]] = []
    for phrase, n in common:
        if any(f" {phrase} " in f" {k} " and n <= kn for k, kn in kept):
            continue
        kept.append((phrase, n))
    kept.sort(key=lambda pn: (-pn[1], -len(pn[0].split()), pn[0]))
    return kept[:limit]


def week_of(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def themes(items: Sequence[Item], *, limit: int = 5) -> Themes:
    def ranked(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    weeks = Counter(week_of(i.created_at) for i in items)
    return Themes(
        total=len(items),
        by_category=ranked(Counter(i.category for i in items)),
        by_system=ranked(Counter(i.system for i in items)),
        by_week=tuple(sorted(weeks.items())),
        phrases=tuple(recurring_phrases((i.text for i in items), limit=limit)),
    )
