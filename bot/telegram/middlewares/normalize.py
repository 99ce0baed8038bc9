"""Every text a person sends passes bot.domain.text once, before any handler can see it.

Handlers, services and the FSM then never meet a NUL (which fails a PostgreSQL transaction and leaves the
person without an answer), a lone surrogate or an overlong string, and no handler has to remember it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.middlewares.user_context import (
    EVENT_CHAT_KEY,
    EVENT_CONTEXT_KEY,
    EVENT_FROM_USER_KEY,
    UserContextMiddleware,
)
from aiogram.types import Document, Message, TelegramObject, Update, User

from bot.domain.text import MAX_CAPTION, MAX_MESSAGE_TEXT, normalize_file_name, normalize_text

# Telegram caps names at 64 characters; usernames are ASCII but arrive through the same door.
MAX_NAME_PART = 64


class NormalizeTextMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update):
            clean = normalized_update(event)
            if clean is not event:
                event = clean
                # aiogram resolved the sender and chat from the update as it came; hand on the clean ones.
                context = UserContextMiddleware.resolve_event_context(clean)
                data[EVENT_CONTEXT_KEY] = context
                if context.user is not None:
                    data[EVENT_FROM_USER_KEY] = context.user
                if context.chat is not None:
                    data[EVENT_CHAT_KEY] = context.chat
        return await handler(event, data)


def normalized_update(update: Update) -> Update:
    """The same update when nothing needed cleaning, otherwise a cleaned copy (updates are frozen)."""
    changes: dict[str, Any] = {}
    for field in ("message", "edited_message"):
        message = getattr(update, field)
        if message is not None and (clean := _message(message)) is not message:
            changes[field] = clean
    if update.callback_query is not None:
        query = update.callback_query
        user = _user(query.from_user)
        if user is not query.from_user:
            changes["callback_query"] = query.model_copy(update={"from_user": user})
    return update.model_copy(update=changes) if changes else update


def _message(message: Message) -> Message:
    changes: dict[str, Any] = {}
    if message.text is not None and (text := normalize_text(message.text, MAX_MESSAGE_TEXT)) != message.text:
        # Entity offsets no longer match a changed text; the bot reads none of them.
        changes.update(text=text, entities=None)
    if (
        message.caption is not None
        and (caption := normalize_text(message.caption, MAX_CAPTION)) != message.caption
    ):
        changes.update(caption=caption, caption_entities=None)
    if message.document is not None and (document := _document(message.document)) is not message.document:
        changes["document"] = document
    if message.from_user is not None and (user := _user(message.from_user)) is not message.from_user:
        changes["from_user"] = user
    return message.model_copy(update=changes) if changes else message


def _document(document: Document) -> Document:
    if document.file_name is None:
        return document
    name = normalize_file_name(document.file_name)
    return document if name == document.file_name else document.model_copy(update={"file_name": name})


def _user(user: User) -> User:
    changes: dict[str, Any] = {}
    for field in ("first_name", "last_name", "username"):
        value = getattr(user, field)
        if value is not None:
            clean = normalize_text(value, MAX_NAME_PART).replace("\n", " ").replace("\t", " ")
            if clean != value:
                changes[field] = clean
    return user.model_copy(update=changes) if changes else user
