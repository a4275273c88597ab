"""Slack payload (Events API, interactivity, slash command) -> neutral event. Pure: no I/O.

Addresses are opaque JSON only this adapter reads: a person is {"team", "user", "channel"?} (the DM
channel when known), a channel is {"team", "channel"}. Interactivity has no event id, so the
`trigger_id` (new for every click or submission) stands in for de-duplication.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.payload import as_id, as_list, as_map
from adapters.slack.form_button import opened
from bot.events import Actor, Clicked, Event, Opened, Place, Said, Shortcut, Submitted
from bot.messages import OPEN_FORM

log = logging.getLogger(__name__)

# Replies to threads may also be broadcast to the channel; file shares carry typed text too.
_USER_SUBTYPES = frozenset({"thread_broadcast", "file_share"})
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_MAILTO = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>")
_LABELLED_LINK = re.compile(r"<((?:https?|ftp)://[^|>]+)\|([^>]*)>")
_BARE_LINK = re.compile(r"<((?:https?|ftp)://[^|>]+)>")
LINK_ACTION_PREFIX = "link."  # link buttons open a URL; Slack still posts a click we ignore
FORWARDED = "flag.message"  # a forwarded message is read as the "Flag AI output" message shortcut
DUPLICATE_MARK = "#"  # action ids are made unique per block as "id#2"; stripped on the way in


@dataclass(frozen=True)
class Profile:
    """What users.info tells us about a person, merged into the actor after translation."""

    display_name: str | None = None
    email: str | None = None
    timezone: str | None = None
    is_person: bool = True  # False for bots, the Slackbot and deactivated accounts


def translate(payload: Mapping[str, Any], *, bot_user_id: str | None = None) -> Event | None:
    """The neutral event for a Slack payload, or None when the coach ignores it (or it is malformed:
    signed by Slack, so a broken one is a Slack fault the coach must not answer with a 500)."""
    try:
        event = _translate(as_map(payload), bot_user_id=bot_user_id)
    except Malformed as exc:
        log.warning("Slack payload ignored: %s", exc)
        return None
    if event is None or event.place.is_direct:
        return event
    # chat.postEphemeral shows a reply to one person in any channel the coach is in.
    return dataclasses.replace(event, place=dataclasses.replace(event.place, private_replies=True))


def _translate(payload: Mapping[str, Any], *, bot_user_id: str | None) -> Event | None:
    if "command" in payload and "type" not in payload:
        return _slash_command(payload)
    kind = payload.get("type")
    if kind == "event_callback":
        return _event(payload, bot_user_id=bot_user_id)
    if kind == "block_actions":
        return _block_actions(payload)
    if kind == "view_submission":
        return _view_submission(payload)
    if kind == "shortcut":
        return _shortcut(payload)
    if kind == "message_action":
        return _message_action(payload)
    return None


def with_profile(event: Event, profile: Profile | None) -> Event:
    if profile is None:
        return event
    actor = dataclasses.replace(
        event.actor,
        display_name=profile.display_name or event.actor.display_name,
        email=profile.email or event.actor.email,
        timezone=profile.timezone or event.actor.timezone,
    )
    return dataclasses.replace(event, actor=actor)


def with_message_link(event: Event, link: str | None) -> Event:
    if link is None or not isinstance(event, Shortcut):
        return event
    return dataclasses.replace(event, message_link=link)


def strip_mentions(text: str, bot_user_id: str | None) -> str:
    """Remove the bot's own mention (or, not knowing the bot, a leading mention) from the text."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    else:
        text = _MENTION.sub(" ", text, count=1) if _MENTION.match(text.strip()) else text
    return " ".join(text.split())


