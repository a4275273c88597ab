"""Content: the data non-engineers review — programmes, systems and owners, friction, message templates.

content/ holds `systems.yaml` (AI systems, their six owner roles with backups, escalation channels,
SLA, `groups:` and `holidays:`), `friction.yaml` (report categories, severities, frustration
phrases), `programmes/KEY.yaml` (steps with timing, triggers, buttons and questions) and
`templates/**/*.md.j2` (Jinja2 emitting neutral markdown). Any flow may import this package; it
imports nothing but `bot.markdown` and `bot.wording`.

The API, small on purpose:
- `load_content(dir) -> Content` at start-up; raises `ContentError(problems)` so the bot fails fast.
- `check_content(dir) -> list[Problem]` for `coach content check`: YAML syntax, schema, references
  (templates, systems, steps, roles, groups) and every template rendered with a sample context.
  A `Problem` prints as `file:line: message`, file relative to the content folder.
- `Content.render(template_name, **context) -> str`: sandboxed, StrictUndefined, and every value is
  escaped as markdown unless wrapped in `Trusted` (markdown a flow built itself, never a person's text).
- `Content.programmes[key].version` is a short hash of the file; `Content.sources[key]` its text, and
  `parse_programme(text)` reads a stored old version back for people still mid-way through it.
"""

from __future__ import annotations

from bot.content.loader import Content, check_content, load_content, parse_programme, programme_version
from bot.content.sample import SAMPLE_CONTEXT, sample_context
from bot.content.schema import (
    ROLES,
    STAGES,
    Button,
    Friction,
    FrustrationRule,
    Programme,
    Question,
    Repeat,
    RoleAssignment,
    RoleName,
    SkipIf,
    Sla,
    Stage,
    Step,
    System,
    Trigger,
    stage_index,
)
from bot.content.templates import Trusted, link, safe_url
from bot.content.yamlfile import ContentError, Problem

__all__ = [
    "ROLES",
    "SAMPLE_CONTEXT",
    "STAGES",
    "Button",
    "Content",
    "ContentError",
    "Friction",
    "FrustrationRule",
    "Problem",
    "Programme",
    "Question",
    "Repeat",
    "RoleAssignment",
    "RoleName",
    "SkipIf",
    "Sla",
    "Stage",
    "Step",
    "System",
    "Trigger",
    "Trusted",
    "check_content",
    "link",
    "load_content",
    "parse_programme",
    "programme_version",
    "safe_url",
    "sample_context",
    "stage_index",
]
