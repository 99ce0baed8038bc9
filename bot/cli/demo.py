"""`python -m bot demo`: the whole cycle offline, the Bot API emulator and the real bot in one process.

Only TELEGRAM_API_URL differs from production: the same dispatcher, handlers, services, outbox and
scheduler run, on a fresh SQLite database in a temporary directory. Named personas play the admin,
institution heads, a municipal authority and a department official.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from bot.cli.files import prepare_output
from bot.config import Settings
from bot.domain.errors import DomainError
from bot.runtime.app import Runtime
from bot.runtime.harness import running_bot
from bot.texts.i18n import translator
from bot.web.app import DashboardServer
from bot.web.init_data import sign as sign_init_data
from tg_emulator import BotAPIEmulator, Persona, SentMessage

TOKEN = "100200300:DEMO_offline_token_not_for_telegram"
BOT_USERNAME = "forum_tracker_demo_bot"
SAMPLES = resources.files("bot.samples")


@dataclass(frozen=True)
class Head:
    user_id: int
    first_name: str
    last_name: str
    municipality: str
    org: str


ADMIN = (1, "Анна", "Смирнова")
OFFICIAL = (2, "Олег", "Петров")
HEADS = {
    "irina": Head(11, "Ирина", "Волкова", "Вяземский район", "Дом детского творчества"),
    "sergey": Head(12, "Сергей", "Белов", "Сафоновский район", "Центр детского творчества"),
    "maria": Head(13, "Мария", "Козлова", "Ярцевский район", "Станция юных техников"),
    "dmitry": Head(14, "Дмитрий", "Орлов", "Вяземский район", "Отдел образования"),
    "elena": Head(15, "Елена", "Соколова", "г. Смоленск", "Центр развития творчества"),
}
STAGES = 10


@dataclass
class DemoResult:
    output_dir: Path
    transcripts: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


class Tour:
    """Prints progress, pauses after each exchange in --step mode, and fails loudly if the bot is silent."""

    def __init__(self, out: TextIO, step: bool, pause: Callable[[], Awaitable[None]] | None = None) -> None:
        self.out = out
        self.step = step
        self.pause = pause or self._wait_for_enter
        self.stage_number = 0

    def stage(self, title: str) -> None:
        self.stage_number += 1
        print(f"[{self.stage_number}/{STAGES}] {title}", file=self.out, flush=True)

    async def _wait_for_enter(self) -> None:
        await asyncio.to_thread(input, "   … Enter — дальше ")

    async def said(self, persona: Persona, reply: SentMessage) -> SentMessage:
        if self.step:
            first_line = (reply.text or reply.caption or "").splitlines()[0:1]
            print(
                f"   {persona.name} ← {first_line[0] if first_line else '[файл]'}", file=self.out, flush=True
            )
            await self.pause()
        return reply

    async def send(self, persona: Persona, text: str, expect: str, wait: float = 15) -> SentMessage:
        await persona.send(text)
        return await self.said(persona, await persona.expect(contains=expect, timeout=wait))

    async def click(self, persona: Persona, message: SentMessage, button: str, expect: str) -> SentMessage:
        await persona.click(message, button)
        return await self.said(persona, await persona.expect(contains=expect, timeout=15))

    async def upload(
        self, persona: Persona, name: str, data: bytes, expect: str, **kwargs: Any
    ) -> SentMessage:
        await persona.send_document(name, data, **kwargs)
        return await self.said(persona, await persona.expect(contains=expect, timeout=15))


def demo_settings(workdir: Path, api_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,  # type: ignore[arg-type]
        telegram_api_url=api_url,
        database_url=f"sqlite+aiosqlite:///{workdir / 'demo.sqlite3'}",
        admin_ids=frozenset({ADMIN[0]}),
        evidence_dir=workdir / "evidence",
        digest_dir=workdir / "digests",
        send_rate=25.0,
        log_level="WARNING",
    )


def sample_pdf(title: str) -> bytes:
    """A small, valid one-page PDF, so the evidence files open in a viewer."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 18 Tf 40 780 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = io.BytesIO()
    body.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(body.tell())
        body.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = body.tell()
    body.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        body.write(f"{offset:010d} 00000 n \n".encode())
    body.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return body.getvalue()


def sample_photo() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(4, 3), dpi=80)
    axes.bar(["2020", "2021", "2022"], [120, 180, 240], color="#4c72b0")
    axes.set_title("Охват детей кружками")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


async def invite_link(tour: Tour, admin: Persona, municipality: str, org: str) -> str:
    listing = await tour.send(admin, "/orgs", "Организации")
    filters = await tour.click(admin, listing, "Муниципалитет ▾", "Фильтр по муниципалитету")
    filtered = await tour.click(admin, filters, municipality, "найдено")
    card = await tour.click(admin, filtered, org, "Вид:")
    link = await tour.click(admin, card, "Новое приглашение", "t.me/")
    return (link.text or "").split("start=")[1].split()[0]


