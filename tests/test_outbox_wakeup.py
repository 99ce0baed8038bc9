"""The outbox pump never sleeps through a poke (bot/delivery/outbox_pump.py)."""

from __future__ import annotations

import asyncio

import pytest

from bot.delivery import outbox_pump
from bot.runtime.app import Runtime
from storage.repositories import Repositories
from tg_emulator import BotAPIEmulator


async def test_rows_committed_while_the_pump_looks_go_out_at_once(
    emulator: BotAPIEmulator, app: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit of work commits new rows and pokes just after the pump's query found none: the poke must
    cut the idle wait short (it used to be cleared as the wait began, and the rows waited for it)."""
    monkeypatch.setattr(outbox_pump, "IDLE_WAIT", 3600.0)
    ira = emulator.add_user(5555, "Ира", started=True)
    looked, go_on = asyncio.Event(), asyncio.Event()
    claim = app.pump._claim

    async def claim_then_hold() -> int:
        claimed = await claim()
        if not looked.is_set():
            looked.set()
            await go_on.wait()
        return claimed

    monkeypatch.setattr(app.pump, "_claim", claim_then_hold)
    app.pump.poke()
    await looked.wait()  # the round has found nothing and not yet gone to sleep
    async with app.session_factory() as session:
        row = {
            "dedup_key": "wake",
            "chat_id": ira.user_id,
            "method": "sendMessage",
            "payload": {"text": "Пора"},
        }
        await Repositories(session).outbox.enqueue([row])
        await session.commit()
    app.pump.poke()
    go_on.set()
    await ira.expect(contains="Пора", timeout=10)  # an hour's idle wait otherwise
