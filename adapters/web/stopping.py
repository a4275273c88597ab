"""`coach run`'s serving loop, with a stop that is quick, loses nothing, and says why when it is slow.

On SIGTERM or Ctrl-C the server stops listening; the app's shutdown hooks run (the local chat closes
its tabs with 1001 Going Away: they reconnect when it is back); requests in flight get GRACE_SECONDS;
then the cleanup contexts run in reverse order of start (the Slack after-ack queue finishes what was
acknowledged or parks it for the next start, the clock and the outbox stop). Parts that can keep a
stop waiting register a description of what is pending with `Stopping.watch`; WARN_AFTER seconds into
a stop, and as often after, the log names what is still pending. A second signal names it at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

log = logging.getLogger(__name__)
GRACE_SECONDS = 10.0  # for requests in flight; the Slack queue has its own (adapters/slack/after_ack.py)
WARN_AFTER = 3.0

Describe = Callable[[], str | None]  # what is pending, or None when nothing is


class Stopping:
    def __init__(self) -> None:
        self._watched: list[Describe] = []
        self.since: float | None = None  # when the stop began (monotonic)

    def watch(self, describe: Describe) -> None:
        self._watched.append(describe)

    def pending(self) -> list[str]:
        found = []
        for describe in self._watched:
            try:
                what = describe()
            except Exception:  # a report must never break the stop it reports on
                log.debug("a stop probe failed", exc_info=True)
                continue
            if what:
                found.append(what)
        return found

    def say(self) -> None:
        elapsed = time.monotonic() - (self.since or time.monotonic())
        waiting = "; ".join(self.pending()) or "the last clean-up steps"
        log.warning("still stopping after %.0f s, waiting for: %s", elapsed, waiting)

    async def report(self, *, every: float = WARN_AFTER) -> None:
        while True:
            await asyncio.sleep(every)
            self.say()


STOPPING = web.AppKey("stopping", Stopping)


def serve(
    app: web.Application, *, host: str, port: int, access_log_class: type[AbstractAccessLogger]
) -> None:
    """Serve `app` until SIGTERM or SIGINT (aiohttp's run_app, with a stop that names what it waits for)."""
    asyncio.run(_serve(app, host=host, port=port, access_log_class=access_log_class))


async def _serve(
    app: web.Application, *, host: str, port: int, access_log_class: type[AbstractAccessLogger]
) -> None:
    stopping = app[STOPPING]
    runner = web.AppRunner(app, access_log_class=access_log_class, shutdown_timeout=GRACE_SECONDS)
    stopping.watch(lambda: _in_flight(runner))
    await runner.setup()
    stop = asyncio.Event()

    def on_signal(name: str) -> None:
        if stop.is_set():
            stopping.say()
            return
        log.info("stopping on %s", name)
        stop.set()

    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, on_signal, sig.name)
    try:
        await web.TCPSite(runner, host, port).start()
        await stop.wait()
    finally:
        stopping.since = time.monotonic()
        reporter = asyncio.create_task(stopping.report(), name="stop-reporter")
        try:
            await runner.cleanup()
        finally:
            reporter.cancel()
            for sig in signals:
                loop.remove_signal_handler(sig)
    log.info("stopped in %.1f s", time.monotonic() - stopping.since)


def _in_flight(runner: web.AppRunner) -> str | None:
    """Connections left once a stop has closed the idle ones are requests being answered."""
    server = runner.server
    count = len(server.connections) if server is not None else 0
    return f"{count} HTTP request(s) in flight" if count else None
