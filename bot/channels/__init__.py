"""Channels the bot has seen (an owners' escalation channel, a team channel) and how to post there.

The engine records a channel's opaque platform address whenever an event comes from it; flows ask
`service.destination` for where to post. Slack and the local chat can post by channel id alone;
Teams needs the conversation reference captured when the bot was added to the channel.
"""
