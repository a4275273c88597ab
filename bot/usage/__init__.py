"""Usage signals: who used which AI system when, and how much time it saved.

Events arrive through `POST /api/v1/usage` or `coach usage import FILE.csv`; `parse` validates them
(pure, naming the bad line and field), `service` stores them idempotently by their id. Inactivity
and stage triggers of the programme read them.
"""
