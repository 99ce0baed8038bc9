"""Small helpers the end-to-end tests share."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.config import Settings
from bot.domain import EvidenceKind, ReportStatus
from bot.domain.evidence import EvidenceItem
from tests.conftest import ADMIN_ID, TOKEN
from tg_emulator import BotAPIEmulator, Persona, SentMessage

INVITE_RE = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


async def admin(emulator: BotAPIEmulator) -> Persona:
    """The admin from ADMIN_IDS, having started the bot."""
    persona = emulator.add_user(ADMIN_ID, "Анна", last_name="Админова", username="anna_admin")
    await persona.send("/start")
    await persona.expect(contains="администратор")
    return persona


def invite_code(message: SentMessage) -> str:
    match = INVITE_RE.search(message.text or "")
    assert match, f"no invite link in {message.text!r}"
    return match.group(2)


async def add_org(admin: Persona, name: str, kind_label: str, municipality: str | None) -> SentMessage:
    """Walk the /add_org dialog; returns the organization card the bot shows at the end."""
    await admin.send("/add_org")
    await admin.expect(contains="Введите её полное название")
    await admin.send(name)
    kinds = await admin.expect(contains="Выберите вид организации")
    await admin.click(kinds, kind_label)
    munis = await admin.expect(contains="Выберите муниципалитет")
    if municipality is None:
        await admin.click(munis, "Без муниципалитета")
    else:
        existing = [text for row in munis.buttons for text, _ in row]
        if municipality in existing:
            await admin.click(munis, municipality)
        else:
            await admin.click(munis, "Другой — ввести название")
            await admin.expect(contains="Введите название муниципалитета")
            await admin.send(municipality)
    confirm = await admin.expect(contains="Проверьте данные")
    await admin.click(confirm, "Сохранить")
    return await admin.expect(contains="Организация добавлена")


async def invite_for(admin: Persona, card: SentMessage) -> str:
    await admin.click(card, "Новое приглашение")
    return invite_code(await admin.expect(contains="t.me/"))


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """The bot answers before its unit of work commits; database assertions wait for the commit."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition {check.__qualname__} not met within {timeout} s")
        await asyncio.sleep(0.02)


ROOT = Path(__file__).resolve().parents[1]


def bot_process_env(
    api_url: str, database_url: str, workdir: Path, send_rate: float, **extra: str
) -> dict[str, str]:
    """A `python -m bot` subprocess under test gets the test's settings, none of the shell's."""
    env = dict(os.environ)
    for name in Settings.model_fields:
        env.pop(name.upper(), None)
        env.pop(name, None)
    env.update(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api_url,
        DATABASE_URL=database_url,
        ADMIN_IDS=str(ADMIN_ID),
        SEND_RATE=str(send_rate),
        EVIDENCE_DIR=str(workdir / "evidence"),
        DIGEST_DIR=str(workdir / "digests"),
        SCHEDULER_TICK_SECONDS="3600",
        LOG_LEVEL="INFO",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        # A killed process cannot flush: unbuffered output keeps its last words in the log.
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def proof(status: ReportStatus | None = ReportStatus.DONE) -> list[EvidenceItem]:
    """A link as evidence for a «Выполнено» draft: the resolution's evidence gate asks for one."""
    if status is not ReportStatus.DONE:
        return []
    return [EvidenceItem(EvidenceKind.LINK, url="https://example.org/proof")]
