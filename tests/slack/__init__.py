"""Slack adapter tests: pure translate/render over recorded payloads, and the real Bolt app over HTTP."""
