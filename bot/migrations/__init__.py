"""The schema: every domain's tables in one registry (`tables`), Alembic's environment and revisions,
and where a database stands against this code (`migrate`).

It sits above the domains (it imports their models) so that `bot.store` below them imports none.
"""
