"""Start-up's menu refresh: after polling starts, in the background, only to chats whose menu changed,
and without asking again the chats Telegram refuses (tg_emulator records setMyCommands and
setChatMenuButton per chat)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.config import Settings
from bot.domain import OrgKind, Role
from bot.domain.clock import FrozenClock
from bot.runtime.harness import running_bot
from bot.telegram.menus import MENUS, MUNICIPAL_MENU
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Organization, Person
from tests.conftest import ADMIN_ID, START, make_settings
from tg_emulator import BotAPIEmulator

WEBAPP_URL = "https://dashboard.example.org/app"
MENU_METHODS = ("setMyCommands", "deleteMyCommands", "setChatMenuButton")
OFFICIALS = list(range(7001, 7006))


async def seed_people(settings: Settings, officials: Iterable[int], members: Iterable[int] = ()) -> None:
    """Officials, and members of one school; ADMIN_ID is a person too."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            school = Organization(name="Школа № 1", kind=OrgKind.INSTITUTION, municipality="Вязьма")
            school.dedup_key = "школа № 1|вязьма"
            session.add(school)
            await session.flush()
            session.add(Person(telegram_id=ADMIN_ID, full_name="Анна", role=Role.ADMIN))
            for tid in officials:
                session.add(Person(telegram_id=tid, full_name=f"Сотрудник {tid}", role=Role.OFFICIAL))
            for tid in members:
                session.add(
                    Person(
                        telegram_id=tid,
                        full_name=f"Учитель {tid}",
                        role=Role.MEMBER,
                        organization_id=school.id,
                    )
                )
            await session.commit()
    finally:
        await engine.dispose()


async def change_db(settings: Settings, *statements: Any) -> None:
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            for statement in statements:
                await session.execute(statement)
            await session.commit()
    finally:
        await engine.dispose()


class RequestLog:
    """Every Bot API call in order, with the chat a menu call was for."""

    def __init__(self, emulator: BotAPIEmulator) -> None:
        self.calls: list[tuple[str, int | None]] = []
        self.refuse: dict[int, tuple[int, str]] = {}
        self.emulator = emulator
        emulator.on_request = self

    def __call__(self, method: str, params: dict[str, Any]) -> None:
        chat = menu_chat(params)
        self.calls.append((method, chat))
        if method in MENU_METHODS and chat in self.refuse:
            status, description = self.refuse[chat]
            self.emulator.fail_next(method, status, description=description)

    def menu_calls(self) -> list[tuple[str, int | None]]:
        return [(m, chat) for m, chat in self.calls if m in MENU_METHODS]

    def clear(self) -> None:
        self.calls.clear()


def menu_chat(params: dict[str, Any]) -> int | None:
    if "chat_id" in params:
        return int(params["chat_id"])
    scope = params.get("scope")
    scope = json.loads(scope) if isinstance(scope, str) else scope
    return int(scope["chat_id"]) if isinstance(scope, dict) and "chat_id" in scope else None


def menu(emulator: BotAPIEmulator, chat_id: int) -> list[str]:
    return [c["command"] for c in emulator.commands_for("chat", chat_id=chat_id)]


def add_users(emulator: BotAPIEmulator, ids: Iterable[int]) -> None:
    for tid in ids:
        emulator.add_user(tid, f"Пользователь {tid}")


async def test_a_restart_with_nothing_changed_sends_no_menu_requests(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str
) -> None:
    settings = make_settings(tmp_path, emulator.base_url, database_url, webapp_url=WEBAPP_URL, web_port=0)
    await seed_people(settings, OFFICIALS)
    add_users(emulator, [ADMIN_ID, *OFFICIALS])
    requests = RequestLog(emulator)
    async with running_bot(settings, FrozenClock(START)):
        pass
    # The first start-up after the upgrade: everyone's commands and dashboard button, once.
    first = requests.menu_calls()
    for tid in (ADMIN_ID, *OFFICIALS):
        assert ("setMyCommands", tid) in first
        assert ("setChatMenuButton", tid) in first
        assert emulator.engine.bot_settings[("menu_button", tid)]["type"] == "web_app"
    assert menu(emulator, OFFICIALS[0]) == list(MENUS[Role.OFFICIAL])
    requests.clear()
    async with running_bot(settings, FrozenClock(START)):
        pass
    assert requests.menu_calls() == []
    assert ("getUpdates", None) in requests.calls


