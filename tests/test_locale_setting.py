"""LOCALE: "auto" answers each person in their Telegram's language; "ru" or "en" is everyone's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.commands import apply_forced_locale
from bot.config import Settings
from bot.domain import Role
from bot.domain.clock import FrozenClock
from bot.runtime.harness import running_bot
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Person
from storage.repositories import Repositories
from tests.conftest import ADMIN_ID, make_settings
from tg_emulator import BotAPIEmulator


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("auto", "administrator"), ("ru", "администратор"), ("en", "administrator")],
)
async def test_locale_decides_for_an_english_client(
    tmp_path: Path,
    emulator: BotAPIEmulator,
    database_url: str,
    clock: FrozenClock,
    locale: str,
    expected: str,
) -> None:
    settings = make_settings(tmp_path, emulator.base_url, database_url, locale=locale)
    async with running_bot(settings, clock) as app:
        official = emulator.add_user(ADMIN_ID, "Oleg", language_code="en")
        await official.send("/start")
        await official.expect(contains=expected)
        russian = emulator.add_user(ADMIN_ID + 1, "Ирина", language_code="ru")
        await russian.send("/start")
        answer = await russian.expect()
        assert ("Здравствуйте" in (answer.text or "")) == (locale != "en"), answer.text
        async with app.session_factory() as session:
            person = await session.scalar(select(Person).where(Person.telegram_id == ADMIN_ID))
        assert person is not None and person.language == ("en" if locale == "auto" else locale)


async def test_forcing_reaches_people_who_have_not_written_since(tmp_path: Path, database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade(engine)
    async with create_session_factory(engine)() as session:
        repo = Repositories(session)
        await repo.people.add(501, "Official", Role.OFFICIAL, None, None, "en")
        await repo.people.add(502, "Без языка", Role.MEMBER, None, None, None)
        await session.commit()
    settings = Settings(_env_file=None, database_url=database_url, locale="ru")  # type: ignore[call-arg]
    await apply_forced_locale(settings)
    async with create_session_factory(engine)() as session:
        languages = list(await session.scalars(select(Person.language).order_by(Person.telegram_id)))
    await engine.dispose()
    assert languages == ["ru", "ru"]


def test_the_setting_is_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCALE", "RU")
    assert Settings(_env_file=None).forced_locale == "ru"  # type: ignore[call-arg]
    monkeypatch.setenv("LOCALE", "auto")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.forced_locale is None and settings.default_locale == "ru"
