"""Every action_id, block_id and callback_id, used both in blocks and in listeners."""

from enum import StrEnum


class Action(StrEnum):
    CLAIM = "incident.claim"
    ESCALATE = "incident.escalate"
    DRAFT = "incident.draft"
    RESOLVE = "incident.resolve"
    DISMISS = "incident.dismiss"
    SEVERITY = "incident.severity"
    APPROVE = "draft.approve"
    REJECT = "draft.reject"
    OPEN_THREAD = "home.open_thread"  # a link button on the Home tab: acked, nothing to do
    ADD_FOLLOW_UP = "incident.add_follow_up"  # on a closed incident's card: opens the form
    FOLLOW_UP_DONE = "followup.done"  # on the Home tab, beside each of the viewer's own
    REOPEN = "incident.reopen"  # on a closed incident's card: opens the form (optional reason)
    POST_UPDATE = "incident.post_update"  # on an open incident's card: the stakeholders' update
    DECLARE = "home.declare"  # on the Home tab: the Declare form
    OPEN_ROOM = "incident.open_room"  # on an open incident's card: its own channel


class Shortcut(StrEnum):
    """callback_ids of the app's shortcuts (slack-manifest.json declares them)."""

    DECLARE = "crisis.declare"  # global: the Declare form
    DECLARE_FROM_MESSAGE = "crisis.declare_from_message"  # on a message: the form, prefilled


class View(StrEnum):
    DRAFT_REPLY = "draft_reply"
    REJECT_REASON = "reject_reason"
    DISMISS_REASON = "dismiss_reason"
    RESOLVE_SUMMARY = "resolve_summary"
    FOLLOW_UP = "follow_up"
    REOPEN_REASON = "reopen_reason"
    POST_UPDATE = "post_update"
    DECLARE = "declare_incident"  # `/crisis declare`'s form


class Block(StrEnum):
    ACTIONS = "incident.actions"
    DRAFT_ACTIONS = "draft.actions"
    DRAFT_TEXT = "draft.text"
    DRAFT_TEMPLATE = "draft.template"
    REASON = "reason"
    FOLLOW_UP_ACTIONS = "followup.actions"  # a closed card's buttons: Add follow-up, Reopen
    FOLLOW_UP_OWNER = "followup.owner"
    FOLLOW_UP_TEXT = "followup.text"
    FOLLOW_UP_DUE = "followup.due"
    UPDATE_TEXT = "update.text"
    DECLARE_TEXT = "declare.text"
    DECLARE_BRAND = "declare.brand"
    DECLARE_SEVERITY = "declare.severity"
