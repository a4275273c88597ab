"""Readiness: per AI system, a 0–100 score with the checks behind it (roles and backups, reachable
owners, backups with practice, SLA kept, nothing overdue, runbook, programme, model version
announced), shown by `readiness` in chat, `coach readiness` and GET /api/v1/readiness, plus the
weekly gap check sent to admins. Reads ownership, escalations, programmes and (when it exists)
announcements; nothing imports it but those entry points and `bot.escalations` (which registers it).
"""
