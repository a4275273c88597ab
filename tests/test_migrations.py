from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel

import bot.migrations.tables  # noqa: F401
from bot.migrations.migrate import (
    MINIMUM_REVISION,
    SchemaStatus,
    alembic_config,
    check_database,
    include_name,
    scripts,
    upgrade,
)
from bot.store.db import Store


def test_migrations_build_exactly_the_tables_the_code_declares(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            # include_name leaves out only the LEGACY_COLUMNS a rename keeps on
            # PostgreSQL for a rolling upgrade (tests/test_migration_system_key.py checks those)
            context = MigrationContext.configure(conn, opts={"compare_type": False, "include_name": include_name})
            diff = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == [], "models and migrations differ: run bot.migrations.migrate.autogenerate"


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)


async def test_installs_in_slack_sdks_tables_move_to_the_coachs_and_back(database_url: str) -> None:
    """A deployment that installed workspaces while slack_sdk's SQLAlchemy stores kept them keeps every
    install, rotated token and install in progress; slack_sdk's tables (and their tokens) go. A downgrade
    puts them back where the older code reads them."""
    from alembic import command
    from slack_sdk.oauth.installation_store.models.bot import Bot
    from slack_sdk.oauth.installation_store.models.installation import Installation
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    from adapters.slack.oauth import InstallationStore, StateStore
    from bot.ports import FixedClock

    before = scripts().get_revision("18bfcd153b62").down_revision
    assert isinstance(before, str)
    upgrade(database_url, revision=before)
    engine = create_engine(database_url)
    old = SQLAlchemyInstallationStore(client_id="C1", engine=engine)
    old_states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    old.create_tables()  # type: ignore[no-untyped-call]
    old_states.create_tables()  # type: ignore[no-untyped-call]
    at = datetime(2026, 11, 1, 9, tzinfo=UTC)
    old.save(Installation(app_id="A1", team_id="T1", user_id="U1", bot_token="xoxb-1", bot_id="B1",
                          bot_user_id="UB", bot_scopes="chat:write", bot_refresh_token="xoxe-1",
                          bot_token_expires_at=at, user_token="xoxp-1", installed_at=at))  # fmt: skip
    rotated = Bot(app_id="A1", team_id="T1", bot_token="xoxb-2", bot_id="B1", bot_user_id="UB",
                  bot_scopes="chat:write", bot_refresh_token="xoxe-2", installed_at=datetime(2026, 11, 2, tzinfo=UTC))  # fmt: skip
    old.save_bot(rotated)
    old.save(Installation(app_id="A1", enterprise_id="E1", user_id="U2", bot_token="xoxb-org",
                          is_enterprise_install=True, installed_at=at))  # fmt: skip
    state = old_states.issue()  # type: ignore[no-untyped-call]

    upgrade(database_url)
    store = Store(database_url)
    try:
        assert not {"slack_installations", "slack_bots", "slack_oauth_states"} & set(
            sa_inspect(engine).get_table_names()
        )
        moved = InstallationStore(store=store, client_id="C1")
        found = await moved.async_find_installation(enterprise_id=None, team_id="T1")
        assert found is not None and (found.user_id, found.user_token, found.bot_token) == (
            "U1",
            "xoxp-1",
            "xoxb-1",
        )
        assert found.installed_at == at.timestamp()
        bot = await moved.async_find_bot(enterprise_id=None, team_id="T1")
        assert bot is not None and (bot.bot_token, bot.bot_refresh_token) == ("xoxb-2", "xoxe-2")
        org = await moved.async_find_bot(enterprise_id="E1", team_id="T9", is_enterprise_install=True)
        assert org is not None and org.bot_token == "xoxb-org"
        clock = FixedClock(datetime.now(UTC))
        assert await StateStore(store=store, clock=clock).async_consume(
            state
        )  # an install under way finishes
        await moved.async_save_bot(Bot(app_id="A1", team_id="T1", bot_token="xoxb-3", bot_id="B1",
                                       bot_user_id="UB", installed_at=datetime(2026, 11, 3, tzinfo=UTC)))  # fmt: skip
    finally:
        store.close()

    command.downgrade(alembic_config(database_url), before)
    try:
        back = old.find_installation(enterprise_id=None, team_id="T1")
        assert back is not None and back.user_token == "xoxp-1"
        newest = old.find_bot(enterprise_id=None, team_id="T1")
        assert newest is not None and newest.bot_token == "xoxb-3"
        assert "workspace_bot" not in sa_inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_this_code_needs_the_newest_schema() -> None:
    """A new revision moves MINIMUM_REVISION to it: the code landing with it usually reads what it adds,
    and an older schema would fail on the first query. A revision the code can do without (an index)
    may leave it where it was, so the code can roll out before `coach db upgrade`: then say so here."""
    assert scripts().get_current_head() == MINIMUM_REVISION


def test_schema_status_against_the_revision_graph(database_url: str) -> None:
    assert check_database(database_url) == SchemaStatus(revisions=(), behind=True)
    upgrade(database_url, revision="bb5d8f548ed7")
    older = check_database(database_url)
    assert (older.revisions, older.behind, older.migrated) == (("bb5d8f548ed7",), True, False)
    upgrade(database_url)
    assert check_database(database_url) == SchemaStatus(revisions=(MINIMUM_REVISION,), behind=False)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    finally:
        engine.dispose()
    newer = check_database(database_url)
    assert (newer.migrated, newer.newer) == (True, ("ffffffffffff",))


def test_a_schema_built_from_the_models_is_recorded_as_the_newest(store: Store) -> None:
    assert check_database(store.url) == SchemaStatus(revisions=(MINIMUM_REVISION,), behind=False)


def test_answers_stored_before_they_were_checked_lose_their_infinities(database_url: str) -> None:
    """Buttons once stored `inf` as an answer, which the outcomes then served as invalid JSON."""
    upgrade(database_url, revision="ecd855f19f33")  # the revision before the cleanup
    engine = create_engine(database_url)
    numbers = [1e308, 30.0, float("inf"), float("-inf")]
    if engine.dialect.name == "postgresql":
        numbers.append(float("nan"))  # SQLite stores NaN as NULL already
    try:
        with engine.begin() as conn:
            person = SQLModel.metadata.tables["person"]
            conn.execute(person.insert().values(id=1, created_at=datetime(2026, 11, 23, tzinfo=UTC)))
            for n, number in enumerate(numbers):
                conn.execute(
                    text(
                        "INSERT INTO pulse_answer (person_id, programme_key, step_key, question_key, number, at)"
                        " VALUES (1, 'assistant', 'minutes-saved', 'minutes_saved', :number, :at)"
                    ),
                    {"number": number, "at": datetime(2026, 11, 23, 9, 0, n)},
                )
        upgrade(database_url)
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT number FROM pulse_answer ORDER BY at")).scalars().all()
    finally:
        engine.dispose()
    assert kept == [1e308, 30.0] + [None] * (len(numbers) - 2)