async def report(
    tour: Tour,
    head: Persona,
    number: str,
    status: str,
    comment: str,
    evidence: list[tuple[str, Any]],
    reason: str | None = None,
) -> None:
    message = next(m for m in head.messages if f"Рекомендация {number}" in (m.text or "") and m.buttons)
    picker = await tour.click(head, message, "Отчитаться", "Выберите статус")
    if reason is not None:
        await tour.click(head, picker, status, "Почему рекомендация не применима")
        await tour.send(head, reason, "Напишите комментарий")
    else:
        await tour.click(head, picker, status, "комментарий")
    prompt = await tour.send(head, comment, "Приложите подтверждения")
    last = prompt
    for kind, payload in evidence:
        if kind == "document":
            name, data = payload
            await head.send_document(name, data)
        elif kind == "photo":
            await head.send_photo(payload, caption="Фотоотчёт")
        else:
            await head.send(payload)
        last = await tour.said(head, await head.expect(contains="Принято", timeout=15))
    button = f"Готово ({len(evidence)})" if evidence else "Без подтверждений"
    confirm = await tour.click(head, last, button, "Проверьте отчёт")
    await tour.click(head, confirm, "Отправить", "Отчёт отправлен на проверку")


async def review_round(tour: Tour, oleg: Persona, irina: Persona) -> None:
    """The official returns Irina's 4.2 with a comment, she revises it from the notice's button, and the
    official accepts her 4.1: the history of 4.2 keeps every step."""
    queue = await tour.send(oleg, "/review", "Отчёты на проверке")
    second = await tour.click(oleg, queue, "Следующий", "Рекомендация 4.2")
    await tour.click(oleg, second, "Вернуть на доработку", "Напишите одним сообщением")
    await tour.send(oleg, "Приложите, пожалуйста, утверждённые программы", "возвращён на доработку")
    notice = await tour.said(irina, await irina.expect(contains="Отчёт возвращён на доработку", timeout=30))
    picker = await tour.click(irina, notice, "Доработать", "Выберите статус")
    await tour.click(irina, picker, "Выполнено", "комментарий")
    await tour.send(irina, "Все программы обновлены и утверждены", "Приложите подтверждения")
    await irina.send_document("программы.pdf", sample_pdf("Programmes"))
    added = await tour.said(irina, await irina.expect(contains="Принято", timeout=15))
    confirm = await tour.click(irina, added, "Готово (1)", "Проверьте отчёт")
    await tour.click(irina, confirm, "Отправить", "Отчёт отправлен на проверку")
    queue = await tour.send(oleg, "/review", "Рекомендация 4.1")
    await tour.click(oleg, queue, "Принять", "Принят отчёт")
    await tour.said(irina, await irina.expect(contains="Департамент принял ваш отчёт", timeout=30))


async def run_demo(
    output_dir: Path | None = None,
    *,
    step: bool = False,
    out: TextIO = sys.stdout,
    pause: Callable[[], Awaitable[None]] | None = None,
    web_port: int | None = None,
) -> DemoResult:
    """The tour; with `web_port`, then the dashboard over the tour's data until interrupted."""
    tour = Tour(out, step, pause)
    with tempfile.TemporaryDirectory(prefix="forum-bot-demo-") as tmp:
        workdir = Path(tmp)
        output = output_dir or Path.cwd() / "demo-output"
        output.mkdir(parents=True, exist_ok=True)
        async with (
            BotAPIEmulator(token=TOKEN, bot_username=BOT_USERNAME, rate_limit=30) as emulator,
            running_bot(demo_settings(workdir, emulator.base_url)) as runtime,
        ):
            result = await tour_of(tour, emulator, output)
            print(f"\nГотово. Файлы сводки: {output}", file=out)
            for path in result.files:
                print(f"  {path}", file=out)
            if web_port is not None:
                await serve_dashboard(runtime, web_port, out, asyncio.Event())
    return result


async def serve_dashboard(runtime: Runtime, port: int, out: TextIO, stop: asyncio.Event) -> None:
    """The dashboard over the demo's database on 127.0.0.1 until `stop` is set (or Ctrl+C), with a link
    that carries initData signed by the demo's token for the department official of the tour."""
    server = DashboardServer(runtime.web_context(), "127.0.0.1", port)
    await server.start()
    try:
        user = {"id": OFFICIAL[0], "first_name": OFFICIAL[1], "last_name": OFFICIAL[2], "language_code": "ru"}
        signed = sign_init_data(runtime.settings.require_token(), user, runtime.clock.now())
        # In the fragment, as Telegram passes it: a browser never sends the fragment to a server.
        link = f"{server.local_url}#tgWebAppData={quote(signed, safe='')}"
        print(
            f"\nПанель исполнения для сотрудника департамента ({OFFICIAL[1]} {OFFICIAL[2]}) "
            f"открыта по адресу:\n{link}\nСсылка действует сутки. Остановить — Ctrl+C.",
            file=out,
            flush=True,
        )
        await stop.wait()
    finally:
        await server.stop()


