"""Issue 15, point 1: the report on execution (DOCX), through the bot and the CLI, read back with python-docx.

The data set is the digest's (tests/test_digest.known_data_set): 2 municipal authorities × 2
recommendations and 3 institutions × 3. On top: A's reports accepted, B's returned, an approved
extension for B, evidence for A.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.table import Table
from sqlalchemy import func, select, update

from bot.__main__ import main
from bot.documents.docx_layout import new_document
from bot.documents.execution_docx import _extended as write_extended
from bot.documents.execution_report import LATE_NAMES_PER_RECOMMENDATION, RecSection, _extended, _late
from bot.documents.figures import IN_PROGRESS, Matrix, Tally
from bot.domain import EvidenceKind, ExtensionState, OrgKind, ReviewState
from bot.domain.clock import FrozenClock
from bot.runtime.app import Runtime
from bot.texts.i18n import translator
from storage.models import DeadlineExtension, Evidence, Organization, Report
from storage.repositories.digest import GroupInfo, OrgInfo, RecInfo
from tests.test_digest import known_data_set
from tg_emulator import BotAPIEmulator

TODAY = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


async def enrich(app: Runtime) -> dict[str, int]:
    """Review decisions, an extension and evidence; returns the organizations' ids by name."""
    async with app.session_factory() as session:
        orgs = {name: oid for oid, name in await session.execute(select(Organization.id, Organization.name))}
        await session.execute(
            update(Report)
            .where(Report.organization_id == orgs["ДДТ А"])
            .values(review_state=ReviewState.ACCEPTED)
        )
        await session.execute(
            update(Report)
            .where(Report.organization_id == orgs["ЦДТ Б"])
            .values(review_state=ReviewState.RETURNED)
        )
        b_report = await session.scalar(select(Report).where(Report.organization_id == orgs["ЦДТ Б"]))
        assert b_report is not None
        session.add(
            DeadlineExtension(
                organization_id=orgs["ЦДТ Б"],
                recommendation_id=b_report.recommendation_id,
                new_deadline=dt.date(2026, 12, 31),
                reason="Ремонт",
                state=ExtensionState.APPROVED,
            )
        )
        a_report = await session.scalar(
            select(Report).where(Report.organization_id == orgs["ДДТ А"]).order_by(Report.id)
        )
        assert a_report is not None
        session.add_all(
            [
                Evidence(
                    report_id=a_report.id,
                    revision_version=1,
                    kind=EvidenceKind.DOCUMENT,
                    file_name="Приказ №5.pdf",
                ),
                Evidence(
                    report_id=a_report.id,
                    revision_version=1,
                    kind=EvidenceKind.LINK,
                    url="https://ddt-a.example/news/1",
                ),
            ]
        )
        await session.commit()
    return orgs


async def expected_counts(app: Runtime) -> dict[str, int]:
    async with app.session_factory() as session:
        rows = await session.execute(select(Report.status, func.count()).group_by(Report.status))
        return {status.value: count for status, count in rows}


