"""Human-readable rendering of a chat's history, for failure messages and offline demos."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tg_emulator.state import ChatEvent, SentMessage

_INDENT = "      "


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} B"


def _user_content(message: dict[str, Any]) -> str:
    if "text" in message:
        return str(message["text"])
    parts: list[str] = []
    if document := message.get("document"):
        parts.append(f"📎 {document.get('file_name', 'file')} ({_size(document.get('file_size', 0))})")
    elif photo := message.get("photo"):
        parts.append(f"🖼 photo {photo[-1]['width']}×{photo[-1]['height']}")
    elif sticker := message.get("sticker"):
        parts.append(f"sticker {sticker.get('emoji', '')}".rstrip())
    elif voice := message.get("voice"):
        parts.append(f"🎤 voice {voice['duration']} s")
    elif location := message.get("location"):
        parts.append(f"📍 {location['latitude']}, {location['longitude']}")
    elif contact := message.get("contact"):
        parts.append(f"☎ {contact['phone_number']}")
    if caption := message.get("caption"):
        parts.append(f"— {caption}")
    if message.get("media_group_id"):
        parts.append(f"[album {message['media_group_id']}]")
    return " ".join(parts) or "(message)"


def _bot_content(message: SentMessage) -> list[str]:
    lines: list[str] = []
    if message.document is not None:
        name = message.document.get("file_name", "file")
        lines.append(f"📎 {name} ({_size(message.document.get('file_size', 0))})")
    if message.photo is not None:
        lines.append(f"🖼 photo {message.photo[-1]['width']}×{message.photo[-1]['height']}")
    if message.body:
        lines.extend(message.body.splitlines() or [""])
    rows = message.buttons
    if message.reply_markup is not None and "keyboard" in message.reply_markup:
        lines.append("⌨ " + " | ".join(text for row in rows for text, _ in row))
    else:
        lines.extend(" ".join(f"[{text}]" for text, _ in row) for row in rows)
    if message.reply_markup is not None and message.reply_markup.get("remove_keyboard"):
        lines.append("⌨ (keyboard removed)")
    return lines or ["(empty)"]


def _with_prefix(prefix: str, lines: list[str]) -> list[str]:
    first, *rest = lines
    return [f"{prefix} {first}", *(f"{_INDENT}{line}" for line in rest)]


def render_event(event: ChatEvent, user_name: str) -> list[str]:
    if event.kind == "user_message" and event.user_message is not None:
        return [f"{user_name} → {_user_content(event.user_message)}"]
    if event.kind == "user_click":
        return [f"{user_name} ☞ [{event.detail}]"]
    if event.kind == "blocked":
        return [f"{user_name} ⛔ blocked the bot"]
    if event.kind == "unblocked":
        return [f"{user_name} ✅ unblocked the bot"]
    if event.kind == "callback_answer":
        return [f"bot ⓘ {event.detail or '(answered silently)'}"]
    message = event.message
    if message is None:
        return []
    if event.kind == "bot_message":
        return _with_prefix("bot ←", _bot_content(message))
    if event.kind == "bot_edit":
        return _with_prefix(f"bot ✎ #{message.message_id}", _bot_content(message))
    return [f"bot ✕ deleted #{message.message_id}"]


def render_transcript(events: Iterable[ChatEvent], user_name: str) -> str:
    return "\n".join(line for event in events for line in render_event(event, user_name))
