"""Local Slack emulator: a real HTTP server speaking the Web API, plus a signed request sender.

Used by the test suite, the fault-injection tests and ``crisisbot demo`` (nothing here reaches
Slack). ``SlackEmulator`` answers the bot's Web API calls; ``SignedSlackClient`` plays Slack
calling the bot (commands, clicks, modal submits, events).
"""

from .blocks import validate_blocks
from .client import SignedSlackClient, sign
from .server import Call, SlackEmulator
from .state import Workspace

__all__ = ["Call", "SignedSlackClient", "SlackEmulator", "Workspace", "sign", "validate_blocks"]
