"""SignedSlackClient sends what Slack sends, signed the way Slack signs it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.signature import Clock, SignatureVerifier

from bot.emulator import SignedSlackClient, SlackEmulator, sign

from . import fixtures

SECRET = "emu-signing-secret"


def test_signature_matches_slack_documented_vector() -> None:
    assert sign(fixtures.DOCS_SECRET, fixtures.DOCS_TIMESTAMP, fixtures.DOCS_BODY) == (
        fixtures.DOCS_SIGNATURE
    )
    assert (
        sign(fixtures.SLASH_SECRET, fixtures.SLASH_TIMESTAMP, fixtures.SLASH_BODY.encode())
        == fixtures.SLASH_SIGNATURE
    )


class Capture:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, text="")

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.last.content.decode()).items()}

    def payload(self) -> dict[str, Any]:
        return json.loads(self.form()["payload"])


@pytest.fixture
def capture() -> Capture:
    return Capture()


@pytest.fixture
def slack(emu: SlackEmulator, capture: Capture) -> Iterator[SignedSlackClient]:
    http = httpx.Client(transport=httpx.MockTransport(capture))
    with SignedSlackClient("http://bot.test/slack/events", SECRET, emu, http_client=http) as c:
        yield c


class FixedClock(Clock):
    """slack_sdk's verifier refuses requests >5 min old; pin "now" to the request's ts."""

    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def assert_signed(request: httpx.Request) -> None:
    ts = request.headers["X-Slack-Request-Timestamp"]
    verifier = SignatureVerifier(SECRET, clock=FixedClock(float(ts)))
    assert verifier.is_valid(request.content, ts, request.headers["X-Slack-Signature"])


def test_command_is_signed_form_with_live_trigger_and_response_url(
    emu: SlackEmulator, slack: SignedSlackClient, capture: Capture
) -> None:
    slack.command("claim INC-42", user_id="U0BOB")
    request = capture.last
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert_signed(request)
    form = capture.form()
    assert form["command"] == "/crisis" and form["text"] == "claim INC-42"
    assert (form["user_id"], form["channel_id"], form["team_id"]) == (
        "U0BOB",
        "C0CRISIS",
        "T0EMU0001",
    )
    assert form["response_url"].startswith(emu.base_url + "commands/")
    web = WebClient(token=emu.bot_token, base_url=emu.api_url)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Claim"}}
    assert web.views_open(trigger_id=form["trigger_id"], view=view)["ok"]


def test_timestamp_and_signature_can_be_forged(slack: SignedSlackClient, capture: Capture) -> None:
    slack.command("x", timestamp=1531420618)
    assert capture.last.headers["X-Slack-Request-Timestamp"] == "1531420618"
    assert_signed(capture.last)
    slack.command("x", signature="v0=deadbeef")
    assert capture.last.headers["X-Slack-Signature"] == "v0=deadbeef"


def test_click_payload_reads_the_stored_message(
    emu: SlackEmulator, slack: SignedSlackClient, capture: Capture
) -> None:
    web = WebClient(token=emu.bot_token, base_url=emu.api_url)
    button = {
        "type": "button",
        "action_id": "draft_approve",
        "text": {"type": "plain_text", "text": "Approve"},
        "style": "primary",
        "value": "draft:7",
    }
    blocks = [{"type": "actions", "block_id": "draft_actions", "elements": [button]}]
    posted = web.chat_postMessage(channel="C0CRISIS", text="Draft", blocks=blocks)
    slack.click("draft_approve", "draft:7", message={"channel": "C0CRISIS", "ts": posted["ts"]})
    assert_signed(capture.last)
    p = capture.payload()
    assert p["type"] == "block_actions"
    assert p["user"] == {
        "id": "U0ALICE",
        "username": "alice.moreau",
        "name": "alice.moreau",
        "team_id": "T0EMU0001",
    }
    assert p["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": "C0CRISIS",
        "is_ephemeral": False,
    }
    assert p["channel"] == {"id": "C0CRISIS", "name": "crisis-room"}
    assert p["message"]["blocks"] == blocks and p["message"]["text"] == "Draft"
    action = p["actions"][0]
    assert (action["block_id"], action["style"], action["value"]) == (
        "draft_actions",
        "primary",
        "draft:7",
    )
    assert action["action_ts"] and p["trigger_id"] and p["state"] == {"values": {}}
    assert p["response_url"].startswith(emu.base_url + "actions/")


def test_view_submission_and_event_and_url_verification(
    slack: SignedSlackClient, capture: Capture
) -> None:
    slack.submit_view(
        "draft_reply_modal",
        {"reply_text": {"value": "We're on it"}},
        user_id="U0CAROL",
        private_metadata='{"incident_id": "INC-42"}',
    )
    p = capture.payload()
    assert p["type"] == "view_submission" and p["view"]["callback_id"] == "draft_reply_modal"
    assert p["view"]["state"]["values"]["reply_text"]["value"] == {
        "type": "plain_text_input",
        "value": "We're on it",
    }
    assert p["view"]["private_metadata"] == '{"incident_id": "INC-42"}'

    event = {"type": "app_mention", "user": "U0ALICE", "text": "<@U0CRISISBOT> status"}
    slack.event(event, event_id="Ev0001", retry_num=2)
    request = capture.last
    assert_signed(request)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Slack-Retry-Num"] == "2"
    body = json.loads(request.content)
    assert (body["type"], body["event_id"], body["event"]) == ("event_callback", "Ev0001", event)

    slack.url_verification("chal-123")
    assert json.loads(capture.last.content)["challenge"] == "chal-123"
