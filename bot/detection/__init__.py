"""Detection: the pass that turns stored mentions into incidents (`detect.run_detection`), the
`backtest` replays that share its code path, and drills (a rehearsed storm through the same path).

May import: `bot.core`, `bot.response`, `bot.intake`, `models`, `detectors`, `sources`.
"""
