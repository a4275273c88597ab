"""Operator commands in chat: the outbox (pending, stuck, dead rows; retry)."""
