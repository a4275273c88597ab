"""Escalations: an AI output that confused someone, sent to the system's escalation owner with a
frozen SLA, answered (by a button or a reply in the card's thread), relayed to the person who flagged
it, rated, and optionally published as an FAQ entry offered to the next person with a similar output.

`flows` (flagging, `flags`, `escalation ID`), `drafts` (outputs kept whole while the form is filled
in), `actions` (owner buttons and forms, "Show full output"), `notices` (who hears about a flag: the card,
its refreshes, notices), `due` (due work: SLA reminders and breaches),
`hooks` (due-work handlers and the card's after-sent hook), `faq` (similarity).
`service.flaggers_of` gives announcements its "reporters" audience; `bot.readiness` reads the SLA record.
"""
