"""Validation of `reply_markup` the way Telegram checks it, and reading buttons back for tests."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tg_emulator.errors import bad_request
from tg_emulator.limits import MAX_CALLBACK_DATA_BYTES, MAX_KEYBOARD_BUTTONS

# The fields of InlineKeyboardButton that give it an action; a button must have exactly one.
INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

Button = tuple[str, str | None]


def _button_url_error(url: Any) -> str | None:
    if not isinstance(url, str) or not url:
        return "URL must be non-empty"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "Wrong URL"
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        host = parts.hostname or ""
        # Telegram refuses addresses it cannot open for the user, local ones included.
        if "." not in host or host == "localhost" or host.endswith(".localhost"):
            return "Wrong HTTP URL"
        return None
    if scheme == "tg" and (parts.netloc or parts.path):
        return None
    return "Unsupported URL protocol"


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not text.strip():
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [name for name in INLINE_ACTIONS if name in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used, "
            f"found {', '.join(actions)}"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and (reason := _button_url_error(button["url"])) is not None:
        raise bad_request(f"inline keyboard button URL '{button['url']}' is invalid: {reason}")


def _rows(markup: dict[str, Any], key: str, what: str) -> list[list[Any]]:
    rows = markup[key]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            f'can\'t parse reply keyboard markup JSON object: field "{key}" must be an Array of {what}'
        )
    if sum(len(row) for row in rows) > MAX_KEYBOARD_BUTTONS:
        raise bad_request("reply markup is too long")
    return rows


def validate_reply_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Returns the markup unchanged when Telegram would accept it; raises ApiError otherwise."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        for row in _rows(markup, "inline_keyboard", "Arrays of InlineKeyboardButton"):
            for button in row:
                _validate_inline_button(button)
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        for row in _rows(markup, "keyboard", "Arrays of KeyboardButton"):
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise bad_request("keyboard button text must be non-empty")
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a markup Telegram echoes back in Message.reply_markup (inline keyboards only)."""
    if markup is not None and "inline_keyboard" in markup:
        return markup
    return None


def buttons_of(markup: dict[str, Any] | None) -> list[list[Button]]:
    """Rows of (text, callback_data or url or None) for inline and reply keyboards alike."""
    if markup is None:
        return []
    if "inline_keyboard" in markup:
        return [
            [(button["text"], button.get("callback_data", button.get("url"))) for button in row]
            for row in markup["inline_keyboard"]
        ]
    if "keyboard" in markup:
        return [
            [(button["text"] if isinstance(button, dict) else str(button), None) for button in row]
            for row in markup["keyboard"]
        ]
    return []


def find_button(markup: dict[str, Any] | None, label: str) -> dict[str, Any]:
    """The inline button whose text is `label`, or the only one containing it; AssertionError otherwise."""
    buttons: list[dict[str, Any]] = [
        button for row in (markup or {}).get("inline_keyboard", []) for button in row
    ]
    exact = [button for button in buttons if button["text"] == label]
    candidates = exact or [button for button in buttons if label in button["text"]]
    if len(candidates) != 1:
        shown = ", ".join(repr(button["text"]) for button in buttons) or "none"
        problem = "no button" if not candidates else f"{len(candidates)} buttons"
        raise AssertionError(f"{problem} matching {label!r}; the message has: {shown}")
    return candidates[0]
