"""Installations of the app in chat workspaces (Slack's multi-workspace OAuth) and installs in progress.

A workspace's installation and its bot token, each rotation of that token, and the single-use states of
installs under way, in tables the coach owns, written through the store's units of work like every other
write (on SQLite, behind its one writer). Only Slack installs per workspace, so the columns follow its
OAuth answer field for field; `adapters/slack/oauth.py` translates slack_sdk's objects to and from these
rows. Imported by the migrations' table registry, privacy and the adapters; imports only the store.
"""
