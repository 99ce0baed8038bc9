"""The department digest: figures from a compact matrix, an HTML summary, an XLSX workbook, a PNG chart.

No Telegram I/O here: callers (the /digest handler, the scheduler) send what `build_digest` returns.
Every word of the text, the workbook and the chart comes from the catalogs through the Translator the
caller passes: one set of figures (`collect_digest`) can be written out in several locales
(`render_digest`). The workbook and chart writers (XlsxWriter, matplotlib) are imported on the first
document made, not when the bot starts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.documents.figures import (
    Changes,
    DigestFigures,
    Matrix,
    Tally,
    build_figures,
    figures_from,
    load_matrix,
)
from bot.documents.ranking import MunicipalRanking, municipal_ranking
from bot.documents.report_log import ReportLog, load_report_log
from bot.documents.text import render_digest_text
from bot.domain.ranking import Thresholds
from bot.texts.i18n import Translator
from storage.repositories.digest import DigestRepo, EvidenceRow

# Beyond this the sheet stops being readable anyway; Excel's own limit is 1,048,576 rows.
MAX_EVIDENCE_ROWS = 200_000


@dataclass(frozen=True)
class DigestData:
    """What a digest is about, in no language yet: read from the database once per digest run."""

    figures: DigestFigures
    changes: Changes | None
    matrix: Matrix
    evidence: list[EvidenceRow]
    reports: ReportLog
    # The wall clock the documents show dates and times on: the bot's TIMEZONE.
    tz: dt.tzinfo = dt.UTC
    # The department's digest (the region, every kind) ranks the municipalities; a scoped one does not.
    ranking: MunicipalRanking | None = None

    @property
    def snapshot(self) -> dict[str, Any]:
        return self.figures.to_snapshot()


@dataclass(frozen=True)
class Digest:
    figures: DigestFigures
    changes: Changes | None
    text_parts: list[str]
    xlsx: bytes
    png: bytes
    snapshot: dict[str, Any]
    ranking: MunicipalRanking | None = None


def _files(data: DigestData, t: Translator) -> tuple[bytes, bytes]:
    # Imported here: the document stack costs start-up time and memory a bot that never makes a digest
    # should not pay.
    from bot.documents.chart import build_chart
    from bot.documents.xlsx import build_xlsx

    # One worker, one after the other: both hold the GIL most of the time, so two threads would only
    # contend with each other and with the event loop.
    xlsx = build_xlsx(
        data.figures, data.matrix, data.evidence, t, reports=data.reports, tz=data.tz, ranking=data.ranking
    )
    return xlsx, build_chart(data.figures, t, data.ranking)


async def collect_digest(
    source: AsyncSession | DigestRepo,
    resolution_id: int | None,
    municipality: str | None,
    today: dt.date,
    previous_snapshot: dict[str, Any] | None,
    kinds: Collection[str] | None = None,
    thresholds: Thresholds | None = None,
    *,
    tz: dt.tzinfo = dt.UTC,
) -> DigestData:
    """The figures of one published resolution (None: all) and municipality, and what changed; `tz` is
    the time zone the documents show dates and times in (the bot passes its TIMEZONE).

    `kinds`: only organizations of these kinds (a municipal authority's digest); None: every kind, and
    the region's digest then ranks the municipalities with `thresholds` (the defaults when None).
    """
    repo = source if isinstance(source, DigestRepo) else DigestRepo(source)
    matrix = await load_matrix(repo, resolution_id, municipality, kinds)
    evidence = await repo.evidence_rows([rec.rec_id for rec in matrix.recs], municipality, MAX_EVIDENCE_ROWS)
    reports = await load_report_log(repo, matrix)
    figures = await asyncio.to_thread(figures_from, matrix, today)
    ranking = None
    if municipality is None and kinds is None:
        reach = await repo.institution_reach(None)
        ranking = municipal_ranking(figures, reach, thresholds or Thresholds())
    changes = figures.changes_since(previous_snapshot)
    return DigestData(figures, changes, matrix, evidence, reports, tz, ranking)


async def render_digest(data: DigestData, t: Translator) -> Digest:
    """The text, workbook and chart of a digest in the translator's locale."""
    text_parts = render_digest_text(t, data.figures, data.changes, data.ranking)
    xlsx, png = await asyncio.to_thread(_files, data, t)
    return Digest(data.figures, data.changes, text_parts, xlsx, png, data.snapshot, data.ranking)


async def build_digest(
    source: AsyncSession | DigestRepo,
    resolution_id: int | None,
    municipality: str | None,
    today: dt.date,
    previous_snapshot: dict[str, Any] | None,
    t: Translator,
    kinds: Collection[str] | None = None,
    thresholds: Thresholds | None = None,
    *,
    tz: dt.tzinfo = dt.UTC,
) -> Digest:
    """Everything a digest consists of, in one locale."""
    data = await collect_digest(
        source, resolution_id, municipality, today, previous_snapshot, kinds, thresholds, tz=tz
    )
    return await render_digest(data, t)


__all__ = [
    "MAX_EVIDENCE_ROWS",
    "Changes",
    "Digest",
    "DigestData",
    "DigestFigures",
    "Matrix",
    "Tally",
    "build_digest",
    "build_figures",
    "collect_digest",
    "render_digest",
    "render_digest_text",
]
