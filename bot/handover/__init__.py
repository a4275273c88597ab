"""The handover pack: what a new team needs to take over an AI system (owners and backups with their
confirmations, runbook, open escalations and friction, SLA history, FAQ, drift reviews and decisions,
model versions and their announcements, programme figures, the last drill, readiness with fixes), as
Markdown, a printable HTML page (`coach handover SYSTEM [--html]`) and a summary in chat (`handover SYSTEM`).
Reads the other domains; nothing imports it but those entry points.
"""
