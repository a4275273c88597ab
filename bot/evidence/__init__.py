"""Governance evidence: per AI system and duty (content/duties.yaml), the records the coach holds that
evidence it (programme completion per person, named overseers, drift reviews, flags and decisions,
announcements per person, where the system's logs are) and what is missing; `coach evidence SYSTEM`
prints the report and exports it as a hash-chained JSON Lines file that `coach evidence verify` checks.
Reads the other domains; nothing imports it but those entry points.
"""
