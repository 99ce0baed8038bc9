"""Bot command lists per scope and language, with Telegram's validation and scope fallback."""

from __future__ import annotations

import re
from typing import Any

from tg_emulator.errors import bad_request
from tg_emulator.limits import MAX_COMMAND_DESCRIPTION, MAX_COMMANDS

_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SCOPES_WITH_CHAT = frozenset({"chat", "chat_administrators", "chat_member"})
SCOPE_TYPES = frozenset({"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}) | (
    _SCOPES_WITH_CHAT
)

ScopeKey = tuple[str, int | None, int | None]


def scope_key(scope: Any) -> ScopeKey:
    """A hashable form of a BotCommandScope object (None means the default scope)."""
    if scope is None:
        return ("default", None, None)
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    if kind not in _SCOPES_WITH_CHAT:
        return (kind, None, None)
    chat_id = scope.get("chat_id")
    if not isinstance(chat_id, int):
        raise bad_request("chat not found")
    user_id = scope.get("user_id") if kind == "chat_member" else None
    if kind == "chat_member" and not isinstance(user_id, int):
        raise bad_request("user not found")
    return (kind, chat_id, user_id)


def validate_commands(commands: Any) -> list[dict[str, str]]:
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    result: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND_RE.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= MAX_COMMAND_DESCRIPTION:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        result.append({"command": command, "description": description})
    return result


def _fallback_chain(key: ScopeKey) -> list[ScopeKey]:
    """Scopes Telegram consults for a chat, most specific first; emulated chats are all private."""
    kind, chat_id, _ = key
    chain: list[ScopeKey] = [key]
    if kind == "chat_member":
        chain += [("chat_administrators", chat_id, None), ("chat", chat_id, None)]
    if kind == "chat_administrators":
        chain.append(("chat", chat_id, None))
    if kind in ("chat", "chat_member", "chat_administrators", "all_private_chats"):
        chain.append(("all_private_chats", None, None))
    if kind in ("all_chat_administrators",):
        chain.append(("all_group_chats", None, None))
    if kind != "default":
        chain.append(("default", None, None))
    return chain


class CommandRegistry:
    def __init__(self) -> None:
        self._lists: dict[tuple[ScopeKey, str], list[dict[str, str]]] = {}

    def set(self, key: ScopeKey, language_code: str, commands: list[dict[str, str]]) -> None:
        if commands:
            self._lists[(key, language_code)] = commands
        else:
            # An empty list is how Telegram deletes a scope's commands.
            self._lists.pop((key, language_code), None)

    def delete(self, key: ScopeKey, language_code: str) -> None:
        self._lists.pop((key, language_code), None)

    def get_exact(self, key: ScopeKey, language_code: str) -> list[dict[str, str]]:
        return list(self._lists.get((key, language_code), []))

    def resolve(self, key: ScopeKey, language_code: str = "") -> list[dict[str, str]]:
        """What a user would see: the first scope in the fallback chain that has commands."""
        for scope in _fallback_chain(key):
            for language in dict.fromkeys((language_code, "")):
                if (scope, language) in self._lists:
                    return list(self._lists[(scope, language)])
        return []
