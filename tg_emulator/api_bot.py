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


async def get_chat(engine: EmulatorEngine, params: RequestParams) -> Any:
    user = engine.known_user(engine.chat_id_param(params))
    return {
        **user.chat_api(),
        "accent_color_id": user.user_id % 7,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }


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


def _text_setting_handlers(setting: str) -> tuple[Handler, Handler]:
    parameter, result_key, maximum = _TEXT_SETTINGS[setting]

    async def set_value(engine: EmulatorEngine, params: RequestParams) -> Any:
        value = params.string(parameter) or ""
        if len(value) > maximum:
            raise bad_request(f"{parameter} is too long")
        engine.bot_settings[(setting, _language(params))] = value
        return True

    async def get_value(engine: EmulatorEngine, params: RequestParams) -> Any:
        language = _language(params)
        stored = engine.bot_settings.get((setting, language)) or engine.bot_settings.get((setting, ""), "")
        if setting == "name" and not stored:
            stored = engine.bot_name
        return {result_key: stored}

    return set_value, get_value


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


_set_description, _get_description = _text_setting_handlers("description")
_set_short_description, _get_short_description = _text_setting_handlers("short_description")
_set_name, _get_name = _text_setting_handlers("name")

HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "getChat": get_chat,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": _set_description,
    "getMyDescription": _get_description,
    "setMyShortDescription": _set_short_description,
    "getMyShortDescription": _get_short_description,
    "setMyName": _set_name,
    "getMyName": _get_name,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    # Meaningful only for moving a bot between servers; accepted so shutdown code paths can run.
    "close": trivially_true,
    "logOut": trivially_true,
}
