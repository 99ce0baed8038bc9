from bot.telegram.middlewares.chat_lock import ChatLockMiddleware
from bot.telegram.middlewares.commit_first import CommitBeforeRequest
from bot.telegram.middlewares.database import DbSessionMiddleware
from bot.telegram.middlewares.identity import IdentityMiddleware
from bot.telegram.middlewares.response_types import PinResponseTypes

__all__ = [
    "ChatLockMiddleware",
    "CommitBeforeRequest",
    "DbSessionMiddleware",
    "IdentityMiddleware",
    "PinResponseTypes",
]
