"""Everything Slack: the gateway (the only caller of the Web API), Block Kit rendering and ids, the
`/crisis` grammar, the desk that serves Slack requests for `handlers/`, delivery (the courier
that drains the outbox into Slack and updates the cards in place), and the audience (which of an
agency's clients each person may see, from their Slack channels).

May import: `bot.core`, `bot.response`, `bot.detection`, `bot.aftermath`, `bot.intake` (the
backfill progress `/crisis sources` shows), `models`.
"""
