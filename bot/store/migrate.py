"""Alembic migrations, run from code so the installed package needs no alembic.ini on disk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# Tables on the coach's database that it does not own: slack_sdk creates and shapes its OAuth
# installation and state tables itself (adapters/slack/oauth.py). Autogenerate must never drop them.
FOREIGN_TABLES = frozenset({"slack_installations", "slack_bots", "slack_oauth_states"})


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's filter: compare every table but the foreign ones."""
    return not (type_ == "table" and name in FOREIGN_TABLES)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, *, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def autogenerate(url: str, *, message: str) -> None:
    """For developers: write a new revision from the difference between tables and the database."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
