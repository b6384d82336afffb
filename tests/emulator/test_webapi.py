"""slack_sdk's WebClient against the emulator: the methods the bot uses, in Slack's shapes."""

from __future__ import annotations

import time
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.emulator import SlackEmulator, Workspace

CH = "C0CRISIS"


def test_auth_and_bad_token(emu: SlackEmulator, web: WebClient) -> None:
    me = web.auth_test()
    assert me["user_id"] == "U0CRISISBOT" and me["team_id"] == "T0EMU0001"
    with pytest.raises(SlackApiError) as err:
        WebClient(token="xoxb-wrong", base_url=emu.api_url).auth_test()
    assert err.value.response["error"] == "invalid_auth"


def test_unknown_method(web: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        web.api_call("chat.scheduleSomething", params={"channel": CH})
    assert err.value.response["error"] == "unknown_method"


def test_post_update_history_with_metadata(emu: SlackEmulator, web: WebClient) -> None:
    first = web.chat_postMessage(
        channel=CH,
        text="Spike alert",
        metadata={"event_type": "crisis_alert", "event_payload": {"incident": "INC-1"}},
    )
    second = web.chat_postMessage(channel=CH, text="second")
    assert float(second["ts"]) > float(first["ts"])
    web.chat_update(channel=CH, ts=first["ts"], text="Spike alert (claimed)")

    plain = web.conversations_history(channel=CH)
    assert [m["text"] for m in plain["messages"]] == ["second", "Spike alert (claimed)"]
    assert "metadata" not in plain["messages"][1]
    meta = web.conversations_history(channel=CH, include_all_metadata=True)
    assert meta["messages"][1]["metadata"] == {
        "event_type": "crisis_alert",
        "event_payload": {"incident": "INC-1"},
    }
    assert emu.messages(CH)[0]["text"] == "Spike alert (claimed)"

    with pytest.raises(SlackApiError) as err:
        web.chat_update(channel=CH, ts="1.000001", text="x")
    assert err.value.response["error"] == "message_not_found"


@pytest.mark.parametrize(
    ("method", "ts_key"),
    [("chat.update", "ts"), ("chat.delete", "ts"), ("chat.getPermalink", "message_ts")],
)
def test_a_message_method_names_a_missing_channel_or_message(
    web: WebClient, method: str, ts_key: str
) -> None:
    ts = web.chat_postMessage(channel=CH, text="there")["ts"]
    for channel, at, error in [
        ("C0NOWHERE", ts, "channel_not_found"),
        (CH, "1.000001", "message_not_found"),
    ]:
        with pytest.raises(SlackApiError) as err:
            web.api_call(method, json={"channel": channel, ts_key: at, "text": "x"})
        assert err.value.response["error"] == error


def test_history_window_and_paging(web: WebClient) -> None:
    ts = [web.chat_postMessage(channel=CH, text=f"m{i}")["ts"] for i in range(5)]
    window = web.conversations_history(channel=CH, oldest=ts[1], latest=ts[4])
    assert [m["text"] for m in window["messages"]] == ["m3", "m2"]
    page = web.conversations_history(channel=CH, limit=2)
    assert [m["text"] for m in page["messages"]] == ["m4", "m3"] and page["has_more"]
    cursor = page["response_metadata"]["next_cursor"]
    rest = web.conversations_history(channel=CH, limit=10, cursor=cursor)
    assert [m["text"] for m in rest["messages"]] == ["m2", "m1", "m0"]


def test_threads_permalink_reactions_delete(emu: SlackEmulator, web: WebClient) -> None:
    parent = web.chat_postMessage(channel=CH, text="parent")["ts"]
    web.chat_postMessage(channel=CH, text="reply", thread_ts=parent)
    assert [m["text"] for m in web.conversations_history(channel=CH)["messages"]] == ["parent"]
    replies = web.conversations_replies(channel=CH, ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply"]
    assert replies[0]["reply_count"] == 1

    link = web.chat_getPermalink(channel=CH, message_ts=parent)["permalink"]
    assert link.endswith(f"/archives/{CH}/p{parent.replace('.', '')}")
    web.reactions_add(channel=CH, timestamp=parent, name="eyes")
    assert emu.message(CH, parent)["reactions"][0]["name"] == "eyes"
    web.chat_delete(channel=CH, ts=parent)
    assert [m["text"] for m in emu.messages(CH)] == ["reply"]
    with pytest.raises(SlackApiError):
        web.chat_delete(channel=CH, ts=parent)


def test_ephemeral(emu: SlackEmulator, web: WebClient) -> None:
    answer = web.chat_postEphemeral(channel=CH, user="U0ALICE", text="only you")
    assert answer["message_ts"]
    assert emu.ephemerals[0]["user"] == "U0ALICE"
    assert emu.ephemerals[0]["text"] == "only you"


def test_users_and_groups(web: WebClient) -> None:
    assert web.users_info(user="U0BOB")["user"]["real_name"] == "Bob Tanaka"
    with pytest.raises(SlackApiError) as err:
        web.users_info(user="U0NOBODY")
    assert err.value.response["error"] == "user_not_found"
    assert web.usergroups_users_list(usergroup="S0COMMS")["users"] == ["U0BOB", "U0CAROL"]
    (group,) = web.usergroups_list()["usergroups"]
    assert (group["id"], group["name"], group["handle"]) == ("S0COMMS", "Comms team", "comms-team")
    assert "users" not in group and group["user_count"] == 2
    assert web.usergroups_list(include_users=True)["usergroups"][0]["users"] == ["U0BOB", "U0CAROL"]


def test_views_trigger_is_single_use_and_expires() -> None:
    view = {"type": "modal", "callback_id": "m", "title": {"type": "plain_text", "text": "T"}}
    with SlackEmulator(trigger_ttl=0.2) as emu:
        web = WebClient(token=emu.bot_token, base_url=emu.api_url)
        trigger = emu.new_trigger_id()
        opened = web.views_open(trigger_id=trigger, view=view)["view"]
        assert opened["callback_id"] == "m"
        with pytest.raises(SlackApiError) as err:
            web.views_open(trigger_id=trigger, view=view)
        assert err.value.response["error"] == "exchanged_trigger_id"
        late = emu.new_trigger_id()
        time.sleep(0.3)
        with pytest.raises(SlackApiError) as err:
            web.views_open(trigger_id=late, view=view)
        assert err.value.response["error"] == "expired_trigger_id"
        updated = web.views_update(view_id=opened["id"], view={**view, "callback_id": "m2"})
        assert emu.views[opened["id"]]["callback_id"] == "m2" == updated["view"]["callback_id"]


def test_files_upload_v2_end_to_end(emu: SlackEmulator, web: WebClient) -> None:
    parent = web.chat_postMessage(channel=CH, text="timeline")["ts"]
    done = web.files_upload_v2(
        channel=CH,
        thread_ts=parent,
        filename="INC-42-timeline.csv",
        title="INC-42 timeline",
        content="at,event\n10:00,spike\n",
    )
    file_id = done["file"]["id"]
    stored = emu.files[file_id]
    assert stored["name"] == "INC-42-timeline.csv"
    assert stored["title"] == "INC-42 timeline"
    assert stored["content"] == b"at,event\n10:00,spike\n"
    assert (stored["channel"], stored["thread_ts"]) == (CH, parent)


def test_block_validation(web: WebClient) -> None:
    too_many = [{"type": "divider"}] * 51
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    button = {
        "type": "button",
        "action_id": "a" * 256,
        "text": {"type": "plain_text", "text": "b" * 76},
    }
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
    actions = [{"type": "actions", "elements": [button]}]
    cases = [
        ("/blocks]", too_many),
        ("/blocks/0/text/text]", long_section),
        ("/blocks/0/elements/0/text/text]", actions),
        ("/blocks/0/elements/0/action_id]", actions),
        ("/blocks/0/block_id]", [{"type": "divider", "block_id": "b" * 256}]),
        ("/blocks/0/text/text]", [header]),
        ("/blocks/0/text/text]", [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]),
        ("/blocks/0/elements/1/text]", [{"type": "context", "elements": [
            {"type": "mrkdwn", "text": "ok"}, {"type": "mrkdwn", "text": "c" * 3001}]}]),
    ]  # fmt: skip
    for pointer, blocks in cases:
        with pytest.raises(SlackApiError) as err:
            web.chat_postMessage(channel=CH, text="x", blocks=blocks)
        body = err.value.response
        assert body["error"] == "invalid_blocks"
        assert any(e.endswith(pointer) for e in body["errors"]), body["errors"]
    with pytest.raises(SlackApiError) as err:
        web.chat_postMessage(channel=CH, text="x" * 40_001)
    assert err.value.response["error"] == "msg_too_long"


def test_calls_recorded_and_reset(emu: SlackEmulator, web: WebClient) -> None:
    web.chat_postMessage(channel=CH, text="hello")
    call = emu.calls("chat.postMessage")[0]
    assert call.params["text"] == "hello" and call.status == 200 and call.ok
    emu.reset()
    assert emu.calls() == [] and emu.messages(CH) == []


def test_views_publish_keeps_one_home_tab_per_user(emu: SlackEmulator, web: WebClient) -> None:
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "1"}}],
    }
    first = web.views_publish(user_id="U0ALICE", view=home)["view"]
    second = web.views_publish(user_id="U0ALICE", view={**home, "blocks": []})["view"]
    assert first["id"] == second["id"] and first["hash"] != second["hash"]
    stored = emu.home("U0ALICE")
    assert stored is not None and stored["blocks"] == [] and emu.home("U0BOB") is None
    for user, view, error in (
        ("U0NOBODY", home, "user_not_found"),
        ("U0ALICE", {**home, "type": "modal"}, "invalid_arguments"),
    ):
        with pytest.raises(SlackApiError) as refused:
            web.views_publish(user_id=user, view=view)
        assert refused.value.response["error"] == error
    with pytest.raises(SlackApiError) as stale:
        web.views_publish(user_id="U0ALICE", view=home, hash=first["hash"])
    assert stale.value.response["error"] == "hash_conflict"
    emu.reset()
    assert emu.home("U0ALICE") is None


