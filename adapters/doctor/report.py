"""A finding: one thing checked, whether it holds, and the fix when it does not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "fail", "info"]
LOCAL_ONLY = "Slack and Teams"  # the check that says neither platform is configured


@dataclass(frozen=True)
class Finding:
    area: str  # "Settings", "Database", "Content", "Slack", "Teams"
    check: str  # what was checked, in a few words
    status: Status
    detail: str = ""  # what was found
    fix: str = ""  # what to do, when it failed

    @property
    def failed(self) -> bool:
        return self.status == "fail"


def ok(area: str, check: str, detail: str = "") -> Finding:
    return Finding(area, check, "ok", detail)


def fail(area: str, check: str, detail: str, fix: str) -> Finding:
    return Finding(area, check, "fail", detail, fix)


def info(area: str, check: str, detail: str) -> Finding:
    return Finding(area, check, "info", detail)


def next_step(findings: list[Finding]) -> str:
    """The one thing to do now: the first failure's fix, or that all is well."""
    first = next((f for f in findings if f.failed), None)
    if first is None and any(f.check == LOCAL_ONLY for f in findings):
        return (
            "Nothing is wrong. To put the coach on Slack or Teams, create the app from "
            "`coach manifest slack` or `coach manifest teams` (README: Slack, Teams) and set its credentials."
        )
    if first is None:
        return "Nothing: every check passed. Talk to the coach (type `help`)."
    return f"{first.area}: {first.fix}"
