"""The adoption programme: enrolment, versioned steps as data, stages, nudges and pulse questions.

`models` (tables), `service` (persistence and versions), `stages` (pure stage rules), `messages`
(a step rendered into a neutral message), `due` (its due work: a due step, triggers),
`flows` (commands and buttons). Programmes themselves are YAML in content/programmes/.
"""
