"""Local Slack emulator: a real HTTP server speaking the Web API, plus a signed request sender.

Used by the test suite, the fault-injection tests and ``crisisbot demo`` (nothing here reaches
Slack). ``SlackEmulator`` answers the bot's Web API calls; ``SignedSlackClient`` plays Slack
calling the bot (commands, clicks, modal submits, events).

    with SlackEmulator() as emu:
        web = WebClient(token=emu.bot_token, base_url=emu.api_url)   # = SLACK_API_URL
        with SignedSlackClient("http://127.0.0.1:3000/slack/events", SECRET, emu) as slack:
            slack.command("claim INC-42", user_id="U0BOB")
            emu.wait_for(lambda: emu.messages("C0CRISIS"))
        emu.fail_next("chat.postMessage", status=500, after_effect=True)  # answer lost
"""

from .blocks import validate_blocks, validate_view
from .client import SignedSlackClient, sign
from .server import Call, SlackEmulator
from .state import Workspace

__all__ = [
    "Call",
    "SignedSlackClient",
    "SlackEmulator",
    "Workspace",
    "sign",
    "validate_blocks",
    "validate_view",
]
