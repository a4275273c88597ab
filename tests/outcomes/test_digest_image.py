"""The Monday outcomes digest carries its chart: uploaded as a file on Slack (files_upload_v2's three
steps, against the fake), inline in the Teams card under the activity limit, inline in the local chat."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import jsonschema
import pytest
from sqlmodel import Session, select

from adapters.local.render import render_message as local_html
from adapters.runtime import Runtime
from adapters.slack.clients import api_client
from adapters.slack.sender import SlackSender
from adapters.teams.render import MAX_ACTIVITY_BYTES, card_bytes
from adapters.teams.render import render_message as teams_card
from bot.messages import Image, Message, load_message
from bot.outbox.models import OutboxMessage
from bot.outcomes.hooks import send_weekly
from bot.ports import Outgoing
from tests.fakes.slack_api import FakeSlackApi
from tests.outcomes.test_outcomes import seed
from tests.teams.conftest import adaptive_card_schema

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi(token="xoxb-digest")
    await fake.start()
    yield fake
    await fake.close()


def digest(runtime: Runtime) -> Message:
    seed(runtime)

    def queue(session: Session) -> Message:
        send_weekly(
            session=session, content=runtime.content, settings=runtime.settings, now=runtime.clock.now()
        )
        rows = session.exec(select(OutboxMessage)).all()
        (row,) = [r for r in rows if r.idempotency_key.startswith("outcomes:weekly:")]
        return load_message(row.payload)

    return runtime.store.run_sync(queue)


def image_of(message: Message) -> Image:
    (image,) = [b for b in message.blocks if isinstance(b, Image)]
    return image


async def test_the_digest_has_the_chart_with_its_numbers_in_words(runtime: Runtime) -> None:
    image = image_of(digest(runtime))
    assert base64.b64decode(image.png).startswith(PNG)
    assert image.alt.startswith("Active users per week") and "Compass" in image.alt


async def test_slack_uploads_the_chart_in_three_steps(runtime: Runtime, slack: FakeSlackApi) -> None:
    message = digest(runtime)
    sender = SlackSender(api_client(token="xoxb-digest", base_url=slack.base_url, retry_rate_limits=False))
    await sender.send(
        Outgoing(address={"team": "T111", "channel": "D1"}, message=message, idempotency_key="d:1")
    )
    methods = [c.method for c in slack.calls if c.ok]
    assert methods == ["chat.postMessage", "files.getUploadURLExternal", "files.completeUploadExternal"]
    (file_id,) = slack.uploaded
    assert slack.uploaded[file_id] == base64.b64decode(image_of(message).png)
    (shared,) = slack.shared_files
    assert shared["channel_id"] == "D1" and shared["files"][0]["id"] == file_id
    asked = slack.upload_urls[file_id]
    assert int(asked["length"]) == len(slack.uploaded[file_id]) and asked["alt_txt"].startswith(
        "Active users"
    )


async def test_slack_without_files_write_still_sends_the_digest(
    runtime: Runtime, slack: FakeSlackApi
) -> None:
    message = digest(runtime)
    slack.grants["xoxb-digest"].scopes = tuple(
        s for s in slack.grants["xoxb-digest"].scopes if s != "files:write"
    )
    sender = SlackSender(api_client(token="xoxb-digest", base_url=slack.base_url, retry_rate_limits=False))
    sent = await sender.send(
        Outgoing(address={"team": "T111", "channel": "D1"}, message=message, idempotency_key="d:2")
    )
    assert sent.message_id and not slack.shared_files  # the text went; the picture is logged as missing


async def test_teams_shows_the_chart_inline_within_the_activity_limit(runtime: Runtime) -> None:
    message = digest(runtime)
    card = teams_card(message)
    jsonschema.validate(card, adaptive_card_schema())
    images = [b for b in card["body"] if b.get("type") == "Image"]
    assert images and images[0]["url"].startswith("data:image/png;base64,")
    assert card_bytes(card) < MAX_ACTIVITY_BYTES - 2048
    assert len(json.dumps({"type": "message", "attachments": [card]})) < MAX_ACTIVITY_BYTES


async def test_the_local_chat_shows_the_chart_inline(runtime: Runtime) -> None:
    html = local_html(digest(runtime))
    assert '<figure class="m-image"><img src="data:image/png;base64,' in html
    forged = Message(summary="x", blocks=(Image(png='"><script>alert(1)</script>', alt="a <b>"),))
    assert "<script>" not in local_html(forged) and "[a &lt;b&gt;]" in local_html(forged)
