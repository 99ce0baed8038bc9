"""Start-up's menu refresh: in the background, after updates are being received, at a modest share of
the send rate, and only to chats whose menu no longer matches what was last set (see MenuLedger).

Menus are per chat and survive restarts on Telegram's side, so a restart with nothing changed sends
nothing; a role, organization, language or WEBAPP_URL changed while the bot was down changes the
chat's digest, and that chat alone is refreshed. A chat Telegram refuses (blocked the bot: 403; chat
not found: 400) is skipped, marked unreachable so the next start-up does not ask again, and counted in
one summary line instead of a warning each.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.rate_limit import SendLimiter, TokenBucket
from bot.domain import Role
from bot.domain.clock import Clock
from bot.domain.scope import ViewScope, view_scope
from bot.services.roles import effective_role
from bot.telegram.menus import (
    DEFAULT_BUTTON,
    NO_COMMANDS,
    MenuLedger,
    commands_digest,
    commands_for,
    plan_for,
    send_commands,
    set_default_menu,
)
from bot.texts.i18n import translator
from storage.repositories import Repositories

log = logging.getLogger(__name__)

# The refresh's share of SEND_RATE: answers and the outbox keep the rest while it runs.
MENU_SHARE = 0.2
# Polling's first getUpdates (or the webhook's registration) goes out before the first menu request.
START_DELAY = 0.1
# The ledger's key for the default scope's commands (no chat has id 0).
DEFAULT_SCOPE = 0


@dataclass(frozen=True)
class MenuChat:
    chat_id: int
    role: Role | None
    scope: ViewScope | None
    locale: str | None
    is_person: bool = True


@dataclass
class SyncTally:
    refreshed: int = 0
    failed: int = 0
    unreachable: list[int] = field(default_factory=list)


class MenuSync:
    """`run` is the background task; `done` is set when it has been through every chat (or stopped)."""

    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        limiter: SendLimiter,
        clock: Clock,
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        self.settings = settings
        self.limiter = limiter
        self.clock = clock
        self.ledger = MenuLedger(session_factory)
        self.share = TokenBucket(max(1.0, settings.send_rate * MENU_SHARE), burst=1.0)
        self.done = asyncio.Event()
        self._started_sending = False

    async def _paced(self) -> None:
        if not self._started_sending:
            # Polling's first getUpdates (or the webhook's first update) goes before the first menu.
            self._started_sending = True
            await asyncio.sleep(START_DELAY)
        # Its own share first, then a token of the bucket everything else this process sends takes.
        await self.share.acquire()
        await self.limiter.acquire()

    async def run(self, ready: asyncio.Event | None = None) -> None:
        try:
            if ready is not None:
                await ready.wait()
            chats, ledger = await self.chats(), await self.ledger.load()
            await self._default_menu(ledger)
            tally = await self.sync(chats, ledger)
            await self._mark_unreachable(tally.unreachable)
            if tally.refreshed or tally.failed or tally.unreachable:
                log.info(
                    "menus: %d chats refreshed, %d skipped as unreachable (blocked or not found), %d failed",
                    tally.refreshed,
                    len(tally.unreachable),
                    tally.failed,
                )
        except Exception:
            # Menus are a convenience: a database hiccup here must not take the bot down; what was not
            # refreshed is found different again at the next start-up.
            log.exception("the menu refresh stopped")
        finally:
            self.done.set()

    async def _default_menu(self, ledger: dict[int, tuple[str, str]]) -> None:
        """Everyone else's commands (BotCommandScopeDefault), kept in the ledger as chat 0, no real chat."""
        public = commands_digest(commands_for(None, translator(self.settings.locale)))
        if ledger.get(DEFAULT_SCOPE, (NO_COMMANDS, DEFAULT_BUTTON))[0] == public:
            return
        await self._paced()
        try:
            await set_default_menu(self.bot, translator(self.settings.locale))
        except TelegramAPIError as exc:
            log.warning("could not set the default menu: %s", exc)
            return
        await self.ledger.record(DEFAULT_SCOPE, commands=public)

    async def chats(self) -> list[MenuChat]:
        """Everyone whose menu the bot keeps: the people it knows (but those Telegram refused before)
        and the admins of ADMIN_IDS who have not started it yet."""
        async with self.session_factory() as session:
            repo = Repositories(session)
            people = await repo.people.everyone()
            orgs = {o.id: o for o in await repo.orgs.all_active()}
        admins = self.settings.admin_ids
        chats: list[MenuChat] = []
        for person in people:
            if person.unreachable_since is not None:
                continue
            role = effective_role(person, person.telegram_id, admins)
            org = orgs.get(person.organization_id or 0)
            kind, place = (org.kind, org.municipality) if org else (None, None)
            chats.append(MenuChat(person.telegram_id, role, view_scope(role, kind, place), person.language))
        admin_scope = view_scope(Role.ADMIN, None, None)
        known = {p.telegram_id for p in people}
        locale = self.settings.locale
        chats += [MenuChat(a, Role.ADMIN, admin_scope, locale, False) for a in sorted(admins - known)]
        return chats

    async def sync(self, chats: list[MenuChat], ledger: dict[int, tuple[str, str]]) -> SyncTally:
        tally = SyncTally()
        for chat in chats:
            t = translator(chat.locale)
            plan = plan_for(chat.role, chat.scope, t, self.settings.webapp_url)
            stored_commands, stored_button = ledger.get(chat.chat_id, (NO_COMMANDS, DEFAULT_BUTTON))
            commands = plan.commands_digest if plan.commands_digest != stored_commands else None
            button = plan.button_digest if plan.button_digest != stored_button else None
            if commands is None and button is None:
                continue
            try:
                if commands is not None:
                    await self._paced()
                    await send_commands(self.bot, chat.chat_id, plan.commands)
                    await self.ledger.record(chat.chat_id, commands=commands)
                if button is not None:
                    await self._paced()
                    await self.bot.set_chat_menu_button(chat_id=chat.chat_id, menu_button=plan.button)
                    await self.ledger.record(chat.chat_id, button=button)
            except TelegramAPIError as exc:
                if self._refused(chat, exc, tally) and not chat.is_person:
                    # An admin of ADMIN_IDS who never started the bot: /start sets their menu, and
                    # asking again at every start-up would only be refused again.
                    await self.ledger.record(chat.chat_id, commands=commands, button=button)
                continue
            tally.refreshed += 1
        return tally

    def _refused(self, chat: MenuChat, exc: TelegramAPIError, tally: SyncTally) -> bool:
        """Counts a failure; True when Telegram refused the chat itself (blocked, not found)."""
        if isinstance(exc, TelegramForbiddenError) or (
            isinstance(exc, TelegramBadRequest) and "chat not found" in exc.message.lower()
        ):
            tally.unreachable.append(chat.chat_id)
            return True
        # Anything else (an outage the retry middleware gave up on): tried again at the next start-up.
        tally.failed += 1
        log.debug("could not refresh the menu of chat %s: %s", chat.chat_id, exc)
        return False

    async def _mark_unreachable(self, chat_ids: list[int]) -> None:
        if not chat_ids:
            return
        async with self.session_factory() as session:
            people = Repositories(session).people
            for chat_id in chat_ids:
                await people.mark_unreachable(chat_id, self.clock.now())
            await session.commit()
