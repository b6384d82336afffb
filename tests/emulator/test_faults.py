"""Fault injection: rate limits and server errors before the effect, lost answers after it."""

from __future__ import annotations

import time

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.emulator import SlackEmulator

CH = "C0CRISIS"


def retrying(emu: SlackEmulator, retries: int = 3) -> WebClient:
    client = WebClient(token=emu.bot_token, base_url=emu.api_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=retries))
    # A short fixed back-off keeps the suite fast; the 429 path still sleeps Retry-After.
    quick = FixedValueRetryIntervalCalculator(0.05)
    client.retry_handlers.append(
        ServerErrorRetryHandler(max_retry_count=retries, interval_calculator=quick)
    )
    return client


def test_429_answer_shape(emu: SlackEmulator) -> None:
    emu.fail_next("chat.postMessage", status=429, retry_after=7)
    raw = httpx.post(
        f"{emu.api_url}chat.postMessage",
        json={"channel": CH, "text": "x"},
        headers={"Authorization": f"Bearer {emu.bot_token}"},
    )
    assert raw.status_code == 429
    assert raw.headers["Retry-After"] == "7"
    assert raw.json() == {"ok": False, "error": "ratelimited"}
    assert emu.messages(CH) == []


def test_rate_limit_retry_after_is_honoured_and_post_arrives_once(emu: SlackEmulator) -> None:
    emu.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    retrying(emu).chat_postMessage(channel=CH, text="alert")
    assert time.monotonic() - started >= 1.0
    assert [m["text"] for m in emu.messages(CH)] == ["alert"]
    assert [(c.status, c.fault) for c in emu.calls("chat.postMessage")] == [
        (429, "before"),
        (200, None),
    ]


def test_server_errors_retried_and_post_arrives_once(emu: SlackEmulator) -> None:
    emu.fail_next("chat.postMessage", status=500)
    emu.fail_next("chat.postMessage", status=503)
    retrying(emu).chat_postMessage(channel=CH, text="alert")
    assert [m["text"] for m in emu.messages(CH)] == ["alert"]
    assert [c.status for c in emu.calls("chat.postMessage")] == [500, 503, 200]


def test_fault_after_effect_loses_the_answer_not_the_post(emu: SlackEmulator) -> None:
    emu.fail_next("chat.postMessage", status=500, after_effect=True)
    plain = WebClient(token=emu.bot_token, base_url=emu.api_url)
    with pytest.raises(SlackApiError) as err:
        plain.chat_postMessage(channel=CH, text="alert")
    assert err.value.response.status_code == 500
    assert [m["text"] for m in emu.messages(CH)] == ["alert"]
    assert emu.calls("chat.postMessage")[0].fault == "after"

    # A blind retry now doubles the post: exactly what the bot's history check must prevent.
    emu.fail_next("chat.postMessage", status=500, after_effect=True)
    retrying(emu).chat_postMessage(channel=CH, text="again")
    assert [m["text"] for m in emu.messages(CH)] == ["alert", "again", "again"]


def test_random_faults_never_double_a_retried_post(emu: SlackEmulator) -> None:
    emu.set_fault_rate(
        0.3, seed=42, statuses=(429, 500, 503), retry_after=0, methods=["chat.postMessage"]
    )
    client = retrying(emu, retries=10)
    for i in range(8):
        client.chat_postMessage(channel=CH, text=f"m{i}")
    assert [m["text"] for m in emu.messages(CH)] == [f"m{i}" for i in range(8)]
    faults = [c for c in emu.calls("chat.postMessage") if c.fault]
    assert faults and all(c.status in (429, 500, 503) for c in faults)
    emu.set_fault_rate(0)
    client.chat_postMessage(channel=CH, text="calm")
    assert emu.calls()[-1].fault is None


def test_fail_next_any_method_and_count(emu: SlackEmulator) -> None:
    emu.fail_next("*", status=503, count=2)
    web = WebClient(token=emu.bot_token, base_url=emu.api_url)
    for _ in range(2):
        with pytest.raises(SlackApiError):
            web.auth_test()
    assert web.auth_test()["ok"]


def test_per_channel_rate_limit(emu: SlackEmulator) -> None:
    emu.set_channel_rate_limit(1.0)
    web = WebClient(token=emu.bot_token, base_url=emu.api_url)
    web.chat_postMessage(channel=CH, text="one")
    web.chat_postMessage(channel="C0OTHER", text="other channel is fine")
    with pytest.raises(SlackApiError) as err:
        web.chat_postMessage(channel=CH, text="two")
    assert err.value.response.status_code == 429
    assert err.value.response["error"] == "ratelimited"
    retrying(emu).chat_postMessage(channel=CH, text="two")
    assert [m["text"] for m in emu.messages(CH)] == ["one", "two"]
    emu.set_channel_rate_limit(None)
    web.chat_postMessage(channel=CH, text="three")
