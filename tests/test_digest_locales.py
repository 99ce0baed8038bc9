"""Issues 10 and 12: every word of the digest's workbook and chart comes from the catalogs, in the reader's
locale, and user text on the chart is drawn literally (never as mathtext)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from matplotlib.text import Text
from openpyxl import load_workbook
from sqlalchemy import select

import bot.services.digests as digests_module
from bot.documents import Digest, DigestData
from bot.documents.chart import build_chart, chart_figure
from bot.documents.figures import DONE, NO_ANSWER, DigestFigures, Matrix, figures_from
from bot.domain import OrgKind, Role
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.services.digests import DigestDelivery
from bot.texts.i18n import Translator, translator
from storage.models import OutboxMessage
from storage.repositories import Repositories
from storage.repositories.digest import GroupInfo, OrgInfo, RecInfo
from tests.test_digest import PNG_MAGIC, known_data_set

# The ranking stands beside the municipalities' own sheet.
RU_SHEETS = ["Сводка", "Матрица", "Муниципалитеты", "Рейтинг муниципалитетов", "Подтверждения"]
RU_SHEETS += ["Сроки организаций", "Отчёты"]
EN_SHEETS = [
    "Summary",
    "Matrix",
    "Municipalities",
    "Municipalities ranked",
    "Evidence",
    "Own deadlines",
    "Reports",
]
MONDAY_DIGEST = dt.datetime(2026, 8, 31, 6, 0, tzinfo=dt.UTC)  # 09:00 in Moscow


async def scheduled_rows(app: Runtime, clock: FrozenClock) -> list[OutboxMessage]:
    async with app.session_factory() as session:
        repo = Repositories(session)
        await repo.people.add(9201, "Emma", Role.OFFICIAL, language="en")
        await repo.people.add(9202, "Ирина", Role.OFFICIAL, language="ru")
        delivery = DigestDelivery(app.settings, app.renderer)
        assert await delivery.scheduled(repo, clock.now(), MONDAY_DIGEST - dt.timedelta(hours=1)) > 0
        await session.commit()
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedup_key.startswith("digest:"))
        )
        return list(rows)


def workbook_of(rows: list[OutboxMessage], chat_id: int) -> Path:
    [row] = [r for r in rows if r.chat_id == chat_id and r.method == "sendDocument"]
    return Path(row.payload["file_path"])


async def test_each_official_reads_the_digest_in_their_locale_built_once_per_locale(
    app: Runtime, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await known_data_set(app, clock)  # Олег, 9200, never chose a language: the default, Russian
    built: list[str] = []
    render = digests_module.render_digest

    async def counted(data: DigestData, t: Translator) -> Digest:
        built.append(t.locale)
        return await render(data, t)

    monkeypatch.setattr(digests_module, "render_digest", counted)
    rows = await scheduled_rows(app, clock)
    # Three officials, two locales: two documents, not three; and one for each municipal authority.
    assert sorted(built) == ["en", "ru", "ru", "ru"]

    english = load_workbook(workbook_of(rows, 9201), read_only=True)
    assert english.sheetnames == EN_SHEETS
    header = next(english["Matrix"].iter_rows(values_only=True))
    assert header[:2] == ("Organization", "Municipality")
    assert next(english["Evidence"].iter_rows(values_only=True))[3] == "Kind"
    reports = next(english["Reports"].iter_rows(values_only=True))
    assert reports[:3] == ("Organization", "Municipality", "Addressee group") and "Reviewed by" in reports
    assert "Dates and times are in the Europe/Moscow time zone." in {
        row[0] for row in english["Summary"].iter_rows(values_only=True)
    }
    statuses = {cell for row in english["Matrix"].iter_rows(min_row=2, values_only=True) for cell in row[2:]}
    assert {"Done", "In progress", "Not applicable", "No report"} <= statuses

    for chat_id in (9200, 9202):
        russian = load_workbook(workbook_of(rows, chat_id), read_only=True)
        assert russian.sheetnames == RU_SHEETS
        assert next(russian["Матрица"].iter_rows(values_only=True))[:2] == ("Организация", "Муниципалитет")
    assert workbook_of(rows, 9200) == workbook_of(rows, 9202) != workbook_of(rows, 9201)

    by_chat: dict[int, dict[str, Any]] = {}
    for row in rows:
        by_chat.setdefault(row.chat_id, {})[row.method] = row.payload
    assert by_chat[9201]["sendMessage"]["text"].startswith("📊 <b>Resolution progress digest")
    assert by_chat[9201]["sendDocument"]["file_name"].startswith("digest-")
    assert by_chat[9201]["sendPhoto"]["text"] == translator("en")("digest.chart_caption")
    assert by_chat[9200]["sendDocument"]["file_name"].startswith("svodka-")
    assert by_chat[9202]["sendPhoto"]["text"] == translator("ru")("digest.chart_caption")


def mathtext_figures() -> DigestFigures:
    """Names a person may type, which matplotlib would read as (broken or valid) mathtext."""
    kind = OrgKind.INSTITUTION.value
    group = GroupInfo(1, 1, 1, r"Группа $x^2$", kind)
    recs = [RecInfo(1, 1, 1, "1.1", "Рекомендация", None)]
    orgs = [OrgInfo(1, r"ДДТ $\frac{", r"Район $\frac{$", kind), OrgInfo(2, "Клуб $x$", "Город $x$", kind)]
    rows = [bytearray([DONE]), bytearray([NO_ANSWER])]
    matrix = Matrix([(1, r"Резолюция $\alpha$")], [group], recs, orgs, rows, [None, None])
    return figures_from(matrix, dt.date(2026, 10, 5))


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_chart_draws_user_text_literally(locale: str) -> None:
    figures = mathtext_figures()
    t = translator(locale)
    assert build_chart(figures, t).startswith(PNG_MAGIC)  # a bad `\frac{` no longer stops the digest

    figure = chart_figure(figures, t)
    figure.canvas.draw()  # tick labels get their final text when drawn
    texts = [text for text in figure.findobj(Text) if text.get_text()]
    shown = {text.get_text() for text in texts}
    assert {r"Район $\frac{$", "Город $x$", r"1. Группа $x^2$"} <= shown
    assert all(not text.get_parse_math() for text in texts)
    words = {
        t.plain("doc.chart_by_group"),
        t.plain("doc.chart_by_municipality"),
        t.plain("doc.chart_axis"),
        t.plain("doc.chart_done_accepted"),
        t.plain("doc.chart_done_awaiting"),
        t.plain("doc.chart_done_returned"),
        t.plain("doc.no_answer"),
        t.plain("doc.chart_title", date="05.10.2026"),
    }
    assert words <= shown
