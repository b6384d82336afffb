"""`/crisis export` when Slack answers the file share with a 5xx after sharing it: the outbox
tries again, and must not put a second copy of the file in the thread."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.testing import Stack
from models import Outbox
from tests.bot.flow import answer, open_storm


def test_a_lost_answer_to_the_file_share_does_not_share_it_twice(
    stack: Stack, clock: ManualClock
) -> None:
    n = open_storm(stack, clock)
    stack.emulator.fail_next("files.completeUploadExternal", 500, after_effect=True)
    stack.slack.command(f"export {n} csv", user_id="U0ALICE")
    answer(stack, "csv export")

    def upload() -> Outbox:
        with stack.bot.transaction() as session:
            return session.scalars(select(Outbox).where(Outbox.kind == "upload")).one()

    stack.emulator.wait_for(lambda: upload().last_error)  # the first attempt met the 500

    def next_attempt() -> bool:  # the outbox's next attempt, after its backoff
        clock.advance(minutes=10)
        stack.bot.deliver_now()
        return upload().status == "sent"

    stack.emulator.wait_for(next_attempt)
    assert len(stack.emulator.files) == 1
    shares = [m for m in stack.channel_messages() if m.get("files")]
    assert len(shares) == 1
