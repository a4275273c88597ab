"""deploy/ validated as far as this machine can without Docker: the compose file against the Compose
specification's schema (vendored), the image definition's rules, the systemd units by running their
commands (and systemd-analyze where it exists), and the Prometheus rules by structure and metric names."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from prometheus_client import REGISTRY

import adapters.slack.after_ack  # noqa: F401  (registers its gauge)
import bot.metrics  # noqa: F401
from tests.conftest import PROJECT, SCHEMAS
from tests.process.coach import CoachProcess

DEPLOY = PROJECT / "deploy"
VENV_COACH = Path(sys.executable).parent / "coach"
INSTALLED_COACH = "/opt/adoption-coach/.venv/bin/coach"


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser


def command(line: str) -> list[str]:
    """A unit's ExecStart with the installed coach swapped for this clone's."""
    argv = shlex.split(line)
    assert argv[0] == INSTALLED_COACH
    return [str(VENV_COACH), *argv[1:]]


def test_the_compose_file_is_valid_compose() -> None:
    schema = json.loads((SCHEMAS / "compose" / "compose-spec.json").read_text())
    Draft202012Validator(schema).validate(compose())
    broken = {**compose(), "services": {"coach": {"image": "x", "restart": ["no"]}}}
    assert not Draft202012Validator(schema).is_valid(broken)


def test_compose_runs_postgres_a_migration_two_coaches_and_a_proxy() -> None:
    services = compose()["services"]
    coaches = [
        name
        for name, s in services.items()
        if s.get("image") == "adoption-coach:latest" and "command" not in s
    ]
    assert sorted(coaches) == ["coach-a", "coach-b"]
    assert services["migrate"]["command"] == ["coach", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in coaches:
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
        assert services[name]["environment"]["COACH_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert all(f"{name}:3978" in caddy for name in coaches) and "health_uri /healthz" in caddy
    assert re.search(r"@internal path /setup /metrics\s+respond @internal 404", caddy)


def test_the_image_is_slim_runs_as_a_user_and_checks_healthz() -> None:
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert re.fullmatch(r"FROM python:3\.1[1-9]-slim", instructions[0])
    user = next(i for i, line in enumerate(instructions) if line.startswith("USER "))
    assert instructions[user] == "USER coach" and instructions[-1] == 'CMD ["coach", "run"]'
    assert user < len(instructions) - 1
    assert (
        any("HEALTHCHECK" in line for line in instructions)
        and "/healthz" in (DEPLOY / "Dockerfile").read_text()
    )


def healthcheck(port: int) -> list[str]:
    text = (DEPLOY / "Dockerfile").read_text()
    exec_form = re.search(r"CMD (\[\"python\".*\])", text.split("HEALTHCHECK", 1)[1])
    assert exec_form is not None
    argv: list[str] = json.loads(exec_form.group(1))
    return [sys.executable if a == "python" else a.replace(":3978/", f":{port}/") for a in argv]


def test_the_systemd_units_commands_run(tmp_path: Path) -> None:
    """The migration unit's command, then the service's, with its environment; the image's health check
    against it; then the service's stop signal, answered with a clean exit within its timeout."""
    migrate, service = unit("adoption-coach-migrate.service"), unit("adoption-coach@.service")
    assert migrate["Service"]["Type"] == "oneshot"
    assert "adoption-coach-migrate.service" in service["Unit"]["Requires"]
    database = f"sqlite:///{tmp_path / 'coach.db'}"
    env = {"COACH_DATABASE_URL": database, "COACH_PUBLIC_URL": "https://coach.example.com"}
    done = subprocess.run(
        command(migrate["Service"]["ExecStart"]), env={"PATH": "/usr/bin:/bin", **env}, cwd=tmp_path,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    process = CoachProcess(env=env, workdir=tmp_path)
    settings = dict(pair.split("=", 1) for pair in shlex.split(service["Service"]["Environment"]))
    settings = {k: v.replace("%i", str(process.port)) for k, v in settings.items()}
    assert settings["COACH_HOST"] == "127.0.0.1"  # behind the proxy, never on a public interface
    settings["COACH_CONTENT_DIR"] = str(PROJECT / "content")  # the unit's /opt path is not on this machine
    process.env = {**env, **settings}
    process.start(argv=command(service["Service"]["ExecStart"]))
    try:
        import asyncio

        asyncio.run(process.ready())
        checked = subprocess.run(healthcheck(process.port), capture_output=True, timeout=30, check=False)
        assert checked.returncode == 0, checked.stderr
    finally:
        assert service["Service"]["KillSignal"] == "SIGTERM"
        code = process.stop(timeout=float(service["Service"]["TimeoutStopSec"]))
    assert code == 0, process.log()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_finds_nothing_wrong(tmp_path: Path) -> None:
    (tmp_path / "coach.env").write_text("")
    names = []
    for path in (DEPLOY / "systemd").glob("*.service"):
        text = path.read_text().replace(INSTALLED_COACH, str(VENV_COACH))
        text = text.replace("/etc/adoption-coach/coach.env", str(tmp_path / "coach.env"))
        name = path.name.replace("@.", "@3978.")
        (tmp_path / name).write_text(text)
        names.append(str(tmp_path / name))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    problems = [line for line in (result.stdout + result.stderr).splitlines() if str(tmp_path) in line]
    assert problems == []


def test_the_alert_rules_are_well_formed_and_read_metrics_that_exist() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    families = list(REGISTRY.collect())
    exported = {m.name for m in families} | {f"{m.name}_total" for m in families if m.type == "counter"}
    operations = (PROJECT / "docs" / "operations.md").read_text().lower()
    names = []
    for group in rules["groups"]:
        assert set(group) == {"name", "rules"}
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"} and rule["expr"].strip()
            assert re.fullmatch(r"\d+[smh]", rule.get("for", "1m"))
            assert rule["labels"]["severity"] in ("page", "ticket")
            names.append(rule["alert"])
            for metric in set(re.findall(r"\bcoach_[a-z_]+", rule["expr"])):
                assert metric in exported, f"{rule['alert']} reads {metric}, which the coach does not export"
            anchor = rule["annotations"]["runbook"].split("#", 1)[1]
            assert f"### {anchor}" in operations, f"docs/operations.md does not explain {rule['alert']}"
    assert len(names) == len(set(names))
    assert {"CoachOutboxDeadRows", "CoachSlaBreaches", "CoachThrottled", "CoachEventFailures"} <= set(names)