def test_view_and_element_limits_are_enforced_as_slack_documents(emu: SlackEmulator) -> None:
    """Modal title/submit/close 24, option text 75 and value 150, at most 100 options, input
    label and hint 2,000, placeholder 150, button url 3,000: Slack answers `invalid_blocks`."""
    web = WebClient(token=emu.bot_token, base_url=emu.api_url)

    def plain(text: str) -> dict[str, str]:
        return {"type": "plain_text", "text": text}

    def option(text: str, value: str = "v") -> dict[str, object]:
        return {"text": plain(text), "value": value}

    def select(**kw: object) -> dict[str, object]:
        return {"type": "input", "label": plain("L"),
                "element": {"type": "static_select", "action_id": "s", **kw}}  # fmt: skip

    base = {"type": "modal", "title": plain("T"), "submit": plain("S"), "close": plain("C")}
    text_input = {"type": "plain_text_input", "action_id": "t"}
    long_label = {"type": "input", "label": plain("l" * 2001), "element": text_input}
    cases: list[tuple[str, dict[str, object]]] = [
        ("/view/title/text]", {**base, "title": plain("t" * 25)}),
        ("/view/submit/text]", {**base, "submit": plain("s" * 25)}),
        ("/view/close/text]", {**base, "close": plain("c" * 25)}),
        ("/view/private_metadata]", {**base, "private_metadata": "m" * 3001}),
        ("/blocks/0/element/options/0/text/text]",
         {**base, "blocks": [select(options=[option("o" * 76)])]}),
        ("/blocks/0/element/options/0/value]",
         {**base, "blocks": [select(options=[option("o", "v" * 151)])]}),
        ("/blocks/0/element/options]",
         {**base, "blocks": [select(options=[option(str(i)) for i in range(101)])]}),
        ("/blocks/0/element/placeholder/text]",
         {**base, "blocks": [select(options=[option("o")], placeholder=plain("p" * 151))]}),
        ("/blocks/0/label/text]",
         {**base, "blocks": [long_label]}),
        ("/blocks/0/hint/text]",
         {**base, "blocks": [{"type": "input", "label": plain("l"), "hint": plain("h" * 2001),
                              "element": text_input}]}),
        ("/blocks/0/accessory/url]",
         {**base, "blocks": [{"type": "section", "text": plain("x"), "accessory": {
             "type": "button", "text": plain("b"), "url": "https://x.example/" + "u" * 3000}}]}),
    ]  # fmt: skip
    for pointer, view in cases:
        with pytest.raises(SlackApiError) as err:
            web.views_open(trigger_id=emu.new_trigger_id(), view=view)
        body = err.value.response
        assert body["error"] == "invalid_blocks"
        assert any(e.endswith(pointer) for e in body["errors"]), (pointer, body["errors"])
    assert web.views_open(trigger_id=emu.new_trigger_id(), view=base)["ok"]