@dataclass
class Cast:
    """The demo's people: the admin, the official and the heads of organizations, as emulator personas."""

    anna: Persona
    oleg: Persona
    heads: dict[str, Persona]

    @classmethod
    def of(cls, emulator: BotAPIEmulator) -> Cast:
        anna = emulator.add_user(
            ADMIN[0], ADMIN[1], last_name=ADMIN[2], username="anna_admin", language_code="ru"
        )
        oleg = emulator.add_user(OFFICIAL[0], OFFICIAL[1], last_name=OFFICIAL[2], language_code="ru")
        heads = {
            key: emulator.add_user(h.user_id, h.first_name, last_name=h.last_name, language_code="ru")
            for key, h in HEADS.items()
        }
        return cls(anna, oleg, heads)


async def register_and_join(tour: Tour, cast: Cast) -> None:
    tour.stage("Администратор регистрирует организации из файла")
    await tour.send(cast.anna, "/start", "администратор")
    orgs_csv = SAMPLES.joinpath("organizations.csv").read_bytes()
    await tour.upload(cast.anna, "организации.csv", orgs_csv, "Загрузка организаций", mime_type="text/csv")

    tour.stage("Руководители и сотрудник департамента присоединяются по приглашениям")
    for key, head in HEADS.items():
        code = await invite_link(tour, cast.anna, head.municipality, head.org)
        await tour.send(cast.heads[key], f"/start {code}", "Готово")
    official = await tour.send(cast.anna, "/invite_official", "t.me/")
    await tour.send(
        cast.oleg, f"/start {(official.text or '').split('start=')[1].split()[0]}", "сотрудник департамента"
    )
    cast.heads["elena"].block()
    print("   Елена Соколова заблокировала бота — рассылка покажет её как недоступную", file=tour.out)


async def publish(tour: Tour, anna: Persona) -> None:
    tour.stage("Администратор загружает резолюцию 2021 года, задаёт срок и публикует")
    resolution = SAMPLES.joinpath("smolensk-2021-forum.md").read_bytes()
    preview = await tour.upload(anna, "Резолюция форума 2021.md", resolution, "групп")
    await tour.click(anna, preview, "Срок", "ДД.ММ.ГГГГ")
    deadline = (dt.date.today() + dt.timedelta(days=60)).strftime("%d.%m.%Y")
    with_deadline = await tour.send(anna, deadline, f"Срок выполнения: {deadline}")
    confirm = await tour.click(anna, with_deadline, "Опубликовать", "Получателей")
    await tour.click(anna, confirm, "Да, опубликовать", "Рассылка")
    await tour.said(anna, await anna.expect(contains="завершена", timeout=60))
    await tour.said(anna, await anna.expect(contains="Не доставлено", timeout=30))


async def institutions_report(tour: Tour, heads: dict[str, Persona]) -> None:
    tour.stage("Руководители учреждений отчитываются")
    for key in ("irina", "sergey", "maria"):
        await heads[key].expect(contains="Рекомендация 4.4", timeout=30)
    order = [("document", ("приказ_об_открытии.pdf", sample_pdf("Order 42"))), ("photo", sample_photo())]
    await report(
        tour, heads["irina"], "4.1", "Выполнено", "Открыли три новых объединения, охват вырос на 12%", order
    )
    news = [("link", "Новость на сайте: https://ddt-vyazma.example.ru/news/2021-09")]
    await report(tour, heads["irina"], "4.2", "В работе", "Обновляем программы к новому учебному году", news)
    agreements = [("document", ("договоры.pdf", sample_pdf("Agreements")))]
    await report(
        tour, heads["sergey"], "4.3", "Выполнено", "Заключены договоры с тремя школами и музеем", agreements
    )
    await report(
        tour,
        heads["maria"],
        "4.4",
        "Не применимо",
        "Педагоги прошли аттестацию в 2020 году",
        [],
        reason="Кадровый состав полностью обновлён в прошлом году",
    )


async def municipality_reports(tour: Tour, dmitry: Persona) -> None:
    tour.stage("Муниципальный орган отчитывается")
    await dmitry.expect(contains="Рекомендация 2.4", timeout=30)
    decree = [("document", ("постановление.pdf", sample_pdf("Resolution 7")))]
    await report(
        tour, dmitry, "2.1", "Выполнено", "Утверждена муниципальная модель выравнивания доступности", decree
    )


