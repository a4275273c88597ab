"""Bot Framework activity (the wire JSON dict) -> neutral event. Pure: no botbuilder, no I/O.

Our cards carry their meaning in the submit data, so a click or a form comes back as:
- button: `{"coach_action": action_id, "coach_value": value}`
- form:   `{"coach_form": form_id, "coach_context": context, <input id>: <value>, ...}`
The same data arrives in a `message` activity's `value` (Action.Submit) or in an
`adaptiveCard/action` invoke's `value.action.data` (Action.Execute).

Addresses are ConversationReference JSON (wire keys) so the sender can deserialise them as they are.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from adapters.payload import as_id, as_list, as_map
from bot.events import Actor, Clicked, Event, Opened, Place, Said, Shortcut, Submitted

FLAG_COMMAND_ID = "flagOutput"  # the manifest's message-extension action command
FLAG_SHORTCUT_ID = "flag.message"
ACTION_KEY = "coach_action"
VALUE_KEY = "coach_value"
FORM_KEY = "coach_form"
CONTEXT_KEY = "coach_context"
_RESERVED = {ACTION_KEY, VALUE_KEY, FORM_KEY, CONTEXT_KEY, "msteams"}
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|pre|blockquote)>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")
_AT = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)

Activity = Mapping[str, Any]


def translate(activity: Activity) -> Event | None:
    """The neutral event for an activity, or None when the bot has nothing to do with it."""
    kind = activity.get("type")
    if not as_id(as_map(activity.get("from")).get("id")):
        return None
    if kind == "message":
        return _message(activity)
    if kind == "invoke":
        return _invoke(activity)
    if kind == "conversationUpdate":
        return _conversation_update(activity)
    if kind == "installationUpdate":
        action = _text(activity.get("action"))
        if action in ("add", "add-upgrade"):
            return Opened(
                actor=actor(activity), place=place(activity), surface="install", event_id=_event_id(activity)
            )
    return None


def tenant_id(activity: Activity) -> str:
    conversation = as_map(activity.get("conversation"))
    tenant = (
        as_id(conversation.get("tenantId"))
        or as_id(conversation.get("tenantID"))  # botbuilder's own serialisation of tenant_id
        or as_id(as_map(as_map(activity.get("channelData")).get("tenant")).get("id"))
    )
    return tenant or ""


def conversation_reference(activity: Activity) -> dict[str, Any]:
    """The ConversationReference (wire JSON) that lets the bot speak in this conversation later."""
    conversation = dict(as_map(activity.get("conversation")))
    tenant = tenant_id(activity)
    if tenant:
        conversation["tenantId"] = tenant
    sender = as_map(activity.get("from"))
    recipient = as_map(activity.get("recipient"))
    reference: dict[str, Any] = {
        "user": {k: sender[k] for k in ("id", "name", "aadObjectId") if as_id(sender.get(k))},
        "bot": {k: recipient[k] for k in ("id", "name") if as_id(recipient.get(k))},
        "conversation": conversation,
        "channelId": as_id(activity.get("channelId")) or "msteams",
        "serviceUrl": _text(activity.get("serviceUrl")),
    }
    if as_id(activity.get("locale")):
        reference["locale"] = activity["locale"]
    return reference


def is_personal(activity: Activity) -> bool:
    conversation = as_map(activity.get("conversation"))
    kind = conversation.get("conversationType")
    return kind == "personal" or (kind is None and not conversation.get("isGroup"))


def actor(activity: Activity) -> Actor:
    sender = as_map(activity.get("from"))
    personal = is_personal(activity)
    return Actor(
        platform="teams",
        workspace=tenant_id(activity),
        user_id=as_id(sender.get("aadObjectId")) or as_id(sender.get("id")) or "",
        display_name=as_id(sender.get("name")),
        # Only a personal chat is a way to reach this person directly later.
        address=conversation_reference(activity) if personal else {},
    )


def place(activity: Activity) -> Place:
    conversation_id = as_id(as_map(activity.get("conversation")).get("id")) or ""
    channel_id, _, thread = conversation_id.partition(";messageid=")
    return Place(
        platform="teams",
        workspace=tenant_id(activity),
        channel_id=channel_id,
        is_direct=is_personal(activity),
        thread_id=thread or None,
        address=conversation_reference(activity),
    )


def mentions_bot(activity: Activity) -> bool:
    """Whether the bot is @mentioned (a text starting with <at>, when Teams sent no entities)."""
    bot_id = as_map(activity.get("recipient")).get("id")
    entities = [as_map(e) for e in as_list(activity.get("entities"))]
    if any(e.get("type") == "mention" and as_map(e.get("mentioned")).get("id") == bot_id for e in entities):
        return True
    return not entities and _text(activity.get("text")).lstrip().lower().startswith("<at>")


def message_text(activity: Activity) -> str:
    """The text with the bot's own @mention removed; other mentions keep the person's name."""
    text = _text(activity.get("text"))
    bot_id = as_map(activity.get("recipient")).get("id")
    entities = [as_map(e) for e in as_list(activity.get("entities"))]
    for entity in entities:
        if entity.get("type") == "mention" and as_map(entity.get("mentioned")).get("id") == bot_id:
            text = text.replace(_text(entity.get("text")) or "\0", " ")
    if not entities:
        text = _AT.sub(" ", text, count=1) if text.lstrip().lower().startswith("<at>") else text
    return plain(text)


def plain(text: str) -> str:
    """Teams HTML (or plain text with stray tags) as plain text: tags gone, entities decoded, spaces
    within a line made one, and line breaks kept (`<br>`, a paragraph's end), so a flagged output
    keeps its lines."""
    lines = [
        " ".join(html.unescape(_TAG.sub(" ", line)).split()) for line in _BREAK.sub("\n", text).split("\n")
    ]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def _id(activity: Activity) -> str | None:
    return as_id(activity.get("id"))


def _event_id(activity: Activity) -> str | None:
    """The de-duplication key: Teams makes an activity id unique within its conversation only.

    Message ids are epoch-millisecond-like, so two people writing in the same millisecond share one;
    keyed on the id alone, the second message would be dropped as a retry of the first.
    """
    value = _id(activity)
    conversation = as_id(as_map(activity.get("conversation")).get("id"))
    return f"{conversation}|{value}" if value and conversation else None


def _message(activity: Activity) -> Event | None:
    value = activity.get("value")
    if isinstance(value, Mapping) and (FORM_KEY in value or ACTION_KEY in value):
        return _card_data(activity, value, message_id=as_id(activity.get("replyToId")))
    where = place(activity)
    mentioned = mentions_bot(activity)
    if where.is_direct:
        via = "message"
    elif where.thread_id and where.thread_id != activity.get("id"):
        # A reply under a post (the root post itself has messageid == its own id). With resource-specific
        # consent Teams sends every reply in the team's channels: the engine reads only those in the
        # threads of the bot's own cards, and those that @mention it.
        via = "thread_reply"
    elif mentioned:
        via = "mention"
    else:
        return None  # with resource-specific consent, every post in the channel: not for the bot
    return Said(
        actor=actor(activity),
        place=where,
        text=message_text(activity),
        message_id=_id(activity),
        via=via,  # type: ignore[arg-type]
        event_id=_event_id(activity),
        mentioned=mentioned,
    )


def _card_data(activity: Activity, data: Mapping[str, Any], *, message_id: str | None) -> Event | None:
    if FORM_KEY in data:
        values = {str(k): _text(v) for k, v in data.items() if k not in _RESERVED}
        return Submitted(
            actor=actor(activity),
            place=place(activity),
            form_id=_text(data[FORM_KEY]),
            values=values,
            context=_text(data.get(CONTEXT_KEY)),
            event_id=_event_id(activity),
        )
    if ACTION_KEY in data:
        return Clicked(
            actor=actor(activity),
            place=place(activity),
            action_id=_text(data[ACTION_KEY]),
            value=_text(data.get(VALUE_KEY)),
            message_id=message_id,
            event_id=_event_id(activity),
        )
    return None


def _text(value: Any) -> str:
    """A value a card sends as text (inputs send strings; toggles booleans; numbers as they are)."""
    if value is None or isinstance(value, Mapping | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _invoke(activity: Activity) -> Event | None:
    name = activity.get("name")
    value = activity.get("value") or {}
    if not isinstance(value, Mapping):
        return None
    if name == "adaptiveCard/action":
        action = as_map(value.get("action"))
        data = as_map(action.get("data"))
        if ACTION_KEY not in data and FORM_KEY not in data and as_id(action.get("verb")):
            data = {ACTION_KEY: action["verb"], **data}
        return _card_data(activity, data, message_id=as_id(activity.get("replyToId")))
    if name in ("composeExtension/fetchTask", "composeExtension/submitAction"):
        if value.get("commandId") != FLAG_COMMAND_ID:
            return None
        sent = as_map(value.get("data"))
        if name == "composeExtension/submitAction" and FORM_KEY in sent:
            return _card_data(activity, sent, message_id=None)  # the task module's form was sent
        payload = as_map(value.get("messagePayload"))
        body = as_map(payload.get("body"))
        content = _text(body.get("content"))
        if body.get("contentType", "html") == "html":
            content = plain(content)
        author = as_id(as_map(as_map(payload.get("from")).get("user")).get("displayName"))
        return Shortcut(
            actor=actor(activity),
            place=place(activity),
            shortcut_id=FLAG_SHORTCUT_ID,
            message_text=content or None,
            message_link=as_id(payload.get("linkToMessage")),
            message_author=author or None,
            event_id=_event_id(activity),
        )
    return None


def _conversation_update(activity: Activity) -> Event | None:
    bot_id = as_id(as_map(activity.get("recipient")).get("id"))
    added = as_list(activity.get("membersAdded"))
    if bot_id and any(as_map(m).get("id") == bot_id for m in added):
        return Opened(
            actor=actor(activity), place=place(activity), surface="install", event_id=_event_id(activity)
        )
    return None


def removed_members(activity: Activity) -> list[tuple[str, str]]:
    """(user id, where from) for each person a conversationUpdate says was removed from a team or chat.

    Teams has no event for leaving the organisation: this is a sign, not proof."""
    if activity.get("type") != "conversationUpdate":
        return []
    bot_id = as_id(as_map(activity.get("recipient")).get("id"))
    team = as_id(as_map(as_map(activity.get("channelData")).get("team")).get("name"))
    where = f"the Teams team {team}" if team else "a Teams chat with the coach"
    found = []
    for member in as_list(activity.get("membersRemoved")):
        member = as_map(member)
        user_id = as_id(member.get("aadObjectId")) or as_id(member.get("id"))
        if user_id and as_id(member.get("id")) != bot_id:
            found.append((user_id, where))
    return found
