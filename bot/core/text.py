"""Text hygiene for anything the bot writes from outside words: Slack's escaping, cutting to a
limit without breaking an escape, folding characters that disguise text, and safe links.
"""

from __future__ import annotations

import unicodedata

from detectors.keywords import to_latin


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters, and nothing else (Slack: "Escaping text")."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """Cut to `limit` characters without splitting an escape like `&amp;`."""
    if len(text) <= limit:
        return text
    cut_at = limit - 1
    amp = text.rfind("&", max(0, cut_at - 5), cut_at)
    if amp != -1 and ";" not in text[amp:cut_at]:
        cut_at = amp
    return text[:cut_at] + "…"


def clean(text: str) -> str:
    """Fold control and format characters (RTL overrides, zero-widths) that disguise text."""
    # Fast path, in C: printable text (Python counts Cc, Cf, Zl and Zp as not printable) has
    # nothing to fold. Every status and card line goes through here.
    if text.replace("\n", "").isprintable():
        return text
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\n" else ch
        for ch in text
    )


def visible(text: str) -> bool:
    """Whether the text says anything a reader sees: an RTL override or a zero-width space
    alone (a paste's leftovers) is no text."""
    return bool(clean(text).strip())


def quote(text: str, limit: int) -> str:
    return cut(escape_mrkdwn(clean(text)), limit)


def safe_url(url: str | None) -> str | None:
    """Only plain web links become clickable; anything else is shown as text or dropped."""
    if not url or not url.startswith(("https://", "http://")) or any(c in url for c in "<>| \n"):
        return None
    return url


CHANNEL_NAME_LIMIT = 80  # Slack's longest channel name
_CHANNEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def channel_name(pattern: str, *, number: int, brand: str | None, drill: bool) -> str:
    """The room's name from the playbook's pattern: lower case, Cyrillic in Latin letters,
    every other character a hyphen (Slack takes a-z, 0-9, - and _), at most 80 characters
    with the number kept; a drill's starts with `drill-`."""
    latin = to_latin(brand or "")
    while True:
        name = _clean(pattern.format(number=number, brand=latin)) or f"crisis-{number}"
        name = f"drill-{name}" if drill else name
        if len(name) <= CHANNEL_NAME_LIMIT:
            return name
        if not latin:  # the pattern alone is too long
            return name[:CHANNEL_NAME_LIMIT].rstrip("-_")
        over = len(name) - CHANNEL_NAME_LIMIT
        latin = latin[: max(0, len(latin) - over)]  # the brand gives way


def _clean(raw: str) -> str:
    name = "".join(c if c in _CHANNEL_CHARS else "-" for c in to_latin(raw))
    while "--" in name:
        name = name.replace("--", "-")
    return name.strip("-_")


def with_suffix(name: str, n: int) -> str:
    """The `n`th name tried after `name` was taken: "crisis-42-acme-2", within 80 characters."""
    suffix = f"-{n}"
    return name[: CHANNEL_NAME_LIMIT - len(suffix)].rstrip("-_") + suffix
