"""Friction reports: "something's not working", one click away, sent to the programme owner and
closed back to the reporter.

`models` (the report, its notes, an owner's digest choice), `service` (persistence and the
lifecycle new → triaged → planned → fixed / won't fix → closed, merging duplicates), `themes` (pure
counts and recurring word n-grams), `messages` (reports rendered into neutral messages), `notices`
(who hears about a report and when: the owner's card, the reporter's updates), `due` and
`hooks` (the per-owner digest: due work), `flows` (the form and the frustration text hook), `actions` (what
owners do: the card's buttons, `friction list|summary|…`, and the reporter's "Is it better now?"),
`export` (CSV without anonymous reporters). Only `bot.flows` imports this package's `flows`/`hooks`.
"""
