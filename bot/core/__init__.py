"""The floor everything stands on: settings from the environment, the playbook (`crisisbot.toml`),
the clock, the service errors, the schema upgrade, and text hygiene for anything the bot writes.

May import: `models`, and `sources` (the playbook checks `[[sources]]` against the registry).
Every other package of `bot/` may import this one.
"""
