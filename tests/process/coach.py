"""`coach run` as a real process, the way an operator starts it: for tests of what only a process shows
(its log, its start-up and shutdown, a kill)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.conftest import PROJECT
from tests.fakes.slack_api import FakeSlackApi


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def on_fake_slack(
    url: str, api: FakeSlackApi, *, cwd: Path, settings: Mapping[str, str], port: int | None = None
) -> subprocess.Popen[bytes]:
    """`coach run` on `url` against a fake Slack Web API, its output discarded: for runs that kill and
    restart processes (the crash test, the rollout bench). `settings` adds COACH_* variables."""
    env = {
        **os.environ,
        "COACH_DATABASE_URL": url,
        "COACH_PORT": str(port or free_port()),
        "COACH_CONTENT_DIR": str(PROJECT / "content"),
        "COACH_LOCAL_CHAT": "false",
        "COACH_LOG_LEVEL": "WARNING",
        "SLACK_BOT_TOKEN": api.token,
        "SLACK_API_URL": api.base_url,
        **settings,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "run"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@dataclass
class CoachProcess:
    env: dict[str, str]
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    # False: as on a newcomer's machine, no COACH_*, SLACK_* or TEAMS_* variable but the port; `content`
    # is linked into the working directory, where the default SQLite database is created too.
    configured: bool = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "coach.log"

    def start(self, *, argv: list[str] | None = None) -> None:
        """Start `coach run` (or `argv`, e.g. a systemd unit's ExecStart) with this env and port."""
        if self.configured:
            env = {
                **os.environ,
                "COACH_PORT": str(self.port),
                "COACH_HOST": "127.0.0.1",
                "COACH_CONTENT_DIR": str(PROJECT / "content"),
                **self.env,
            }
        else:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "SLACK_", "TEAMS_"))},
                "COACH_PORT": str(self.port),
                **self.env,
            }
            if not (self.workdir / "content").exists():
                (self.workdir / "content").symlink_to(PROJECT / "content", target_is_directory=True)
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                argv or [sys.executable, "-m", "adapters.cli", "run"],
                env=env,
                cwd=self.workdir,
                stdout=log,
                stderr=log,
            )

    async def ready(self, *, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        async with aiohttp.ClientSession() as http:
            while True:
                assert self.process is not None and self.process.poll() is None, self.log()
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"coach run did not answer /healthz:\n{self.log()}")
                await asyncio.sleep(0.1)

    def stop(self, *, timeout: float = 30) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
