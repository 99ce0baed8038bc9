"""The digest workbook: «Сводка», «Матрица» (organization × recommendation), «Муниципалитеты»,
«Доказательства».

XlsxWriter lays out every sheet (formats, widths, frozen panes, headers, the small tables). The two
big bodies — up to 600,000 matrix cells and every evidence item — are then spliced into their sheets
as ready XML (see sheet_xml). openpyxl, even in write-only mode, needs about 15 s for the matrix alone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from bot.documents.figures import (
    DONE,
    IN_PROGRESS,
    NO_ANSWER,
    NOT_ADDRESSED,
    NOT_APPLICABLE,
    NOT_STARTED,
    DigestFigures,
    Matrix,
    Tally,
)
from bot.documents.sheet_xml import (
    BLANK,
    Splice,
    column_name,
    inline,
    inline_cache,
    number,
    splice,
    status_cells,
    timestamp,
)
from storage.repositories.digest import EvidenceRow

STATUS_WORDS = {
    DONE: "Выполнено",
    IN_PROGRESS: "В работе",
    NOT_STARTED: "Не начато",
    NOT_APPLICABLE: "Не применимо",
    NO_ANSWER: "Нет ответа",
}
STATUS_COLORS = {DONE: "#C6EFCE", IN_PROGRESS: "#FFEB9C", NOT_APPLICABLE: "#EDEDED", NO_ANSWER: "#FFC7CE"}
KIND_WORDS = {"document": "Документ", "photo": "Фото", "link": "Ссылка", "text": "Текст"}
TALLY_HEADER = ["Всего", "Выполнено", "В работе", "Не начато", "Не применимо", "Нет ответа", "% выполнения"]
NO_MUNICIPALITY = "— (региональный уровень)"
# Sheet files are numbered in the order the sheets are added below.
MATRIX_SHEET = "xl/worksheets/sheet2.xml"
EVIDENCE_SHEET = "xl/worksheets/sheet4.xml"
EVIDENCE_HEADER = [
    "Организация",
    "Муниципалитет",
    "Рекомендация",
    "Вид",
    "Файл, ссылка или текст",
    "Размер, байт",
    "Добавлено (UTC)",
]
TEXT_LIMIT = 1000


def _tally_row(label: str, tally: Tally) -> list[object]:
    return [
        label,
        tally.total,
        tally.done,
        tally.in_progress,
        tally.not_started,
        tally.not_applicable,
        tally.no_answer,
        round(tally.percent_done, 1),
    ]


def _summary(book: Workbook, figures: DigestFigures, header: object) -> None:
    sheet = book.add_worksheet("Сводка")
    sheet.set_column(0, 0, 70)
    sheet.set_column(1, 7, 13)
    sheet.write(0, 0, "Сводка на " + figures.today.strftime("%d.%m.%Y"), book.add_format({"bold": True}))
    lines = [title for _, title in figures.resolutions]
    if figures.municipality:
        lines.append(f"Муниципалитет: {figures.municipality}")
    lines.append(f"Организаций: {len(figures.organizations)}")
    lines.append(f"Не ответили ни разу: {len(figures.silent)}")
    lines.append(f"Просрочили срок: {len(figures.overdue)}")
    for row, line in enumerate(lines, start=1):
        sheet.write_string(row, 0, line)
    row = len(lines) + 2
    sheet.write_row(row, 0, ["Группа адресатов", *TALLY_HEADER], header)
    sheet.write_row(row + 1, 0, _tally_row("Всего", figures.overall))
    row += 2
    for group, tally in figures.groups:
        sheet.write_row(row, 0, _tally_row(f"{group.position}. {group.heading}", tally))
        row += 1
    sheet.write_row(row + 1, 0, ["Рекомендация", *TALLY_HEADER], header)
    for index, (rec, tally) in enumerate(figures.recommendations, start=row + 2):
        sheet.write_row(index, 0, _tally_row(f"{rec.number} {rec.text}", tally))


def _matrix_layout(book: Workbook, matrix: Matrix, header: object) -> None:
    sheet = book.add_worksheet("Матрица")
    last_row, last_col = len(matrix.rows), 1 + len(matrix.recs)
    sheet.freeze_panes(1, 2)
    sheet.set_column(0, 0, 50)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, max(2, last_col), 13)
    sheet.write_row(0, 0, ["Организация", "Муниципалитет", *(rec.number for rec in matrix.recs)], header)
    if not matrix.rows:
        return
    sheet.autofilter(0, 0, last_row, last_col)
    # Colours by rule, not per cell: the body is spliced in later and carries no styles.
    for code, color in STATUS_COLORS.items():
        sheet.conditional_format(
            1,
            2,
            last_row,
            max(2, last_col),
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{STATUS_WORDS[code]}"',
                "format": book.add_format({"bg_color": color}),
            },
        )


def _municipalities(book: Workbook, figures: DigestFigures, header: object) -> None:
    sheet = book.add_worksheet("Муниципалитеты")
    sheet.freeze_panes(1, 1)
    sheet.set_column(0, 0, 35)
    sheet.set_column(1, 9, 13)
    sheet.write_row(0, 0, ["Муниципалитет", *TALLY_HEADER, "Организаций", "Не ответили ни разу"], header)
    orgs: dict[str, int] = {}
    silent: dict[str, int] = {}
    for org in figures.organizations:
        orgs[org.municipality] = orgs.get(org.municipality, 0) + 1
    for org in figures.silent:
        silent[org.municipality] = silent.get(org.municipality, 0) + 1
    for row, (name, tally) in enumerate(figures.municipalities.items(), start=1):
        values = [*_tally_row(name or NO_MUNICIPALITY, tally), orgs.get(name, 0), silent.get(name, 0)]
        sheet.write_row(row, 0, values)


def _evidence_layout(book: Workbook, header: object) -> Format:
    sheet = book.add_worksheet("Доказательства")
    sheet.freeze_panes(1, 0)
    for first, last, width in ((0, 0, 45), (1, 1, 24), (2, 3, 14), (4, 4, 60), (5, 5, 14)):
        sheet.set_column(first, last, width)
    # Applied to the column so the workbook defines it; the spliced cells refer to it by index.
    when = book.add_format({"num_format": "dd.mm.yyyy hh:mm"})
    sheet.set_column(6, 6, 17, when)
    sheet.write_row(0, 0, EVIDENCE_HEADER, header)
    return when


def _matrix_body(matrix: Matrix, words: dict[int, int]) -> Splice:
    cells = status_cells({code: words[code] for code in STATUS_WORDS}, blank=NOT_ADDRESSED)
    municipality = inline_cache()
    rows = (
        (
            inline(org.name),
            municipality(org.municipality or NO_MUNICIPALITY),
            b"".join(map(cells.__getitem__, row)),
        )
        for org, row in zip(matrix.orgs, matrix.rows, strict=True)
    )
    return Splice(rows, f"A1:{column_name(1 + len(matrix.recs))}{len(matrix.rows) + 1}")


def _evidence_body(matrix: Matrix, evidence: Sequence[EvidenceRow], date_style: int) -> Splice:
    orgs = {org.org_id: org for org in matrix.orgs}
    numbers = {rec.rec_id: rec.number for rec in matrix.recs}
    cell = inline_cache()  # names, numbers and kinds repeat from row to row
    rows = []
    for item in evidence:
        org = orgs.get(item.org_id)
        if org is None:
            continue
        what = (item.file_name or item.url or item.text or "")[:TEXT_LIMIT]
        rows.append(
            (
                cell(org.name),
                cell(org.municipality or NO_MUNICIPALITY),
                cell(numbers.get(item.rec_id, "")),
                cell(KIND_WORDS.get(item.kind, item.kind)),
                inline(what),
                number(item.file_size) if item.file_size is not None else BLANK,
                timestamp(item.created_at, date_style) if item.created_at else BLANK,
            )
        )
    return Splice(rows, f"A1:G{len(rows) + 1}")


def build_xlsx(figures: DigestFigures, matrix: Matrix, evidence: Sequence[EvidenceRow]) -> bytes:
    """CPU-bound (about a second at 600,000 cells): call it in a worker thread."""
    buffer = io.BytesIO()
    # Names and headings come from users: a leading "=" must stay text, never become a formula.
    options = {"in_memory": True, "strings_to_urls": False, "strings_to_formulas": False}
    book = xlsxwriter.Workbook(buffer, options)
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"})
    _summary(book, figures, header)
    _matrix_layout(book, matrix, header)
    _municipalities(book, figures, header)
    date_format = _evidence_layout(book, header)
    book.close()
    return splice(
        buffer.getvalue(),
        list(STATUS_WORDS.values()),
        lambda words: {
            MATRIX_SHEET: _matrix_body(matrix, dict(zip(STATUS_WORDS, words, strict=True))),
            EVIDENCE_SHEET: _evidence_body(matrix, evidence, date_format.xf_index),
        },
    )
