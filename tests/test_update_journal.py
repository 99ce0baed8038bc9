"""The update journal: an update Telegram considers delivered is handled even if the bot died holding it,
and never twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.delivery.update_journal import MARK_KEPT, MAX_REPLAYS, SWEEP_EVERY, UpdateJournal
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.runtime.harness import running_bot
from bot.runtime.webhook import running_webhook
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import JournaledUpdate, utcnow
from storage.repositories import Repositories
from storage.repositories.journal import UNHANDLED
from tests.conftest import ADMIN_ID, make_settings
from tests.helpers import eventually
from tests.test_webhook import SECRET_HEADER, post
from tg_emulator import BotAPIEmulator

SECRET = "journal_secret-0123456789"


def command(user_id: int, update_id: int, text: str = "/help") -> dict[str, Any]:
    """An update as Telegram sends it: a command from a private chat."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_790_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Анна"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Анна"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def journal_rows(settings: Settings) -> list[JournaledUpdate]:
    """The updates still to be handled (a handled one keeps a marked row for a while)."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            return list(
                await session.scalars(
                    select(JournaledUpdate).where(UNHANDLED).order_by(JournaledUpdate.update_id)
                )
            )
    finally:
        await engine.dispose()


async def left_by_a_dead_run(settings: Settings, *payloads: dict[str, Any], replays: int = 0) -> None:
    """What a bot killed after journaling these updates, and before handling them, leaves behind."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        sessions = create_session_factory(engine)
        await UpdateJournal(sessions).record(list(payloads))
        if replays:
            async with sessions() as session:
                for row in await session.scalars(select(JournaledUpdate)):
                    row.replays = replays
                await session.commit()
    finally:
        await engine.dispose()


@contextmanager
def journal_away_once(journal: UpdateJournal) -> Iterator[list[list[dict[str, Any]]]]:
    """The first write to the journal fails as if the database were unreachable; yields the batches
    that failed."""
    record = journal.record
    failed: list[list[dict[str, Any]]] = []

    async def away_once(
        payloads: list[dict[str, Any]], confirmed_below: int | None = None, *, first: bool = False
    ) -> None:
        if payloads and not failed:
            failed.append(list(payloads))
            raise ConnectionError("database unreachable")
        await record(payloads, confirmed_below, first=first)

    journal.record = away_once  # type: ignore[method-assign]
    try:
        yield failed
    finally:
        journal.record = record  # type: ignore[method-assign]


async def test_updates_left_by_a_crash_are_handled_once_at_the_next_start(
    emulator: BotAPIEmulator, settings: Settings, clock: FrozenClock
) -> None:
    anna = emulator.add_user(ADMIN_ID, "Анна", started=True)
    help_, orgs = command(ADMIN_ID, 500_001, "/help"), command(ADMIN_ID, 500_002, "/orgs")
    await left_by_a_dead_run(settings, help_, orgs)

    async with running_bot(settings, clock):
        await anna.expect(contains="/import_orgs", timeout=10)  # the admin's /help
        await anna.expect(contains="найдено:", timeout=10)
    assert await journal_rows(settings) == []

    # A second start finds nothing to do again.
    async with running_bot(settings, clock):
        await anna.send("/start")
        await anna.expect(contains="администратор", timeout=10)
    helps = [m for m in anna.messages if "/import_orgs" in (m.text or "")]
    assert len(helps) == 1, [m.text for m in anna.messages]