def plain(text: str) -> str:
    """A person's Slack-formatted text as they typed it: links unwrapped, entities decoded.

    Mention tokens (`<@U1>`, `<#C1|x>`, `<!here>`) stay as they are: flows read user ids from them.
    """
    text = _MAILTO.sub(lambda m: m.group(1), text)
    text = _LABELLED_LINK.sub(
        lambda m: m.group(2) if m.group(2) in m.group(1) else f"{m.group(2)} ({m.group(1)})", text
    )
    text = _BARE_LINK.sub(lambda m: m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def person_address(team: str, user: str, channel: str | None = None) -> dict[str, str]:
    address = {"team": team, "user": user}
    if channel:
        address["channel"] = channel
    return address


# --- Events API ---------------------------------------------------------------------------------


def _event(body: Mapping[str, Any], *, bot_user_id: str | None) -> Event | None:
    event = as_map(body.get("event"))
    team = as_id(body.get("team_id")) or as_id(event.get("team")) or ""
    event_id = as_id(body.get("event_id"))
    kind = event.get("type")
    if kind == "message":
        return _message(event, team=team, event_id=event_id, bot_user_id=bot_user_id)
    if kind == "app_mention":
        if event.get("bot_id") or not as_id(event.get("user")):
            return None
        channel = _required(event, "channel")
        actor = _actor(team, _required(event, "user"))
        place = Place(
            "slack", team, channel, False, as_id(event.get("thread_ts")), {"team": team, "channel": channel}
        )
        return Said(
            actor,
            place,
            plain(strip_mentions(_text(event.get("text")), bot_user_id)),
            message_id=as_id(event.get("ts")),
            via="mention",
            event_id=event_id,
        )
    if kind == "app_home_opened":
        user, channel = _required(event, "user"), as_id(event.get("channel")) or ""
        actor = _actor(team, user, channel)
        place = Place("slack", team, channel, True, None, actor.address)
        if event.get("tab") == "home":
            return Opened(actor, place, surface="home", event_id=event_id)
        return Opened(actor, place, surface="first_contact", event_id=event_id)
    return None


def _message(
    event: Mapping[str, Any], *, team: str, event_id: str | None, bot_user_id: str | None
) -> Event | None:
    subtype = event.get("subtype")
    user = as_id(event.get("user"))
    if event.get("bot_id") or not user or (subtype and subtype not in _USER_SUBTYPES):
        return None
    if bot_user_id and user == bot_user_id:
        return None
    channel = _required(event, "channel")
    text = plain(_text(event.get("text")))
    thread_ts = as_id(event.get("thread_ts"))
    ts = as_id(event.get("ts"))
    if event.get("channel_type") == "im" or channel.startswith("D"):
        actor = _actor(team, user, channel)
        place = Place("slack", team, channel, True, thread_ts, actor.address)
        shared = _shared_message(event)
        if shared is not None:  # a message forwarded to the coach: most likely an AI output to flag
            return Shortcut(actor, place, FORWARDED, message_text=shared[0], message_link=shared[1],
                            message_author=shared[2], event_id=event_id)  # fmt: skip
        return Said(actor, place, text.strip(), message_id=ts, via="message", event_id=event_id)
    if not thread_ts or thread_ts == ts:
        return None  # the coach only reads channel messages that answer one of its threads
    if bot_user_id and f"<@{bot_user_id}" in text:
        return None  # the app_mention event for the same message answers it
    parent = event.get("parent_user_id")
    if bot_user_id and parent and parent != bot_user_id:
        return None  # a thread someone else started: none of the coach's business
    actor = _actor(team, user)
    place = Place("slack", team, channel, False, thread_ts, {"team": team, "channel": channel})
    return Said(actor, place, text.strip(), message_id=ts, via="thread_reply", event_id=event_id)


def _shared_message(event: Mapping[str, Any]) -> tuple[str, str | None, str | None] | None:
    """(text, permalink, author) of a message forwarded into this one, if it carries one."""
    for attachment in as_list(event.get("attachments")):
        if isinstance(attachment, Mapping) and (
            attachment.get("is_share") or attachment.get("is_msg_unfurl")
        ):
            text = plain(_text(attachment.get("text")) or _text(attachment.get("fallback"))).strip()
            return text, as_id(attachment.get("from_url")), as_id(attachment.get("author_id"))
    return None


# --- slash command --------------------------------------------------------------------------------


def _slash_command(body: Mapping[str, Any]) -> Said:
    team = as_id(body.get("team_id")) or ""
    channel = as_id(body.get("channel_id")) or ""
    is_direct = channel.startswith("D") or body.get("channel_name") == "directmessage"
    actor = _actor(team, _required(body, "user_id"), channel if is_direct else None)
    address = actor.address if is_direct else {"team": team, "channel": channel}
    place = Place("slack", team, channel, is_direct, None, address)
    return Said(actor, place, " ".join(_text(body.get("text")).split()), via="command", event_id=_id(body))


# --- interactivity --------------------------------------------------------------------------------


def _block_actions(body: Mapping[str, Any]) -> Clicked | None:
    actions = as_list(body.get("actions"))
    if not actions:
        return None
    action = as_map(actions[0])
    action_id = _text(action.get("action_id")).split(DUPLICATE_MARK, 1)[0]
    if not action_id or action_id.startswith(LINK_ACTION_PREFIX):
        return None
    team = _team(body)
    user = _user(body)
    container = as_map(body.get("container"))
    channel = as_id(container.get("channel_id")) or as_id(as_map(body.get("channel")).get("id")) or ""
    is_direct = not channel or channel.startswith("D")
    actor = _actor(team, user, channel if channel.startswith("D") else None)
    address = actor.address if is_direct else {"team": team, "channel": channel}
    place = Place("slack", team, channel, is_direct, None, address)
    message = as_map(body.get("message"))
    value = _action_value(action)
    return Clicked(
        actor,
        place,
        action_id,
        value=opened(value)[0] if action_id == OPEN_FORM else value,
        message_id=as_id(container.get("message_ts")) or as_id(message.get("ts")),
        event_id=_id(body, fallback=as_id(action.get("action_ts"))),
    )


def _action_value(action: Mapping[str, Any]) -> str:
    if "value" in action:
        return _text(action["value"])
    selected = action.get("selected_option")
    if selected:
        return _text(as_map(selected).get("value"))
    return _text(action.get("selected_date"))


def _view_submission(body: Mapping[str, Any]) -> Submitted:
    view = as_map(body.get("view"))
    team = _team(body)
    actor = _actor(team, _user(body))
    place = Place("slack", team, "", True, None, actor.address)
    values: dict[str, str] = {}
    for block_id, by_action in as_map(as_map(view.get("state")).get("values")).items():
        for state in as_map(by_action).values():
            values[str(block_id)] = _input_value(as_map(state))
    return Submitted(
        actor,
        place,
        _text(view.get("callback_id")),
        values,
        context=_text(view.get("private_metadata")),
        event_id=_id(body, fallback=as_id(view.get("id"))),
    )


def _input_value(state: Mapping[str, Any]) -> str:
    kind = state.get("type")
    if kind in ("static_select", "radio_buttons", "external_select"):
        return _text(as_map(state.get("selected_option")).get("value"))
    if kind == "datepicker":
        return _text(state.get("selected_date"))
    return _text(state.get("value"))


def _shortcut(body: Mapping[str, Any]) -> Shortcut:
    team = _team(body)
    actor = _actor(team, _user(body))
    place = Place("slack", team, "", True, None, actor.address)
    return Shortcut(actor, place, _text(body.get("callback_id")), event_id=_id(body))


def _message_action(body: Mapping[str, Any]) -> Shortcut:
    team = _team(body)
    actor = _actor(team, _user(body))
    channel = as_id(as_map(body.get("channel")).get("id")) or ""
    place = Place("slack", team, channel, channel.startswith("D"), None, {"team": team, "channel": channel})
    message = as_map(body.get("message"))
    return Shortcut(
        actor,
        place,
        _text(body.get("callback_id")),
        message_text=plain(_text(message.get("text"))),
        message_author=as_id(message.get("user")),
        event_id=_id(body),
    )


# --- helpers --------------------------------------------------------------------------------------


def _actor(team: str, user: str, channel: str | None = None) -> Actor:
    return Actor("slack", team, user, address=person_address(team, user, channel))


def _team(body: Mapping[str, Any]) -> str:
    return (
        as_id(as_map(body.get("team")).get("id"))
        or as_id(as_map(body.get("user")).get("team_id"))
        or as_id(body.get("team_id"))
        or ""
    )


def _user(body: Mapping[str, Any]) -> str:
    user = as_id(as_map(body.get("user")).get("id"))
    if user is None:
        raise Malformed("no user id")
    return user


class Malformed(ValueError):
    """A payload without something every payload of its kind has (a user id, a channel)."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _required(body: Mapping[str, Any], key: str) -> str:
    value = as_id(body.get(key))
    if value is None:
        raise Malformed(f"no {key}")
    return value


def _id(body: Mapping[str, Any], *, fallback: Any = None) -> str | None:
    """The de-duplication key of an interaction.

    A trigger id is unique to one interaction; an action_ts or a view id is not (two people clicking in
    the same microsecond, or one person submitting one view twice), so without a trigger the key also
    names the workspace and the person.
    """
    trigger = as_id(body.get("trigger_id"))
    if trigger:
        return f"interaction:{trigger}"
    value = as_id(body.get("action_ts")) or fallback
    user = as_id(as_map(body.get("user")).get("id")) or as_id(body.get("user_id"))
    return f"interaction:{_team(body)}:{user}:{value}" if value else None
