"""A local Telegram Bot API emulator for tests: real HTTP for aiogram, Telegram's rules, scripted users.

async with BotAPIEmulator(token="123456:TEST", bot_username="forum_tracker_bot") as emu:
    bot = Bot(emu.token, session=emulator_session(emu))   # or emu.create_bot()
    alice = emu.add_user(1001, "Алиса")
    await alice.send("/start")
    reply = await alice.expect(contains="Добро пожаловать")
"""

from tg_emulator.emulator import BotAPIEmulator, emulator_session
from tg_emulator.engine import RequestHook
from tg_emulator.errors import ApiError
from tg_emulator.html_check import EntityParseError, ParsedText, parse_html
from tg_emulator.limits import SendRateLimiter, TokenBucket
from tg_emulator.personas import Persona
from tg_emulator.state import CallbackAnswer, EmulatorStats, SentMessage

__all__ = [
    "ApiError",
    "BotAPIEmulator",
    "CallbackAnswer",
    "EmulatorStats",
    "EntityParseError",
    "ParsedText",
    "Persona",
    "RequestHook",
    "SendRateLimiter",
    "SentMessage",
    "TokenBucket",
    "emulator_session",
    "parse_html",
]
