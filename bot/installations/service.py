"""Reads and writes of installations, bot tokens and install states, in the caller's unit of work.

The newest row wins: a re-install or a rotated token adds a row, so an install and its rotations read
as one history and the latest is the answer. Saving the same install again (same workspace, same
moment) replaces its row, as slack_sdk's own stores do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, update
from sqlmodel import Session, col, select

from bot.installations.models import InstallState, WorkspaceBot, WorkspaceInstallation

SQLModelRow = WorkspaceInstallation | WorkspaceBot
# What an installation says about its bot: a newer bot row (a rotated token) overrides it.
BOT_FIELDS = ("bot_id", "bot_user_id", "bot_token", "bot_scopes", "bot_refresh_token", "bot_token_expires_at")


def _is(column: Any, value: str | None) -> ColumnElement[bool]:
    return col(column).is_(None) if value is None else col(column) == value


def _workspace(
    model: type[WorkspaceInstallation] | type[WorkspaceBot],
    *,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
) -> list[ColumnElement[bool]]:
    return [
        col(model.client_id) == client_id,
        _is(model.enterprise_id, enterprise_id),
        _is(model.team_id, team_id),
    ]


def save_installation(*, session: Session, installation: WorkspaceInstallation) -> None:
    """Store an install and, when it has one, its bot token."""
    same = session.exec(
        select(WorkspaceInstallation).where(
            *_workspace(
                WorkspaceInstallation,
                client_id=installation.client_id,
                enterprise_id=installation.enterprise_id,
                team_id=installation.team_id,
            ),
            col(WorkspaceInstallation.installed_at) == installation.installed_at,
        )
    ).first()
    _save(session, same, installation)
    if installation.bot_token:
        values = {name: getattr(installation, name) for name in WorkspaceBot.model_fields if name != "id"}
        save_bot(session=session, bot=WorkspaceBot(**values))


def save_bot(*, session: Session, bot: WorkspaceBot) -> None:
    """Store a bot token (a rotation's, or an install's)."""
    same = session.exec(
        select(WorkspaceBot).where(
            *_workspace(
                WorkspaceBot, client_id=bot.client_id, enterprise_id=bot.enterprise_id, team_id=bot.team_id
            ),
            col(WorkspaceBot.installed_at) == bot.installed_at,
        )
    ).first()
    _save(session, same, bot)


def _save(session: Session, same: SQLModelRow | None, new: SQLModelRow) -> None:
    if same is None:
        session.add(new)
        return
    for name in type(new).model_fields:
        if name != "id":
            setattr(same, name, getattr(new, name))
    session.add(same)


def find_bot(
    *, session: Session, client_id: str, enterprise_id: str | None, team_id: str | None
) -> WorkspaceBot | None:
    """The workspace's (or, with `team_id` None, the org-wide install's) newest bot token."""
    return session.exec(
        select(WorkspaceBot)
        .where(
            *_workspace(WorkspaceBot, client_id=client_id, enterprise_id=enterprise_id, team_id=team_id),
            col(WorkspaceBot.bot_token).is_not(None),
        )
        .order_by(col(WorkspaceBot.installed_at).desc())
        .limit(1)
    ).first()


def find_installation(
    *,
    session: Session,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    user_id: str | None = None,
) -> WorkspaceInstallation | None:
    """The newest install of the workspace (by `user_id` when given), with the newest bot token: a token
    rotated since the install, or, for a person's own install, the workspace's bot. A detached copy."""
    where = _workspace(
        WorkspaceInstallation, client_id=client_id, enterprise_id=enterprise_id, team_id=team_id
    )
    if user_id is not None:
        where.append(col(WorkspaceInstallation.user_id) == user_id)
    installation = session.exec(
        select(WorkspaceInstallation)
        .where(*where)
        .order_by(col(WorkspaceInstallation.installed_at).desc())
        .limit(1)
    ).first()
    if installation is None:
        return None
    session.expunge(installation)  # the bot fields below are the caller's view, never written back
    if user_id is not None or installation.bot_token is None:
        bot = find_bot(session=session, client_id=client_id, enterprise_id=enterprise_id, team_id=team_id)
        if bot is not None and bot.bot_token != installation.bot_token:
            for name in BOT_FIELDS:
                setattr(installation, name, getattr(bot, name))
    return installation


def delete_bots(*, session: Session, client_id: str, enterprise_id: str | None, team_id: str | None) -> None:
    session.execute(
        delete(WorkspaceBot).where(
            *_workspace(WorkspaceBot, client_id=client_id, enterprise_id=enterprise_id, team_id=team_id)
        )
    )


def delete_installations(
    *,
    session: Session,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    user_id: str | None = None,
) -> None:
    where = _workspace(
        WorkspaceInstallation, client_id=client_id, enterprise_id=enterprise_id, team_id=team_id
    )
    if user_id is not None:
        where.append(col(WorkspaceInstallation.user_id) == user_id)
    session.execute(delete(WorkspaceInstallation).where(*where))


def bot_for_team(*, session: Session, client_id: str, team_id: str) -> WorkspaceBot | None:
    """The newest bot token installed in a workspace, whatever its Enterprise Grid org (addresses keep
    only the team). With no team, the one workspace's if only one has installed the app."""
    query = (
        select(WorkspaceBot)
        .where(col(WorkspaceBot.client_id) == client_id, col(WorkspaceBot.bot_token).is_not(None))
        .order_by(col(WorkspaceBot.installed_at).desc(), col(WorkspaceBot.id).desc())
    )
    if team_id:
        return session.exec(query.where(col(WorkspaceBot.team_id) == team_id).limit(1)).first()
    bots = session.exec(query).all()
    if len({bot.team_id for bot in bots}) != 1:
        return None  # an address without a workspace is only usable with a single install
    return bots[0]


