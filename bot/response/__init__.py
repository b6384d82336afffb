"""The response: incidents and their state machine, drafts and four-eyes decisions, timers
(auto-escalation, reminders), the append-only timeline (`timeline.record` is its only writer),
the outbox rows that say what Slack must be told, response metrics and read-only lookups.

May import: `bot.core`, `models`. Never Slack, intake, detection or aftermath: a state change and
its outbox row are written in one transaction here; `bot.slack` delivers them later.
"""
