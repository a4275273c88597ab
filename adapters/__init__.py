"""The outer ring: platforms (Slack, Teams, local chat), HTTP and the CLI.

Adapters may import `bot`; `bot` never imports adapters. `adapters.slack`, `adapters.teams` and
`adapters.local` never import one another; `adapters.web` and `adapters.cli` compose them.
"""
