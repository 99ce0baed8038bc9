"""The layout of the department's DOCX documents, after GOST R 7.0.97-2016 for official documents.

A4, margins 30 mm on the left (the binding) and 15/20/20 mm elsewhere; Times New Roman 14 pt, single
spacing, justified paragraphs with a 1.25 cm first-line indent; bold centred headings; tables in 12 pt
with a bold header row repeated on every page; the page number centred in the footer (a PAGE field).

python-docx is imported only by the functions that build a document (never at the bot's start-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table

FONT = "Times New Roman"
TEXT_PT = 14
TABLE_PT = 12
HEADER_PT_WIDE = 10
TWIPS_PER_CM = 566.9
# Characters below U+0020 other than tab, newline and carriage return are not allowed in XML 1.0.
CONTROL_CHARACTERS = {code: " " for code in range(32) if code not in (9, 10, 13)}
WIDE_TABLE = 6


def new_document() -> Document:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = document.styles["Normal"]
    _set_font(normal, TEXT_PT)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0
    fmt.first_line_indent = Cm(1.25)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for level in (1, 2, 3):
        heading = document.styles[f"Heading {level}"]
        _set_font(heading, TEXT_PT, bold=True)
        heading.font.italic = False
        heading.font.color.rgb = None
        hfmt = heading.paragraph_format
        hfmt.first_line_indent = Cm(0) if level < 3 else Cm(1.25)
        hfmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if level < 3 else WD_ALIGN_PARAGRAPH.LEFT
        hfmt.space_before, hfmt.space_after = Pt(12), Pt(6)
        hfmt.keep_with_next = True
    # The title page carries no number (it still counts as page 1).
    section.different_first_page_header_footer = True
    _page_number_footer(section)
    return document


def _set_font(style: Any, size: int, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    # Word takes Cyrillic text from the East Asian and complex-script slots unless they are named too.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    # A theme font (the headings' Calibri Light) wins over a named one: drop the theme references.
    for slot in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(slot), None)


def _page_number_footer(section: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Cm(0)
    run = paragraph.add_run()
    run.font.size = Pt(TABLE_PT)
    add_field(run, "PAGE")


def add_field(run: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) Word and LibreOffice compute when the page is laid out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    begin, code, separate, text, end = (
        OxmlElement("w:fldChar"),
        OxmlElement("w:instrText"),
        OxmlElement("w:fldChar"),
        OxmlElement("w:t"),
        OxmlElement("w:fldChar"),
    )
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate.set(qn("w:fldCharType"), "separate")
    text.text = "1"
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, text, end):
        run._r.append(element)


def centered(
    document: Document, text: str, bold: bool = False, size: int = TEXT_PT, space_after: int = 0
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Cm(0)
    paragraph.paragraph_format.space_after = Pt(space_after)
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def labelled(document: Document, label: str, text: str, justify: bool = True) -> None:
    """«Label: text» with the label in bold, as a justified paragraph (left-aligned for a long link,
    which justification would tear away from its label)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = document.add_paragraph()
    if not justify:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    paragraph.add_run(label).bold = True
    paragraph.add_run(" " + text)


def bullet(document: Document, text: str) -> None:
    """A list item the way official documents write them: a dash, no indent of its own."""
    document.add_paragraph("– " + text)


def table(
    document: Document,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths_cm: Sequence[float],
    bold_last: bool = False,
) -> Table:
    """A grid table in 12 pt: header bold, centred and repeated on each page; numbers centred.

    The rows are written as WordprocessingML and parsed once: python-docx's row and cell objects cost
    several milliseconds a row, and an appendix has thousands of them.
    """
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Cm

    grid = document.add_table(rows=0, cols=len(header))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    # Widths on the grid as well as on the cells: LibreOffice reads the one, Word the other.
    for column, width in zip(grid.columns, widths_cm, strict=True):
        column.width = Cm(width)
    twips = [round(width * TWIPS_PER_CM) for width in widths_cm]
    # A wide table's header in 10 pt, so that «Выполнено» fits its column unbroken.
    header_pt = TABLE_PT if len(header) <= WIDE_TABLE else HEADER_PT_WIDE
    body = [_row_xml(header, twips, bold=True, header=True, size=header_pt)]
    body += [_row_xml(values, twips, bold=bold_last and i == len(rows)) for i, values in enumerate(rows, 1)]
    fragment = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(body)}</w:tbl>")
    for row in list(fragment):
        grid._tbl.append(row)
    return grid


def _row_xml(
    values: Sequence[object], twips: Sequence[int], bold: bool, header: bool = False, size: int = TABLE_PT
) -> str:
    # Each row whole on one page: a row split across two is hard to read in print.
    properties = "<w:cantSplit/>" + ("<w:tblHeader/>" if header else "")
    run_properties = ("<w:b/>" if bold else "") + f'<w:sz w:val="{size * 2}"/><w:szCs w:val="{size * 2}"/>'
    cells = []
    for value, width in zip(values, twips, strict=True):
        centred = header or isinstance(value, int | float)
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
            f'<w:p><w:pPr><w:ind w:firstLine="0"/><w:jc w:val="{"center" if centred else "left"}"/></w:pPr>'
            f'<w:r><w:rPr>{run_properties}</w:rPr><w:t xml:space="preserve">{xml_text(value)}</w:t></w:r>'
            "</w:p></w:tc>"
        )
    return f"<w:tr><w:trPr>{properties}</w:trPr>{''.join(cells)}</w:tr>"


def xml_text(value: object) -> str:
    """A value as XML character data: escaped, and without the control characters XML cannot hold."""
    text = str(value).translate(CONTROL_CHARACTERS)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def page_break(document: Document) -> None:
    from docx.enum.text import WD_BREAK

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def to_bytes(document: Document) -> bytes:
    import io

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
