"""The engine: routes neutral events to flows, one unit of work per event.

A known problem (`UserError`) is told to the person as it is. Anything unexpected gives them a
friendly message with a short reference id; the traceback is logged with that id and never shown.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import attention
from bot.admin import workspaces
from bot.audit import service as audit
from bot.channels import service as channels
from bot.config import Settings
from bot.content import Content
from bot.events import Clicked, Event, Opened, Said, Shortcut, Submitted
from bot.inbound import clean_event
from bot.messages import OPEN_FORM, Message, Reply, private, text_message
from bot.metrics import EVENT_SECONDS, EVENTS
from bot.outbox import service as outbox
from bot.ownership import leavers
from bot.people import service as people
from bot.ports import Clock
from bot.private_replies import keep_private
from bot.routing import Router, split_command
from bot.schedule import service as schedule
from bot.store.db import Store
from bot.turn import Turn, UserError

log = logging.getLogger(__name__)


class Engine:
    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        router: Router,
        clock: Clock,
        content: Content | None = None,
        on_commit: Callable[[], None] | None = None,
        on_due_now: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.router = router
        self.clock = clock
        self.content = content
        self.on_commit = on_commit or (lambda: None)  # messages were queued: the outbox drains
        self.on_due_now = on_due_now or (lambda: None)  # work due at once ("send now"): the ticker runs

    async def handle(self, event: Event) -> list[Reply]:
        kind = type(event).__name__
        with EVENT_SECONDS.labels(kind).time():
            replies, outcome = await self._handle(event)
        EVENTS.labels(event.actor.platform, kind, outcome).inc()
        return replies

    async def _handle(self, event: Event) -> tuple[list[Reply], str]:
        try:
            replies, (queued, due_now) = await self._unit_of_work(event)
        except UserError as exc:
            return [Reply(message=text_message(str(exc)), ephemeral=True)], "refused"
        except Exception:
            reference = secrets.token_hex(4)
            log.exception("event failed [ref %s] %s", reference, type(event).__name__)
            return [
                Reply(
                    message=text_message(
                        "Sorry, something went wrong on my side and nothing was saved. "
                        f"Please try again; if it keeps happening, give your admin this reference: `{reference}`"
                    ),
                    ephemeral=True,
                )
            ], "error"
        if queued:
            self.on_commit()
        if due_now:
            self.on_due_now()
        return replies, "ok"

    async def _unit_of_work(self, event: Event) -> tuple[list[Reply], tuple[bool, bool]]:
        """Handle the event in one transaction; a unique-key race with a concurrent first contact
        (the same new person or row created by another process at the same moment) is retried once,
        when the other side's rows are there to be found."""
        for attempt in (1, 2):
            try:
                return await self.store.run(
                    lambda session: (
                        self.handle_sync(session, event),
                        (outbox.queued_in(session), schedule.due_now_in(session)),
                    )
                )
            except IntegrityError:
                if attempt == 2:
                    raise
                log.info("unit of work raced a concurrent insert; retrying once")
        raise AssertionError("unreachable")

    def handle_sync(self, session: Session, event: Event) -> list[Reply]:
        event = clean_event(event)  # a NUL in chat text must not cost the person their message
        now = self.clock.now()
        if isinstance(event, Said) and event.via == "thread_reply" and not self._reads_thread(session, event):
            if not event.mentioned:
                return []  # a thread the bot did not start: nothing of it is read, stored or answered
            event = dataclasses.replace(event, via="mention")
        if event.event_id and not audit.first_time(
            session=session, key=f"{event.actor.platform}:{event.event_id}", at=now
        ):
            log.info("duplicate event dropped: %s", event.event_id)
            return []
        resolved = people.resolve(
            session=session, actor=event.actor, now=now, admin_handles=self.settings.admin_handles
        )
        person, identity, is_new = resolved.person, resolved.identity, resolved.is_new
        # Messages waiting for someone unreachable: a person created just now has none (no query).
        if resolved.newly_reachable and not is_new and person.id is not None:
            outbox.adopt_unreachable(
                session=session,
                person_id=person.id,
                platform=identity.platform,
                address=identity.address,
                now=now,
            )
        channels.remember(session=session, place=event.place, now=now)
        turn = Turn(
            session=session,
            event=event,
            person=person,
            identity=identity,
            now=now,
            settings=self.settings,
            router=self.router,
            loaded_content=self.content,
            is_new_person=is_new,
        )
        replies: list[Reply] = []
        if resolved.first_contact:
            for hook in self.router.on_first_contact:
                replies.extend(hook(turn))
        replies.extend(self._route(turn, event))
        return keep_private(turn, replies)

    async def send_later(
        self, *, platform: str, address: Mapping[str, Any], message: Message, key: str, thread_id: str | None
    ) -> None:
        """A reply the platform refused for now (rate limit, outage) goes through the outbox instead of
        being dropped; `key` makes a second refusal of the same reply queue nothing twice."""
        now = self.clock.now()
        await self.store.run(
            lambda session: outbox.enqueue(
                session=session,
                key=key,
                platform=platform,
                address=address,
                message=message,
                now=now,
                kind=outbox.OutboxKind.reply,
                priority=10,
                thread_id=thread_id,
                critical=True,
            )
        )
        self.on_commit()

    async def workspace_removed(
        self, *, platform: str, workspace: str, reason: str, event_id: str | None = None
    ) -> None:
        """The platform says the coach was uninstalled from a workspace (or its token revoked)."""
        holidays = self.content.holidays if self.content is not None else ()

        def work(session: Session) -> None:
            now = self.clock.now()
            if event_id and not audit.first_time(session=session, key=f"{platform}:{event_id}", at=now):
                return
            workspaces.removed(
                session=session,
                platform=platform,
                workspace=workspace,
                reason=reason,
                now=now,
                settings=self.settings,
                holidays=holidays,
            )

        await self.store.run(work)
        self.on_commit()

    async def workspace_rate_limited(self, *, platform: str, workspace: str, window: str) -> None:
        """The platform drops this workspace's events for a while: admins hear once per `window`."""
        holidays = self.content.holidays if self.content is not None else ()

        def work(session: Session) -> None:
            workspaces.rate_limited(
                session=session,
                platform=platform,
                workspace=workspace,
                window=window,
                now=self.clock.now(),
                settings=self.settings,
                holidays=holidays,
            )

        await self.store.run(work)
        self.on_commit()

    async def account_signal(
        self,
        *,
        platform: str,
        workspace: str,
        user_id: str,
        signal: str,
        detail: str,
        confirmed: bool,
        event_id: str | None = None,
    ) -> None:
        """The platform says someone left (`confirmed`: deactivated by their organisation) or shows a sign
        of it (removed from a team): a departure is handled at once, a sign opens a review for admins."""
        content = self.content

        def work(session: Session) -> None:
            now = self.clock.now()
            if event_id and not audit.first_time(session=session, key=f"{platform}:{event_id}", at=now):
                return
            person = leavers.by_identity(
                session=session, platform=platform, workspace=workspace, user_id=user_id
            )
            if person is None or not person.active or content is None:
                return  # someone the coach never met: nothing of theirs to hand over
            policy = attention.of(session=session, settings=self.settings, content=content, now=now)
            if confirmed:
                leavers.depart(
                    session=session,
                    content=content,
                    person=person,
                    reason=detail,
                    actor_id=None,
                    policy=policy,
                )
            else:
                leavers.open_review(
                    session=session, person=person, signal=signal, detail=detail, policy=policy
                )

        await self.store.run(work)
        self.on_commit()

    def _reads_thread(self, session: Session, event: Said) -> bool:
        return any(owner(session, event.place) for owner in self.router.thread_owners)

    def _route(self, turn: Turn, event: Event) -> list[Reply]:
        if isinstance(event, Said):
            return self._said(turn, event)
        if isinstance(event, Clicked):
            return self._clicked(turn, event)
        if isinstance(event, Submitted):
            spec = self.router.forms.get(event.form_id)
            if spec is None:
                raise UserError("That form has expired. Type `help` to start again.")
            return spec.submit(turn, event)
        if isinstance(event, Shortcut):
            handler = self.router.shortcuts.get(event.shortcut_id)
            if handler is None:
                raise UserError("I don't know that shortcut yet. Type `help` to see what I can do.")
            return handler(turn, event)
        if isinstance(event, Opened):
            if event.surface == "home" and self.router.home is not None:
                return self.router.home(turn)
            return []
        raise TypeError(f"unknown event {event!r}")

    def _said(self, turn: Turn, event: Said) -> list[Reply]:
        if event.via == "thread_reply":
            for hook in self.router.thread_hooks:
                replies = hook(turn, event.text)
                if replies is not None:
                    return replies
            return []
        word, rest = split_command(event.text)
        command = self.router.commands.get(word)
        if command is not None:
            turn.require_role(command.role)
            replies = command.handler(turn, rest)
            return private(replies) if command.private else replies
        for text_hook in self.router.text_hooks:
            replies = text_hook(turn, event.text)
            if replies is not None:
                return replies
        return self._unknown(turn, word)

    def _clicked(self, turn: Turn, event: Clicked) -> list[Reply]:
        if event.action_id == OPEN_FORM:
            form_id, _, context = event.value.partition("|")
            spec = self.router.forms.get(form_id)
            if spec is None:
                raise UserError("That form has expired. Type `help` to start again.")
            return [Reply(form=spec.build(turn, context))]
        handler = self.router.actions.get(event.action_id)
        if handler is None:
            raise UserError("That button no longer works. Type `help` to see what you can do.")
        return handler(turn, event)

    def _unknown(self, turn: Turn, word: str) -> list[Reply]:
        if not word:
            return [Reply(message=text_message("Type `help` to see what I can do for you."))]
        close = self.router.closest(word, turn)
        if close:
            guess = " or ".join(f"`{c}`" for c in close)
            text = f"I didn't understand that. Did you mean {guess}? Type `help` for everything I can do."
        else:
            text = "I didn't understand that. Type `help` to see what I can do for you."
        return [Reply(message=text_message(text))]
