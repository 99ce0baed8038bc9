"""Organization import from the files people actually have: Excel's CSV, UTF-16, cp1251, a title row,
and the wrong file altogether — each refusal says what is wrong, naming the Russian column headers."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator

import pytest
from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import OrgKind
from bot.domain.errors import DomainError
from bot.services.org_import import ImportResult, import_organizations
from bot.telegram.views.org_import import import_report
from bot.texts.i18n import translator
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.repositories import Repositories

EXCEL_CSV = (
    "Название;Тип;Муниципалитет\r\n"
    '"МБУ ДО ""Дом творчества"", г. Вязьма";учреждение;Вяземский район\r\n'
    "Отдел образования;Муниципальный;Вяземский район\r\n"
)


@pytest.fixture
async def session(database_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(database_url)
    await upgrade(engine)
    async with create_session_factory(engine)() as session:
        yield session
    await engine.dispose()


async def run_import(session: AsyncSession, data: bytes, name: str = "orgs.csv") -> ImportResult:
    return await import_organizations(Repositories(session), data, name, dry_run=True)


def refusal(error: pytest.ExceptionInfo[DomainError]) -> str:
    return translator("ru").plain(error.value.key, **error.value.params)


def reasons(result: ImportResult) -> dict[int, str]:
    t = translator("ru")
    return {v.row: t.plain(v.reason, **v.params) for v in result.rejected}


@pytest.mark.parametrize(
    "encoded",
    [
        EXCEL_CSV.encode("cp1251"),
        EXCEL_CSV.encode("utf-8"),
        EXCEL_CSV.encode("utf-8-sig"),
        EXCEL_CSV.encode("utf-16"),  # with a BOM, the machine's byte order
        b"\xff\xfe" + EXCEL_CSV.encode("utf-16-le"),
        b"\xfe\xff" + EXCEL_CSV.encode("utf-16-be"),
        EXCEL_CSV.encode("utf-16-le"),  # no BOM at all
        EXCEL_CSV.replace(";", "\t").encode("utf-8"),
        EXCEL_CSV.replace(";", ",").encode("utf-8"),
    ],
    ids=["cp1251", "utf8", "utf8-bom", "utf16", "utf16le-bom", "utf16be-bom", "utf16le", "tabs", "commas"],
)
async def test_excel_csv_in_every_encoding_and_dialect(session: AsyncSession, encoded: bytes) -> None:
    result = await run_import(session, encoded)
    assert [v.name for v in result.added] == ['МБУ ДО "Дом творчества", г. Вязьма', "Отдел образования"]
    assert [v.row for v in result.added] == [2, 3] and not result.rejected


async def test_a_csv_renamed_xlsx_is_read_as_what_it_is(session: AsyncSession) -> None:
    result = await run_import(session, EXCEL_CSV.encode("cp1251"), "orgs.xlsx")
    assert len(result.added) == 2


async def test_a_title_row_above_the_header(session: AsyncSession) -> None:
    data = ("Список организаций на 01.09.2026;;\n;;\n" + EXCEL_CSV).encode("cp1251")
    result = await run_import(session, data)
    assert [v.row for v in result.added] == [4, 5]


async def test_each_bad_row_says_what_is_wrong(session: AsyncSession) -> None:
    data = (
        "название;тип;муниципалитет\n"
        "ДДТ;;Вязьма\n"
        "1024;учреждение;Вязьма\n"
        "Лицей;школа;Вязьма\n"
        ";учреждение;Вязьма\n"
        f"{'Я' * 301};учреждение;\n"
        f"ЦРТ;учреждение;{'М' * 201}\n"
        "СЮТ;Учреждение;Ярцево\n"
    ).encode()
    result = await run_import(session, data)
    assert [v.name for v in result.added] == ["СЮТ"]
    assert reasons(result) == {
        2: "не заполнен столбец «тип»",
        3: "в столбце «название» стоит «1024» — это не название организации",
        4: (
            "в столбце «тип» указано «школа», а нужно одно из: "
            "департамент, муниципальный, институт, учреждение, другое"
        ),
        5: "не заполнен столбец «название»",
        6: "в столбце «название» больше 300 символов",
        7: "в столбце «муниципалитет» больше 200 символов",
    }
    report = "\n".join(import_report(translator("ru"), result))
    assert "строка 2: ДДТ — не заполнен столбец «тип»" in report and "—»" not in report


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "answer"),
    [
        (docx(), "organizations.docx", "Это файл DOCX, а не таблица."),
        (docx(), "organizations.xlsx", "Это файл DOCX, а не таблица."),
        (b"%PDF-1.7 ...", "orgs.csv", "Это файл PDF, а не таблица."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "orgs.xls", "Это файл XLS/DOC, а не таблица."),
        (b"PK\x03\x04 broken", "orgs.xlsx", "Файл XLSX повреждён"),
        (b"this is not a spreadsheet", "orgs.xlsx", "Файл XLSX повреждён"),
        (b"\x01\x02\x03binary\x04", "orgs.csv", "Файл не похож ни на таблицу Excel, ни на текст CSV."),
        (b"", "orgs.csv", "Файл пустой."),
        (
            "name;municipality\nДДТ;Вязьма\n".encode(),
            "orgs.csv",
            "Нет обязательных столбцов: «тип».",
        ),
        (
            "Организации\nДДТ\n".encode(),
            "orgs.csv",
            "Не найдена строка заголовков: в первых 10 строках нет столбцов «название», «тип».",
        ),
    ],
    ids=[
        "docx",
        "docx-as-xlsx",
        "pdf",
        "xls",
        "broken-zip",
        "text-as-xlsx",
        "binary",
        "empty",
        "no-kind",
        "no-header",
    ],
)
async def test_the_wrong_file_gets_a_precise_answer(
    session: AsyncSession, data: bytes, name: str, answer: str
) -> None:
    with pytest.raises(DomainError) as error:
        await run_import(session, data, name)
    assert refusal(error).startswith(answer), refusal(error)


async def test_xlsx_with_a_title_row_and_numbers(session: AsyncSession) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Организации Смоленской области"])
    sheet.append(["Наименование", "Вид", "Район"])
    sheet.append(["Станция юных техников", "учреждение", "Ярцевский район"])
    sheet.append([2024.0, "учреждение", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = await run_import(session, buffer.getvalue(), "orgs.xlsx")
    assert [(v.row, v.name) for v in result.added] == [(3, "Станция юных техников")]
    assert reasons(result) == {4: "в столбце «название» стоит «2024» — это не название организации"}


async def test_one_transaction_and_the_dry_run(session: AsyncSession) -> None:
    repo = Repositories(session)
    data = EXCEL_CSV.encode("cp1251")
    await import_organizations(repo, data, "orgs.csv", dry_run=True)
    assert await repo.orgs.all_active() == []
    result = await import_organizations(repo, data, "orgs.csv")
    await session.rollback()  # the caller's transaction decides: nothing was committed on its own
    assert await repo.orgs.all_active() == [] and len(result.added) == 2
    await import_organizations(repo, data, "orgs.csv")
    await session.commit()
    kinds = sorted(org.kind for org in await repo.orgs.all_active())
    assert kinds == sorted([OrgKind.INSTITUTION, OrgKind.MUNICIPAL])
    again = await import_organizations(repo, data, "orgs.csv")
    assert not again.added and [v.reason for v in again.duplicates] == ["import.row_exists"] * 2
