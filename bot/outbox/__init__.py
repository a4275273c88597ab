"""The durable outgoing queue. Every proactive message is a row here before it is sent.

`service` enqueues (idempotent by key), claims (PostgreSQL: FOR UPDATE SKIP LOCKED), and records the
outcome; `dispatcher` drains due rows through the platform senders; `flows` is the admins' `outbox`
command (what is waiting, stuck or dead; `outbox retry ID`). Flows enqueue inside their own
unit of work, so a message exists exactly when the change that caused it was committed.
"""
