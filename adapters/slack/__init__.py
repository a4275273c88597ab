"""Slack: the slack-bolt AsyncApp on the shared aiohttp server, Block Kit rendering, the Web API sender.

`translate` (payload -> neutral event) and `render`/`mrkdwn` (neutral message -> Block Kit) are pure;
`app` mounts Bolt at POST /slack/events (or Socket Mode) and runs each turn after the ack; `replies`
shows a turn's replies; `sender` is the outbox's Slack sender; `directory` caches users.info and DM
channels; `oauth` adds multi-workspace install; `manifest` writes the app manifest. Only
adapters.web (which mounts it) and the CLI import this package; it never imports another adapter.
"""
