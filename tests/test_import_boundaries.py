"""What a module pulls in when imported, checked in a fresh interpreter.

Issue 11: the document stack (matplotlib, XlsxWriter, python-docx) loads with the first document, not
at start-up. Issue 10: the use cases that send messages know nothing of the Bot API library, the views,
the handlers or the scheduler.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT_STACK = ("matplotlib", "xlsxwriter", "docx")
STARTUP = (
    "bot.composition",
    "bot.runtime.app",
    "bot.cli.commands",
    "handlers",
    "scheduler.jobs",
    "scheduler.service",
    "bot.services.publication",
    "bot.services.reminders",
    "bot.services.digests",
)
MESSAGE_SERVICES = (
    "bot.services",
    "bot.services.publication",
    "bot.services.reminders",
    "bot.services.digests",
)


def loaded_after_importing(*modules: str) -> set[str]:
    """Top-level package and full names of every module loaded by importing `modules`, in that order."""
    code = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "print('\\n'.join(sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    names = set(result.stdout.split())
    return names | {name.split(".")[0] for name in names}


def test_start_up_does_not_load_the_document_stack() -> None:
    loaded = loaded_after_importing(*STARTUP)
    assert "bot.composition" in loaded and "handlers" in loaded
    assert [name for name in DOCUMENT_STACK if name in loaded] == []


def test_the_first_document_loads_it() -> None:
    # The check above would pass vacuously if the names were wrong: making documents does load them.
    loaded = loaded_after_importing("bot.documents.chart", "bot.documents.xlsx", "bot.parsing")
    assert {"matplotlib", "xlsxwriter"} <= loaded
    assert "docx" not in loaded  # only reading a Word file needs python-docx


def test_message_services_know_nothing_of_telegram_or_the_scheduler() -> None:
    loaded = loaded_after_importing(*MESSAGE_SERVICES)
    assert "bot.services.intents" in loaded
    assert {"aiogram", "handlers", "scheduler", "apscheduler.schedulers"} & loaded == set()
    assert [
        name for name in loaded if name.startswith(("bot.telegram.views", "bot.telegram.callbacks"))
    ] == []
