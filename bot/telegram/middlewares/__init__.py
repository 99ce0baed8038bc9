"""Every middleware of the bot, in one place.

Update middlewares, outermost first (bot/composition.py registers them in this order): ChatLockMiddleware
(one update per chat at a time, in order), UnitOfWorkMiddleware (the update's session, repositories and
services; storage/uow.py), FsmContextMiddleware (the dialog state, inside that unit of work),
IdentityMiddleware (person, role, language).

Request middlewares, on the bot's HTTP session: PinResponseTypes, JournalFetchedUpdates (getUpdates
batches are journaled before aiogram confirms them), CommitBeforeRequest (the update's unit of work is
committed before the bot speaks) and RetryMiddleware (429 and 5xx of direct answers).
"""

from bot.telegram.middlewares.chat_lock import ChatLockMiddleware
from bot.telegram.middlewares.commit_first import CommitBeforeRequest
from bot.telegram.middlewares.fsm_context import FsmContextMiddleware
from bot.telegram.middlewares.identity import IdentityMiddleware
from bot.telegram.middlewares.journal import JournalFetchedUpdates
from bot.telegram.middlewares.response_types import PinResponseTypes
from bot.telegram.middlewares.retry import RetryMiddleware
from bot.telegram.middlewares.unit_of_work import UnitOfWorkMiddleware

__all__ = [
    "ChatLockMiddleware",
    "CommitBeforeRequest",
    "FsmContextMiddleware",
    "IdentityMiddleware",
    "JournalFetchedUpdates",
    "PinResponseTypes",
    "RetryMiddleware",
    "UnitOfWorkMiddleware",
]
