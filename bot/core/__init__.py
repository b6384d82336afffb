"""The floor everything stands on: settings from the environment, the playbook (`crisisbot.toml`),
the clock, the service errors, the schema upgrade, and text hygiene for anything the bot writes.

May import: `models`, `sources` (the playbook checks `[[sources]]` against the registry), and
`detectors` (the languages a brand's keywords may be listed under, `detectors.language`).
Every other package of `bot/` may import this one.
"""
