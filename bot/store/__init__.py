"""Storage: the database connection, units of work and column types; the ground floor of `bot`.

Domain packages define their tables (`models.py`) on SQLModel's metadata; `bot.migrations` gathers
them for Alembic, so this package imports no domain. Only `bot` imports this package.
"""
