"""The durable outgoing queue. Every proactive message is a row here before it is sent.

`service` enqueues (idempotent by key), claims (PostgreSQL: FOR UPDATE SKIP LOCKED), and records the
outcome; `dispatcher` drains due rows through the platform senders. Flows enqueue inside their own
unit of work, so a message exists exactly when the change that caused it was committed.
"""
