"""The start-up heap is set aside from Python's garbage collector, once per process.

What start-up builds — modules, classes, SQLAlchemy's mappers and compiled statements, aiogram's and
pydantic's models of the whole Bot API — lives as long as the process, and is most of the heap. Python's
full (oldest-generation) collection walks every tracked object each time, so under load each one took
0.1–0.25 s of the event loop, every second or two: about a fifth of the CPU of a busy bot, and its worst
latencies (bench/updates.py). `gc.freeze()` moves the objects alive at that moment to a generation the
collector never walks; what the bot makes afterwards is collected as before. No full collection comes
first: it would cost that much once more at every start, and the garbage it would free is the small
remainder of imports, kept instead.
"""

from __future__ import annotations

import gc

_settled = False


def settle() -> None:
    """Freezes the heap as it is after start-up; later calls (another Runtime in the same process, as in
    the tests) leave what came since to the collector."""
    global _settled
    if not _settled:
        gc.freeze()
        _settled = True
