"""GET /dashboard/…: the pages, their CSV, and sign-in and sign-out.

Each page is one `bot.dashboard.figures` builder; this module picks it, checks that the viewer may see
it (users their own page only; owners their systems, a system they do not own refused even by URL),
reads the period from the query, and renders. Nothing here computes a figure.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from markupsafe import Markup

from adapters.runtime import Runtime
from adapters.web.dashboard import sessions
from adapters.web.dashboard.sessions import Signed
from adapters.web.setup import allow_setup
from bot import charts
from bot.content import System
from bot.csv_export import to_csv
from bot.dashboard import figures, pages, registry, signin
from bot.dashboard.access import Viewer
from bot.dashboard.cache import PageCache
from bot.dashboard.figures import Period
from bot.dashboard.page import Cell, Page
from bot.demo.people import demo_people
from bot.evidence import chain
from bot.evidence import records as evidence_records
from bot.evidence import report as evidence_report
from bot.handover import pack
from bot.handover.document import STYLE_HASH, to_html
from bot.turn import UserError

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
WEEK_CHOICES = (4, 8, 12, 26, 52)
DEFAULT_WEEKS = 12
SAVED = "Saved: the change is in the audit trail."

# name -> (title in the menu, who may open it)
PAGES: dict[str, tuple[str, str]] = {
    "overview": ("Overview", "owner"),
    "funnel": ("Adoption", "owner"),
    "escalations": ("Escalations", "owner"),
    "friction": ("Friction", "owner"),
    "announcements": ("Announcements", "owner"),
    "readiness": ("Readiness", "owner"),
    "me": ("My data", "user"),
}
REFUSED = {
    signin.Refused.expired: "This sign-in link has expired: links last "
    f"{int(signin.LINK_LIFETIME.total_seconds() // 60)} minutes.",
    signin.Refused.used: "This sign-in link has been used already: each link works once.",
    signin.Refused.invalid: "This is not a sign-in link the coach gave out (it may be cut short).",
}
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no-referrer would make browsers send `Origin: null` with forms
    "Cache-Control": "no-store",
}


def mount(app: web.Application, runtime: Runtime) -> None:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.filters["shown"] = _shown

    def html(template: str, status: int = 200, **values: object) -> web.Response:
        body = env.get_template(template).render(**values)
        return web.Response(text=body, status=status, content_type="text/html", headers=HEADERS)

    def refused(status: int, message: str, signed: Signed | None = None) -> web.Response:
        return html(
            "message.html",
            status=status,
            title="Not here",
            message=message,
            signed=signed,
            pages=_menu(signed),
        )

    async def sign_in_page(request: web.Request) -> web.Response:
        token = request.query.get("token", "")
        demo = _demo_picker(request, runtime)
        if not token:
            if demo:
                return html("sign_in.html", token="", demo=demo, problem="")
            return refused(
                401, "Sign in from chat: type `dashboard` to the coach and open the link it sends you."
            )
        now = runtime.clock.now()
        try:  # only looked at, not spent: a preview fetching the link must leave it working
            await runtime.store.read(lambda s: signin.check_link(session=s, token=token, now=now))
        except signin.LinkRefused as exc:
            return refused(403, REFUSED[exc.reason] + " Type `dashboard` in chat for a new one.")
        return html("sign_in.html", token=token, demo=[], problem="")

    async def sign_in(request: web.Request) -> web.Response:
        sessions.check_origin(request)
        form = await request.post()
        token = str(form.get("token", ""))
        now = runtime.clock.now()
        if token:
            try:
                opened = await runtime.store.run(lambda s: signin.spend_link(session=s, token=token, now=now))
            except signin.LinkRefused as exc:
                return refused(403, REFUSED[exc.reason] + " Type `dashboard` in chat for a new one.")
        else:
            email = str(form.get("email", "")).strip().lower()
            if not _demo_picker(request, runtime) or "@" not in email:
                return refused(403, "Sign in from chat: type `dashboard` to the coach.")
            opened = await runtime.store.run(lambda s: signin.open_by_email(session=s, email=email, now=now))
        response = web.HTTPSeeOther("/dashboard")
        sessions.set_cookie(response, request, runtime, opened)
        raise response

    async def sign_out(request: web.Request) -> web.Response:
        sessions.check_origin(request)
        signed = await sessions.current(request, runtime)
        if signed is not None:
            sessions.check_csrf(str((await request.post()).get("csrf", "")), signed)
            await runtime.store.run(lambda s: signin.close_session(session=s, token=signed.token))
        response = web.HTTPSeeOther("/dashboard/signed-out")
        sessions.clear_cookie(response)
        raise response

    async def signed_out(_request: web.Request) -> web.Response:
        return html(
            "message.html",
            title="Signed out",
            message="You are signed out. Type `dashboard` in chat to sign in again.",
            signed=None,
            pages=[],
        )

    cache: PageCache[Built] = PageCache()

    def draw_sections(page: Page, name: str, query: str) -> Markup:
        """A page's sections as HTML: its charts drawn and its tables written (CPU work, off the loop)."""
        images = _chart_sources(page)
        return Markup(
            env.get_template("sections.html").render(page=page, images=images, name=name, query=query)
        )

    async def _build(
        name: str, *, view: Viewer, systems: tuple[str, ...], period: Period, now: datetime
    ) -> Page:
        assessed = (
            await runtime.store.run(lambda s: pages.assess(session=s, content=runtime.content, now=now))
            if name in pages.NEEDS_READINESS
            else []
        )
        return await runtime.store.read(
            lambda s: pages.build(
                name,
                session=s,
                content=runtime.content,
                settings=runtime.settings,
                viewer=view,
                systems=systems,
                period=period,
                now=now,
                assessed=assessed,
            )
        )

    async def build_and_keep(
        key: tuple[object, ...],
        name: str,
        *,
        view: Viewer,
        systems: tuple[str, ...],
        period: Period,
        now: datetime,
    ) -> Built:
        version = runtime.store.changes.count
        if name in pages.NEEDS_USAGE_DAYS:
            await runtime.store.run(lambda s: pages.catch_up(session=s, content=runtime.content, now=now))
            version = runtime.store.changes.count  # the page is built from the rollup as caught up
        built = Built(await _build(name, view=view, systems=systems, period=period, now=now))
        if name != "me":
            cache.put(key, built, version=version, built_at=now)
        return built

    rebuilding: dict[tuple[object, ...], asyncio.Task[Built]] = {}

    def rebuild(key: tuple[object, ...], name: str, build: Callable[[], Coroutine[Any, Any, Built]]) -> None:
        """A fresh page built beside the kept one being shown, once per page at a time."""
        if key in rebuilding:
            return
        task = asyncio.create_task(build())
        rebuilding[key] = task

        def done(finished: asyncio.Task[Built]) -> None:
            rebuilding.pop(key, None)
            if not finished.cancelled() and finished.exception() is not None:
                log.error("dashboard: rebuilding %s failed", name, exc_info=finished.exception())

        task.add_done_callback(done)

    async def render(
        request: web.Request,
        signed: Signed,
        name: str,
        *,
        notice: str = "",
        problem: str = "",
        status: int = 200,
    ) -> web.Response:
        view = signed.viewer
        system = request.query.get("system") or None
        if system is not None and not view.may_see(system):
            return refused(403, "You can see only the systems you own or back up.", signed)
        if name == "announcements" and system is None and not view.is_admin and not view.systems:
            return refused(403, "This page is for admins and system owners.", signed)
        period = _period(request, runtime, view.timezone)
        systems = (system,) if system else view.systems
        now = runtime.clock.now()
        # What the page shows depends on these alone (a person's own page is theirs: never kept).
        key = (name, systems, period.weeks, period.zone, request.query.get("end", ""), view.is_admin)
        version = runtime.store.changes.count
        keep = name != "me"
        build = functools.partial(
            build_and_keep, key, name, view=view, systems=systems, period=period, now=now
        )
        kept = cache.get(key, version=version, now=now) if keep else None
        if kept is None and keep and not (notice or problem):  # after a change made here: shown at once
            kept = cache.last(key, now=now)
            if kept is not None:
                rebuild(key, name, build)
        as_of = ""
        if kept is None:
            built = await build()
        else:
            built = kept.value
            as_of = f"{kept.built_at.astimezone(ZoneInfo(period.zone)):%Y-%m-%d %H:%M}"
        page = built.page
        editable = (
            await runtime.store.read(
                lambda s: registry.editable(session=s, content=runtime.content, viewer=view, systems=systems)
            )
            if name == "readiness"
            else []
        )
        if request.path.endswith(".csv"):
            return _csv(request, page, name)
        query = request.query_string
        sections = built.sections.get(query)
        if sections is None:
            sections = await asyncio.to_thread(draw_sections, page, name, query)
            built.keep(query, sections)
        return html(
            "page.html",
            status=status,
            page=page,
            as_of=as_of,
            sections=sections,
            name=name,
            signed=signed,
            pages=_menu(signed),
            period=period,
            end_date=(period.end.astimezone(ZoneInfo(period.zone)) - timedelta(seconds=1)).date().isoformat(),
            week_choices=WEEK_CHOICES,
            systems=view.systems,
            system=system,
            registry=editable,
            notice=notice,
            problem=problem,
        )

    def page_handler(name: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            signed = await sessions.current(request, runtime)
            if signed is None:
                return refused(
                    401,
                    "Your session has ended or you are not signed in. Type `dashboard` in chat for a sign-in link.",
                )
            view = signed.viewer
            if request.path == "/dashboard" and not view.sees_programme:
                raise web.HTTPSeeOther("/dashboard/me")
            if PAGES[name][1] == "owner" and not view.sees_programme:
                return refused(403, "This page is for admins and system owners. Yours is My data.", signed)
            notice = SAVED if name == "readiness" and request.query.get("saved") == "1" else ""
            return await render(request, signed, name, notice=notice)

        return handler

    async def edit_registry(request: web.Request) -> web.Response:
        """An admin saves one role of one system from the readiness page (the form `owners set` fills
        in chat); a refusal re-shows the page with the reason, a success goes back to it."""
        sessions.check_origin(request)
        signed = await sessions.current(request, runtime)
        if signed is None:
            return refused(401, "Your session has ended or you are not signed in. Type `dashboard` in chat.")
        form = await request.post()
        sessions.check_csrf(str(form.get("csrf", "")), signed)
        if not signed.viewer.is_admin:
            return refused(403, "Only admins change who owns a system.", signed)
        now = runtime.clock.now()
        try:
            await runtime.store.run(
                lambda s: registry.edit(
                    session=s,
                    content=runtime.content,
                    viewer=signed.viewer,
                    system=str(form.get("system", "")),
                    role=str(form.get("role", "")),
                    primary=str(form.get("primary", "")),
                    backup=str(form.get("backup", "")),
                    now=now,
                )
            )
        except UserError as exc:
            return await render(request, signed, "readiness", problem=str(exc), status=400)
        except registry.NotAdmin:  # made admin-less between the two reads
            return refused(403, "Only admins change who owns a system.", signed)
        system = str(form.get("system", ""))
        raise web.HTTPSeeOther(f"/dashboard/readiness?{urlencode({'system': system, 'saved': '1'})}")

    app.router.add_get("/dashboard/sign-in", sign_in_page)
    app.router.add_post("/dashboard/sign-in", sign_in)
    app.router.add_post("/dashboard/sign-out", sign_out)
    app.router.add_get("/dashboard/signed-out", signed_out)

    async def my_export(request: web.Request) -> web.Response:
        signed = await sessions.current(request, runtime)
        if signed is None:
            return refused(401, "Your session has ended or you are not signed in. Type `dashboard` in chat.")
        body = await runtime.store.read(lambda s: pages.my_export(session=s, viewer=signed.viewer))
        return _download(body, content_type="application/json", filename="my-data.json")

    async def scoped(request: web.Request, *, admins_only: bool) -> tuple[Signed, System] | web.Response:
        """The signed-in viewer and the system in the URL, or the refusal: a key that is no system is
        404 (whatever was typed), a system the viewer may not open 403."""
        signed = await sessions.current(request, runtime)
        if signed is None:
            return refused(401, "Your session has ended or you are not signed in. Type `dashboard` in chat.")
        system = runtime.content.systems.get(request.match_info["system"])
        if system is None:
            return refused(404, "There is no such system.", signed)
        if admins_only and not signed.viewer.is_admin:
            return refused(403, "The evidence report is for admins.", signed)
        if not signed.viewer.may_see(system.key):
            return refused(403, "You can see only the systems you own or back up.", signed)
        return signed, system

    async def handover_page(request: web.Request) -> web.Response:
        found = await scoped(request, admins_only=False)
        if isinstance(found, web.Response):
            return found
        _signed, system = found
        now = runtime.clock.now()
        doc = await runtime.store.run(
            lambda s: pack.build(session=s, content=runtime.content, system=system, now=now)
        )
        return _document(to_html(doc, [("/dashboard/readiness", "Back to the dashboard")]))

    async def evidence(request: web.Request) -> web.Response:
        found = await scoped(request, admins_only=True)
        if isinstance(found, web.Response):
            return found
        signed, system = found
        now = runtime.clock.now()
        start, end = request.query.get("from") or None, request.query.get("to") or None
        try:
            period = evidence_records.Period.of(start, end, now)
        except ValueError as exc:
            return refused(400, str(exc).replace("--", "") + ".", signed)
        gathered = await runtime.store.run(
            lambda s: evidence_records.gather(
                session=s, content=runtime.content, system=system, period=period, now=now
            )
        )
        text, head = chain.export(gathered.export_records())
        if request.path.endswith(".jsonl"):
            return _download(
                text,
                content_type="application/jsonl",
                filename=f"evidence-{system.key}.jsonl",
                headers={"X-Evidence-Head-Hash": head},
            )
        query = urlencode({k: v for k, v in (("from", start), ("to", end)) if v})
        export = f"/dashboard/evidence/{system.key}/export.jsonl" + (f"?{query}" if query else "")
        links = [
            ("/dashboard/readiness", "Back to the dashboard"),
            (
                export,
                # As `coach evidence --export` prints it: the hash to keep apart from the file, so that a
                # file rewritten whole (every link recomputed) no longer ends with it.
                f"Download the records, hash-chained (JSON Lines, {len(text.splitlines())} lines); head hash "
                f"{head}: keep it apart from the file, check with coach evidence verify FILE",
            ),
        ]
        return _document(to_html(evidence_report.build(gathered), links))

    async def friction_report(request: web.Request) -> web.Response:
        """One report on its own page: admins, its system's owners and its reporter; anyone else (and an
        id that is no report) 404, so the URL says nothing about which reports exist."""
        signed = await sessions.current(request, runtime)
        if signed is None:
            return refused(401, "Your session has ended or you are not signed in. Type `dashboard` in chat.")
        view = signed.viewer
        report_id = int(request.match_info["report"])
        period = _period(request, runtime, view.timezone)
        found = await runtime.store.read(
            lambda s: figures.friction_report(
                session=s, content=runtime.content, viewer=view, report_id=report_id, period=period
            )
        )
        if found is None:
            return refused(404, "There is no such report, or it is not one you may open.", signed)
        return html(
            "friction_report.html",
            view=found,
            signed=signed,
            pages=_menu(signed),
            name="friction",
            system=None,
        )

    app.router.add_get(r"/dashboard/friction/{report:\d{1,18}}", friction_report)
    app.router.add_get("/dashboard/handover/{system}", handover_page)
    app.router.add_get("/dashboard/evidence/{system}", evidence)
    app.router.add_get("/dashboard/evidence/{system}/export.jsonl", evidence)
    app.router.add_get("/dashboard/me.json", my_export)
    app.router.add_post("/dashboard/readiness/owners", edit_registry)
    app.router.add_get("/dashboard", page_handler("overview"))
    for name in PAGES:
        app.router.add_get(f"/dashboard/{name}", page_handler(name))
        app.router.add_get(f"/dashboard/{name}.csv", page_handler(name))
    app.router.add_static("/dashboard/static", HERE / "static", append_version=False)

    async def stop_rebuilding(_app: web.Application) -> None:
        for task in list(rebuilding.values()):
            task.cancel()
        await asyncio.gather(*rebuilding.values(), return_exceptions=True)

    app.on_cleanup.append(stop_rebuilding)

    async def admin_may_see_setup(request: web.Request) -> bool:
        signed = await sessions.current(request, runtime)
        return signed is not None and signed.viewer.is_admin

    allow_setup(app, admin_may_see_setup)


class Built:
    """A page as the cache keeps it: its figures, and its sections' HTML once written for a query string
    (the CSV links carry the query). A year's friction list is 500 rows: writing them again on each
    fetch was most of a kept page's time (p95 up to 1.1 s under load)."""

    KEEP = 4  # query strings per page: the same period asked for with its parameters in another order

    def __init__(self, page: Page) -> None:
        self.page = page
        self.sections: dict[str, Markup] = {}

    def keep(self, query: str, sections: Markup) -> None:
        if len(self.sections) >= self.KEEP:
            self.sections.pop(next(iter(self.sections)), None)
        self.sections[query] = sections


def _document(body: str) -> web.Response:
    """A printable document page (the CLI's --html): its one inline stylesheet allowed by hash."""
    headers = dict(HEADERS)
    headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
        "style-src 'self'", f"style-src {STYLE_HASH}"
    )
    return web.Response(text=body, content_type="text/html", headers=headers)