async def test_a_batch_telegram_sends_again_after_a_crash_is_not_handled_twice(
    emulator: BotAPIEmulator, settings: Settings, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The bot handles a batch and dies before its next getUpdates reaches Telegram: the next run gets the
    batch again, and the handled mark keeps it from being handled a second time."""
    anna = emulator.add_user(ADMIN_ID, "Анна", started=True)

    def confirmation_lost(method: str, params: dict[str, Any]) -> None:
        if method.lower() == "getupdates" and params.get("offset"):
            raise ConnectionResetError("the bot died before Telegram got this")

    async with running_bot(settings, clock):
        emulator.on_request = confirmation_lost
        await anna.send("/orgs")
        await anna.expect(contains="найдено:", timeout=10)
    emulator.on_request = None
    assert emulator.pending_updates == 1  # never confirmed: Telegram sends it again

    with caplog.at_level(logging.INFO, logger="bot.telegram.middlewares.unit_of_work"):
        async with running_bot(settings, clock):
            await anna.send("/help")
            await anna.expect(contains="/import_orgs", timeout=10)
            assert emulator.pending_updates == 0
    listings = [m for m in anna.messages if "найдено:" in (m.text or "")]
    assert len(listings) == 1, [m.text for m in anna.messages]
    assert await journal_rows(settings) == []
    # Known at once from the journal, before any handler ran (not only refused at a commit).
    assert any("sent again by Telegram, handled already" in r.getMessage() for r in caplog.records)


async def test_a_webhook_call_telegram_makes_again_is_not_handled_twice(
    emulator: BotAPIEmulator,
    tmp_path: Any,
    database_url: str,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Telegram posts an update again when it got no 200 in time, though the bot may have handled it."""
    settings = make_settings(tmp_path, emulator.base_url, database_url, webhook_secret=SECRET)
    anna = emulator.add_user(ADMIN_ID, "Анна", started=True)
    async with running_webhook(settings, clock) as (_runtime, server):
        url = f"{server.local_url}{settings.webhook_path}"
        orgs = command(ADMIN_ID, 800_001, "/orgs")
        assert await post(url, orgs, {SECRET_HEADER: SECRET}) == 200
        await anna.expect(contains="найдено:", timeout=10)
        with caplog.at_level(logging.INFO, logger="bot.telegram.middlewares.unit_of_work"):
            assert await post(url, orgs, {SECRET_HEADER: SECRET}) == 200
            assert await post(url, command(ADMIN_ID, 800_002, "/help"), {SECRET_HEADER: SECRET}) == 200
            await anna.expect(contains="/import_orgs", timeout=10)
    assert len([m for m in anna.messages if "найдено:" in (m.text or "")]) == 1
    assert any("800001: sent again by Telegram, handled already" in r.getMessage() for r in caplog.records)


async def test_polling_drops_the_marks_below_each_answered_offset(
    emulator: BotAPIEmulator, app: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SWEEP_EVERY, "confirmed", 0.0)
    anna = emulator.add_user(ADMIN_ID, "Анна", started=True)

    async def marks() -> list[int]:
        async with app.session_factory() as session:
            rows = await session.scalars(select(JournaledUpdate).order_by(JournaledUpdate.update_id))
            return [row.update_id for row in rows if row.handled_at is not None]

    await anna.send("/help")
    await anna.expect(contains="/import_orgs", timeout=10)
    await eventually(lambda: _equals(marks(), 1))
    [help_mark] = await marks()
    # The getUpdates that brought /orgs carried the offset past /help: Telegram will not send it again.
    await anna.send("/orgs")
    await anna.expect(contains="найдено:", timeout=10)
    await eventually(lambda: _equals(marks(), 1, above=help_mark))


async def _equals(marks: Awaitable[list[int]], count: int, above: int = 0) -> bool:
    found = await marks
    return len(found) == count and all(mark > above for mark in found)


async def test_handled_marks_go_once_telegram_cannot_send_their_updates_again(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        sessions = create_session_factory(engine)
        journal = UpdateJournal(sessions)
        await journal.record([command(ADMIN_ID, n) for n in (10, 11, 12)])
        async with sessions() as session:
            repo = Repositories(session).journal
            assert await repo.take(10) and await repo.take(12)
            assert not await repo.take(10)  # handled once
            await session.commit()
        # Telegram sends them again: nothing is to be handled anew.
        await journal.record([command(ADMIN_ID, n) for n in (10, 11, 12)])
        async with sessions() as session:
            repo = Repositories(session).journal
            # One at a time (a webhook call), the insert itself tells a new update from one sent again.
            assert not await repo.record_one(command(ADMIN_ID, 10))
            assert await repo.record_one(command(ADMIN_ID, 9)) and await repo.take(9)
            await session.commit()
        async with sessions() as session:
            assert [row.update_id for row in await Repositories(session).journal.pending()] == [11]
        # A getUpdates with offset 12 was answered: the mark of 10 goes, 11 (not handled) and 12 stay.
        await journal.record([], confirmed_below=12)
        async with sessions() as session:
            rows = await session.scalars(select(JournaledUpdate).order_by(JournaledUpdate.update_id))
            assert [(row.update_id, row.handled_at is not None) for row in rows] == [(11, False), (12, True)]
            # Webhook mode has no offset: a mark goes after the 24 hours Telegram keeps an update.
            await Repositories(session).journal.forget_handled_before(utcnow() - MARK_KEPT)
            await session.commit()
            assert await session.get(JournaledUpdate, 12) is not None
            await Repositories(session).journal.forget_handled_before(utcnow() + dt.timedelta(seconds=1))
            await session.commit()
            rows = await session.scalars(select(JournaledUpdate.update_id))
            assert list(rows) == [11]
    finally:
        await engine.dispose()


async def test_two_replays_at_once_handle_an_update_once(
    emulator: BotAPIEmulator, settings: Settings, clock: FrozenClock
) -> None:
    """Two processes starting together (or one replaying what another is handling) answer once."""
    anna = emulator.add_user(ADMIN_ID, "Анна", started=True)
    async with running_bot(settings, clock) as runtime:
        await UpdateJournal(runtime.session_factory).record([command(ADMIN_ID, 600_001, "/orgs")])
        first = runtime.journal.replay(runtime.dp, runtime.bot)
        second = runtime.journal.replay(runtime.dp, runtime.bot)
        await asyncio.gather(first, second)
        await anna.expect(contains="найдено:", timeout=10)
        await anna.send("/help")
        await anna.expect(contains="/import_orgs", timeout=10)
    listings = [m for m in anna.messages if "найдено:" in (m.text or "")]
    assert len(listings) == 1, [m.text for m in anna.messages]
    assert await journal_rows(settings) == []


async def test_an_update_that_keeps_killing_the_bot_is_given_up(
    emulator: BotAPIEmulator, settings: Settings, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    anna = emulator.add_user(ADMIN_ID, "Анна", started=True)
    await left_by_a_dead_run(settings, command(ADMIN_ID, 700_001, "/orgs"), replays=MAX_REPLAYS)
    with caplog.at_level(logging.ERROR, logger="bot.delivery.update_journal"):
        async with running_bot(settings, clock):
            await anna.send("/help")
            await anna.expect(contains="/import_orgs", timeout=10)
    assert not [m for m in anna.messages if "найдено:" in (m.text or "")]
    assert any("700001 given up" in r.getMessage() for r in caplog.records)
    assert await journal_rows(settings) == []


async def test_polling_asks_again_for_updates_it_could_not_journal(
    emulator: BotAPIEmulator, app: Runtime
) -> None:
    """While the journal cannot be written, the batch stays unconfirmed and comes again."""
    anna = emulator.add_user(ADMIN_ID, "Анна", started=True)
    with journal_away_once(app.journal) as failed:
        await anna.send("/orgs")
        await anna.expect(contains="найдено:", timeout=15)
    assert [len(batch) for batch in failed] == [1]
    assert len([m for m in anna.messages if "найдено:" in (m.text or "")]) == 1

    async def journal_empty() -> bool:
        async with app.session_factory() as session:
            return not list(await session.scalars(select(JournaledUpdate).where(UNHANDLED)))

    await eventually(journal_empty)


async def test_webhook_journals_before_it_answers_and_refuses_when_it_cannot(
    emulator: BotAPIEmulator, tmp_path: Any, database_url: str, clock: FrozenClock
) -> None:
    settings = make_settings(tmp_path, emulator.base_url, database_url, webhook_secret=SECRET)
    anna = emulator.add_user(ADMIN_ID, "Анна", started=True)
    async with running_webhook(settings, clock) as (runtime, _server):
        with journal_away_once(runtime.journal) as failed:
            # The emulator, like Telegram, posts the update again after the 503.
            await anna.send("/orgs")
            await anna.expect(contains="найдено:", timeout=15)
        assert len(failed) == 1
        assert len([m for m in anna.messages if "найдено:" in (m.text or "")]) == 1
    assert await journal_rows(settings) == []
