"""Due work: things the clock must do at a time (a programme step, an SLA deadline, a digest).

The database is the truth: each row has a kind, a subject and an indexed due time. APScheduler only
ticks (`clock.start_ticking`); `ticker.Ticker` claims due rows (PostgreSQL: FOR UPDATE SKIP LOCKED)
and hands each to the handler registered for its kind. A tick costs O(due), never O(everyone).
"""