def _period(request: web.Request, runtime: Runtime, zone: str) -> Period:
    """The weeks asked for (`weeks`, default 12) ending with the day `end` (default today), in the
    viewer's zone; a value that makes no sense falls back to the default rather than failing."""
    now = runtime.clock.now()
    raw = request.query.get("weeks", "")
    weeks = int(raw) if raw.isdigit() and 1 <= int(raw) <= 52 else DEFAULT_WEEKS
    end = now
    raw_end = request.query.get("end", "")
    if raw_end:
        try:
            day = datetime.strptime(raw_end, "%Y-%m-%d").date()
        except ValueError:
            day = None
        if day is not None:
            local_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone)).astimezone(
                UTC
            )
            end = min(now, local_end)
    return Period.ending(end, weeks, zone)


def _shown(cell: Cell) -> str | int | float:
    """A table cell on the page: a time (already in the viewer's zone) to the minute."""
    if cell is None:
        return ""
    return f"{cell:%Y-%m-%d %H:%M}" if isinstance(cell, datetime) else cell


def _csv(request: web.Request, page: Page, name: str) -> web.Response:
    key = request.query.get("table", "")
    table = next((t for t in page.all_tables() if t.key == key), None)
    if table is None:
        raise web.HTTPNotFound(text=f"No table {key!r} on this page.")
    return _download(
        to_csv(table.columns, table.rows), content_type="text/csv", filename=f"{name}-{table.key}.csv"
    )


def _download(
    text: str, *, content_type: str, filename: str, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A file the browser saves: never cached (it holds people's data), its type not guessed."""
    return web.Response(
        text=text,
        content_type=content_type,
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            **(headers or {}),
        },
    )


def _menu(signed: Signed | None) -> list[tuple[str, str]]:
    if signed is None:
        return []
    if not signed.viewer.sees_programme:
        return [("me", PAGES["me"][0])]
    return [(name, title) for name, (title, _who) in PAGES.items()]


def _demo_picker(request: web.Request, runtime: Runtime) -> list[object]:
    """The local demo's people, when this is the local demo opened on this machine (anyone may be anyone)."""
    from adapters.local.web import _trusted_host  # the local chat's own rule for who may act as anyone

    settings = runtime.settings
    if not settings.local_chat_enabled or not _trusted_host(request, settings.local_chat_force_remote):
        return []
    return list(demo_people(runtime.content))


def _chart_sources(page: Page) -> dict[str, str]:
    """Each chart as an SVG data URL (an <img>: no inline styles for the page's CSP to allow)."""
    return {
        chart.key: "data:image/svg+xml;base64," + base64.b64encode(charts.svg(chart).encode()).decode()
        for section in page.sections
        for chart in section.charts
    }
