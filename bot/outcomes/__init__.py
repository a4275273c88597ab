"""Outcomes: what each AI system's adoption brings, week by week: active users and those who went
quiet, habitual users, time saved (people's estimates and measured usage), friction reports and
flagged outputs. Read-only over usage, programmes, friction and escalations; shown by `outcomes` in
chat, `coach outcomes` and GET /api/v1/outcomes, which are the only things that import it.
"""
