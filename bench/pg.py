"""A fresh, migrated PostgreSQL schema for one benchmark server, dropped afterwards (as the tests do: other
users of the database keep theirs)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator


@contextlib.contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A URL whose search_path is a new schema, migrated to the head."""
    from sqlalchemy import create_engine, text

    from bot.migrations.migrate import upgrade

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    scoped = f"{url}{separator}options=-csearch_path%3D{schema}"
    try:
        upgrade(scoped)
        yield scoped
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
