"""Structure-aware mutation of JSON documents: start from a real payload, break it a little.

Random JSON alone almost never gets past a parser's first check; a real payload with one field deleted,
retyped or replaced reaches the code behind it.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

Path = tuple[str | int, ...]

# Values a hostile or broken client sends: wrong types, huge numbers, control characters, markup.
_NASTY_TEXT = st.sampled_from(
    ["", " ", "\x00", "\ud800", "1e308", "inf", "-1", "NaN", "<@U1>", "<!here>", "=cmd|' /C calc'!A0",
     "{{ 7*7 }}", "' OR 1=1 --", "%", "_", "a" * 5000, "D", "@coach", "\u202e"]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    _NASTY_TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(document: Any, prefix: Path = ()) -> list[Path]:
    """Every path to a value inside the document (not the root)."""
    found: list[Path] = []
    items: list[tuple[str | int, Any]] = []
    if isinstance(document, dict):
        items = list(document.items())
    elif isinstance(document, list):
        items = list(enumerate(document))
    for key, value in items:
        found.append((*prefix, key))
        found.extend(paths(value, (*prefix, key)))
    return found


def _apply(document: Any, path: Path, action: str, value: Any) -> Any:
    parent = document
    for key in path[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return document  # an earlier mutation removed the way there
    last = path[-1]
    try:
        if action == "delete":
            del parent[last]
        else:
            parent[last] = value
    except (KeyError, IndexError, TypeError):
        pass
    return document


@st.composite
def mutated(draw: st.DrawFn, original: Any, *, max_changes: int = 3) -> Any:
    """The original with 1 to `max_changes` values deleted or replaced by arbitrary JSON."""
    document = copy.deepcopy(original)
    targets = paths(original)
    for _ in range(draw(st.integers(min_value=1, max_value=max_changes))):
        path = draw(st.sampled_from(targets))
        action = draw(st.sampled_from(["delete", "replace", "replace"]))
        document = _apply(document, path, action, draw(JSON_VALUES) if action == "replace" else None)
    return document
