"""Intake: mentions coming in. Polling the configured sources (`sources/` connectors on their
intervals, cursors and backoff), importing JSONL/CSV records, and storing mentions scored with
`detectors.sentiment` (deduplicated on source + id).

May import: `bot.core`, `models`, `sources`, `detectors`.
"""