async def municipal_round(tour: Tour, anna: Persona, dmitry: Persona) -> None:
    """The Vyazma authority sees its own institutions, invites the one nobody joined, reminds, and, once
    the department delegates review, accepts Irina's revised report; the department sees the decision."""
    tour.stage("Муниципальный орган работает со своими учреждениями")
    menu = await tour.send(dmitry, "/status", "выберите резолюцию")
    await tour.click(dmitry, menu, "24.08.2021", "Организаций:")
    reach = await tour.send(dmitry, "/invite", "без единого зарегистрированного представителя: 1")
    await tour.click(dmitry, reach, "Детско-юношеский центр", "Приглашение для организации")
    remind = await tour.send(dmitry, "/remind", "Кому напомнить")
    confirm = await tour.click(dmitry, remind, "24.08.2021", "Нет отчёта")
    await tour.click(dmitry, confirm, "Напомнить", "их получит")

    tour.stage("Департамент передаёт проверку муниципальным органам; Дмитрий принимает доработанный отчёт")
    listing = await tour.send(anna, "/resolutions", "Резолюции")
    screen = await tour.click(anna, listing, "24.08.2021", "Отчёты всех организаций проверяет департамент")
    delegate = "Передать проверку муниципальным органам"
    await tour.click(anna, screen, delegate, "проверяют муниципальные органы")
    queue = await tour.send(dmitry, "/review", "Рекомендация 4.2")
    await tour.click(dmitry, queue, "Принять", "Принят отчёт")


async def digest_files(tour: Tour, emulator: BotAPIEmulator, oleg: Persona, output: Path) -> DemoResult:
    tour.stage("Сотрудник департамента запрашивает сводку /digest")
    menu = await tour.send(oleg, "/digest", "Сводка о ходе выполнения")
    await tour.click(oleg, menu, "По всем резолюциям", "Сводка составляется")
    await tour.said(oleg, await oleg.expect(contains="Сводка", timeout=30))
    xlsx_message = await oleg.expect(predicate=lambda m: m.document is not None, timeout=30)
    chart_message = await oleg.expect(predicate=lambda m: bool(m.photo), timeout=30)

    tour.stage("Файлы сводки сохранены")
    result = DemoResult(output)
    xlsx_path = output / "svodka.xlsx"
    xlsx_path.write_bytes(emulator.file_bytes(xlsx_message.document["file_id"]))  # type: ignore[index]
    photo = max(chart_message.photo or [], key=lambda p: p.get("file_size", 0))
    png_path = output / "progress.png"
    png_path.write_bytes(emulator.file_bytes(photo["file_id"]))
    result.files = [xlsx_path, png_path]
    return result


def print_transcripts(tour: Tour, cast: Cast, result: DemoResult) -> None:
    personas = {
        "Анна (администратор)": cast.anna,
        "Олег (департамент)": cast.oleg,
        **{f"{h.first_name} ({h.org})": cast.heads[k] for k, h in HEADS.items()},
    }
    for title, persona in personas.items():
        transcript = persona.transcript()
        result.transcripts[title] = transcript
        print(f"\n{'═' * 100}\n{title}\n{'═' * 100}\n{transcript}", file=tour.out)


async def tour_of(tour: Tour, emulator: BotAPIEmulator, output: Path) -> DemoResult:
    cast = Cast.of(emulator)
    await register_and_join(tour, cast)
    await publish(tour, cast.anna)
    await institutions_report(tour, cast.heads)
    await municipality_reports(tour, cast.heads["dmitry"])
    tour.stage("Департамент проверяет: возвращает отчёт на доработку, руководитель дорабатывает")
    await review_round(tour, cast.oleg, cast.heads["irina"])
    await municipal_round(tour, cast.anna, cast.heads["dmitry"])
    result = await digest_files(tour, emulator, cast.oleg, output)
    print_transcripts(tour, cast, result)
    return result


def main(output: Path, *, step: bool = False, web_port: int | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    output = output.resolve()
    try:
        # Checked first: a folder that takes no file would end the tour after minutes, in a traceback.
        prepare_output(output, translator())
    except DomainError as err:
        print(translator().plain(err.key, **err.params), file=sys.stderr)
        return 2
    print("Демонстрация без Telegram: локальный эмулятор Bot API и настоящий бот в одном процессе.\n")
    try:
        asyncio.run(run_demo(output, step=step, web_port=web_port))
    except KeyboardInterrupt:
        # With --web, Ctrl+C is how the dashboard is closed: the normal end.
        return 0 if web_port is not None else 130
    except AssertionError as exc:
        # The tour expects the bot's answers; a missing one is a bug worth a readable report, not a traceback.
        print(f"\nДемонстрация прервалась: бот ответил не так, как ожидалось.\n{exc}", file=sys.stderr)
        return 1
    return 0