def test_option_descriptions_groups_confirm_dialogs_and_empty_labels_are_checked(
    emu: SlackEmulator,
) -> None:
    """The rest of Slack's documented limits a Cyrillic text can trip: an option's description
    75 and an option group's label 75 (at most 100 groups), a confirm dialog's title 100, text
    300, confirm and deny 30, a button's accessibility label 75; and a button, header or modal
    title with no text at all is refused as Slack refuses it."""
    web = WebClient(token=emu.bot_token, base_url=emu.api_url)

    def plain(text: str) -> dict[str, str]:
        return {"type": "plain_text", "text": text}

    def button(**kw: object) -> dict[str, object]:
        return {"type": "actions", "elements": [{"type": "button", "action_id": "b",
                                                 "text": plain("Б"), **kw}]}  # fmt: skip

    def confirm(**kw: object) -> dict[str, object]:
        dialog = {"title": plain("З"), "text": plain("Т"), "confirm": plain("Д"),
                  "deny": plain("Н"), **kw}  # fmt: skip
        return button(confirm=dialog)

    option = {"text": plain("о"), "value": "v"}
    group = {"label": plain("г"), "options": [option]}

    def select(**kw: object) -> dict[str, object]:
        return {"type": "section", "text": plain("x"),
                "accessory": {"type": "static_select", "action_id": "s", **kw}}  # fmt: skip

    cases: list[tuple[str, list[dict[str, object]]]] = [
        ("/blocks/0/accessory/options/0/description/text]",
         [select(options=[{**option, "description": plain("д" * 76)}])]),
        ("/blocks/0/accessory/option_groups/0/label/text]",
         [select(option_groups=[{**group, "label": plain("г" * 76)}])]),
        ("/blocks/0/accessory/option_groups/0/options/0/text/text]",
         [select(option_groups=[{**group, "options": [{**option, "text": plain("о" * 76)}]}])]),
        ("/blocks/0/accessory/option_groups]", [select(option_groups=[group] * 101)]),
        ("/blocks/0/elements/0/confirm/title/text]", [confirm(title=plain("з" * 101))]),
        ("/blocks/0/elements/0/confirm/text/text]", [confirm(text=plain("т" * 301))]),
        ("/blocks/0/elements/0/confirm/confirm/text]", [confirm(confirm=plain("д" * 31))]),
        ("/blocks/0/elements/0/confirm/deny/text]", [confirm(deny=plain("н" * 31))]),
        ("/blocks/0/elements/0/accessibility_label]", [button(accessibility_label="е" * 76)]),
        ("/blocks/0/elements/0/text/text]", [button(text=plain(""))]),
        ("/blocks/0/text/text]", [{"type": "header", "text": plain("")}]),
    ]  # fmt: skip
    for pointer, blocks in cases:
        with pytest.raises(SlackApiError) as err:
            web.chat_postMessage(channel=CH, text="x", blocks=blocks)
        body = err.value.response
        assert body["error"] == "invalid_blocks"
        assert any(e.endswith(pointer) for e in body["errors"]), (pointer, body["errors"])
    fine = [select(options=[{**option, "description": plain("д" * 75)}]),
            select(option_groups=[{**group, "label": plain("г" * 75)}] * 100),
            confirm(title=plain("з" * 100), text=plain("т" * 300), confirm=plain("д" * 30),
                    deny=plain("н" * 30)),
            button(accessibility_label="е" * 75)]  # fmt: skip
    assert web.chat_postMessage(channel=CH, text="x", blocks=fine)["ok"]
    base = {"type": "modal", "title": plain(""), "close": plain("C")}
    with pytest.raises(SlackApiError) as err:
        web.views_open(trigger_id=emu.new_trigger_id(), view=base)
    assert any(e.endswith("/view/title/text]") for e in err.value.response["errors"])


