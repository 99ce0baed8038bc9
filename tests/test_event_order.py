"""OrderedIsolation: one chat's updates in arrival order, other chats unhindered, idle locks dropped."""

from __future__ import annotations

import asyncio

from aiogram.fsm.storage.base import StorageKey

from bot.delivery.event_order import OrderedIsolation

ANNA = StorageKey(bot_id=1, chat_id=10, user_id=10)
OLEG = StorageKey(bot_id=1, chat_id=20, user_id=20)


async def test_one_chat_in_arrival_order_and_idle_locks_dropped() -> None:
    isolation = OrderedIsolation()
    order: list[str] = []
    gate = asyncio.Event()

    async def handle(key: StorageKey, name: str, wait: bool = False) -> None:
        async with isolation.lock(key):
            order.append(f"{name} in")
            if wait:
                await gate.wait()
            order.append(f"{name} out")

    tasks = [asyncio.create_task(handle(ANNA, "a1", wait=True))]
    tasks += [asyncio.create_task(handle(ANNA, f"a{n}")) for n in range(2, 6)]
    tasks.append(asyncio.create_task(handle(OLEG, "o1")))
    for _ in range(10):
        await asyncio.sleep(0)
    # Oleg's chat went through while Anna's first update still held hers.
    assert order == ["a1 in", "o1 in", "o1 out"]
    assert isolation.chats_in_flight == 1
    gate.set()
    await asyncio.gather(*tasks)
    anna = [step for step in order if step.startswith("a")]
    assert anna == [f"a{n} {side}" for n in range(1, 6) for side in ("in", "out")]
    assert isolation.chats_in_flight == 0


async def test_a_failing_handler_releases_the_chat() -> None:
    isolation = OrderedIsolation()
    try:
        async with isolation.lock(ANNA):
            raise RuntimeError("handler failed")
    except RuntimeError:
        pass
    assert isolation.chats_in_flight == 0
    async with isolation.lock(ANNA):
        assert isolation.chats_in_flight == 1
