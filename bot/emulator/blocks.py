"""Light Block Kit validation, the subset of Slack's checks the bot can trip.

Slack answers a bad layout with HTTP 200, ``error: invalid_blocks`` and one message per problem,
each ending in a JSON pointer (``[json-pointer:/blocks/2/text/text]``). We reproduce the limits
the crisis bot could realistically hit (long drafts, many alerts, long ids), not the whole schema:
the point is that a test fails the same way production would.
"""

from __future__ import annotations

from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID_LENGTH = 255
MAX_SECTION_FIELDS = 10
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_MESSAGE_TEXT = 40_000


def _too_long(limit: int, pointer: str) -> str:
    return f"must be less than {limit + 1} characters [json-pointer:{pointer}]"


def _too_many(limit: int, pointer: str) -> str:
    return f"no more than {limit} items allowed [json-pointer:{pointer}]"


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        value = obj.get("text", "")
        return value if isinstance(value, str) else ""
    return ""


def _check_element(element: Any, pointer: str, errors: list[str]) -> None:
    if not isinstance(element, dict):
        errors.append(f"must be an object [json-pointer:{pointer}]")
        return
    action_id = element.get("action_id")
    if isinstance(action_id, str) and len(action_id) > MAX_ID_LENGTH:
        errors.append(_too_long(MAX_ID_LENGTH, f"{pointer}/action_id"))
    if element.get("type") == "button":
        if len(_text_of(element.get("text"))) > MAX_BUTTON_TEXT:
            errors.append(_too_long(MAX_BUTTON_TEXT, f"{pointer}/text/text"))
        value = element.get("value")
        if isinstance(value, str) and len(value) > MAX_BUTTON_VALUE:
            errors.append(_too_long(MAX_BUTTON_VALUE, f"{pointer}/value"))


def validate_blocks(blocks: Any, *, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """Return Slack-style error strings for ``blocks``; an empty list means acceptable."""
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(_too_many(max_blocks, "/blocks"))
    for i, block in enumerate(blocks):
        ptr = f"/blocks/{i}"
        if not isinstance(block, dict) or "type" not in block:
            errors.append(f"missing required field: type [json-pointer:{ptr}]")
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str) and len(block_id) > MAX_ID_LENGTH:
            errors.append(_too_long(MAX_ID_LENGTH, f"{ptr}/block_id"))
        kind = block["type"]
        if kind == "section":
            if len(_text_of(block.get("text"))) > MAX_SECTION_TEXT:
                errors.append(_too_long(MAX_SECTION_TEXT, f"{ptr}/text/text"))
            fields = block.get("fields") or []
            if isinstance(fields, list):
                if len(fields) > MAX_SECTION_FIELDS:
                    errors.append(_too_many(MAX_SECTION_FIELDS, f"{ptr}/fields"))
                for j, field in enumerate(fields):
                    if len(_text_of(field)) > 2000:
                        errors.append(_too_long(2000, f"{ptr}/fields/{j}/text"))
            if "accessory" in block:
                _check_element(block["accessory"], f"{ptr}/accessory", errors)
        elif kind == "header":
            if len(_text_of(block.get("text"))) > MAX_HEADER_TEXT:
                errors.append(_too_long(MAX_HEADER_TEXT, f"{ptr}/text/text"))
        elif kind == "context":
            elements = block.get("elements") or []
            if isinstance(elements, list) and len(elements) > MAX_CONTEXT_ELEMENTS:
                errors.append(_too_many(MAX_CONTEXT_ELEMENTS, f"{ptr}/elements"))
        elif kind == "actions":
            elements = block.get("elements") or []
            if isinstance(elements, list):
                if len(elements) > MAX_ACTIONS_ELEMENTS:
                    errors.append(_too_many(MAX_ACTIONS_ELEMENTS, f"{ptr}/elements"))
                for j, element in enumerate(elements):
                    _check_element(element, f"{ptr}/elements/{j}", errors)
        elif kind == "input" and "element" in block:
            _check_element(block["element"], f"{ptr}/element", errors)
    return errors


def invalid_blocks_answer(errors: list[str]) -> dict[str, Any]:
    """The body Slack sends for ``invalid_blocks`` (shape copied from a real answer)."""
    return {
        "ok": False,
        "error": "invalid_blocks",
        "errors": errors,
        "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
    }
