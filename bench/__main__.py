"""`python -m bench [NAME ...]` (or `make bench`): run the benchmarks, write bench/RESULTS.md.

Each benchmark runs in its own process (so one's memory and event loop don't colour another's) and
prints markdown; this collects the output under a header naming the machine and the date.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = {
    "slack": ("Slack: `coach run` against a bare Bolt app (issues #3, #16)", ["-m", "bench.slack_bench"]),
    "teams": (
        "Teams: `coach run` against a bare botbuilder bot (issue 16)",
        ["-m", "bench.teams_bench"],
    ),
    "programme": (
        "Programme: tick, outbox drain, usage ingest, memory (issue #5)",
        ["-m", "bench.programme_bench"],
    ),
    "announcements": (
        "Announcements: 10,000 recipients at a published rate (issue #8)",
        ["-m", "bench.announcement_bench"],
    ),
    "announcements-crash": (
        "Announcements: kill -9 mid-fan-out and restart (issue #8)",
        ["-m", "bench.announcement_crash"],
    ),
    "dashboard": (
        "Dashboard: every page on a year of data for 5,000 people, SQLite and PostgreSQL (issue 18)",
        ["-m", "bench.dashboard_bench", "--postgres", "postgresql+psycopg://postgres@127.0.0.1:5432/test"],
    ),
    "rollout": (
        "Rollout: 10,000 people, a critical announcement under Slack's and Teams' quotas, kill -9 and restart "
        "(issue 15)",
        ["-m", "bench.rollout_bench"],
    ),
    "outcomes": (
        "Outcomes: the report on a year of usage, and chat beside it",
        ["-m", "bench.outcomes_bench"],
    ),
}


def main(names: list[str]) -> int:
    chosen = names or list(BENCHES)
    unknown = [n for n in chosen if n not in BENCHES]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}", file=sys.stderr
        )
        return 2
    sections = [_header()]
    for name in chosen:
        title, args = BENCHES[name]
        print(f"running {name} …", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, *args],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            env={**os.environ},
            check=False,
        )
        body = (
            done.stdout.strip()
            if done.returncode == 0
            else f"failed (exit {done.returncode}):\n\n```\n{done.stderr[-2000:]}\n```"
        )
        sections.append(f"## {title}\n\n`python -m bench {name}`\n\n{body}\n")
        print(body)
    if not names:
        (HERE / "RESULTS.md").write_text("\n".join(sections), encoding="utf-8")
        print(f"wrote {HERE / 'RESULTS.md'}", file=sys.stderr)
    return 0


def _header() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    load = os.getloadavg()[0]
    return (
        "# Benchmark results\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores ({cpu}), Python "
        f"{platform.python_version()}, load average {load:.1f} at the start. Every comparison is within one run on "
        "this machine; rerun with `make bench`.\n"
    )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
