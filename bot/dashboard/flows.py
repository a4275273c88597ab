"""`dashboard` in chat (and Home's button): a one-time sign-in link to the dashboard, for your eyes only.

The link goes to the asker alone (a private reply: their direct chat, or Slack's ephemeral message),
lasts `signin.LINK_LIFETIME` and opens a landing page whose button signs in, so a platform fetching the
link for a preview does not spend it.
"""

from __future__ import annotations

from bot.config import Settings
from bot.dashboard import signin
from bot.messages import Actions, Button, Context, Message, Reply, Text
from bot.routing import Command, Router
from bot.turn import Turn
from bot.wording import plural

SIGN_IN_PATH = "/dashboard/sign-in"


def register(router: Router) -> None:
    router.command(
        Command(
            "dashboard",
            "A sign-in link to the dashboard: the programme in charts and tables, or your own data",
            dashboard_command,
            usage="dashboard",
            topic="General",
            private=True,
        )
    )
    router.action("dashboard.link", lambda turn, _event: dashboard_command(turn, ""))


def dashboard_command(turn: Turn, _rest: str) -> list[Reply]:
    token = signin.issue_link(session=turn.session, person_id=turn.person_id, now=turn.now)
    link = sign_in_link(turn.settings, token)
    minutes = int(signin.LINK_LIFETIME.total_seconds() // 60)
    what = (
        "the programme's outcomes, adoption, escalations and friction"
        if turn.person.is_admin or turn.person.is_owner
        else "what the coach holds about you, your flags and your reports"
    )
    message = Message(
        summary="Your sign-in link to the dashboard",
        blocks=(
            Text(f"Here is your sign-in link to the dashboard: {what}."),
            Actions((Button("dashboard.open", "Open the dashboard", url=link, style="primary"),)),
            Context(
                f"It works once, within {plural(minutes, 'minute')}, and only for you: don't forward it. "
                "Type `dashboard` again for a new one."
            ),
        ),
    )
    return [Reply(message=message, private=True)]


def sign_in_link(settings: Settings, token: str) -> str:
    path = f"{SIGN_IN_PATH}?token={token}"
    public = settings.public_link(path)
    if public is not None:
        return public
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"http://{host}:{settings.port}{path}"
