"""The ownership registry: who, per AI system, monitors drift, decides retraining, answers
escalations, communicates changes, owns the business outcome and runs the programme, each with a
backup (a person or a group). Seeded from content/systems.yaml, changed by admins in chat, audited.
Escalations, friction reports, announcements and readiness ask `service` who holds a role: during a
handover drill (its table is here; bot/drills runs them) the backup standing in.
"""
