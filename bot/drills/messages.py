"""The drill's messages: the stand-ins' briefing and the report (neutral markdown, names escaped)."""

from __future__ import annotations

from typing import Any

from bot.drills import service
from bot.markdown import escape
from bot.messages import Context, Header, Message, Text
from bot.ownership.models import Drill
from bot.ownership.service import ROLE_LABELS
from bot.wording import plural


def briefing(*, drill: Drill, system_name: str, roles: list[tuple[str, str]], ends: str) -> Message:
    """To one stand-in: which roles they hold for the drill, for whom, until when."""
    lines = "\n".join(
        f"- {escape(ROLE_LABELS.get(role, role))} (for {escape(primary)})" for role, primary in roles
    )
    return Message(
        summary=f"Handover drill on {system_name}: you stand in",
        blocks=(
            Header(f"Handover drill: {system_name}"),
            Text(
                f"**This is a drill ({drill.reference}).** Until {escape(ends)}, you stand in for:\n{lines}\n\n"
                "Flags, friction reports and decision prompts for these roles come to you, not to "
                "them. Handle them as if they were away; ask them only if you must, and say so with "
                f"`drill note {escape(drill.system_key)} WHAT YOU NEEDED` so the runbook can cover it next time."
            ),
            Context("An admin can stop the drill at any moment with `drill stop SYSTEM`."),
        ),
    )


def report_message(
    *, drill: Drill, system_name: str, report: dict[str, Any], names: dict[int, str]
) -> Message:
    held = service.held(report)
    flags = report.get("flags", 0)
    lines = [
        f"- Flags: {plural(flags, 'flag')}, {report.get('flags_to_standins', 0)} routed to the backups; "
        f"{report.get('flags_within_sla', 0)} within SLA, {report.get('flags_missed_sla', 0)} missed, "
        f"{report.get('flags_open', 0)} still unanswered",
        f"- Friction: {plural(report.get('friction', 0), 'report')}, {report.get('friction_to_standins', 0)} "
        f"routed to the backups, {report.get('friction_handled', 0)} handled",
        f"- Decision log: {plural(report.get('reviews', 0), 'drift review')}, "
        f"{plural(report.get('decisions', 0), 'decision')}",
        f"- Runbook: {escape(report['runbook']) if report.get('runbook') else 'none in systems.yaml'}",
    ]
    needed = [escape(step) for step in report.get("primary_steps", [])] + [
        f"{escape(names.get(int(n.get('by', 0)), 'a backup'))}: {escape(str(n.get('text', '')))}"
        for n in report.get("notes", [])
    ]
    if needed:
        lines.append("- Needed the primary:\n" + "\n".join(f"  - {n}" for n in needed))
    if report.get("uncovered"):
        roles = ", ".join(escape(ROLE_LABELS.get(r, r)) for r in report["uncovered"])
        lines.append(f"- No backup could stand in for: {roles}")
    verdict = "**It held**: the backups ran the system alone." if held else "**It did not fully hold.**"
    if report.get("stopped_early"):
        verdict += " (stopped early)"
    fixes = service.fixes(report)
    blocks: list[Header | Text | Context] = [
        Header(f"Handover drill report: {system_name}"),
        Text(f"{drill.reference}: {verdict}\n" + "\n".join(lines)),
    ]
    if fixes:
        blocks.append(
            Text("**To fix before a real handover:**\n" + "\n".join(f"- {escape(f)}" for f in fixes))
        )
    blocks.append(Context("Readiness counts this drill. `drill SYSTEM N days` runs another."))
    return Message(summary=f"Handover drill report: {system_name}", blocks=tuple(blocks))