def bot_tokens(*, session: Session) -> list[tuple[str, str]]:
    """(workspace, bot token) of each workspace's newest bot, for `coach doctor`."""
    bots = session.exec(
        select(WorkspaceBot)
        .where(col(WorkspaceBot.bot_token).is_not(None))
        .order_by(col(WorkspaceBot.installed_at), col(WorkspaceBot.id))
    ).all()
    return sorted({bot.team_id or "": str(bot.bot_token) for bot in bots}.items())


def forget_installer(*, session: Session, user_ids: set[str], forgotten: str) -> int:
    """The workspaces a forgotten person installed: their user id becomes `forgotten` and any user token the
    install gave them goes. The bot token stays, so the coach keeps working there: Bolt and the outbox find
    a workspace's installation by workspace, never by who installed it. Returns the rows changed."""
    if not user_ids:
        return 0
    result = session.execute(
        update(WorkspaceInstallation)
        .where(col(WorkspaceInstallation.user_id).in_(user_ids))
        .values(
            user_id=forgotten,
            user_token=None,
            user_scopes=None,
            user_refresh_token=None,
            user_token_expires_at=None,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def issue_state(*, session: Session, state: str, expires_at: datetime, now: datetime) -> None:
    """Hand out a state; the expired ones of installs never finished go."""
    session.execute(delete(InstallState).where(col(InstallState.expires_at) <= now))
    session.add(InstallState(state=state, expires_at=expires_at))


def consume_state(*, session: Session, state: str, now: datetime) -> bool:
    """Whether `state` was handed out and has not expired; it is gone either way. One DELETE … RETURNING,
    so of two redirects bringing the same state only one finds it (the other waits on the row, on
    PostgreSQL, or behind SQLite's one writer, and then finds nothing)."""
    taken = session.execute(
        delete(InstallState).where(col(InstallState.state) == state).returning(col(InstallState.expires_at))
    ).scalar_one_or_none()
    return taken is not None and taken > now
