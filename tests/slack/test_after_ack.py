"""Work after Slack's ack: a bounded set of workers, interactive requests first, drained on stop."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.slack.after_ack import AfterAck


def job(done: list[str], name: str, *, gate: asyncio.Event | None = None):  # type: ignore[no-untyped-def]
    async def run() -> None:
        if gate is not None:
            await gate.wait()
        done.append(name)

    return run


async def test_clicks_and_commands_go_before_queued_events() -> None:
    after_ack = AfterAck(workers=1)
    await after_ack.start()
    done: list[str] = []
    gate = asyncio.Event()
    after_ack.submit(job(done, "busy", gate=gate), interactive=False)  # holds the only worker
    await asyncio.sleep(0)
    for i in range(3):
        after_ack.submit(job(done, f"message {i}"), interactive=False)
    after_ack.submit(job(done, "click"), interactive=True)
    gate.set()
    await after_ack.stop()
    assert done == ["busy", "click", "message 0", "message 1", "message 2"]


async def test_no_more_than_the_workers_run_at_once() -> None:
    after_ack = AfterAck(workers=3)
    await after_ack.start()
    running, most = 0, 0

    async def one() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1

    for _ in range(20):
        after_ack.submit(one, interactive=False)
    await after_ack.stop()
    assert most == 3


async def test_stop_finishes_what_was_queued() -> None:
    after_ack = AfterAck(workers=2)
    await after_ack.start()
    done: list[str] = []
    for i in range(10):
        after_ack.submit(job(done, str(i)), interactive=False)
    await after_ack.stop()
    assert sorted(done, key=int) == [str(i) for i in range(10)]


async def test_a_failing_job_is_logged_and_the_worker_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    after_ack = AfterAck(workers=1)
    await after_ack.start()
    done: list[str] = []

    async def broken() -> None:
        raise ConnectionError("the Web API went away")

    after_ack.submit(broken, interactive=False)
    after_ack.submit(job(done, "next"), interactive=False)
    with caplog.at_level(logging.ERROR):
        await after_ack.stop()
    assert done == ["next"]
    assert "work after the Slack ack failed" in caplog.text


async def test_before_start_a_job_runs_at_once() -> None:
    done: list[str] = []
    AfterAck().submit(job(done, "now"), interactive=False)
    await asyncio.sleep(0.01)
    assert done == ["now"]


async def test_stop_lets_a_running_job_finish() -> None:
    after_ack = AfterAck(workers=2)
    await after_ack.start()
    done: list[str] = []

    async def slow() -> None:
        await asyncio.sleep(0.05)
        done.append("delivered")

    after_ack.submit(slow, interactive=False)
    await asyncio.sleep(0)  # a worker has taken it: the queue is empty, the job is running
    await after_ack.stop()
    assert done == ["delivered"]


async def test_what_a_stop_cannot_start_in_time_is_parked_and_what_runs_finishes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    parked: list[object] = []
    parking = asyncio.Event()

    async def park(parcels: list[object]) -> None:
        parked.extend(parcels)
        parking.set()

    after_ack = AfterAck(workers=1, drain_seconds=0.05, finish_seconds=5, park=park)
    await after_ack.start()
    done: list[str] = []
    gate = asyncio.Event()
    after_ack.submit(job(done, "running", gate=gate), interactive=False, parcel="running")
    await asyncio.sleep(0)  # the only worker has taken it
    after_ack.submit(job(done, "queued"), interactive=False, parcel="queued")
    after_ack.submit(job(done, "click"), interactive=True, parcel="click")
    assert after_ack.pending() == "1 Slack event(s) being handled, 2 queued"

    stopping = asyncio.create_task(after_ack.stop())
    await asyncio.wait_for(parking.wait(), 5)
    assert parked == ["click", "queued"] and not stopping.done()  # the running one is still waited for
    gate.set()
    await stopping
    assert done == ["running"]
    assert after_ack.pending() is None
    assert "parked 2 Slack events not handled in time for the next start" in caplog.text
    assert "cut off" not in caplog.text


async def test_work_without_a_parcel_or_a_park_is_reported_lost(caplog: pytest.LogCaptureFixture) -> None:
    after_ack = AfterAck(workers=1, drain_seconds=0.05, finish_seconds=0.05)
    await after_ack.start()
    gate = asyncio.Event()
    after_ack.submit(job([], "stuck", gate=gate), interactive=False)
    await asyncio.sleep(0)
    after_ack.submit(job([], "never"), interactive=False, parcel="never")
    with caplog.at_level(logging.WARNING):
        await after_ack.stop()
    assert "stopped with 1 Slack events unprocessed" in caplog.text
    assert "stopped with 1 Slack events cut off while being handled" in caplog.text
