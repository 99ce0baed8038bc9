"""Direct answers at Telegram's real limits: 40 people open their invitation links at once, against an
emulator that allows 30 messages/s overall and one a second per chat, while each joining queues five
catch-up messages for the outbox. Nobody is left without the «Готово», and it comes first in each chat."""

from __future__ import annotations

import asyncio
import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any, cast

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage, TelegramMethod

from bot.delivery.rate_limit import SendLimiter
from bot.domain import InviteKind, OrgKind
from bot.runtime.harness import running_bot
from bot.services.invitations import InvitationService
from bot.services.publication import PublicationService
from bot.services.seed import seed_org, seed_resolution
from bot.telegram.middlewares.retry import RetryMiddleware
from storage.repositories import Repositories
from tests.conftest import ADMIN_ID, BOT_USERNAME, TOKEN, make_settings
from tests.helpers import eventually
from tg_emulator import BotAPIEmulator

SAMPLE_2021 = resources.files("bot.samples").joinpath("smolensk-2021-forum.md").read_bytes()
PEOPLE = 40
CATCH_UP = 5  # the 2021 resolution: an introduction and four recommendations to each institution
FIRST_ID = 50_000


async def test_forty_people_joining_at_once_all_get_their_confirmation_first(
    tmp_path: Path, database_url: str
) -> None:
    async with BotAPIEmulator(
        token=TOKEN, bot_username=BOT_USERNAME, rate_limit=30, per_chat_rate=1
    ) as emulator:
        settings = make_settings(tmp_path, emulator.base_url, database_url, send_rate=30.0)
        async with running_bot(settings) as app:
            now = dt.datetime.now(dt.UTC)
            codes = []
            async with app.session_factory() as session:
                repo = Repositories(session)
                invitations = InvitationService(
                    repo, settings.invite_ttl_days, PublicationService(repo, app.renderer)
                )
                for i in range(PEOPLE):
                    seeded = await seed_org(repo, f"ДДТ №{i}", OrgKind.INSTITUTION, "Район")
                    invite = await invitations.create(InviteKind.MEMBER, ADMIN_ID, now, seeded.org.id)
                    codes.append(invite.code)
                resolution = await seed_resolution(repo, SAMPLE_2021, "smolensk-2021.md")
                await PublicationService(repo, app.renderer).publish(resolution.id, ADMIN_ID, now)
                await session.commit()
            people = [emulator.add_user(FIRST_ID + i, f"Директор {i}") for i in range(PEOPLE)]
            # Telegram may keep refusing for a while (flood control): more 429s in a row than any fixed
            # number of retries would survive.
            emulator.fail_next("sendMessage", status=429, count=8, retry_after=1)

            await asyncio.gather(*(p.send(f"/start {code}") for p, code in zip(people, codes, strict=True)))

            async def everyone_has_everything() -> bool:
                return all(len(p.messages) >= 1 + CATCH_UP for p in people)

            await eventually(everyone_has_everything, timeout=90)
        for person in people:
            texts = [m.text or "" for m in person.messages]
            assert len(texts) == 1 + CATCH_UP, (person, texts)
            assert texts[0].startswith("Готово!"), (person, texts)
            assert not any("Готово!" in text for text in texts[1:]), (person, texts)
            assert not any("уже использовано" in text or "уже использована" in text for text in texts)
        assert emulator.duplicates() == 0
        assert emulator.stats.rate_limited >= 8


class Refusing:
    """A Bot API that answers 429 `times` times, then accepts."""

    def __init__(self, times: int, retry_after: int) -> None:
        self.times = times
        self.retry_after = retry_after
        self.calls = 0

    async def __call__(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        self.calls += 1
        if self.calls <= self.times:
            raise TelegramRetryAfter(method, "Too Many Requests", self.retry_after)
        return "sent"


async def test_a_reply_waits_out_any_number_of_429s_within_its_patience() -> None:
    limiter = SendLimiter(rate=1000, per_chat_interval=1.0)
    method = SendMessage(chat_id=42, text="Готово!")
    # retry_after 0 keeps the test instant; the count is what the old four-attempt limit failed on.
    api = Refusing(times=10, retry_after=0)
    assert await RetryMiddleware(limiter)(api, cast(Bot, None), method) == "sent"
    assert api.calls == 11
    # The chat just answered waits its interval before the outbox sends it anything.
    assert limiter.chat_wait(42) > 0.9

    # A wait that would end past the patience goes up as the error instead of waiting for ever.
    impatient = RetryMiddleware(limiter, patience=5.0)
    refusing = Refusing(times=1, retry_after=10)
    with pytest.raises(TelegramRetryAfter):
        await impatient(refusing, cast(Bot, None), method)
    assert refusing.calls == 1


async def test_the_outbox_holds_a_chat_back_while_a_reply_is_on_its_way() -> None:
    limiter = SendLimiter(rate=1000, per_chat_interval=0.0)
    assert limiter.chat_wait(7) == 0.0
    with limiter.answering(7):
        assert limiter.chat_wait(7) > 0
        assert 7 in limiter.waiting_chats()
        assert limiter.chat_wait(8) == 0.0
    assert limiter.chat_wait(7) == 0.0
    assert limiter.waiting_chats() == {}
