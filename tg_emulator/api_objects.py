"""Builders of Bot API objects (User, Message, ChatMemberUpdated...) as the JSON Telegram sends."""

from __future__ import annotations

from typing import Any

from tg_emulator.markup import inline_markup
from tg_emulator.state import SentMessage, UserState


def bot_user_api(bot_id: int, first_name: str, username: str, *, full: bool = False) -> dict[str, Any]:
    """The bot as a User; `full` adds the fields only getMe returns."""
    user: dict[str, Any] = {"id": bot_id, "is_bot": True, "first_name": first_name, "username": username}
    if full:
        user.update(
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
    return user


def bot_message_api(
    message: SentMessage,
    *,
    chat: dict[str, Any],
    bot_user: dict[str, Any],
    reply_to: dict[str, Any] | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "message_id": message.message_id,
        "from": bot_user,
        "chat": chat,
        "date": message.date,
    }
    if message.text is not None:
        result["text"] = message.text
        if message.entities:
            result["entities"] = message.entities
    if message.caption is not None:
        result["caption"] = message.caption
        if message.caption_entities:
            result["caption_entities"] = message.caption_entities
    if message.document is not None:
        result["document"] = message.document
    if message.photo is not None:
        result["photo"] = message.photo
    if message.media_group_id is not None:
        result["media_group_id"] = message.media_group_id
    if message.edit_date is not None:
        result["edit_date"] = message.edit_date
    if reply_to is not None:
        result["reply_to_message"] = reply_to
    # Message.reply_markup only ever carries inline keyboards; reply keyboards stay on the client.
    if (markup := inline_markup(message.reply_markup)) is not None:
        result["reply_markup"] = markup
    return result


def member_update_api(
    user: UserState, bot_user: dict[str, Any], *, old_status: str, new_status: str, date: int
) -> dict[str, Any]:
    """The my_chat_member update a private chat produces when the user blocks or unblocks the bot."""

    def member(status: str) -> dict[str, Any]:
        result: dict[str, Any] = {"status": status, "user": bot_user}
        if status == "kicked":
            result["until_date"] = 0
        return result

    return {
        "chat": user.chat_api(),
        "from": user.to_api(),
        "date": date,
        "old_chat_member": member(old_status),
        "new_chat_member": member(new_status),
    }
