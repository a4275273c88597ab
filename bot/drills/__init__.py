"""Handover drills: an admin runs one on a system (`drill SYSTEM 5 days`, opt-in per system in
systems.yaml); for that time each role's backup stands in for its primary, who is treated as away.
`bot.ownership.service.holder` answers with the stand-in, so flags, friction, decision prompts and
confirmations reach the backups, who were told it is a drill. At the end (or `drill stop SYSTEM`) the
coach reports what held (SLA met by the backups, what is still open, what needed the primary, the
runbook) with fixes to make, and readiness counts the drill as evidence. The drill table is ownership's
(`bot.ownership.models.Drill`), as its stand-ins are who holds a role: drills import ownership, never the
reverse.
"""
