"""A real crash in the middle of an update: `python -m bot` SIGKILLed while it handles a command, then
started again, answers that command once.

To stop the bot at that exact point, a trigger makes PostgreSQL sleep in the update's first statement
(marking it handled in the journal): the update has been received and journaled, Telegram has been told, and
nothing of its handling is committed. The dead client's session is then ended and the trigger dropped.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from storage.db import create_engine
from storage.migrate import upgrade
from storage.models import JournaledUpdate
from storage.repositories.journal import UNHANDLED
from tests.conftest import ADMIN_ID, BOT_USERNAME, TOKEN
from tests.helpers import bot_process_env
from tests.processes import TIMEOUT, bot_process, fresh_database, polling, until
from tg_emulator import BotAPIEmulator

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

HOLD_DELETES = (
    """CREATE FUNCTION hold_journal_take() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN PERFORM pg_sleep(600); RETURN NEW; END $$""",
    """CREATE TRIGGER hold_journal_take BEFORE UPDATE ON update_journal
       FOR EACH ROW EXECUTE FUNCTION hold_journal_take()""",
)
HELD = (
    "datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()"
    " AND query LIKE '%UPDATE update_journal SET handled_at%'"
)


async def test_a_command_in_hand_when_the_bot_is_killed_is_answered_once_after_restart(
    tmp_path: Path,
) -> None:
    async with fresh_database() as url, BotAPIEmulator(token=TOKEN, bot_username=BOT_USERNAME) as emulator:
        engine = create_engine(url)
        try:
            await upgrade(engine)
            async with engine.begin() as conn:
                for statement in HOLD_DELETES:
                    await conn.execute(text(statement))
            anna = emulator.add_user(ADMIN_ID, "Анна", started=True)
            env = bot_process_env(emulator.base_url, url, tmp_path, send_rate=30.0)

            async with bot_process(env, tmp_path, "first") as first:
                await polling(emulator, first)
                await anna.send("/orgs")

                async def held() -> bool:
                    async with engine.connect() as conn:
                        return bool(
                            await conn.scalar(text(f"SELECT count(*) FROM pg_stat_activity WHERE {HELD}"))
                        )

                await until(held, "the bot to be inside the update", first)
                first.process.kill()
                await first.process.wait()

            # The killed client's session would sleep on, holding the row: end it, let the marks through.
            async with engine.begin() as conn:
                await conn.execute(
                    text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {HELD}")
                )
                await conn.execute(text("DROP TRIGGER hold_journal_take ON update_journal"))
            async with engine.connect() as conn:
                assert (
                    await conn.scalar(select(func.count()).select_from(JournaledUpdate).where(UNHANDLED)) == 1
                )
            assert not [m for m in anna.messages if "найдено:" in (m.text or "")]

            async with bot_process(env, tmp_path, "second") as second:
                await anna.expect(contains="найдено:", timeout=TIMEOUT)
                await polling(emulator, second)
                await second.stop(signal.SIGTERM)
                assert "handled again, an earlier run stopped before finishing it" in second.output()

            assert len([m for m in anna.messages if "найдено:" in (m.text or "")]) == 1
            async with engine.connect() as conn:
                assert (
                    await conn.scalar(select(func.count()).select_from(JournaledUpdate).where(UNHANDLED)) == 0
                )
        finally:
            await engine.dispose()
