"""The floor everything stands on: settings from the environment, the playbook (`crisisbot.toml`),
the clock, the service errors, the schema upgrade, and text hygiene for anything the bot writes.

May import: `models` only. Every other package of `bot/` may import this one.
"""
