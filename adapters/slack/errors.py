"""What a refused Web API call said, read safely: a proxy or an outage may answer text/plain (a 503 page),
and slack_sdk then keeps the body as a string, whose `.get` raises AttributeError after the ack."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


def error_of(exc: SlackApiError) -> str:
    """Slack's `error` code, or the HTTP status when the body was not Slack's JSON."""
    data = getattr(exc.response, "data", None)
    if isinstance(data, dict):
        return str(data.get("error") or "")
    return f"http_{getattr(exc.response, 'status_code', 0)}"
