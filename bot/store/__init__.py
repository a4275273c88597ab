"""Storage: the database engine, units of work, column types and Alembic migrations.

Domain packages define their tables (`models.py`) on SQLModel's metadata; `bot.store.tables` imports
them all so that metadata and migrations see every table. Only `bot` imports this package.
"""
