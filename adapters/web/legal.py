"""GET /privacy and GET /terms: the pages the Slack and Teams listings link to (adapters/listing.py).

The privacy page lays out bot/privacy/statement.py, the one account of what the coach keeps; an
organisation with its own pages points `coach manifest --privacy-url/--terms-url` at them instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from bot.privacy.statement import KEPT, NOT_KEPT, YOUR_DATA

TEMPLATES = Path(__file__).parent / "templates"
_CODE = re.compile(r"`([^`]+)`")


def code_spans(text: str) -> Markup:
    """Escaped text with `backticked` words as <code>."""
    return Markup(_CODE.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text))))


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.filters["code"] = code_spans
    return env


def mount(app: web.Application) -> None:
    env = environment()
    pages = {
        "/privacy": env.get_template("privacy.html").render(
            kept=KEPT, not_kept=NOT_KEPT, your_data=YOUR_DATA
        ),
        "/terms": env.get_template("terms.html").render(),
    }
    for path, body in pages.items():
        app.router.add_get(path, _page(body))


def _page(body: str):  # type: ignore[no-untyped-def]
    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=body, content_type="text/html", headers={"Cache-Control": "max-age=3600"})

    return page
