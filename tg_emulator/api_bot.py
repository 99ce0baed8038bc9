"""The bot's own profile: getMe, commands, descriptions, menu button; getChat; close and logOut."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tg_emulator.api_objects import bot_user_api
from tg_emulator.commands import scope_key, validate_commands
from tg_emulator.errors import bad_request
from tg_emulator.request_parsing import RequestParams

if TYPE_CHECKING:
    from tg_emulator.dispatch import Handler
    from tg_emulator.engine import EmulatorEngine

_LANGUAGE_RE = re.compile(r"(?:[a-z]{2})?")
_TEXT_SETTINGS = {
    # setting → (parameter, result key, maximum length)
    "description": ("description", "description", 512),
    "short_description": ("short_description", "short_description", 120),
    "name": ("name", "name", 64),
}


def _language(params: RequestParams) -> str:
    language = params.string("language_code") or ""
    if not _LANGUAGE_RE.fullmatch(language):
        raise bad_request("invalid language code specified")
    return language


async def get_me(engine: EmulatorEngine, params: RequestParams) -> Any:
    return bot_user_api(engine.bot_id, engine.bot_name, engine.bot_username, full=True)


def _command_scope(engine: EmulatorEngine, params: RequestParams) -> tuple[str, int | None, int | None]:
    key = scope_key(params.json("scope", "BotCommandScope"))
    if key[1] is not None:
        engine.known_user(key[1])
    return key


async def set_my_commands(engine: EmulatorEngine, params: RequestParams) -> Any:
    commands = validate_commands(params.json("commands", "commands"))
    engine.commands.set(_command_scope(engine, params), _language(params), commands)
    return True


async def get_my_commands(engine: EmulatorEngine, params: RequestParams) -> Any:
    return engine.commands.get_exact(_command_scope(engine, params), _language(params))


async def delete_my_commands(engine: EmulatorEngine, params: RequestParams) -> Any:
    engine.commands.delete(_command_scope(engine, params), _language(params))
    return True


async def set_chat_menu_button(engine: EmulatorEngine, params: RequestParams) -> Any:
    button = params.json("menu_button", "menu button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button JSON object")
    chat_id = params.integer("chat_id")
    if chat_id is not None:
        engine.known_user(chat_id)
    engine.bot_settings[("menu_button", chat_id)] = button
    return True


async def get_chat_menu_button(engine: EmulatorEngine, params: RequestParams) -> Any:
    chat_id = params.integer("chat_id")
    settings = engine.bot_settings
    return (
        settings.get(("menu_button", chat_id)) or settings.get(("menu_button", None)) or {"type": "commands"}
    )


async def trivially_true(engine: EmulatorEngine, params: RequestParams) -> Any:
    return True


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    # Meaningful only for moving a bot between servers; accepted so shutdown code paths can run.
    "close": trivially_true,
    "logOut": trivially_true,
}
