"""The demo the embedded default shows: its people and the seeder that gives them their roles.

`people` names who the local chat offers to be (Ada the admin, the example system's escalation owner
from systems.yaml, Uma a user); the local chat's sidebar and the seeder both read it, so they cannot
disagree. `service.seed` runs each seeding step a database has not had yet, once, at start-up; the
runtime calls it only when `Settings.demo_enabled` (the local chat without any Slack or Teams
credential, `COACH_DEMO` not off), never on a Slack or Teams deployment. Only adapters.runtime and
adapters.local import this package.
"""
