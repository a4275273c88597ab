"""A hash chain over an export's records (JSON Lines): each line carries the SHA-256 of the previous
line's hash and its own record, and a last `end` record counts them, so an edited, removed, reordered or
added line, or a cut-off file, fails `verify`. Recomputing the whole chain is possible for whoever edits
the file: keep the head hash (printed at export) apart from it, e.g. in the ticket the export answers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
END = "end"


def _canonical(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def link(prev: str, record: dict[str, Any]) -> str:
    return hashlib.sha256(f"{prev}\n{_canonical(record)}".encode()).hexdigest()


def export(records: Iterable[dict[str, Any]]) -> tuple[str, str]:
    """The JSON Lines text and its head hash (the last line's)."""
    lines: list[str] = []
    prev = GENESIS
    count = 0
    for count, record in enumerate([*records], start=1):
        prev = _line(lines, count, record, prev)
    prev = _line(lines, count + 1, {"kind": END, "records": count}, prev)
    return "\n".join(lines) + "\n", prev


def _line(lines: list[str], seq: int, record: dict[str, Any], prev: str) -> str:
    digest = link(prev, record)
    lines.append(
        json.dumps(
            {"seq": seq, "record": record, "prev": prev, "hash": digest}, ensure_ascii=False, default=str
        )
    )
    return digest


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    records: int
    head: str | None


def verify(text: str) -> Verdict:
    lines = [line for line in text.splitlines() if line.strip()]
    prev = GENESIS
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
            seq, record, claimed_prev, claimed = entry["seq"], entry["record"], entry["prev"], entry["hash"]
        except (ValueError, KeyError, TypeError):
            return Verdict(False, f"line {number}: not a record of an evidence export", number - 1, None)
        if seq != number or claimed_prev != prev:
            return Verdict(
                False, f"line {number}: out of order, or a line before it was removed", number - 1, None
            )
        if not isinstance(record, dict) or link(prev, record) != claimed:
            return Verdict(False, f"line {number}: its record was changed after export", number - 1, None)
        prev = claimed
        if record.get("kind") == END:
            if number != len(lines):
                return Verdict(False, f"line {number + 1}: lines were added after the end", number, None)
            if record.get("records") != number - 1:
                return Verdict(
                    False, f"line {number}: the end counts a different number of records", number, None
                )
            return Verdict(True, f"intact: {number - 1} records, head {prev}", number - 1, prev)
    return Verdict(
        False, "the file ends before its end record: lines were removed or it was cut off", len(lines), None
    )


def records_of(text: str) -> Sequence[dict[str, Any]]:
    """The records of an export (after `verify`), the end record left out."""
    found = [json.loads(line)["record"] for line in text.splitlines() if line.strip()]
    return [r for r in found if r.get("kind") != END]
