from bot.middlewares.chat_lock import ChatLockMiddleware
from bot.middlewares.commit_first import CommitBeforeRequest
from bot.middlewares.database import DbSessionMiddleware
from bot.middlewares.identity import IdentityMiddleware
from bot.middlewares.response_types import PinResponseTypes

__all__ = [
    "ChatLockMiddleware",
    "CommitBeforeRequest",
    "DbSessionMiddleware",
    "IdentityMiddleware",
    "PinResponseTypes",
]