def test_conversations_open_a_direct_message_as_slack_answers(
    emu: SlackEmulator, web: WebClient
) -> None:
    """Slack's documented shapes: the ID alone, `already_open` when resumed, the whole IM with
    `return_im`; then chat.postMessage to that ID lands in the person's direct message."""
    first = web.conversations_open(users="U0BOB")
    dm = first["channel"]["id"]
    assert dm.startswith("D") and first.data == {"ok": True, "channel": {"id": dm}}
    again = web.conversations_open(users=["U0BOB"], return_im=True)
    assert again["no_op"] is True and again["already_open"] is True
    assert again["channel"]["id"] == dm and again["channel"]["is_im"] is True
    assert again["channel"]["user"] == "U0BOB"
    assert web.conversations_open(channel=dm)["channel"]["id"] == dm
    group = web.conversations_open(users="U0BOB,U0CAROL")["channel"]["id"]
    assert group.startswith("G") and group != dm

    web.chat_postMessage(channel=dm, text="Your follow-up is due", metadata={
        "event_type": "crisisbot_outbox", "event_payload": {"key": "k1"}})  # fmt: skip
    assert [m["text"] for m in emu.direct_messages("U0BOB")] == ["Your follow-up is due"]
    found = web.conversations_history(channel=dm, include_all_metadata=True)["messages"]
    assert found[0]["metadata"]["event_payload"] == {"key": "k1"}
    assert emu.direct_messages("U0CAROL") == [] and emu.messages("C0CRISIS") == []

    for params, error in (
        ({"users": "U0CRISISBOT"}, "cannot_dm_bot"),  # the bot itself: bots cannot DM bots
        ({"users": "U0GONE"}, "user_not_found"),
        ({"users": ""}, "users_list_not_supplied"),
        ({"users": ",".join(f"U0X{i}" for i in range(9))}, "too_many_users"),
        ({"channel": "D0NOPE"}, "channel_not_found"),
    ):
        with pytest.raises(SlackApiError) as err:
            web.api_call("conversations.open", json=params)  # slack_sdk refuses no users itself
        assert err.value.response["error"] == error, params


