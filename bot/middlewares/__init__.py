from bot.middlewares.database import DbSessionMiddleware
from bot.middlewares.identity import IdentityMiddleware

__all__ = ["DbSessionMiddleware", "IdentityMiddleware"]
