"""A local Telegram Bot API emulator for tests: real HTTP for aiogram, Telegram's rules, scripted users.

async with BotAPIEmulator(token="123456:TEST", bot_username="forum_tracker_bot") as emu:
    bot = Bot(emu.token, session=emulator_session(emu))   # or emu.create_bot()
    alice = emu.add_user(1001, "Алиса")
    await alice.send("/start")
    reply = await alice.expect(contains="Добро пожаловать")
"""

from bot.emulator.emulator import BotAPIEmulator, emulator_session
from bot.emulator.engine import RequestHook
from bot.emulator.errors import ApiError
from bot.emulator.html_check import EntityParseError, ParsedText, parse_html
from bot.emulator.limits import SendRateLimiter, TokenBucket
from bot.emulator.markdown_check import parse_markdown_v2
from bot.emulator.personas import Persona
from bot.emulator.state import CallbackAnswer, EmulatorStats, SentMessage

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
    "parse_markdown_v2",
]
