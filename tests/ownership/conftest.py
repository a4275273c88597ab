"""The Slack fixtures (a fake Web API and the real Bolt app over HTTP), for the Slack tests here."""

from tests.slack.conftest import fake, slack, slack_runtime, slack_settings  # noqa: F401
