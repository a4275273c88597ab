"""`coach doctor` and the /setup page: checks a running configuration end to end and says how to fix
what fails. `report` holds the findings, `basics` the checks every install needs (settings, database,
content), `run` composes them with the platforms' own (adapters/slack/doctor.py, adapters/teams/doctor.py).
Imported by the CLI and the web adapter.
"""
