"""Run the real bot in this process against any Bot API (the emulator in tests, the demo, the benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from bot.config import Settings
from bot.domain.clock import Clock
from bot.runtime.app import Runtime


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, clock: Clock | None = None, *, menus: bool = True
) -> AsyncIterator[Runtime]:
    """The same Runtime as `python -m bot`, polling in a background task until the block ends. Start-up's
    menu refresh runs beside polling; with `menus` the block starts once it is through."""
    async with Runtime(settings, clock=clock) as runtime:
        polling = asyncio.create_task(runtime.run_polling(handle_signals=False), name="polling")
        try:
            # Until polling runs there is nothing to stop: leaving earlier would leave it running.
            ready = runtime.menus.done if menus else runtime.started
            started = asyncio.create_task(ready.wait())
            await asyncio.wait({started, polling}, return_when=asyncio.FIRST_COMPLETED)
            started.cancel()
            if polling.done():
                polling.result()  # raises what stopped it
            yield runtime
        finally:
            if not polling.done():
                with contextlib.suppress(RuntimeError):
                    await runtime.dp.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(polling, timeout=10)
