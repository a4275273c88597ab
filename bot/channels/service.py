"""Persistence for channel addresses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from bot.channels.models import ChannelAddress
from bot.events import Place

# Platforms whose API posts to a channel by its id alone.
POST_BY_ID = frozenset({"local", "slack"})


@dataclass(frozen=True)
class Destination:
    platform: str
    address: Mapping[str, Any]


def remember(*, session: Session, place: Place, now: datetime) -> None:
    """Record where a channel event came from, so the bot can post there later."""
    if place.is_direct or not place.address:
        return
    row = session.exec(
        select(ChannelAddress).where(
            ChannelAddress.platform == place.platform, ChannelAddress.channel_id == place.channel_id
        )
    ).first()
    address = {k: v for k, v in place.address.items() if k != "thread"}
    if row is None:
        session.add(
            ChannelAddress(
                platform=place.platform,
                workspace=place.workspace,
                channel_id=place.channel_id,
                address=address,
                seen_at=now,
            )
        )
    elif row.address != address:
        row.address = address
        row.seen_at = now


def known(*, session: Session, platform: str, workspace: str | None = None) -> dict[str, Mapping[str, Any]]:
    """Every channel of a platform (and workspace, if given) whose address the bot has seen, by channel id."""
    query = select(ChannelAddress).where(ChannelAddress.platform == platform)
    if workspace is not None:
        query = query.where(ChannelAddress.workspace == workspace)
    rows = session.exec(query).all()
    return {row.channel_id: row.address for row in rows}


def destination(
    *, session: Session, channels: Mapping[str, str], platforms: tuple[str, ...]
) -> Destination | None:
    """Where to post, given a system's channel ids per platform: on a platform this deployment
    serves, a channel whose address the bot has seen first, else one it can post to by id."""
    channels = {p: channels[p] for p in platforms if p in channels}
    for platform, channel_id in channels.items():
        row = session.exec(
            select(ChannelAddress).where(
                ChannelAddress.platform == platform, ChannelAddress.channel_id == channel_id
            )
        ).first()
        if row is not None:
            return Destination(platform, row.address)
    for platform, channel_id in channels.items():
        if platform in POST_BY_ID:
            return Destination(platform, {"channel": channel_id})
    return None
