"""Start-up's heap is frozen once per process (bot/runtime/heap.py)."""

from __future__ import annotations

import gc

from bot.runtime import heap
from bot.runtime.app import Runtime


async def test_a_started_bot_has_set_its_start_up_heap_aside(app: Runtime) -> None:
    assert app.started.is_set()
    assert gc.get_freeze_count() > 0


def test_what_comes_after_the_first_start_is_left_to_the_collector() -> None:
    heap.settle()
    frozen = gc.get_freeze_count()
    later = [[object()] for _ in range(1000)]  # made after the first start
    heap.settle()  # a second Runtime in the same process
    assert gc.get_freeze_count() == frozen  # the new lists stay with the collector
    assert len(later) == 1000
