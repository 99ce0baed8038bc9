"""A rule that said no (DomainError) anywhere in a handler: the unit of work is rolled back by the
session middleware, and the person gets the reason in their language — an alert under a button, an
answer to a message."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot.domain.errors import DomainError
from bot.texts.i18n import Translator, translator


async def domain_error(event: ErrorEvent, t: Translator | None = None) -> None:
    err = event.exception
    assert isinstance(err, DomainError)
    t = t or translator()
    update = event.update
    if update.callback_query is not None:
        await update.callback_query.answer(t.plain(err.key, **err.params)[:200], show_alert=True)
    elif update.message is not None:
        await update.message.answer(t(err.key, **err.params))


def router() -> Router:
    errors = Router(name="errors")
    errors.error.register(domain_error, ExceptionTypeFilter(DomainError))
    return errors