def test_users_conversations_lists_a_persons_channels_by_the_membership_it_keeps() -> None:
    workspace = Workspace(
        channels={"C0CRISIS": "crisis-room", "C0ACME": "acme", "C0SECRET": "secret",
                  "C0OLD": "old", "C0OPEN": "open"},
        members={"C0CRISIS": frozenset({"U0ALICE"}), "C0ACME": frozenset({"U0BOB"}),
                 "C0SECRET": frozenset({"U0BOB"}), "C0OLD": frozenset({"U0BOB"})},
        private_channels=frozenset({"C0ACME", "C0SECRET"}),
        archived_channels=frozenset({"C0OLD"}),
        outside_channels=frozenset({"C0SECRET"}),  # private, and the app is not in it
    )  # fmt: skip
    with SlackEmulator(workspace=workspace) as emu:
        web = WebClient(token=emu.bot_token, base_url=emu.api_url)

        def ids(**params: Any) -> list[str]:
            return [c["id"] for c in web.users_conversations(**params)["channels"]]

        # Public channels by default; a private one the app shares with `private_channel`
        # (C0SECRET: Bob is in it, but the app is not, so Slack does not list it).
        assert ids(user="U0BOB") == ["C0OLD", "C0OPEN"]
        both = "public_channel,private_channel"
        assert ids(user="U0BOB", types=both) == ["C0ACME", "C0OLD", "C0OPEN"]
        assert ids(user="U0BOB", types=both, exclude_archived=True) == ["C0ACME", "C0OPEN"]
        assert ids(user="U0ALICE", types=both) == ["C0CRISIS", "C0OPEN"]
        first = web.users_conversations(user="U0BOB", types=both, limit=2)
        assert [c["id"] for c in first["channels"]] == ["C0ACME", "C0OLD"]
        acme = first["channels"][0]
        assert acme["is_private"] is True and "is_member" not in acme
        cursor = first["response_metadata"]["next_cursor"]
        rest = web.users_conversations(user="U0BOB", types=both, limit=2, cursor=cursor)
        assert [c["id"] for c in rest["channels"]] == ["C0OPEN"]
        assert rest["response_metadata"]["next_cursor"] == ""

        emu.set_members("C0OPEN", {"U0ALICE"})  # Bob leaves it
        assert ids(user="U0BOB") == ["C0OLD"]
        for params, error in (
            ({"user": "U0NOBODY"}, "user_not_found"),
            ({"user": "U0BOB", "types": "public_channel,dm"}, "invalid_types"),
            ({"user": "U0BOB", "limit": 1000}, "invalid_limit"),
        ):
            with pytest.raises(SlackApiError) as err:
                web.users_conversations(**params)
            assert err.value.response["error"] == error, params

        emu.set_scopes({"chat:write", "channels:read"})  # installed without groups:read
        assert ids(user="U0BOB") == ["C0OLD"]
        with pytest.raises(SlackApiError) as err:
            web.users_conversations(user="U0BOB", types=both)
        assert err.value.response.data == {
            "ok": False, "error": "missing_scope", "needed": "groups:read",
            "provided": "channels:read,chat:write",
        }  # fmt: skip
