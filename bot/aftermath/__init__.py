"""After the crisis: the timeline exported as JSON, CSV, Markdown or an HTML post-incident report,
the review prefill, the period report and the weekly digest.

May import: `bot.core`, `bot.response`, `models`.
"""
