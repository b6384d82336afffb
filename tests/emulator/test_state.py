"""Concurrency, response_urls and the set-up helpers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.emulator import SlackEmulator

CH = "C0CRISIS"


def test_concurrent_posts_get_unique_increasing_ts(emu: SlackEmulator) -> None:
    web = WebClient(token=emu.bot_token, base_url=emu.api_url)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda i: web.chat_postMessage(channel=CH, text=f"{i}"), range(40)))
    stored = [m["ts"] for m in emu.messages(CH)]
    assert len(set(stored)) == 40 == len({a["ts"] for a in answers})
    assert stored == sorted(stored, key=float)


def test_response_url_ephemeral_replace_and_delete(emu: SlackEmulator) -> None:
    web = WebClient(token=emu.bot_token, base_url=emu.api_url)
    ts = web.chat_postMessage(channel=CH, text="Draft")["ts"]

    command_url = emu.new_response_url("commands", channel=CH, user="U0ALICE")
    assert WebhookClient(command_url).send(text="only you").status_code == 200
    assert emu.ephemerals[-1]["text"] == "only you" and emu.ephemerals[-1]["user"] == "U0ALICE"

    action_url = emu.new_response_url("actions", channel=CH, user="U0BOB", message_ts=ts)
    WebhookClient(action_url).send(text="Approved", replace_original=True)
    assert emu.message(CH, ts)["text"] == "Approved"
    WebhookClient(action_url).send(delete_original=True)
    assert emu.message(CH, ts) is None and emu.deleted[-1]["text"] == "Approved"
    assert [r["payload"].get("replace_original") for r in emu.responses] == [None, True, None]

    assert httpx.post(f"{emu.base_url}commands/R0NOPE", json={"text": "x"}).status_code == 404


def test_configurable_workspace_and_human_messages() -> None:
    with SlackEmulator(
        bot_token=None,
        users={"U0ERIN": "Erin Sato"},
        groups={"S0LEGAL": ["U0ERIN"]},
        channels={"C0WAR": "war-room"},
    ) as emu:
        web = WebClient(token="xoxb-anything", base_url=emu.api_url)
        assert web.users_info(user="U0ERIN")["user"]["profile"]["real_name"] == "Erin Sato"
        assert web.usergroups_users_list(usergroup="S0LEGAL")["users"] == ["U0ERIN"]
        parent = emu.add_user_message("#war-room", "is this real?", user="U0ERIN")
        web.chat_postMessage(channel="C0WAR", text="looking", thread_ts=parent["ts"])
        thread = web.conversations_replies(channel="C0WAR", ts=parent["ts"])["messages"]
        assert [m["text"] for m in thread] == ["is this real?", "looking"]
