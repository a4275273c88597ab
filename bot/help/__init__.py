"""Conversation basics: help, first-contact welcome, and the admin commands that manage admins."""