def cells(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def check_report(content: bytes, by_status: dict[str, int]) -> None:
    document = Document(io.BytesIO(content))
    check_page_and_style(document)
    texts = [p.text for p in document.paragraphs]
    check_headings(document, texts)
    summary, municipalities, evidence = document.tables
    check_summary(summary, by_status)
    assert [row[0] for row in cells(municipalities)[1:]] == ["Вяземский район", "Сафоновский район"]
    assert cells(municipalities)[1][1:4] == ["2", "5", "3"]
    check_body("\n".join(texts))
    rows = cells(evidence)
    listed = [row[1:] for row in rows[1:]]
    assert ["ДДТ А (Вяземский район)", "2.1", "Приказ №5.pdf"] in listed
    assert "https://ddt-a.example/news/1" in [row[3] for row in rows[1:]]


def check_page_and_style(document: DocxDocument) -> None:
    """A4, page numbers in the footer, Times New Roman 14."""
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert "PAGE" in section.footer.paragraphs[0]._p.xml
    normal = document.styles["Normal"].font
    assert (normal.name, normal.size.pt) == ("Times New Roman", 14)


def check_headings(document: DocxDocument, texts: list[str]) -> None:
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "ИНФОРМАЦИЯ о ходе выполнения резолюции" in texts
    assert "По состоянию на 05.10.2026" in texts
    assert headings[:2] == ["1. Сводные показатели по группам адресатов", "2. Выполнение рекомендаций"]
    assert [h for h in headings if h.startswith("Рекомендация")] == [
        "Рекомендация 1.1",
        "Рекомендация 1.2",
        "Рекомендация 2.1",
        "Рекомендация 2.2",
        "Рекомендация 2.3",
    ]
    assert "3. Выполнение по муниципальным образованиям" in headings
    assert "Приложение. Перечень подтверждающих материалов" in headings


def check_summary(summary: Table, by_status: dict[str, int]) -> None:
    total = cells(summary)[-1]
    # Итого: 5 organizations, 5 recommendations, done, in progress, not started, n/a, no answer, %.
    assert total[1:9] == [
        "Итого",
        "5",
        "5",
        str(by_status.get("done", 0)),
        str(by_status.get("in_progress", 0)),
        str(by_status.get("not_started", 0)),
        str(by_status.get("not_applicable", 0)),
        "8",
    ]
    assert cells(summary)[1][1] == "Муниципальным органам управления образованием"
    assert cells(summary)[2][2:5] == ["3", "3", "2"]  # institutions: 3 organizations, 3 items, 2 done
    for paragraph in summary.rows[1].cells[1].paragraphs:
        assert paragraph.runs[0].font.size.pt == 12


def check_body(body: str) -> None:
    # What was done: only the accepted reports' comments, with the organization named.
    assert "ДДТ А (Вяземский район): Комментарий 0" in body
    assert "Комментарий 3" not in body  # B's report was returned, not accepted
    assert "ДДТ А (Вяземский район): Нет такой программы" in body
    assert "принято — 1, на проверке — 0, возвращено на доработку — 1." in body  # item 2.1: A and B
    # Deadline 30.09 passed: on 2.1 C is late, B is not (its own deadline is 31.12), A is done.
    section_21 = body[body.index("Рекомендация 2.1") : body.index("Рекомендация 2.2")]
    assert "Просрочили выполнение: 1." in section_21
    late = section_21.split("Срок:")[1].split("Перенесённые сроки:")[0]
    assert "Клуб <b>& (Сафоновский район)" in late and "ЦДТ Б" not in late
    # The approved extension is said in one line: whose deadline moved, to when, and what that means.
    assert (
        "Перенесённые сроки: ЦДТ Б (Сафоновский район) — до 31.12.2026. "
        "Просрочка по этим организациям считается от их собственного срока."
    ) in section_21.split("\n")
    assert "Перенесённые сроки:" not in body.replace(section_21, "")  # no other item has one


async def test_official_gets_the_report_from_the_documents_menu(
    emulator: BotAPIEmulator, app: Runtime, clock: FrozenClock
) -> None:
    await known_data_set(app, clock)
    await enrich(app)
    clock.set(TODAY)
    oleg = emulator.add_user(9200, "Олег", started=True)
    await oleg.send("/documents")
    menu = await oleg.expect(contains="Документы")
    labels = [text for row in menu.buttons for text, _ in row]
    assert labels == ["📄 Резолюция форума «Тестовый»"]  # no letters for an official
    await oleg.click(menu, "Резолюция")
    sent = await oleg.expect(contains="Информация о ходе выполнения резолюции")
    assert sent.document is not None and sent.document["file_name"].endswith(".docx")
    assert sent.content is not None
    check_report(sent.content, await expected_counts(app))

    # A member has no such menu; a forged button for an unknown resolution changes nothing.
    member = emulator.add_user(9101, "А", started=True)
    await member.send("/documents")
    await member.expect(contains="недоступна")
    documents_before = len([m for m in oleg.messages if m.document])
    await oleg.click_data(menu, "dr:999")
    answer = await oleg.expect_callback_answer()
    assert answer.show_alert and "не найдена или не опубликована" in (answer.text or "")
    assert len([m for m in oleg.messages if m.document]) == documents_before


async def test_cli_writes_the_same_report(
    app: Runtime,
    clock: FrozenClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await known_data_set(app, clock)
    await enrich(app)
    monkeypatch.setenv("DATABASE_URL", app.settings.database_url)
    monkeypatch.setenv("BOT_TOKEN", "123456:TEST_token_abcdefghijklmnopqrstuvwxyz")
    output = tmp_path / "report.docx"
    monkeypatch.setattr("bot.cli.execution_report.SystemClock", lambda: FrozenClock(TODAY))
    # In a thread of its own: the CLI runs its own event loop, as it does from a shell.
    assert await asyncio.to_thread(main, ["execution-report", "1", "--output", str(output)]) == 0
    assert "report.docx" in capsys.readouterr().out
    check_report(output.read_bytes(), await expected_counts(app))
    assert await asyncio.to_thread(main, ["execution-report", "77"]) == 2
    out = capsys.readouterr().err
    assert "не найдена или не опубликована" in out and "1: Резолюция" in out


def test_overdue_counts_from_the_organizations_own_deadline_and_says_so() -> None:
    """Past the common deadline an organization with a later own deadline is not overdue, one whose own
    deadline passed too is; each item with moved deadlines says so in one line, cut to a printable length."""
    kind = OrgKind.INSTITUTION.value
    orgs = [OrgInfo(i, f"ДДТ {i}", "Район", kind) for i in range(1, 36)]
    rec = RecInfo(7, 1, 1, "2.1", "Рекомендация", dt.date(2026, 9, 30))
    matrix = Matrix(
        [(1, "Резолюция")],
        [GroupInfo(1, 1, 2, "Учреждениям", kind)],
        [rec],
        orgs,
        [bytearray([IN_PROGRESS]) for _ in orgs],
        [None] * len(orgs),
    )
    # 32 organizations have their own deadline: 31.12 for all but one, whose 02.10 has passed too.
    own = {(org.org_id, 7): dt.date(2026, 12, 31) for org in orgs[:32]}
    own[(orgs[0].org_id, 7)] = dt.date(2026, 10, 2)
    [(late, rows)] = _late(matrix, TODAY.date(), own)
    assert late == 1 + 3 and rows == [0, 32, 33, 34]  # ДДТ 1 and the three without an extension
    moved = _extended(matrix, own)[7]
    assert len(moved) == 32 and moved[0] == (0, dt.date(2026, 10, 2))
    section = RecSection(rec, Tally(), {}, late=late)
    section.extended_total = len(moved)
    section.extended = [(f"ДДТ {i + 1} (Район)", d) for i, d in moved[:LATE_NAMES_PER_RECOMMENDATION]]
    for locale, expected in [
        ("ru", "Перенесённые сроки: ДДТ 1 (Район) — до 02.10.2026; ДДТ 2 (Район) — до 31.12.2026;"),
        ("en", "Moved deadlines: ДДТ 1 (Район) — until 02.10.2026; ДДТ 2 (Район) — until 31.12.2026;"),
    ]:
        document = new_document()
        write_extended(document, section, translator(locale))
        [line] = [p.text for p in document.paragraphs]
        assert line.startswith(expected) and line.count("—") == LATE_NAMES_PER_RECOMMENDATION
    assert line.endswith("and 2 more. These organizations are overdue only after their own deadline.")
