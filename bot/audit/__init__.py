"""The audit trail: who did what to which thing, and inbound event de-duplication.

Every flow that changes ownership, escalations, reports or announcements records an entry here.
"""
