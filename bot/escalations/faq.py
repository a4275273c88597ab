"""Which published FAQ entry, if any, answers a newly flagged output.

Similarity: TF-IDF cosine over word unigrams and bigrams (lower-cased, punctuation dropped), with a
smoothed IDF computed over the system's FAQ entries plus the new output, in plain Python (no models,
no downloads). An entry is offered when its cosine with the new output is at least `THRESHOLD`: 0.35
matches the same output reworded or shortened, and stays well above unrelated outputs of the same
system (which share only common words, discounted by IDF).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence

from bot.escalations.models import FaqEntry

THRESHOLD = 0.35
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def terms(text: str) -> Counter[str]:
    words = _WORD.findall(text.lower())
    grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return Counter(grams)


def _vector(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    return {t: (1 + math.log(n)) * idf.get(t, 0.0) for t, n in counts.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def similarities(query: str, documents: Sequence[str]) -> list[float]:
    """Cosine of `query` with each document, IDF over the documents and the query together."""
    bags = [terms(d) for d in documents]
    asked = terms(query)
    corpus = [*bags, asked]
    df: Counter[str] = Counter()
    for bag in corpus:
        df.update(bag.keys())
    idf = {t: math.log((1 + len(corpus)) / (1 + n)) + 1 for t, n in df.items()}
    target = _vector(asked, idf)
    return [cosine(target, _vector(bag, idf)) for bag in bags]


def best_match(output: str, entries: Sequence[FaqEntry]) -> tuple[FaqEntry, float] | None:
    if not entries or not output.strip():
        return None
    scores = similarities(output, [e.output_text for e in entries])
    score, entry = max(zip(scores, entries, strict=True), key=lambda pair: pair[0])
    return (entry, score) if score >= THRESHOLD else None
