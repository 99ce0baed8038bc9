"""The municipalities' ranking in the department's digest: figures in, text lines and a workbook sheet out.

A municipality here is what its municipal authority answers for: the authority itself and the
institutions there (the same organizations a municipal authority's own digest covers). The light comes
from bot.domain.ranking, the rule the dashboard uses too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.documents.figures import DigestFigures
from bot.domain.ranking import Light, Ranked, Standing, Thresholds, rank_municipalities
from bot.domain.scope import SUPERVISED_KINDS
from bot.texts.i18n import Translator
from bot.texts.text_split import shorten

if TYPE_CHECKING:
    # Only types here: the workbook writer is loaded with the first document, not at start-up.
    from xlsxwriter.workbook import Workbook

    from bot.documents.xlsx_kit import Styles

LIGHT_MARKS = {Light.GREEN: "🟢", Light.YELLOW: "🟡", Light.RED: "🔴"}
LIGHT_KEYS = {Light.GREEN: "rank.light_green", Light.YELLOW: "rank.light_yellow", Light.RED: "rank.light_red"}
SHEET_COLORS = {Light.GREEN: "#C6EFCE", Light.YELLOW: "#FFEB9C", Light.RED: "#FFC7CE"}
SHEET_KEYS = (
    "rank.col.rank",
    "doc.col.municipality",
    "rank.col.light",
    "rank.col.percent_accepted",
    "rank.col.overdue",
    "rank.col.institutions",
    "rank.col.unreachable",
)


@dataclass(frozen=True)
class MunicipalRanking:
    thresholds: Thresholds
    items: list[Ranked] = field(default_factory=list)


def municipal_ranking(
    figures: DigestFigures, reach: Mapping[str, tuple[int, int]], thresholds: Thresholds
) -> MunicipalRanking:
    """Every named municipality with a municipal authority or an institution among the addressees.

    `reach`: municipality → (active institutions, of them with nobody registered), from the database.
    """
    sums: dict[str, list[int]] = {}
    for org in figures.organizations:
        if org.kind not in SUPERVISED_KINDS or not org.municipality:
            continue
        row = sums.setdefault(org.municipality, [0, 0, 0])
        row[0] += org.tally.accepted_done
        row[1] += org.tally.applicable
        row[2] += org.overdue
    standings = [
        Standing(name, accepted, applicable, overdue, *reach.get(name, (0, 0)))
        for name, (accepted, applicable, overdue) in sums.items()
    ]
    return MunicipalRanking(thresholds, rank_municipalities(standings, thresholds))


def ranking_lines(t: Translator, ranking: MunicipalRanking) -> list[str]:
    """A compact ranked list: one short line per municipality (split into messages by the caller)."""
    if not ranking.items:
        return []
    limits = ranking.thresholds
    lines = ["", t("rank.title"), t("rank.legend", green=f"{limits.green:g}", yellow=f"{limits.yellow:g}")]
    return lines + [_line(t, item) for item in ranking.items]


def _line(t: Translator, item: Ranked) -> str:
    place = item.standing
    line = t(
        "rank.line",
        rank=item.rank,
        light=LIGHT_MARKS[item.light],
        name=shorten(place.name, 40),
        percent=round(place.percent),
        overdue=place.overdue,
    )
    # Reach only where it is short of everyone: the list stays one short line per municipality.
    if place.unreachable:
        line += t("rank.unreachable", count=place.unreachable, total=place.institutions)
    return line


def ranking_sheet(book: Workbook, ranking: MunicipalRanking | None, styles: Styles, t: Translator) -> None:
    """The ranking as its own sheet: rank, municipality, light, share accepted (a real percentage),
    overdue items, reach. None (a digest of one municipality): no sheet."""
    if ranking is None:
        return
    # Here, not at the top: the workbook's kit loads XlsxWriter, which the bot loads with its first
    # document, not at start-up.
    from bot.documents.xlsx_kit import fit

    sheet = book.add_worksheet(t.plain("rank.sheet"))
    sheet.freeze_panes(1, 2)
    headers = [t.plain(key) for key in SHEET_KEYS]
    names = [item.standing.name for item in ranking.items]
    lights = [t.plain(key) + "  " for key in LIGHT_KEYS.values()]
    for column, values in enumerate(([], names, lights, [], [], [], [])):
        sheet.set_column(
            column, column, max(fit(values, headers[column]), 12), styles.percent if column == 3 else None
        )
    sheet.write_row(0, 0, headers, styles.header)
    colors = {light: book.add_format({"bg_color": color}) for light, color in SHEET_COLORS.items()}
    for row, item in enumerate(ranking.items, start=1):
        place = item.standing
        sheet.write_row(row, 0, [item.rank, place.name])
        light = f"{LIGHT_MARKS[item.light]} {t.plain(LIGHT_KEYS[item.light])}"
        sheet.write_string(row, 2, light, colors[item.light])
        share = place.accepted_done / place.applicable if place.applicable else 0.0
        sheet.write_number(row, 3, share, styles.percent)
        sheet.write_row(row, 4, [place.overdue, place.institutions, place.unreachable])
