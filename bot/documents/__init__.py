"""The department digest: figures from a compact matrix, an HTML summary, an XLSX workbook, a PNG chart.

No Telegram I/O here: callers (the /digest handler, the scheduler) send what `build_digest` returns.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.documents.chart import build_chart
from bot.documents.figures import (
    Changes,
    DigestFigures,
    Matrix,
    Tally,
    build_figures,
    figures_from,
    load_matrix,
)
from bot.documents.text import render_digest_text
from bot.documents.xlsx import build_xlsx
from bot.texts.i18n import Translator, translator
from storage.repositories.digest import DigestRepo, EvidenceRow

# Beyond this the sheet stops being readable anyway; Excel's own limit is 1,048,576 rows.
MAX_EVIDENCE_ROWS = 200_000


@dataclass(frozen=True)
class Digest:
    figures: DigestFigures
    changes: Changes | None
    text_parts: list[str]
    xlsx: bytes
    png: bytes
    snapshot: dict[str, Any]


def _files(figures: DigestFigures, matrix: Matrix, evidence: list[EvidenceRow]) -> tuple[bytes, bytes]:
    # One worker, one after the other: both hold the GIL most of the time, so two threads would only
    # contend with each other and with the event loop.
    return build_xlsx(figures, matrix, evidence), build_chart(figures)


async def build_digest(
    source: AsyncSession | DigestRepo,
    resolution_id: int | None,
    municipality: str | None,
    today: dt.date,
    previous_snapshot: dict[str, Any] | None,
    t: Translator | None = None,
) -> Digest:
    """Everything a digest consists of, for one published resolution (None: all) and municipality."""
    repo = source if isinstance(source, DigestRepo) else DigestRepo(source)
    matrix = await load_matrix(repo, resolution_id, municipality)
    evidence = await repo.evidence_rows([rec.rec_id for rec in matrix.recs], municipality, MAX_EVIDENCE_ROWS)
    figures = await asyncio.to_thread(figures_from, matrix, today)
    changes = figures.changes_since(previous_snapshot)
    text_parts = render_digest_text(t or translator(), figures, changes)
    xlsx, png = await asyncio.to_thread(_files, figures, matrix, evidence)
    return Digest(figures, changes, text_parts, xlsx, png, figures.to_snapshot())


__all__ = [
    "Changes",
    "Digest",
    "DigestFigures",
    "Matrix",
    "Tally",
    "build_chart",
    "build_digest",
    "build_figures",
    "build_xlsx",
    "render_digest_text",
]
