"""Light Block Kit validation, the subset of Slack's checks the bot can trip.

Slack answers a bad layout with HTTP 200, ``error: invalid_blocks`` and one message per problem,
each ending in a JSON pointer (``[json-pointer:/blocks/2/text/text]``). We reproduce the limits
the crisis bot could realistically hit (long drafts, many alerts, long ids), not the whole schema:
the point is that a test fails the same way production would (Cyrillic is longer than English:
Bulgarian labels meet these limits first).
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
# Elements and views (Slack's Block Kit reference: option object, select menus, plain-text input,
# input block, button, modal view object).
MAX_OPTION_TEXT = 75  # an option's text and its description
MAX_OPTION_VALUE = 150
MAX_SELECT_OPTIONS = 100  # options of a select, of one option group, and option groups
MAX_ACCESSIBILITY_LABEL = 75  # a button's
# The confirmation dialog object (a button's or a menu's `confirm`).
MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30  # its confirm and deny
MAX_PLACEHOLDER = 150
MAX_INPUT_LABEL = 2000
MAX_INPUT_HINT = 2000
MAX_INPUT_LENGTH = 3000  # plain_text_input's max_length
MAX_URL = 3000
MAX_VIEW_TITLE = 24  # a modal's title, submit and close
MAX_PRIVATE_METADATA = 3000
MAX_TEXT_OBJECT = 3000  # any text object: at least 1 character, at most 3,000
TEXT_TYPES = ("mrkdwn", "plain_text")


def _too_long(limit: int, pointer: str) -> str:
    return f"must be less than {limit + 1} characters [json-pointer:{pointer}]"


def _too_many(limit: int, pointer: str) -> str:
    return f"no more than {limit} items allowed [json-pointer:{pointer}]"


def _too_short(pointer: str) -> str:
    return f"must be more than 0 characters [json-pointer:{pointer}]"


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        value = obj.get("text", "")
        return value if isinstance(value, str) else ""
    return ""


def _check_text(obj: Any, limit: int, pointer: str, errors: list[str]) -> None:
    """A required text object: at least one character, at most `limit`."""
    text = _text_of(obj)
    if len(text) > limit:
        errors.append(_too_long(limit, f"{pointer}/text"))
    elif not text:
        errors.append(_too_short(f"{pointer}/text"))


def _check_confirm(dialog: Any, pointer: str, errors: list[str]) -> None:
    if not isinstance(dialog, dict):
        errors.append(f"must be an object [json-pointer:{pointer}]")
        return
    _check_text(dialog.get("title"), MAX_CONFIRM_TITLE, f"{pointer}/title", errors)
    _check_text(dialog.get("text"), MAX_CONFIRM_TEXT, f"{pointer}/text", errors)
    _check_text(dialog.get("confirm"), MAX_CONFIRM_BUTTON, f"{pointer}/confirm", errors)
    _check_text(dialog.get("deny"), MAX_CONFIRM_BUTTON, f"{pointer}/deny", errors)


def _check_options(options: Any, pointer: str, errors: list[str]) -> None:
    if isinstance(options, list):
        if len(options) > MAX_SELECT_OPTIONS:
            errors.append(_too_many(MAX_SELECT_OPTIONS, pointer))
        for k, option in enumerate(options):
            _check_option(option, f"{pointer}/{k}", errors)


def _check_element(element: Any, pointer: str, errors: list[str]) -> None:
    if not isinstance(element, dict):
        errors.append(f"must be an object [json-pointer:{pointer}]")
        return
    action_id = element.get("action_id")
    if isinstance(action_id, str) and len(action_id) > MAX_ID_LENGTH:
        errors.append(_too_long(MAX_ID_LENGTH, f"{pointer}/action_id"))
    kind = element.get("type")
    if len(_text_of(element.get("placeholder"))) > MAX_PLACEHOLDER:
        errors.append(_too_long(MAX_PLACEHOLDER, f"{pointer}/placeholder/text"))
    if "confirm" in element:
        _check_confirm(element["confirm"], f"{pointer}/confirm", errors)
    if kind == "button":
        _check_text(element.get("text"), MAX_BUTTON_TEXT, f"{pointer}/text", errors)
        label = element.get("accessibility_label")
        if isinstance(label, str) and len(label) > MAX_ACCESSIBILITY_LABEL:
            errors.append(_too_long(MAX_ACCESSIBILITY_LABEL, f"{pointer}/accessibility_label"))
        value = element.get("value")
        if isinstance(value, str) and len(value) > MAX_BUTTON_VALUE:
            errors.append(_too_long(MAX_BUTTON_VALUE, f"{pointer}/value"))
        url = element.get("url")
        if isinstance(url, str) and len(url) > MAX_URL:
            errors.append(_too_long(MAX_URL, f"{pointer}/url"))
    elif kind == "static_select":
        _check_options(element.get("options") or [], f"{pointer}/options", errors)
        groups = element.get("option_groups") or []
        if isinstance(groups, list):
            if len(groups) > MAX_SELECT_OPTIONS:
                errors.append(_too_many(MAX_SELECT_OPTIONS, f"{pointer}/option_groups"))
            for k, group in enumerate(groups):
                where = f"{pointer}/option_groups/{k}"
                if not isinstance(group, dict):
                    errors.append(f"must be an object [json-pointer:{where}]")
                    continue
                _check_text(group.get("label"), MAX_OPTION_TEXT, f"{where}/label", errors)
                _check_options(group.get("options") or [], f"{where}/options", errors)
        if "initial_option" in element:
            _check_option(element["initial_option"], f"{pointer}/initial_option", errors)
    elif kind == "external_select":  # options come from the app's block_suggestion answer
        if "initial_option" in element:
            _check_option(element["initial_option"], f"{pointer}/initial_option", errors)
    elif kind == "plain_text_input":
        limit = element.get("max_length")
        if isinstance(limit, int) and limit > MAX_INPUT_LENGTH:
            errors.append(f"must be at most {MAX_INPUT_LENGTH} [json-pointer:{pointer}/max_length]")


def _check_option(option: Any, pointer: str, errors: list[str]) -> None:
    if not isinstance(option, dict):
        errors.append(f"must be an object [json-pointer:{pointer}]")
        return
    if len(_text_of(option.get("text"))) > MAX_OPTION_TEXT:
        errors.append(_too_long(MAX_OPTION_TEXT, f"{pointer}/text/text"))
    if len(_text_of(option.get("description"))) > MAX_OPTION_TEXT:
        errors.append(_too_long(MAX_OPTION_TEXT, f"{pointer}/description/text"))
    value = option.get("value")
    if isinstance(value, str) and len(value) > MAX_OPTION_VALUE:
        errors.append(_too_long(MAX_OPTION_VALUE, f"{pointer}/value"))


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
            if "text" in block and not _text_of(block["text"]):
                errors.append(_too_short(f"{ptr}/text/text"))
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
            _check_text(block.get("text"), MAX_HEADER_TEXT, f"{ptr}/text", errors)
        elif kind == "context":
            elements = block.get("elements") or []
            if isinstance(elements, list):
                if len(elements) > MAX_CONTEXT_ELEMENTS:
                    errors.append(_too_many(MAX_CONTEXT_ELEMENTS, f"{ptr}/elements"))
                for j, element in enumerate(elements):
                    if isinstance(element, dict) and element.get("type") in TEXT_TYPES:
                        if len(_text_of(element)) > MAX_TEXT_OBJECT:
                            errors.append(_too_long(MAX_TEXT_OBJECT, f"{ptr}/elements/{j}/text"))
                        elif not _text_of(element):
                            errors.append(_too_short(f"{ptr}/elements/{j}/text"))
        elif kind == "actions":
            elements = block.get("elements") or []
            if isinstance(elements, list):
                if len(elements) > MAX_ACTIONS_ELEMENTS:
                    errors.append(_too_many(MAX_ACTIONS_ELEMENTS, f"{ptr}/elements"))
                for j, element in enumerate(elements):
                    _check_element(element, f"{ptr}/elements/{j}", errors)
        elif kind == "input":
            if len(_text_of(block.get("label"))) > MAX_INPUT_LABEL:
                errors.append(_too_long(MAX_INPUT_LABEL, f"{ptr}/label/text"))
            if len(_text_of(block.get("hint"))) > MAX_INPUT_HINT:
                errors.append(_too_long(MAX_INPUT_HINT, f"{ptr}/hint/text"))
            if "element" in block:
                _check_element(block["element"], f"{ptr}/element", errors)
    return errors


def validate_view(view: dict[str, Any]) -> list[str]:
    """Slack-style errors for a modal or Home tab view: its blocks, and a modal's title, submit
    and close buttons (24 characters each), private_metadata and callback_id."""
    errors = validate_blocks(view.get("blocks") or [], max_blocks=MAX_MODAL_BLOCKS)
    for key in ("title", "submit", "close"):
        # A modal needs its title; submit and close are optional, but never empty.
        if view.get("type") == "modal" and (key == "title" or key in view):
            _check_text(view.get(key), MAX_VIEW_TITLE, f"/view/{key}", errors)
    metadata = view.get("private_metadata")
    if isinstance(metadata, str) and len(metadata) > MAX_PRIVATE_METADATA:
        errors.append(_too_long(MAX_PRIVATE_METADATA, "/view/private_metadata"))
    callback = view.get("callback_id")
    if isinstance(callback, str) and len(callback) > MAX_ID_LENGTH:
        errors.append(_too_long(MAX_ID_LENGTH, "/view/callback_id"))
    return errors


def invalid_blocks_answer(errors: list[str]) -> dict[str, Any]:
    """The body Slack sends for ``invalid_blocks`` (shape copied from a real answer)."""
    return {
        "ok": False,
        "error": "invalid_blocks",
        "errors": errors,
        "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
    }
