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


class View(StrEnum):
    DRAFT_REPLY = "draft_reply"
    REJECT_REASON = "reject_reason"
    DISMISS_REASON = "dismiss_reason"
    RESOLVE_SUMMARY = "resolve_summary"


class Block(StrEnum):
    ACTIONS = "incident.actions"
    DRAFT_ACTIONS = "draft.actions"
    DRAFT_TEXT = "draft.text"
    DRAFT_TEMPLATE = "draft.template"
    REASON = "reason"
