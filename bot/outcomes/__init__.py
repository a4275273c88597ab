"""Outcomes: what each AI system's adoption brings, week by week: active users and those who went
quiet, habitual users, time saved (people's estimates and measured usage), friction reports and
flagged outputs, with small groups withheld. Read-only over usage, programmes, friction and
escalations; shown by `outcomes` in chat, `coach outcomes`, GET /api/v1/outcomes and the Monday
message to business owners. Imported only by those entry points and the runtime (which seeds the job).
"""
