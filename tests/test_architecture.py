"""The shape of the code is part of the design: these rules keep it readable for the next newcomer.

The import rules between layers are import-linter's (contracts in pyproject.toml, `lint-imports` in CI);
these are the rules it cannot state. Tests are code too: a journey through the bot is told as named steps.
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage", "scheduler", "tg_emulator", "bench", "tests")
MAX_FUNCTION_LINES = 60
# Cyclomatic complexity grades: A–C are fine, D (21+) means a function does several things at once.
WORST_GRADE = "C"
MAX_BOT_ROOT_MODULES = 8


def _sources(*, emulator: bool = True) -> list[Path]:
    found = []
    for package in PACKAGES:
        if package == "tg_emulator" and not emulator:
            continue
        found += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return sorted(found)


def test_no_function_is_longer_than_a_screen() -> None:
    long = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert not long, "split these functions:\n" + "\n".join(long)


def test_no_block_is_too_complex() -> None:
    complex_blocks = []
    for path in _sources(emulator=False):
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if cc_rank(block.complexity) > WORST_GRADE:
                complex_blocks.append(
                    f"{path.relative_to(ROOT)}:{block.lineno} {block.fullname} "
                    f"({cc_rank(block.complexity)}, {block.complexity})"
                )
    assert not complex_blocks, "simplify these blocks:\n" + "\n".join(complex_blocks)


def test_bot_root_keeps_only_entry_point_cli_settings_and_composition_root() -> None:
    modules = sorted(p.name for p in (ROOT / "bot").glob("*.py"))
    assert len(modules) <= MAX_BOT_ROOT_MODULES, modules


@pytest.mark.parametrize(
    "package",
    ["domain", "services", "delivery", "documents", "parsing", "texts", "telegram", "runtime", "cli"],
)
def test_every_bot_subpackage_says_what_it_owns(package: str) -> None:
    init = ROOT / "bot" / package / "__init__.py"
    docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert docstring, f"bot/{package}/__init__.py needs a docstring saying what the package owns"


def test_the_emulator_is_not_part_of_the_bot_package() -> None:
    assert not (ROOT / "bot" / "emulator").exists()
    assert (ROOT / "tg_emulator" / "README.md").is_file()


def test_aiogram_is_pinned_to_the_minor_version_whose_private_names_the_webhook_uses() -> None:
    """bot/runtime/webhook.py extends aiogram's SimpleRequestHandler through private names. They are not
    part of aiogram's API, so the dependency is pinned to one minor version, and this test fails loudly
    (rather than the webhook failing in production) when an upgrade renames them."""
    from aiogram.webhook.aiohttp_server import BaseRequestHandler, SimpleRequestHandler

    version = importlib.metadata.version("aiogram")
    assert version.startswith("3.31."), f"aiogram {version}: re-check the private names below, then re-pin"
    background = inspect.signature(SimpleRequestHandler._handle_request_background)
    assert list(background.parameters) == ["self", "bot", "request"]
    feed = inspect.signature(BaseRequestHandler._background_feed_update)
    assert list(feed.parameters) == ["self", "bot", "update"]
    # bot/composition.py (run_filters_on_loop) reaches an observer's own filters through `_handler`.
    from aiogram.dispatcher.event.handler import HandlerObject
    from aiogram.dispatcher.event.telegram import TelegramEventObserver

    assert isinstance(TelegramEventObserver(router=object(), event_name="x")._handler, HandlerObject)  # type: ignore[arg-type]
    handler = SimpleRequestHandler.__new__(SimpleRequestHandler)
    BaseRequestHandler.__init__(handler, dispatcher=object(), handle_in_background=True)  # type: ignore[arg-type]
    assert isinstance(handler._background_feed_update_tasks, set)
