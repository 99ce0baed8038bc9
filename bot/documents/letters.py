"""Invitation letters: one DOCX with a page per organization (its name, a short instruction, the link, its
QR code, the expiry date) and an XLSX of the links. Every word from the catalogs (`documents.letters.*`).

QR codes are drawn by segno (pure Python); python-docx and XlsxWriter load with the first letters made.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.documents import docx_layout as layout
from bot.texts.i18n import Translator

if TYPE_CHECKING:
    from docx.document import Document

# Error correction M survives a crease or a stamp on the printed page; 8 px modules print crisp.
QR_ERROR = "m"
QR_SCALE = 8
QR_BORDER = 4
QR_WIDTH_CM = 5.0


@dataclass(frozen=True)
class Letter:
    org_name: str
    municipality: str
    link: str
    expires_on: dt.date


def qr_png(link: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(link, error=QR_ERROR, micro=False).save(buffer, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()


def _page(document: Document, letter: Letter, t: Translator) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    layout.centered(document, t.plain("documents.letters.heading"), bold=True, space_after=12)
    layout.centered(document, letter.org_name, bold=True)
    if letter.municipality:
        layout.centered(document, letter.municipality)
    layout.centered(document, "", space_after=6)
    for key in ("documents.letters.body", "documents.letters.step_open", "documents.letters.step_start"):
        document.add_paragraph(t.plain(key))
    layout.labelled(document, t.plain("documents.letters.link_label"), letter.link, justify=False)
    picture = document.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.first_line_indent = Cm(0)
    picture.add_run().add_picture(io.BytesIO(qr_png(letter.link)), width=Cm(QR_WIDTH_CM))
    expires = t.plain("documents.letters.expires", date=letter.expires_on.strftime("%d.%m.%Y"))
    layout.labelled(document, t.plain("documents.letters.expires_label"), expires)
    document.add_paragraph(t.plain("documents.letters.single_use"))


def build_letters_docx(letters: Sequence[Letter], t: Translator) -> bytes:
    document = layout.new_document()
    for i, letter in enumerate(letters):
        if i:
            layout.page_break(document)
        _page(document, letter, t)
    return layout.to_bytes(document)


def build_letters_xlsx(letters: Sequence[Letter], t: Translator) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(t.plain("documents.letters.sheet"))
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    date = workbook.add_format({"num_format": "dd.mm.yyyy", "valign": "top"})
    header = [t.plain(f"documents.letters.col_{name}") for name in ("org", "municipality", "link", "expires")]
    sheet.write_row(0, 0, header, bold)
    for row, letter in enumerate(letters, start=1):
        sheet.write_string(row, 0, letter.org_name, wrap)
        sheet.write_string(row, 1, letter.municipality, wrap)
        sheet.write_url(row, 2, letter.link, string=letter.link)
        sheet.write_datetime(row, 3, dt.datetime.combine(letter.expires_on, dt.time()), date)
    sheet.set_column(0, 0, 50)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 2, 58)
    sheet.set_column(3, 3, 14)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(letters), 1), len(header) - 1)
    workbook.close()
    return buffer.getvalue()
