"""A real slack_bolt App behind WSGI, driven by SignedSlackClient and answering via the emulator."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.emulator import SignedSlackClient, SlackEmulator

SECRET = "bolt-test-signing-secret"
CH = "C0CRISIS"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def build_app(emu: SlackEmulator) -> App:
    app = App(
        client=WebClient(token=emu.bot_token, base_url=emu.api_url),
        signing_secret=SECRET,
    )

    @app.command("/crisis")
    def crisis(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        if command["text"] == "draft":
            client.views_open(
                trigger_id=command["trigger_id"],
                view={
                    "type": "modal",
                    "callback_id": "draft_reply_modal",
                    "title": {"type": "plain_text", "text": "Draft"},
                    "blocks": [],
                },
            )
            return
        respond(text=f"Claimed by <@{command['user_id']}>", response_type="in_channel")
        client.chat_postMessage(
            channel=command["channel_id"],
            text="Draft awaiting approval",
            blocks=[
                {
                    "type": "actions",
                    "block_id": "draft_actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "draft_approve",
                            "text": {"type": "plain_text", "text": "Approve"},
                            "value": "draft:7",
                        }
                    ],
                }
            ],
        )

    @app.action("draft_approve")
    def approve(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        value = body["actions"][0]["value"]
        respond(replace_original=True, text=f"{value} approved by <@{body['user']['id']}>")

    @app.view("draft_reply_modal")
    def submitted(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        ack()
        text = view["state"]["values"]["reply_text"]["value"]["value"]
        client.chat_postMessage(channel=CH, text=f"Draft saved: {text}")

    return app


@pytest.fixture
def bot_url(emu: SlackEmulator) -> Iterator[str]:
    server: WSGIServer = make_server(
        "127.0.0.1", 0, SlackRequestHandler(build_app(emu)), handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/slack/events"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def slack(bot_url: str, emu: SlackEmulator) -> Iterator[SignedSlackClient]:
    with SignedSlackClient(bot_url, SECRET, emu) as client:
        yield client


def test_command_then_click_answered_through_the_emulator(
    emu: SlackEmulator, slack: SignedSlackClient
) -> None:
    assert slack.command("claim INC-42", user_id="U0BOB").status_code == 200
    emu.wait_for(lambda: len(emu.messages(CH)) == 2)
    claimed, draft = emu.messages(CH)
    assert claimed["text"] == "Claimed by <@U0BOB>"
    assert emu.responses[0]["payload"]["response_type"] == "in_channel"

    response = slack.click(
        "draft_approve", user_id="U0CAROL", message={"channel": CH, "ts": draft["ts"]}
    )
    assert response.status_code == 200
    emu.wait_for(lambda: emu.message(CH, draft["ts"])["text"].endswith("approved by <@U0CAROL>"))
    assert emu.message(CH, draft["ts"])["text"] == "draft:7 approved by <@U0CAROL>"


def test_modal_opens_with_the_fresh_trigger_and_submits(
    emu: SlackEmulator, slack: SignedSlackClient
) -> None:
    slack.command("draft")
    view = emu.wait_for(lambda: next(iter(emu.views.values()), None))
    assert view["callback_id"] == "draft_reply_modal"
    response = slack.submit_view(
        "draft_reply_modal", {"reply_text": {"value": "On it"}}, view_id=view["id"]
    )
    assert response.status_code == 200
    emu.wait_for(lambda: [m for m in emu.messages(CH) if m["text"] == "Draft saved: On it"])


def test_forged_and_stale_requests_are_refused(slack: SignedSlackClient) -> None:
    assert slack.command("x", signature="v0=" + "0" * 64).status_code == 401
    assert slack.command("x", timestamp=1531420618).status_code == 401
    assert slack.url_verification("chal-1").json() == {"challenge": "chal-1"}
