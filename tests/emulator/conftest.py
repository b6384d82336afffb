from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.emulator import SlackEmulator


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture
def web(emu: SlackEmulator) -> WebClient:
    return WebClient(token=emu.bot_token, base_url=emu.api_url)
