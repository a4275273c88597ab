"""GET /setup: the first-run page. Which platforms are configured, what `coach doctor` finds, the next step.

It shows the configuration's weak spots, so it is served only to a browser on this machine (not through
a proxy: a request carrying forwarding headers is refused even from loopback). Once the dashboard has
sign-in, it lets signed-in admins in too by registering a check with `allow_setup`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters.doctor.report import next_step
from adapters.doctor.run import examine
from adapters.runtime import Runtime
from adapters.web.legal import environment

SetupCheck = Callable[[web.Request], Awaitable[bool]]
SETUP_CHECKS = web.AppKey("setup_checks", list[SetupCheck])
FORWARDED = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP")


def mount(app: web.Application, runtime: Runtime) -> None:
    app[SETUP_CHECKS] = []
    template = environment().get_template("setup.html")

    async def setup(request: web.Request) -> web.Response:
        if not await may_see_setup(request):
            raise web.HTTPForbidden(
                text="The setup page is shown only to a browser on the coach's own machine "
                "(e.g. through `ssh -L 3978:127.0.0.1:3978 HOST`). `coach doctor` prints the same.\n"
            )
        findings = await examine(runtime.settings, store=runtime.store)
        body = template.render(
            settings=runtime.settings,
            surfaces=surfaces(runtime),
            findings=findings,
            next_step=next_step(findings),
            failed=sum(f.failed for f in findings),
        )
        return web.Response(text=body, content_type="text/html", headers={"Cache-Control": "no-store"})

    app.router.add_get("/setup", setup)


def allow_setup(app: web.Application, check: SetupCheck) -> None:
    """Let requests `check` approves see /setup too (the dashboard's signed-in admins)."""
    app[SETUP_CHECKS].append(check)


async def may_see_setup(request: web.Request) -> bool:
    if is_local(request):
        return True
    return any([await check(request) for check in request.app[SETUP_CHECKS]])


def is_local(request: web.Request) -> bool:
    """From this machine, directly: a loopback peer and no sign of a proxy in between."""
    if any(name in request.headers for name in FORWARDED):
        return False
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


def surfaces(runtime: Runtime) -> list[tuple[str, str]]:
    """(platform, how it is served) for what this configuration serves."""
    settings = runtime.settings
    served: list[tuple[str, str]] = []
    if settings.slack_enabled:
        how = "Socket Mode" if settings.slack_app_token is not None else "HTTP at /slack/events"
        if settings.slack_client_id:
            how += ", installs in several workspaces at /slack/install"
        served.append(("Slack", how))
    if settings.teams_enabled:
        served.append(("Microsoft Teams", f"{settings.teams_app_type} bot at /api/messages"))
    if settings.local_chat_enabled:
        served.append(("Local web chat", "at / (anyone can act as anyone: trials only)"))
    return served
