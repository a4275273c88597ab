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
    if not activity.get("from", {}).get("id"):
        return None
    if kind == "message":
        return _message(activity)
    if kind == "invoke":
        return _invoke(activity)
    if kind == "conversationUpdate":
        return _conversation_update(activity)
    if kind == "installationUpdate":
        action = str(activity.get("action", ""))
        if action in ("add", "add-upgrade"):
            return Opened(
                actor=actor(activity), place=place(activity), surface="install", event_id=_event_id(activity)
            )
    return None


def tenant_id(activity: Activity) -> str:
    conversation = activity.get("conversation") or {}
    channel_data = activity.get("channelData") or {}
    tenant = (
        conversation.get("tenantId")
        or conversation.get("tenantID")  # botbuilder's own serialisation of tenant_id
        or (channel_data.get("tenant") or {}).get("id")
    )
    return str(tenant or "")


def conversation_reference(activity: Activity) -> dict[str, Any]:
    """The ConversationReference (wire JSON) that lets the bot speak in this conversation later."""
    conversation = dict(activity.get("conversation") or {})
    tenant = tenant_id(activity)
    if tenant:
        conversation["tenantId"] = tenant
    sender = activity.get("from") or {}
    reference: dict[str, Any] = {
        "user": {k: sender[k] for k in ("id", "name", "aadObjectId") if sender.get(k)},
        "bot": {k: v for k, v in (activity.get("recipient") or {}).items() if k in ("id", "name") and v},
        "conversation": conversation,
        "channelId": activity.get("channelId", "msteams"),
        "serviceUrl": activity.get("serviceUrl", ""),
    }
    if activity.get("locale"):
        reference["locale"] = activity["locale"]
    return reference


def is_personal(activity: Activity) -> bool:
    conversation = activity.get("conversation") or {}
    kind = conversation.get("conversationType")
    return kind == "personal" or (kind is None and not conversation.get("isGroup"))


def actor(activity: Activity) -> Actor:
    sender = activity.get("from") or {}
    personal = is_personal(activity)
    return Actor(
        platform="teams",
        workspace=tenant_id(activity),
        user_id=str(sender.get("aadObjectId") or sender.get("id", "")),
        display_name=sender.get("name") or None,
        # Only a personal chat is a way to reach this person directly later.
        address=conversation_reference(activity) if personal else {},
    )


def place(activity: Activity) -> Place:
    conversation_id = str((activity.get("conversation") or {}).get("id", ""))
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
    bot_id = (activity.get("recipient") or {}).get("id")
    entities = activity.get("entities") or []
    if any(e.get("type") == "mention" and (e.get("mentioned") or {}).get("id") == bot_id for e in entities):
        return True
    return not entities and str(activity.get("text") or "").lstrip().lower().startswith("<at>")


def message_text(activity: Activity) -> str:
    """The text with the bot's own @mention removed; other mentions keep the person's name."""
    text = str(activity.get("text") or "")
    bot_id = (activity.get("recipient") or {}).get("id")
    for entity in activity.get("entities") or []:
        if entity.get("type") == "mention" and (entity.get("mentioned") or {}).get("id") == bot_id:
            text = text.replace(str(entity.get("text") or "\0"), " ")
    if not activity.get("entities"):
        text = _AT.sub(" ", text, count=1) if text.lstrip().lower().startswith("<at>") else text
    return plain(text)


def plain(text: str) -> str:
    """Teams HTML (or plain text with stray tags) as plain text: tags gone, entities decoded, spaces
    within a line made one, and line breaks kept (`<br>`, a paragraph's end), so a flagged output
    keeps its lines."""
    lines = [" ".join(html.unescape(_TAG.sub(" ", line)).split()) for line in _BREAK.sub("\n", text).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def _id(activity: Activity) -> str | None:
    value = activity.get("id")
    return str(value) if value else None


def _event_id(activity: Activity) -> str | None:
    """The de-duplication key: Teams makes an activity id unique within its conversation only.

    Message ids are epoch-millisecond-like, so two people writing in the same millisecond share one;
    keyed on the id alone, the second message would be dropped as a retry of the first.
    """
    value = _id(activity)
    conversation = (activity.get("conversation") or {}).get("id")
    return f"{conversation}|{value}" if value and conversation else None


def _message(activity: Activity) -> Event | None:
    value = activity.get("value")
    if isinstance(value, Mapping) and (FORM_KEY in value or ACTION_KEY in value):
        return _card_data(activity, value, message_id=activity.get("replyToId"))
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
            form_id=str(data[FORM_KEY]),
            values=values,
            context=str(data.get(CONTEXT_KEY) or ""),
            event_id=_event_id(activity),
        )
    if ACTION_KEY in data:
        return Clicked(
            actor=actor(activity),
            place=place(activity),
            action_id=str(data[ACTION_KEY]),
            value=str(data.get(VALUE_KEY) or ""),
            message_id=str(message_id) if message_id else None,
            event_id=_event_id(activity),
        )
    return None


def _text(value: Any) -> str:
    if value is None:
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
        action = value.get("action") or {}
        data = action.get("data") or {}
        if (
            isinstance(data, Mapping)
            and ACTION_KEY not in data
            and FORM_KEY not in data
            and action.get("verb")
        ):
            data = {ACTION_KEY: action["verb"], **data}
        return _card_data(activity, data, message_id=activity.get("replyToId"))
    if name in ("composeExtension/fetchTask", "composeExtension/submitAction"):
        if value.get("commandId") != FLAG_COMMAND_ID:
            return None
        data = value.get("data")
        if name == "composeExtension/submitAction" and isinstance(data, Mapping) and FORM_KEY in data:
            return _card_data(activity, data, message_id=None)  # the task module's form was sent
        payload = value.get("messagePayload") or {}
        body = payload.get("body") or {}
        content = str(body.get("content") or "")
        if body.get("contentType", "html") == "html":
            content = plain(content)
        author = ((payload.get("from") or {}).get("user") or {}).get("displayName")
        return Shortcut(
            actor=actor(activity),
            place=place(activity),
            shortcut_id=FLAG_SHORTCUT_ID,
            message_text=content or None,
            message_link=payload.get("linkToMessage") or None,
            message_author=author or None,
            event_id=_event_id(activity),
        )
    return None


def _conversation_update(activity: Activity) -> Event | None:
    bot_id = (activity.get("recipient") or {}).get("id")
    added = activity.get("membersAdded") or []
    if bot_id and any(m.get("id") == bot_id for m in added):
        return Opened(actor=actor(activity), place=place(activity), surface="install", event_id=_event_id(activity))
    return None