async def test_a_change_made_while_the_bot_was_down_is_refreshed_after_the_restart(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str
) -> None:
    settings = make_settings(tmp_path, emulator.base_url, database_url, webapp_url=WEBAPP_URL, web_port=0)
    await seed_people(settings, OFFICIALS, members=[7101])
    add_users(emulator, [ADMIN_ID, *OFFICIALS, 7101])
    requests = RequestLog(emulator)
    async with running_bot(settings, FrozenClock(START)):
        assert menu(emulator, 7101) == list(MENUS[Role.MEMBER])
        assert ("menu_button", 7101) not in emulator.engine.bot_settings
    # While the bot is down: an official becomes a school's member, the school becomes a municipal
    # authority (its member now supervises the municipality), and someone switches to English.
    school_id = select(Organization.id).scalar_subquery()
    await change_db(
        settings,
        update(Person)
        .where(Person.telegram_id == OFFICIALS[0])
        .values(role=Role.MEMBER, organization_id=school_id),
        update(Organization).values(kind=OrgKind.MUNICIPAL),
        update(Person).where(Person.telegram_id == OFFICIALS[1]).values(language="en"),
    )
    requests.clear()
    async with running_bot(settings, FrozenClock(START)):
        assert menu(emulator, OFFICIALS[0]) == list(MUNICIPAL_MENU)
        assert menu(emulator, 7101) == list(MUNICIPAL_MENU)
        assert emulator.engine.bot_settings[("menu_button", 7101)]["type"] == "web_app"
        english = emulator.commands_for("chat", chat_id=OFFICIALS[1])
        russian = emulator.commands_for("chat", chat_id=OFFICIALS[2])
        assert [c["command"] for c in english] == [c["command"] for c in russian]
        assert [c["description"] for c in english] != [c["description"] for c in russian]
    changed = {chat for _, chat in requests.menu_calls()}
    assert changed == {OFFICIALS[0], OFFICIALS[1], 7101}
    # The official's button was already the dashboard: only the commands went to them.
    assert ("setChatMenuButton", OFFICIALS[0]) not in requests.menu_calls()
    assert ("setChatMenuButton", 7101) in requests.menu_calls()


async def test_polling_starts_before_the_menu_refresh(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str
) -> None:
    many = list(range(20001, 20151))
    settings = make_settings(tmp_path, emulator.base_url, database_url)
    await seed_people(settings, many)
    add_users(emulator, [ADMIN_ID, *many])
    requests = RequestLog(emulator)
    async with running_bot(settings, FrozenClock(START), menus=False) as runtime:
        await runtime.menus.done.wait()
    methods = [m for m, _ in requests.calls]
    first_poll = methods.index("getUpdates")
    menu_indexes = [i for i, m in enumerate(methods) if m in MENU_METHODS]
    assert len(menu_indexes) == len(many) + 2  # everyone, ADMIN_ID, and the default scope
    assert first_poll < menu_indexes[0]
    assert all(menu(emulator, tid) == list(MENUS[Role.OFFICIAL]) for tid in many)


async def test_blocked_and_unknown_chats_are_skipped_without_a_warning_storm(
    tmp_path: Path, emulator: BotAPIEmulator, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    blocked, unknown = OFFICIALS[:2], OFFICIALS[2:4]
    settings = make_settings(tmp_path, emulator.base_url, database_url)
    await seed_people(settings, OFFICIALS)
    add_users(emulator, [ADMIN_ID, *blocked, OFFICIALS[4]])  # `unknown` never started the bot
    requests = RequestLog(emulator)
    for tid in blocked:
        requests.refuse[tid] = (403, "Forbidden: bot was blocked by the user")
    caplog.set_level(logging.INFO, logger="bot")
    async with running_bot(settings, FrozenClock(START)):
        pass
    assert menu(emulator, OFFICIALS[4]) == list(MENUS[Role.OFFICIAL])
    refused = [(m, c) for m, c in requests.menu_calls() if c in (*blocked, *unknown)]
    assert sorted(c for _, c in refused) == sorted((*blocked, *unknown))  # each asked once, not retried
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("bot.")]
    assert warnings == []
    summary = [r.getMessage() for r in caplog.records if r.getMessage().startswith("menus:")]
    assert summary == ["menus: 2 chats refreshed, 4 skipped as unreachable (blocked or not found), 0 failed"]
    # Marked unreachable: the next start-up does not ask again.
    requests.clear()
    async with running_bot(settings, FrozenClock(START)):
        pass
    assert requests.menu_calls() == []
