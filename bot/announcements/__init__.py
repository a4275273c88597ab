"""Change announcements: compose (chat or API), target an audience, fan out through the outbox under
the attention policy, track delivery, "Got it" acknowledgements and questions, and keep a changelog
per system and model version.

`models` holds the tables and `service` their persistence and live counts; `audience` says who an
audience means; `drafts` checks a draft from either door (chat form, API) and who may announce;
`compose` renders the sandboxed body; `when` is the pure time arithmetic; `delivery` and `bulk`
fan out in chunks and keep the author's status message current; `questions` sends "I have a
question" to the change communicator with its own SLA; `hooks` registers the due work; `flows` and
`reader_flows` are the chat conversations; `report` the per-announcement report and CSV. Flows, hooks
and adapters (the API, the CLI) import it; programmes never do: a newcomer's latest change
(`delivery.send_latest_to`) is due work they plan and `hooks` runs.
"""
