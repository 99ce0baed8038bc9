"""The Bot API emulator, driven by a real aiogram Bot and Dispatcher over real HTTP."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tg_emulator import (
    BotAPIEmulator,
    EntityParseError,
    Persona,
    SendRateLimiter,
    TokenBucket,
    emulator_session,
    parse_html,
)

TOKEN = "123456:TEST"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WAIT = 10.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def echo_router(member_updates: asyncio.Queue[ChatMemberUpdated]) -> Router:
    router = Router(name="echo")

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        assert message.from_user is not None
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text="Кнопка", callback_data="btn:ok")],
                [InlineKeyboardButton(text="Сайт", url="https://example.org/")],
            ]
        )
        await message.answer(
            f"Привет, <b>{message.from_user.first_name}</b>!", reply_markup=keyboard, parse_mode="HTML"
        )

    @router.message(F.document)
    async def document(message: Message, bot: Bot) -> None:
        assert message.document is not None
        data = await bot.download(message.document)
        assert isinstance(data, io.BytesIO)
        await message.answer(f"Получен {message.document.file_name}: {len(data.getvalue())} байт")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"Эхо: {message.text}")

    @router.callback_query(F.data == "btn:ok")
    async def pressed(callback: CallbackQuery) -> None:
        await callback.answer("Нажато")
        assert isinstance(callback.message, Message)
        await callback.message.edit_text("Кнопка нажата")

    @router.callback_query()
    async def unknown(callback: CallbackQuery) -> None:
        await callback.answer("Неизвестная кнопка", show_alert=True)

    @router.my_chat_member()
    async def member(update: ChatMemberUpdated) -> None:
        member_updates.put_nowait(update)

    return router


@pytest.fixture
async def emu() -> AsyncIterator[BotAPIEmulator]:
    async with BotAPIEmulator(token=TOKEN, bot_username="forum_tracker_bot", rate_limit=None) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotAPIEmulator) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, session=emulator_session(emu))
    yield bot
    await bot.session.close()


@pytest.fixture
def member_updates() -> asyncio.Queue[ChatMemberUpdated]:
    return asyncio.Queue()


@pytest.fixture
async def polling(bot: Bot, member_updates: asyncio.Queue[ChatMemberUpdated]) -> AsyncIterator[Dispatcher]:
    dp = Dispatcher()
    dp.include_router(echo_router(member_updates))
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False))
    yield dp
    await dp.stop_polling()
    await task


@pytest.fixture
def alice(emu: BotAPIEmulator) -> Persona:
    return emu.add_user(1001, "Алиса", last_name="Петрова", username="alice", language_code="ru")


async def started(persona: Persona) -> Persona:
    await persona.send("привет")
    return persona


# -- conversations through a polling Dispatcher ----------------------------------------------------


@pytest.mark.usefixtures("polling")
async def test_message_round_trip(alice: Persona) -> None:
    sent = await alice.send("/start abc")

    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    reply = await alice.expect(contains="Привет, Алиса", timeout=WAIT)
    assert reply.html == "Привет, <b>Алиса</b>!"
    assert reply.entities[0] == {"type": "bold", "offset": 8, "length": 5}
    assert reply.buttons == [[("Кнопка", "btn:ok")], [("Сайт", "https://example.org/")]]
    assert alice.started

    await alice.send("как дела?")
    assert (await alice.expect(timeout=WAIT)).text == "Эхо: как дела?"
    assert "Алиса Петрова → /start abc" in alice.transcript()
    assert "[Кнопка]" in alice.transcript()


@pytest.mark.usefixtures("polling")
async def test_button_click_round_trip_with_callback_answer(alice: Persona) -> None:
    await alice.send("/start")
    menu = await alice.expect(contains="Привет", timeout=WAIT)

    await alice.click(menu, "Кноп")
    answer = await alice.expect_callback_answer(timeout=WAIT)
    edited = await alice.expect(predicate=lambda message: message.edited, timeout=WAIT)

    assert answer.text == "Нажато"
    assert not answer.show_alert
    assert edited.message_id == menu.message_id
    assert edited.text == "Кнопка нажата"
    assert edited.reply_markup is None  # an edit without reply_markup drops the inline keyboard
    assert alice.messages[0].edits[0].text == "Привет, Алиса!"

    await alice.click_data(menu, "forged:data")
    forged = await alice.expect_callback_answer(timeout=WAIT)
    assert forged.show_alert
    with pytest.raises(AssertionError, match="no button"):
        await alice.click(menu, "Кнопка")  # the keyboard is gone after the edit


@pytest.mark.usefixtures("polling")
async def test_document_upload_is_downloadable_by_the_bot(alice: Persona) -> None:
    content = "ИНН;Организация\n7701;Школа №1\n".encode()

    await alice.send_document("orgs.csv", content, mime_type="text/csv")

    reply = await alice.expect(contains="Получен orgs.csv", timeout=WAIT)
    assert reply.text == f"Получен orgs.csv: {len(content)} байт"


@pytest.mark.usefixtures("polling")
async def test_blocked_user_gives_403_and_my_chat_member(
    bot: Bot, alice: Persona, member_updates: asyncio.Queue[ChatMemberUpdated]
) -> None:
    await started(alice)
    await alice.expect(contains="Эхо", timeout=WAIT)

    alice.block()

    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(alice.chat_id, "напоминание")
    update = await asyncio.wait_for(member_updates.get(), WAIT)
    assert update.new_chat_member.status == "kicked"
    assert update.chat.id == alice.chat_id

    alice.unblock()
    await bot.send_message(alice.chat_id, "снова здесь")


# -- Telegram's rules, called directly --------------------------------------------------------------


async def test_text_length_counts_utf16_after_parsing(bot: Bot, alice: Persona) -> None:
    await started(alice)

    await bot.send_message(alice.chat_id, "я" * 4096)
    await bot.send_message(alice.chat_id, "😀" * 2048)  # 4096 UTF-16 code units
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(alice.chat_id, "я" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(alice.chat_id, "😀" * 2048 + "!")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(alice.chat_id, "<b> </b>", parse_mode="HTML")


async def test_caption_limit(bot: Bot, alice: Persona) -> None:
    await started(alice)
    file = BufferedInputFile(b"report", filename="report.txt")

    await bot.send_document(alice.chat_id, file, caption="к" * 1024)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(alice.chat_id, file, caption="к" * 1025)


async def test_html_subset_is_enforced(bot: Bot, alice: Persona) -> None:
    await started(alice)

    with pytest.raises(TelegramBadRequest, match=r"can't parse entities: Unsupported start tag \"div\""):
        await bot.send_message(alice.chat_id, "Итоги <div>форума</div>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(alice.chat_id, "5 < 6", parse_mode="HTML")

    escaped = await bot.send_message(alice.chat_id, "&lt;" * 4096, parse_mode="HTML")
    assert escaped.text == "<" * 4096
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(alice.chat_id, "&lt;" * 4097, parse_mode="HTML")
    stored = alice.messages[-1]
    assert stored.html == "&lt;" * 4096
    assert stored.text == "<" * 4096


async def test_callback_data_is_limited_to_64_bytes(bot: Bot, alice: Persona) -> None:
    await started(alice)

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data=data)]])

    await bot.send_message(alice.chat_id, "ok", reply_markup=keyboard("я" * 32))  # 64 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(alice.chat_id, "too long", reply_markup=keyboard("я" * 32 + "a"))  # 65 bytes


async def test_who_may_be_written_to(bot: Bot, emu: BotAPIEmulator) -> None:
    emu.add_user(2002, "Борис")

    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999_999, "кто здесь?")
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation with a user"):
        await bot.send_message(2002, "привет")


async def test_edit_rules(bot: Bot, alice: Persona) -> None:
    await started(alice)
    sent = await bot.send_message(alice.chat_id, "версия 1")

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(text="версия 1", chat_id=alice.chat_id, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=alice.chat_id, message_id=sent.message_id + 100)
    await bot.edit_message_text(text="версия 2", chat_id=alice.chat_id, message_id=sent.message_id)
    assert alice.messages[-1].text == "версия 2"


async def test_callback_query_can_be_answered_once(bot: Bot, alice: Persona) -> None:
    await started(alice)
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data="yes")]])
    await bot.send_message(alice.chat_id, "Подтвердить?", reply_markup=markup)
    question = await alice.expect(contains="Подтвердить", timeout=WAIT)
    query_id = await alice.click(question, "Да")

    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="Готово")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    assert (await alice.expect_callback_answer(timeout=WAIT)).text == "Готово"


async def test_global_rate_limit_answers_retry_after() -> None:
    clock = FakeClock()
    async with BotAPIEmulator(token=TOKEN, rate_limit=2, burst=2, clock=clock) as limited:
        carol = limited.add_user(3003, "Карина", started=True)
        bot = Bot(TOKEN, session=emulator_session(limited))
        try:
            await bot.send_message(carol.chat_id, "1")
            await bot.send_message(carol.chat_id, "2")
            with pytest.raises(TelegramRetryAfter) as refused:
                await bot.send_message(carol.chat_id, "3")
            assert refused.value.retry_after >= 1
            clock.advance(refused.value.retry_after)
            await bot.send_message(carol.chat_id, "3")
        finally:
            await bot.session.close()
        assert limited.stats.rate_limited == 1
        assert limited.stats.sent_messages == 3
        assert [chat_id for _, chat_id, _ in limited.sent_log] == [3003] * 3


async def test_a_global_429_refuses_every_chat_until_its_retry_after() -> None:
    clock = FakeClock()
    async with BotAPIEmulator(token=TOKEN, rate_limit=2, burst=2, clock=clock) as limited:
        carol = limited.add_user(3003, "Карина", started=True)
        dan = limited.add_user(3004, "Данила", started=True)
        bot = Bot(TOKEN, session=emulator_session(limited))
        try:
            await bot.send_message(carol.chat_id, "1")
            await bot.send_message(carol.chat_id, "2")
            with pytest.raises(TelegramRetryAfter) as refused:
                await bot.send_message(carol.chat_id, "3")
            # The bucket refills within the penalty, but the penalty holds for every chat until it ends.
            clock.advance(refused.value.retry_after - 0.1)
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(dan.chat_id, "другому")
            clock.advance(0.1)
            await bot.send_message(dan.chat_id, "другому")
        finally:
            await bot.session.close()
        assert limited.stats.rate_limited == 2
        assert limited.engine.limiter.global_refusals == 1
        assert [chat_id for _, chat_id, _ in limited.sent_log] == [3003, 3003, 3004]


async def test_a_chat_429_refuses_that_chat_only() -> None:
    clock = FakeClock()
    async with BotAPIEmulator(token=TOKEN, rate_limit=30, per_chat_rate=1, clock=clock) as limited:
        carol = limited.add_user(3003, "Карина", started=True)
        dan = limited.add_user(3004, "Данила", started=True)
        bot = Bot(TOKEN, session=emulator_session(limited))
        try:
            await bot.send_message(carol.chat_id, "1")
            with pytest.raises(TelegramRetryAfter) as refused:
                await bot.send_message(carol.chat_id, "2")
            assert refused.value.retry_after == 1
            await bot.send_message(dan.chat_id, "другому можно")
            clock.advance(0.5)
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(carol.chat_id, "2")
            clock.advance(0.5)
            await bot.send_message(carol.chat_id, "2")
        finally:
            await bot.session.close()
        assert limited.engine.limiter.chat_refusals == 1
        assert limited.engine.limiter.global_refusals == 0
        assert [chat_id for _, chat_id, _ in limited.sent_log] == [3003, 3004, 3003]


def test_token_bucket_with_injected_clock() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=30, capacity=30, clock=clock)
    for _ in range(30):
        assert bucket.wait_time() == 0.0
        bucket.consume()
    assert bucket.wait_time() == pytest.approx(1 / 30)
    clock.advance(0.5)
    assert bucket.wait_time(15) == 0.0

    limiter = SendRateLimiter(rate_limit=None, per_chat_rate=1, clock=clock)
    assert limiter.check(1) is None
    limiter.consume(1)
    assert limiter.check(1) == 1  # whole seconds, at least one
    assert limiter.check(2) is None  # other chats are not affected
    clock.advance(1)
    assert limiter.check(1) is None


async def test_fault_injection(bot: Bot, emu: BotAPIEmulator, alice: Persona) -> None:
    await started(alice)
    emu.fail_next("sendMessage", status=500)

    with pytest.raises(TelegramServerError):
        await bot.send_message(alice.chat_id, "первая попытка")
    await bot.send_message(alice.chat_id, "вторая попытка")

    emu.fail_next("sendMessage", status=502, after_handling=True)
    with pytest.raises(TelegramServerError):
        await bot.send_message(alice.chat_id, "отчёт")
    await bot.send_message(alice.chat_id, "отчёт")  # the retry duplicates: the first one did arrive

    assert [message.text for message in alice.messages] == ["вторая попытка", "отчёт", "отчёт"]
    assert emu.duplicates() == 1
    assert emu.stats.errors[500] == 1
    assert emu.stats.errors[502] == 1


async def test_on_request_hook_sees_calls(bot: Bot, emu: BotAPIEmulator, alice: Persona) -> None:
    await started(alice)
    seen: list[tuple[str, Any]] = []

    async def hook(method: str, params: dict[str, Any]) -> None:
        seen.append((method, params.get("text")))

    emu.on_request = hook
    await bot.send_message(alice.chat_id, "наблюдаемое")
    assert seen == [("sendMessage", "наблюдаемое")]


async def test_get_file_and_download(bot: Bot, emu: BotAPIEmulator, alice: Persona) -> None:
    uploaded = await alice.send_document("orgs.csv", b"a;b\n1;2\n", mime_type="text/csv")
    file_id = uploaded["document"]["file_id"]

    file = await bot.get_file(file_id)
    assert file.file_path is not None
    data = await bot.download_file(file.file_path)
    assert isinstance(data, io.BytesIO)
    assert data.getvalue() == b"a;b\n1;2\n"

    big = await alice.send_document("big.pdf", size=25 * 1024 * 1024)
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await bot.get_file(big["document"]["file_id"])
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("no-such-file")

    # A user's upload can be sent back by file_id, as the same file.
    echoed = await bot.send_document(alice.chat_id, file_id)
    assert echoed.document is not None
    assert echoed.document.file_unique_id == uploaded["document"]["file_unique_id"]


async def test_bot_uploads_are_readable(bot: Bot, emu: BotAPIEmulator, alice: Persona) -> None:
    await started(alice)
    workbook = b"PK\x03\x04 fake xlsx"

    await bot.send_document(
        alice.chat_id, BufferedInputFile(workbook, filename="report.xlsx"), caption="Отчёт"
    )
    message = await alice.expect(predicate=lambda m: m.document is not None, timeout=WAIT)

    assert message.document is not None
    assert message.document["file_name"] == "report.xlsx"
    assert message.document["mime_type"].startswith("application/vnd.openxmlformats")
    assert emu.file_bytes(message.document["file_id"]) == workbook
    assert message.content == workbook

    photo = await bot.send_photo(alice.chat_id, BufferedInputFile(b"\x89PNG fake", filename="p.png"))
    assert photo.photo is not None
    assert len(photo.photo) > 1


async def test_commands_per_scope(bot: Bot, emu: BotAPIEmulator, alice: Persona) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Начать")])
    admin_commands = [
        BotCommand(command="start", description="Начать"),
        BotCommand(command="report", description="Отчёт"),
    ]
    await bot.set_my_commands(admin_commands, scope=BotCommandScopeChat(chat_id=alice.chat_id))

    assert [c["command"] for c in emu.commands_for("chat", chat_id=alice.chat_id)] == ["start", "report"]
    emu.add_user(1002, "Борис")
    assert [c["command"] for c in emu.commands_for("chat", chat_id=1002)] == ["start"]
    assert [c.command for c in await bot.get_my_commands()] == ["start"]

    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="x")])
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=alice.chat_id))
    assert [c["command"] for c in emu.commands_for("chat", chat_id=alice.chat_id)] == ["start"]


async def test_webhook_delivery_with_secret_and_retry(bot: Bot, emu: BotAPIEmulator, alice: Persona) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []
    delivered = asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        received.append((await request.json(), request.headers.get(SECRET_HEADER)))
        if len(received) == 1:
            return web.Response(status=500)
        delivered.set()
        # Answering with a method is part of the webhook protocol; the emulator runs it.
        return web.json_response({"method": "sendMessage", "chat_id": alice.chat_id, "text": "из вебхука"})

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        await bot.set_webhook(f"http://{host}:{port}/hook", secret_token="s3cret_token")
        await alice.send("привет")
        await asyncio.wait_for(delivered.wait(), WAIT)

        assert [update["update_id"] for update, _ in received] == [received[0][0]["update_id"]] * 2
        assert {secret for _, secret in received} == {"s3cret_token"}
        assert received[0][0]["message"]["text"] == "привет"
        assert (await alice.expect(contains="из вебхука", timeout=WAIT)).text == "из вебхука"
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()
        assert (await bot.get_webhook_info()).url.endswith("/hook")
        await bot.delete_webhook()
        assert await bot.get_updates() == []
    finally:
        await runner.cleanup()


async def test_aiogram_webhook_handler_answering_with_a_method(
    bot: Bot, emu: BotAPIEmulator, alice: Persona
) -> None:
    router = Router()

    @router.message(F.text)
    async def reply(message: Message) -> SendMessage:
        # Returned, not awaited: aiogram writes it into the webhook answer as multipart form data.
        return message.answer(f"Ответ вебхука: {message.text}")

    dp = Dispatcher()
    dp.include_router(router)
    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token="s3cret", handle_in_background=False).register(app, "/wh")
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        await bot.set_webhook(f"http://{host}:{port}/wh", secret_token="s3cret")
        await alice.send("привет")
        assert (await alice.expect(timeout=WAIT)).text == "Ответ вебхука: привет"

        # A wrong secret is refused by aiogram, so the emulator retries, then gives up and says why.
        await bot.set_webhook(f"http://{host}:{port}/wh", secret_token="wrong")
        await alice.send("ещё")
        await emu.wait_idle(timeout=WAIT)
        info = await bot.get_webhook_info()
        assert info.last_error_message is not None
        assert "401" in info.last_error_message
        assert emu.stats.webhook_failures == 1
    finally:
        await runner.cleanup()


async def test_http_surface(emu: BotAPIEmulator, alice: Persona) -> None:
    wrong = Bot("654321:WRONG", session=emulator_session(emu))
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await wrong.get_me()
    finally:
        await wrong.session.close()

    await started(alice)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emu.base_url}/bot{TOKEN}/noSuchMethod") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found: method not found"
        body = {"chat_id": alice.chat_id, "text": "<i>json</i>", "parse_mode": "HTML"}
        async with http.post(f"{emu.base_url}/bot{TOKEN}/SENDMESSAGE", json=body) as response:
            payload = await response.json()
    assert payload["ok"] is True
    assert payload["result"]["text"] == "json"
    assert payload["result"]["entities"] == [{"type": "italic", "offset": 0, "length": 4}]


async def test_persona_updates_parse_as_aiogram_updates(bot: Bot, alice: Persona) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x04\x00\x00\x00\x03\x00"
    await alice.send_photo(png, caption="фото #отчёт")
    await alice.send_album([("photo", png), ("document", ("a.pdf", b"%PDF-1.4"))], caption="альбом")
    await alice.send_sticker()
    await alice.send_voice()
    await alice.send_location(55.75, 37.62)
    await alice.send_contact("+79990001122")

    updates = await bot.get_updates(timeout=0)

    messages = [update.message for update in updates if update.message is not None]
    assert len(messages) == 7
    photo, album_photo, album_document, sticker, voice, location, contact = messages
    assert photo.photo is not None
    assert (photo.photo[-1].width, photo.photo[-1].height) == (1024, 768)
    assert photo.caption_entities is not None
    assert photo.caption_entities[0].type == "hashtag"
    assert album_photo.media_group_id == album_document.media_group_id is not None
    assert album_photo.caption == "альбом"
    assert album_document.document is not None
    assert album_document.document.mime_type == "application/pdf"
    assert sticker.sticker is not None
    assert voice.voice is not None
    assert location.location is not None
    assert contact.contact is not None
    assert [update.update_id for update in updates] == sorted({update.update_id for update in updates})

    # The same photo goes back by file_id with all its sizes.
    resent = await bot.send_photo(alice.chat_id, photo.photo[-1].file_id)
    assert resent.photo is not None
    assert [size.file_unique_id for size in resent.photo] == [size.file_unique_id for size in photo.photo]

    # Confirmed updates are not delivered again.
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == []


async def test_expect_returns_each_message_once(bot: Bot, alice: Persona) -> None:
    await started(alice)
    await bot.send_message(alice.chat_id, "первое")
    await bot.send_message(alice.chat_id, "второе")

    assert (await alice.expect(contains="второе", timeout=WAIT)).text == "второе"
    assert (await alice.expect(timeout=WAIT)).text == "первое"
    assert [message.text for message in alice.messages] == ["первое", "второе"]


async def test_expect_timeout_shows_the_conversation(alice: Persona) -> None:
    await alice.send("есть кто?")
    with pytest.raises(AssertionError, match="есть кто"):
        await alice.expect(contains="ответ", timeout=0.05)


# -- parsers ---------------------------------------------------------------------------------------


def test_html_parser_entities_use_utf16_offsets() -> None:
    parsed = parse_html('😀 <b>жирный</b> <a href="https://example.org/?a=1&amp;b=2">ссылка</a>')

    assert parsed.text == "😀 жирный ссылка"
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 6},
        {"type": "text_link", "url": "https://example.org/?a=1&b=2", "offset": 10, "length": 6},
    ]
    code = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert code.entities == [{"type": "pre", "language": "python", "offset": 0, "length": 5}]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("Ж <br>", 'Unsupported start tag "br" at byte offset 3'),
        ("a & b", 'Character "&" is reserved'),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
def test_html_parser_refusals(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as refused:
        parse_html(source)
    assert error in str(refused.value)
